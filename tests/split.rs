//! `moderate split` end to end: the shared seeds, one fixture per supported layout and
//! format, and bad input.

mod common;

use common::{fixture, parse_csv, seeds_dir, stderr, Row, Workdir};

/// (author, posted_at, text, parent_id) of every comment.
fn comments(rows: &[Row]) -> Vec<(&str, &str, &str, &str)> {
    rows.iter()
        .map(|r| {
            (
                r["author"].as_str(),
                r["posted_at"].as_str(),
                r["text"].as_str(),
                r["parent_id"].as_str(),
            )
        })
        .collect()
}

fn split_fixture(name: &str) -> (Vec<Row>, Vec<Row>) {
    let wd = Workdir::new();
    wd.run_ok(&[
        "split",
        &fixture(name),
        "-o",
        "c.csv",
        "--articles",
        "a.csv",
    ]);
    (wd.read_csv("c.csv"), wd.read_csv("a.csv"))
}

#[test]
fn seed_004_yields_every_comment_and_the_complete_article() {
    let Some(seeds) = seeds_dir() else { return };
    let seed = seeds.join("004_cebe9f5fd735330a.txt");
    let source = std::fs::read_to_string(&seed).unwrap();
    let wd = Workdir::new();
    wd.run_ok(&[
        "split",
        seed.to_str().unwrap(),
        "-o",
        "c.csv",
        "--articles",
        "a.csv",
    ]);
    let rows = wd.read_csv("c.csv");
    let articles = wd.read_csv("a.csv");

    // One comment per time line of the page, each with its time.
    assert_eq!(rows.len(), source.matches("il y a 3 semaines (").count());
    assert_eq!(rows.len(), 51);
    assert!(rows
        .iter()
        .all(|r| r["posted_at"].starts_with("il y a 3 semaines (")));
    // Named authors in page order; "Reply_author" placeholders become empty authors.
    let named: Vec<&str> = rows
        .iter()
        .map(|r| r["author"].as_str())
        .filter(|a| !a.is_empty())
        .collect();
    assert_eq!(
        named,
        [
            "Karim-usa",
            "Sénégal En Danger",
            "Abdullah",
            "Bathie",
            "Islam/mali",
            "Ousmane",
            "Toubab Français",
            "Barma Fall",
            "Mbaye Cisse",
            "Dadis",
            "Mama",
            "Wagner",
            "Alpha De Paname",
            "Pfff",
            "L’anti Terroriste",
            "Abdoulaye",
            "Youp",
            "Mohamed Aloua",
            "Manipulés",
            "Africain",
            "Africain",
            "Bathurst",
            "Bathurst",
        ]
    );
    assert_eq!(
        rows.iter().filter(|r| r["author"].is_empty()).count(),
        source.matches("Reply_author").count()
    );
    // Full multi-line texts.
    let by = |author: &str| rows.iter().find(|r| r["author"] == author).unwrap();
    assert_eq!(
        by("Abdullah")["text"],
        "C est elle qui sème le bordel en Afrique depuis des siècles.\n\
         Faut envisager des attaques au coeur de Paris et exiger le démantèlement de toutes les bases militaires françaises en Afrique,surtout celles du Sénégal du Bénin et de la Côte d ivoire.\n\
         Les otaniens sont de sauvages prédateurs.\n\
         Mais les maliens vaincrons cette hydre créee,financée et armée par la France de Lecointre.\n\
         Les trolls pro français s s'empresseront de commenter cet acte."
    );
    assert_eq!(
        by("Islam/mali")["text"],
        "Ki sont vraiment ceux ki s'attaquent au Mali????"
    );
    assert_eq!(
        by("Mama")["text"],
        by("Abdoulaye")["text"],
        "the repeated comment is read twice"
    );
    assert!(by("Pfff")["text"].ends_with("A PAREIL MOMENT EN FRANCE."));
    assert_eq!(by("Bathurst")["text"], "");
    // Replies point at the comment they follow.
    let bathie = by("Bathie")["comment_id"].clone();
    let after_bathie = rows.iter().position(|r| r["comment_id"] == bathie).unwrap() + 1;
    assert_eq!(rows[after_bathie]["author"], "");
    assert_eq!(rows[after_bathie]["parent_id"], bathie);

    // No article sentence in a comment, no footer anywhere, and the article is complete.
    let (article_part, _) = source.split_once("31 Commentaires").unwrap();
    let body = &articles[0]["body"];
    for line in article_part
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        assert!(
            body.contains(line),
            "article line missing from the body: {line}"
        );
        assert!(
            rows.iter().all(|r| !r["text"].contains(line)),
            "article line in a comment: {line}"
        );
    }
    assert!(rows
        .iter()
        .all(|r| !r["text"].contains("Participer") && !r["text"].contains("Commentaires")));
    assert!(!body.contains("Commentaires") && !body.contains("Reply_author"));
}

