//! Outputs are all or nothing: a run killed mid-write, or whose writes fail part-way, leaves
//! the previous file intact and no partial file beside it.

mod common;

use common::{fixture, Workdir};

/// A comments table big enough that scoring it takes a while and writes in many chunks.
fn big_table(wd: &Workdir, rows: usize) {
    let words = [
        "le",
        "prix",
        "du",
        "carburant",
        "à",
        "Bamako",
        "monte",
        "encore",
        "the",
        "floods",
        "in",
        "Accra",
        "teachers",
        "strike",
        "grève",
        "enseignants",
        "Dakar",
        "élection",
    ];
    let mut text = String::from("thread_id,comment_id,text\n");
    for i in 0..rows {
        let comment: Vec<&str> = (0..12)
            .map(|j| words[(i * 7 + j * j * 3) % words.len()])
            .collect();
        text.push_str(&format!("t{},c{i},{} {i}\n", i / 40, comment.join(" ")));
    }
    wd.write("big.csv", text);
}

/// Bytes the process has written so far (Linux `/proc/<pid>/io`).
fn bytes_written(pid: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    io.lines()
        .find_map(|line| line.strip_prefix("wchar: "))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(target_os = "linux")]
#[test]
fn killing_score_mid_write_leaves_the_previous_output_and_no_partial_file() {
    let wd = Workdir::new();
    big_table(&wd, 60_000);
    wd.write("s.csv", "previous");
    let mut child = wd
        .command(&["score", "big.csv", "-o", "s.csv", "--quiet"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it has written at least one full buffer of scores, then kill it.
    let started = std::time::Instant::now();
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "score finished before it could be killed: make the table bigger"
        );
        if bytes_written(child.id()).is_some_and(|n| n > 256 * 1024) {
            break;
        }
        assert!(started.elapsed().as_secs() < 300, "score wrote nothing");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(wd.path("s.csv")).unwrap(),
        "previous"
    );
    assert_eq!(wd.listing(), ["big.csv", "s.csv"], "no partial file left");
}

#[cfg(unix)]
#[test]
fn a_model_that_cannot_be_written_leaves_the_previous_one() {
    let model = fixture("labelled.csv");
    Workdir::new().assert_full_disk_keeps_the_previous_file(
        "m.model",
        &["train", &model, "-o", "m.model", "--cv", "0"],
    );
}

#[cfg(unix)]
#[test]
fn a_report_that_cannot_be_written_leaves_the_previous_one() {
    let (table, page) = (fixture("comments-table.csv"), fixture("news-page.html"));
    Workdir::new().assert_full_disk_keeps_the_previous_file(
        "flagged.html",
        &["flag", &table, &page, "-o", "flagged.html"],
    );
}
