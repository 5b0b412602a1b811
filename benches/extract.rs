//! Throughput of the readers on page dumps, in bytes per second (the issue asks for at least
//! 50 MB/s of plain-text dumps on one core).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moderate::extract::markers::Markers;
use moderate::extract::text::read_page;

/// A page in the glued scraper layout with `comments` comments of varied length.
fn glued_page(comments: usize) -> String {
    let mut page = String::from(
        "Le prix du carburant flambe à Bamako\nLes files d'attente s'allongent devant les stations.\n\
         Le gouvernement promet des livraisons dans la semaine.\n",
    );
    page.push_str(&format!("{comments} Commentaires\n"));
    for i in 0..comments {
        let author = if i % 3 == 0 {
            "Reply_author".to_string()
        } else {
            format!("Lecteur {i}")
        };
        page.push_str(&format!(
            "{author}\nil y a {} jours ({:02}:{:02} PM)",
            i % 9 + 1,
            i % 12,
            i % 60
        ));
        match i % 4 {
            0 => page.push('\n'),
            1 => page.push_str("Ki va payer la facture????\n"),
            2 => page.push_str(
                "Depuis des mois on attend, les transporteurs ont doublé les prix et personne ne dit rien.\n\
                 Il faut que l'Etat prenne ses responsabilités avant que la situation ne dégénère.\n",
            ),
            _ => page.push_str("Même problème à Kayes, les stations sont vides depuis mardi.\nRépondre\n"),
        }
    }
    page.push_str("Participer à la Discussion\n");
    page
}

/// A WordPress-style dump ("Name says:" then a date line).
fn says_page(comments: usize) -> String {
    let mut page =
        String::from("Floods in Accra\nHeavy rain flooded several districts on Monday.\n\n");
    page.push_str(&format!("{comments} thoughts on “Floods in Accra”\n"));
    for i in 0..comments {
        page.push_str(&format!(
            "Kwame {i} says:\nJune {}, 2025 at {}:{:02} am\nThe drains in Kaneshie were never cleaned, every year the same story.\nReply\n",
            i % 28 + 1,
            i % 12 + 1,
            i % 60
        ));
    }
    page.push_str("Leave a Reply\n");
    page
}

fn bench_text_dumps(c: &mut Criterion) {
    let markers = Markers::default_markers();
    let mut group = c.benchmark_group("text-dump");
    for (name, page) in [
        ("glued-4MB", glued_page(30_000)),
        ("wordpress-4MB", says_page(30_000)),
        ("page-10KB", glued_page(60)),
    ] {
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.bench_function(name, |b| b.iter(|| read_page("bench", &page, markers)));
    }
    group.finish();
}

criterion_group!(benches, bench_text_dumps);
criterion_main!(benches);