#[test]
fn seeds_without_comment_sections_yield_their_full_articles() {
    let Some(seeds) = seeds_dir() else { return };
    for name in [
        "000_04075c3af13b1e99",
        "001_db614c1bfad539a2",
        "002_0247bc0df2810914",
        "003_6e54c779219fa607",
    ] {
        let seed = seeds.join(format!("{name}.txt"));
        let source = std::fs::read_to_string(&seed).unwrap();
        let wd = Workdir::new();
        wd.run_ok(&[
            "split",
            seed.to_str().unwrap(),
            "-o",
            "c.csv",
            "--articles",
            "a.csv",
        ]);
        assert!(wd.read_csv("c.csv").is_empty(), "{name} has no comments");
        let articles = wd.read_csv("a.csv");
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0]["thread_id"], name);
        let article = format!("{}\n{}", articles[0]["title"], articles[0]["body"]);
        for line in source.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line.starts_with("You must be logged in") {
                assert!(
                    !article.contains(line),
                    "{name}: the login prompt is not article text"
                );
            } else {
                assert!(
                    articles[0]["body"].contains(line) || articles[0]["title"] == line,
                    "{name}: missing {line}"
                );
            }
        }
    }
}

#[test]
fn french_posted_by_layout() {
    let (rows, articles) = split_fixture("fr-posted-by.txt");
    assert_eq!(
        articles[0]["title"],
        "Coupures d'électricité : la Senelec promet un retour à la normale"
    );
    assert!(articles[0]["body"].ends_with("panne à la centrale du Cap des Biches."));
    assert_eq!(
        comments(&rows),
        [
            (
                "Awa Ndiaye",
                "le 02/05/2025 à 08h15",
                "Douze heures sans courant, les commerçants perdent tout.",
                ""
            ),
            (
                "Mamadou",
                "le 02/05/2025 à 09h02",
                "Ils disent ça chaque année.\nEt rien ne change.",
                "fr-posted-by#1"
            ),
            ("Khady S.", "le 02/05/2025 à 10h40", "", ""),
        ]
    );
    assert_eq!(rows[0]["comment_id"], "fr-posted-by#1");
    assert!(rows.iter().all(|r| r["thread_id"] == "fr-posted-by"));
}

#[test]
fn french_name_dot_time_layout() {
    let (rows, articles) = split_fixture("fr-name-dot-time.txt");
    assert_eq!(
        articles[0]["title"],
        "Le prix du riz brisé grimpe encore à Bamako"
    );
    assert_eq!(
        comments(&rows),
        [
            (
                "Oumou Traoré",
                "il y a 2 heures",
                "Avec quel salaire on va nourrir la famille ?",
                ""
            ),
            (
                "Seydou",
                "il y a 1 heure",
                "Le gouvernement doit supprimer les taxes à l'import.",
                ""
            ),
        ]
    );
}

#[test]
fn english_wordpress_says_layout() {
    let (rows, articles) = split_fixture("en-thoughts-says.txt");
    assert_eq!(
        articles[0]["body"],
        "Fire swept through the Balogun market on Sunday night, destroying about 300 shops.\n\n\
         Emergency services said the cause is still unknown."
    );
    assert_eq!(
        comments(&rows),
        [
            (
                "Chidi",
                "June 21, 2025 at 8:14 am",
                "The fire service came two hours late. Again.",
                ""
            ),
            (
                "Ngozi",
                "June 21, 2025 at 9:30 am",
                "My cousin lost everything.\n\nWe are raising funds for the families.",
                ""
            ),
            (
                "Tunde",
                "June 22, 2025 at 7:02 pm",
                "Where were the hydrants?",
                ""
            ),
        ]
    );
}

