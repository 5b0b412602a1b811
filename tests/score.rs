//! `moderate score` and `moderate flag` end to end, with the default model embedded in the
//! binary: every comment accounted for, in order; reasons that point at real text; exports.

mod common;

use common::{fixture, parse_csv, seeds_dir, stderr, Row, Workdir};
use moderate::model::file::FORMAT_VERSION;

fn dump(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/dumps")
        .join(name)
        .display()
        .to_string()
}

/// The (term, start, end) evidence of a reasons cell (terms written without quotes inside).
fn terms(reasons: &str) -> Vec<(String, usize, usize)> {
    reasons
        .split("; ")
        .filter_map(|r| {
            let rest = r.strip_prefix('"')?;
            let (term, rest) = rest.split_once("\"@")?;
            let (span, _) = rest.split_once(' ')?;
            let (start, end) = span.split_once('-')?;
            Some((term.to_string(), start.parse().ok()?, end.parse().ok()?))
        })
        .collect()
}

fn check_scores(split: &[Row], scored: &[Row]) {
    assert_eq!(scored.len(), split.len(), "one scored row per comment");
    for (s, c) in scored.iter().zip(split) {
        assert_eq!(
            (&s["thread_id"], &s["comment_id"], &s["text"]),
            (&c["thread_id"], &c["comment_id"], &c["text"])
        );
        if c["text"].trim().is_empty() {
            assert_eq!(s["label"], "", "an empty comment gets no label");
            assert!(s["status"].split(' ').any(|w| w == "empty"));
            continue;
        }
        let p: f64 = ["duplicate", "incitement", "off-topic", "substantive"]
            .iter()
            .map(|l| s[&format!("p_{l}")].parse::<f64>().unwrap())
            .sum();
        assert!((p - 1.0).abs() < 1e-3, "probabilities sum to 1: {p}");
        assert!(["approve", "review", "flag"].contains(&s["decision"].as_str()));
        let model_id = format!("moderate-v{FORMAT_VERSION}-");
        assert!(s["model"].starts_with(&model_id), "{}", s["model"]);
        let chars: Vec<char> = s["text"].chars().collect();
        for (term, start, end) in terms(&s["reasons"]) {
            let found: String = chars[start..end].iter().collect();
            assert_eq!(
                found, term,
                "reason offsets point at the text: {}",
                s["reasons"]
            );
        }
    }
}

#[test]
fn scores_every_comment_of_seed_004_in_order_with_reasons_that_point_at_the_text() {
    let Some(seeds) = seeds_dir() else { return };
    let seed = seeds.join("004_cebe9f5fd735330a.txt");
    let wd = Workdir::new();
    wd.run_ok(&["split", seed.to_str().unwrap(), "-o", "split.csv"]);
    wd.run_ok(&["score", seed.to_str().unwrap(), "-o", "scored.csv"]);
    let scored = wd.read_csv("scored.csv");
    check_scores(&wd.read_csv("split.csv"), &scored);
    let reasons_given = scored
        .iter()
        .filter(|s| !terms(&s["reasons"]).is_empty())
        .count();
    assert!(
        reasons_given > 0,
        "some comments are explained by their words"
    );
    // The repeated comment is a copy of the first one.
    let copies: Vec<&Row> = scored
        .iter()
        .filter(|s| !s["duplicate_cluster"].is_empty())
        .collect();
    assert!(copies
        .iter()
        .any(|s| s["author"] == "Abdoulaye" && s["reasons"].contains("copy")));
}