#[test]
fn english_time_first_layout_with_reply_marker() {
    let (rows, _) = split_fixture("en-time-first.txt");
    assert_eq!(
        comments(&rows),
        [
            (
                "Kofi Mensah",
                "2 hours ago",
                "Finally some stability on the bench.",
                ""
            ),
            (
                "Ama",
                "1 hour ago",
                "Stability? He is the fourth coach in two years.",
                "en-time-first#1"
            ),
            ("Yaw", "35 minutes ago", "", ""),
        ]
    );
}

#[test]
fn section_without_a_count_header() {
    let (rows, articles) = split_fixture("en-no-header-hyphen.txt");
    assert_eq!(
        articles[0]["body"],
        "Classes resumed on Monday in most districts of the capital."
    );
    assert_eq!(
        comments(&rows),
        [
            (
                "Aisha",
                "3 days ago",
                "Good news for the children, they lost a month already.",
                ""
            ),
            (
                "Ibrahim",
                "2 days ago",
                "Several classrooms still have no roof.",
                ""
            ),
        ]
    );
}

#[test]
fn glued_scraper_layout() {
    let (rows, _) = split_fixture("glued.txt");
    assert_eq!(
        comments(&rows),
        [
            ("", "il y a 2 jours (10:15 AM)", "", ""),
            (
                "Fatou",
                "il y a 2 jours (11:20 AM)",
                "C'est devenu un luxe.\nPourtant c'est une obligation pour beaucoup.",
                ""
            ),
            ("", "il y a 2 jours (12:05 PM)", "", "glued#2"),
        ]
    );
}

#[test]
fn html_page_comments_and_article() {
    let (rows, articles) = split_fixture("news-page.html");
    let thread = "https://quotidien.example/societe/greve-taxis-motos";
    assert_eq!(articles[0]["thread_id"], thread);
    assert_eq!(
        articles[0]["title"],
        "Ouagadougou : les taxis-motos en grève"
    );
    assert_eq!(
        articles[0]["body"],
        "Les conducteurs de taxis-motos ont cessé le travail lundi pour protester contre la hausse des amendes.\n\n\
         La mairie affirme que les nouvelles règles visent à réduire les accidents."
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r["comment_id"].as_str(),
                r["parent_id"].as_str(),
                r["author"].as_str(),
                r["posted_at"].as_str(),
                r["text"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "c101",
                "",
                "Issouf",
                "2025-04-07T09:12:00Z",
                "Les amendes ont doublé en un mois, c'est trop."
            ),
            (
                "c102",
                "c101",
                "Mariam",
                "2025-04-07T10:30:00Z",
                "Mais les accidents aussi ont doublé.\n\nIl faut des règles."
            ),
            ("c103", "", "Boukary", "2025-04-07T11:00:00Z", ""),
        ]
    );
    assert!(rows.iter().all(|r| r["thread_id"] == thread));
}

#[test]
fn disqus_export_threads_posts_and_flags() {
    let (rows, articles) = split_fixture("disqus-export.xml");
    assert_eq!(articles.len(), 2);
    assert_eq!(
        articles[0]["title"],
        "Port de Dakar : le trafic en hausse de 8 %"
    );
    assert_eq!(articles[1]["body"], "");
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r["thread_id"].as_str(),
                r["comment_id"].as_str(),
                r["parent_id"].as_str(),
                r["author"].as_str(),
                r["posted_at"].as_str(),
                r["text"].as_str(),
                r["status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "5001",
                "9001",
                "",
                "Aminata",
                "2025-02-10T09:00:00Z",
                "Bonne nouvelle pour l'économie & l'emploi.",
                ""
            ),
            (
                "5001",
                "9002",
                "9001",
                "Modou",
                "2025-02-10T09:15:00Z",
                "Et les camions attendent toujours trois jours à l'entrée.",
                ""
            ),
            (
                "5002",
                "9003",
                "",
                "promo2025",
                "2025-02-11T12:00:00Z",
                "Gagnez 500 000 FCFA par semaine, écrivez-moi sur WhatsApp",
                "deleted spam"
            ),
        ]
    );
}

#[test]
fn wordpress_export_comments_parents_and_approval() {
    let (rows, articles) = split_fixture("wordpress-export.xml");
    assert_eq!(articles.len(), 2);
    assert_eq!(
        articles[0]["body"],
        "La Côte d'Ivoire a battu la Zambie 2-0.\n\nLe sélectionneur salue un groupe solide."
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r["thread_id"].as_str(),
                r["comment_id"].as_str(),
                r["parent_id"].as_str(),
                r["author"].as_str(),
                r["posted_at"].as_str(),
                r["text"].as_str(),
                r["status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "314",
                "21",
                "",
                "Serge K.",
                "2025-09-08 21:05:00",
                "On y va ! Allez les Éléphants",
                ""
            ),
            (
                "314",
                "22",
                "21",
                "Adjoua",
                "2025-09-08 21:40:00",
                "La défense reste fragile quand même.",
                "pending"
            ),
        ]
    );
}

#[test]
fn a_split_table_reads_back_identically_and_jsonl_is_chosen_by_extension() {
    let wd = Workdir::new();
    wd.run_ok(&["split", &fixture("en-thoughts-says.txt"), "-o", "first.csv"]);
    wd.run_ok(&["split", "first.csv", "-o", "second.csv"]);
    assert_eq!(wd.read_csv("first.csv"), wd.read_csv("second.csv"));
    wd.run_ok(&["split", "first.csv", "-o", "third.jsonl"]);
    let jsonl = std::fs::read_to_string(wd.path("third.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 3);
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["author"], "Chidi");
}

#[test]
fn reads_standard_input_and_writes_standard_output() {
    let wd = Workdir::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["split", "--format", "text"])
        .stdin(std::fs::File::open(fixture("fr-name-dot-time.txt")).unwrap())
        .current_dir(wd.path("."))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = parse_csv(&output.stdout);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["thread_id"], "stdin");
    assert!(stderr(&output)
        .contains("1 file(s), 1 thread(s), 2 comment(s) (0 empty), 0 skipped, 0 failed"));
}

#[test]
fn an_unreadable_input_among_several_is_reported_and_the_others_are_written() {
    let wd = Workdir::new();
    let output = wd.run_expect(
        &[
            "split",
            &fixture("glued.txt"),
            "missing.txt",
            &fixture("en-time-first.txt"),
            "-o",
            "c.csv",
        ],
        3,
    );
    assert!(
        stderr(&output).contains("missing.txt: no such file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(wd.read_csv("c.csv").len(), 6);
}

#[test]
fn when_no_input_can_be_read_nothing_is_written() {
    let wd = Workdir::new();
    wd.write("c.csv", "previous");
    let output = wd.run_expect(&["split", "missing.txt", "-o", "c.csv"], 1);
    assert!(stderr(&output).contains("missing.txt: no such file"));
    assert_eq!(
        std::fs::read_to_string(wd.path("c.csv")).unwrap(),
        "previous"
    );
}

#[test]
fn the_bundled_example_dumps_split_into_their_documented_comments() {
    let dumps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/dumps");
    for (file, threads, count) in [
        ("bamako-fuel-shortage.txt", 1, 15),
        ("accra-floods.txt", 1, 11),
        ("dakar-teachers-strike.txt", 1, 10),
        ("niamey-election.html", 1, 12),
        ("sahel-disqus-export.xml", 2, 13),
        ("abidjan-wordpress-export.xml", 2, 13),
    ] {
        let wd = Workdir::new();
        let path = dumps.join(file);
        wd.run_ok(&[
            "split",
            path.to_str().unwrap(),
            "-o",
            "c.csv",
            "--articles",
            "a.csv",
        ]);
        let rows = wd.read_csv("c.csv");
        assert_eq!(rows.len(), count, "{file}");
        assert_eq!(wd.read_csv("a.csv").len(), threads, "{file}");
        assert!(
            rows.iter().all(|r| !r["posted_at"].is_empty()),
            "{file}: every comment has a time"
        );
    }
}