#[test]
fn scores_every_bundled_dump_and_fixture_format() {
    let wd = Workdir::new();
    let inputs = [
        dump("bamako-fuel-shortage.txt"),
        dump("accra-floods.txt"),
        dump("niamey-election.html"),
        dump("sahel-disqus-export.xml"),
        dump("abidjan-wordpress-export.xml"),
        fixture("glued.txt"),
    ];
    let mut args = vec!["split"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["-o", "split.csv"]);
    wd.run_ok(&args);
    args[0] = "score";
    let n = args.len();
    args[n - 1] = "scored.jsonl";
    let output = wd.run_ok(&args);
    let said: Vec<&str> = std::str::from_utf8(&output.stderr)
        .unwrap()
        .lines()
        .collect();
    assert!(
        said.len() == 1 && said[0].starts_with("moderate score: 6 file(s)"),
        "off a terminal, only the summary: {said:?}"
    );
    let scored: Vec<serde_json::Value> = std::fs::read_to_string(wd.path("scored.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let split = wd.read_csv("split.csv");
    assert_eq!(scored.len(), split.len());
    for (s, c) in scored.iter().zip(&split) {
        assert_eq!(s["comment_id"], c["comment_id"].as_str());
    }
}

#[test]
fn score_reads_a_comments_table_from_standard_input() {
    let wd = Workdir::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["score", "-", "--format", "csv"])
        .stdin(std::fs::File::open(fixture("comments-table.csv")).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = parse_csv(&output.stdout);
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[3]["label"], "duplicate",
        "the pasted ad is a copy: {:?}",
        rows[3]
    );
    assert!(
        rows[3]["reasons"].contains("copy of c1"),
        "{}",
        rows[3]["reasons"]
    );
    drop(wd);
}

#[test]
fn thresholds_can_be_overridden_and_unknown_labels_are_refused() {
    let wd = Workdir::new();
    wd.run_ok(&[
        "score",
        &fixture("comments-table.csv"),
        "--threshold",
        "off-topic=0",
        "-o",
        "s.csv",
    ]);
    let rows = wd.read_csv("s.csv");
    assert_eq!(rows.iter().filter(|r| r["decision"] == "flag").count(), 3);
    assert_eq!(rows[2]["decision"], "", "the empty comment is not scored");
    let output = wd.run_expect(
        &[
            "score",
            &fixture("comments-table.csv"),
            "--threshold",
            "spam=0.5",
        ],
        1,
    );
    assert!(
        stderr(&output).contains("the model has no label \"spam\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn flag_exports_csv_json_and_html_sorted_by_severity_then_probability() {
    let wd = Workdir::new();
    let input = dump("bamako-fuel-shortage.txt");
    for out in ["f.csv", "f.json", "f.html"] {
        wd.run_ok(&[
            "flag",
            &input,
            fixture("comments-table.csv").as_str(),
            "-o",
            out,
            "--min-prob",
            "off-topic=0.2",
        ]);
    }
    let rows = wd.read_csv("f.csv");
    assert!(!rows.is_empty());
    let severity = |l: &str| {
        ["incitement", "duplicate", "off-topic"]
            .iter()
            .position(|s| *s == l)
            .unwrap()
    };
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let key = |r: &Row| {
            (
                severity(&r["label"]),
                -(r["probability"].parse::<f64>().unwrap() * 1e6) as i64,
            )
        };
        assert!(key(a) <= key(b), "sorted: {a:?} then {b:?}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("f.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), rows.len());
    let html = std::fs::read_to_string(wd.path("f.html")).unwrap();
    assert!(html.contains(&format!("{} flagged of", rows.len())));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network access"
    );
}

#[test]
fn an_unreadable_input_among_several_gives_a_partial_run() {
    let wd = Workdir::new();
    let output = wd.run_expect(
        &[
            "score",
            &fixture("comments-table.csv"),
            "missing.txt",
            "-o",
            "s.csv",
        ],
        3,
    );
    assert!(stderr(&output).contains("missing.txt: no such file"));
    assert_eq!(wd.read_csv("s.csv").len(), 4);
}

/// A device or pipe cannot be replaced atomically: it is written in place and stays what it
/// is, and one that refuses the bytes is a clear error (run as root, renaming over it would
/// have replaced `/dev/full` itself).
#[cfg(target_os = "linux")]
#[test]
fn a_device_as_output_is_written_in_place_and_its_errors_are_reported() {
    use std::os::unix::fs::FileTypeExt;
    let wd = Workdir::new();
    let input = fixture("comments-table.csv");
    wd.run_ok(&["score", &input, "-o", "/dev/null"]);
    let output = wd.run_expect(&["score", &input, "-o", "/dev/full"], 1);
    assert!(
        stderr(&output).contains("cannot write /dev/full: No space left on device"),
        "{}",
        stderr(&output)
    );
    // Standard output is a pipe here: /dev/stdout links to what has no path of its own.
    let piped = wd.run_ok(&["score", &input, "-o", "/dev/stdout"]);
    assert_eq!(parse_csv(&piped.stdout).len(), 4);
    for device in ["/dev/null", "/dev/full"] {
        let kind = std::fs::metadata(device).unwrap().file_type();
        assert!(kind.is_char_device(), "{device} is still a device");
    }
    let stdout = std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type();
    assert!(stdout.is_symlink(), "/dev/stdout is still a link");
}

#[test]
fn a_copy_is_named_once_in_its_reasons_with_its_original() {
    let wd = Workdir::new();
    let ad = "Besoin d'un prêt urgent ? Taux 2%, contactez-nous sur WhatsApp +225 07 00 11 22 33";
    let edited =
        "Besoin d'un prêt urgent !! Taux 2%, contactez-nous vite sur WhatsApp +225 07 00 11 22 33";
    wd.write(
        "copies.csv",
        format!("thread_id,comment_id,text\nt,first,\"{ad}\"\nt,exact,\"{ad}\"\nt,edited,\"{edited}\"\n"),
    );
    wd.run_ok(&["score", "copies.csv", "-o", "scored.csv"]);
    let scored = wd.read_csv("scored.csv");
    let copy_reasons = |row: &Row| -> Vec<String> {
        row["reasons"]
            .split("; ")
            .filter(|r| r.contains("copy of"))
            .map(str::to_string)
            .collect()
    };
    assert!(
        copy_reasons(&scored[0]).is_empty(),
        "{}",
        scored[0]["reasons"]
    );
    let exact = copy_reasons(&scored[1]);
    assert_eq!(exact.len(), 1, "{exact:?}");
    assert!(
        exact[0].starts_with("exact copy of first (1.00)"),
        "{exact:?}"
    );
    let edited = copy_reasons(&scored[2]);
    assert_eq!(edited.len(), 1, "{edited:?}");
    assert!(
        edited[0].starts_with("near-copy of first (0."),
        "{edited:?}"
    );
}
