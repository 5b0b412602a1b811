//! The bad-input catalogue: one test per kind of bad input, each asserting the exact message
//! the user sees (file, line when there is one, and the problem) and the exit code
//! (1: nothing written, 3: partial run, 0: read with a warning).

mod common;

use std::path::Path;

use common::{fixture, stderr, Workdir};

/// Runs `moderate`, checks the exit code and that stderr contains `message`; returns stderr.
fn expect(wd: &Workdir, args: &[&str], code: i32, message: &str) -> String {
    let output = wd.run_expect(args, code);
    let stderr = stderr(&output);
    assert!(
        stderr.contains(message),
        "moderate {args:?}: expected {message:?} in\n{stderr}"
    );
    stderr
}

// Inputs that cannot be read at all.

#[test]
fn missing_file() {
    let wd = Workdir::new();
    expect(
        &wd,
        &["split", "missing.txt"],
        1,
        "moderate: error: missing.txt: no such file",
    );
}

#[test]
fn directory_instead_of_a_file() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("folder")).unwrap();
    expect(
        &wd,
        &["split", "folder"],
        1,
        "moderate: error: folder: is a directory, not a file",
    );
}

#[test]
fn empty_file() {
    let wd = Workdir::new();
    wd.write("empty.txt", "");
    expect(
        &wd,
        &["split", "empty.txt"],
        1,
        "moderate: error: empty.txt: the file is empty",
    );
}

#[test]
fn binary_file() {
    let wd = Workdir::new();
    wd.write("binary.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00text\n");
    expect(
        &wd,
        &["split", "binary.csv"],
        1,
        "moderate: error: binary.csv: this looks like a binary file, not text",
    );
}

#[test]
fn one_bad_input_among_several_gives_a_partial_run() {
    let wd = Workdir::new();
    expect(
        &wd,
        &["split", &fixture("glued.txt"), "missing.txt", "-o", "c.csv"],
        3,
        "missing.txt: no such file",
    );
    assert_eq!(wd.read_csv("c.csv").len(), 3);
}

// Encodings and sizes.

#[test]
fn invalid_utf8_page_is_read_as_windows_1252_with_a_warning() {
    let wd = Workdir::new();
    wd.write("old.txt", b"Titre\nCorps.\n2 commentaires\nAwa \xb7 il y a 2 heures\nD\xe9j\xe0 vu.\nMoussa \xb7 il y a 1 heure\nOui.\n");
    expect(
        &wd,
        &["split", "old.txt", "-o", "c.csv"],
        0,
        "old.txt:4: not valid UTF-8; the file was read as Windows-1252",
    );
    assert_eq!(wd.read_csv("c.csv")[0]["text"], "Déjà vu.");
}

#[test]
fn invalid_utf8_table_is_read_as_windows_1252_from_the_first_bad_row() {
    let wd = Workdir::new();
    wd.write("old.csv", b"thread_id,text\na,fine\na,caf\xe9\n");
    expect(
        &wd,
        &["split", "old.csv", "-o", "c.csv"],
        0,
        "old.csv:3: not valid UTF-8; the file was read as Windows-1252 from here on",
    );
    assert_eq!(wd.read_csv("c.csv")[1]["text"], "café");
}

#[test]
fn one_megabyte_single_line() {
    let wd = Workdir::new();
    let long = "x".repeat(1 << 20);
    wd.write(
        "long.txt",
        format!("Titre\n{long}\n2 comments\nA · 2 hours ago\n{long}\nB · 1 hour ago\nok\n"),
    );
    wd.run_ok(&["split", "long.txt", "-o", "c.csv"]);
    let rows = wd.read_csv("c.csv");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["text"].len(), 1 << 20);
}

// Truncated documents.

#[test]
fn truncated_html_is_read_with_a_warning() {
    let wd = Workdir::new();
    let page = std::fs::read_to_string(fixture("news-page.html")).unwrap();
    let cut = &page[..page.find("</body>").unwrap()];
    wd.write("cut.html", cut);
    expect(
        &wd,
        &["split", "cut.html", "-o", "c.csv"],
        0,
        "cut.html: the page has no closing </body> or </html> (truncated?); read what is there",
    );
    assert!(!wd.read_csv("c.csv").is_empty());
}

#[test]
fn truncated_disqus_xml() {
    let wd = Workdir::new();
    wd.write(
        "cut.xml",
        "<?xml version=\"1.0\"?>\n<disqus>\n<post dsq:id=\"1\"><message>hello",
    );
    expect(
        &wd,
        &["split", "cut.xml"],
        1,
        "moderate: error: cut.xml:3: the document ends before <message> is closed (truncated file?)",
    );
}

#[test]
fn truncated_wordpress_export() {
    let wd = Workdir::new();
    let export = std::fs::read_to_string(fixture("wordpress-export.xml")).unwrap();
    let cut = &export[..export.find("</wp:comment>").unwrap()];
    let line = cut.lines().count();
    wd.write("cut.xml", cut);
    expect(
        &wd,
        &["split", "cut.xml"],
        1,
        &format!("moderate: error: cut.xml:{line}: the document ends before <"),
    );
}

// Tables.

#[test]
fn csv_with_a_ragged_row() {
    let wd = Workdir::new();
    wd.write("ragged.csv", "thread_id,text\na,ok\na,too,many\n");
    expect(
        &wd,
        &["split", "ragged.csv"],
        1,
        "moderate: error: ragged.csv:3: this row has 3 fields but the header has 2",
    );
    expect(
        &wd,
        &["split", "ragged.csv", "--lenient", "-o", "c.csv"],
        0,
        "1 comment(s) (0 empty), 1 skipped",
    );
}

#[test]
fn csv_with_a_quote_never_closed() {
    let wd = Workdir::new();
    // Read as it stands, the stray quote would make rows 3 to 5 the text of one comment.
    wd.write(
        "stray.csv",
        "thread_id,text\na,ok\na,\"quote me\na,third\na,fourth\n",
    );
    expect(
        &wd,
        &["split", "stray.csv"],
        1,
        "moderate: error: stray.csv:3: malformed CSV: a quoted field of this row is never closed",
    );
    // Quoted fields that close, over several lines or with doubled quotes, are fine.
    wd.write(
        "fine.csv",
        "thread_id,text\na,\"two\nlines\"\na,\"a \"\"quoted\"\" word\"\na,\"last\nrow\"\n\n",
    );
    expect(
        &wd,
        &["split", "fine.csv", "-o", "c.csv"],
        0,
        "3 comment(s)",
    );
}

#[test]
fn csv_without_a_header() {
    let wd = Workdir::new();
    wd.write("nohead.csv", "a,hello\nb,world\n");
    expect(
        &wd,
        &["split", "nohead.csv"],
        1,
        "moderate: error: nohead.csv:1: the header has no column named \"text\" (columns: a, hello)",
    );
    wd.write("blank.csv", ",\nhello,world\n");
    expect(
        &wd,
        &["split", "blank.csv"],
        1,
        "moderate: error: blank.csv:1: the header is missing or empty",
    );
}

#[test]
fn csv_with_a_duplicate_column_name() {
    let wd = Workdir::new();
    wd.write("dup.csv", "text,author,text\nhello,Awa,again\n");
    expect(
        &wd,
        &["split", "dup.csv"],
        1,
        "moderate: error: dup.csv:1: the header names column \"text\" twice",
    );
}

#[test]
fn jsonl_with_a_malformed_line() {
    let wd = Workdir::new();
    wd.write("bad.jsonl", "{\"text\":\"fine\"}\n{\"text\":\n");
    expect(
        &wd,
        &["split", "bad.jsonl"],
        1,
        "moderate: error: bad.jsonl:2: malformed JSON",
    );
}

// Labelled tables for training.

#[test]
fn labelled_csv_with_one_class() {
    let wd = Workdir::new();
    wd.write(
        "oneclass.csv",
        "thread_id,text,label\na,hello,spam\nb,world,spam\n",
    );
    expect(
        &wd,
        &["train", "oneclass.csv", "-o", "m.model", "--cv", "0"],
        1,
        "moderate: error: training: every row has the label \"spam\": at least two classes are needed",
    );
    assert!(!wd.path("m.model").exists());
}

#[test]
fn labelled_csv_without_a_label_column() {
    let wd = Workdir::new();
    wd.write("nolabel.csv", "thread_id,text\na,hello\n");
    expect(
        &wd,
        &["train", "nolabel.csv", "-o", "m.model"],
        1,
        "moderate: error: nolabel.csv:1: the header has no column named \"label\"",
    );
    assert!(!wd.path("m.model").exists());
}

// Model files.

fn default_model() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model")).unwrap()
}

fn score_with_model(wd: &Workdir, model: &str, message: &str) {
    let input = fixture("comments-table.csv");
    expect(
        wd,
        &["score", &input, "--model", model, "-o", "s.csv"],
        1,
        &format!("moderate: error: model {model}: {message}"),
    );
    assert!(!wd.path("s.csv").exists());
}

#[test]
fn model_file_missing() {
    score_with_model(&Workdir::new(), "missing.model", "cannot read");
}

#[test]
fn model_file_truncated() {
    let wd = Workdir::new();
    let bytes = default_model();
    wd.write("cut.model", &bytes[..bytes.len() / 2]);
    score_with_model(
        &wd,
        "cut.model",
        &format!(
            "the file is truncated ({} bytes, {} expected)",
            bytes.len() / 2,
            bytes.len()
        ),
    );
}

#[test]
fn model_file_with_a_flipped_bit() {
    let wd = Workdir::new();
    let mut bytes = default_model();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    wd.write("flipped.model", &bytes);
    score_with_model(
        &wd,
        "flipped.model",
        "the checksum does not match: the file is damaged",
    );
}

#[test]
fn model_file_from_another_format_version() {
    let wd = Workdir::new();
    let mut bytes = default_model();
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    wd.write("future.model", &bytes);
    score_with_model(
        &wd,
        "future.model",
        "model format version 99 is not supported by this build",
    );
}

#[test]
fn model_file_that_is_not_a_model() {
    let wd = Workdir::new();
    wd.write("table.model", "thread_id,text\na,hello\n");
    score_with_model(&wd, "table.model", "not a moderate model file");
}

// Outputs.

#[test]
fn output_directory_not_writable() {
    let wd = Workdir::new();
    let locked = wd.path("locked");
    std::fs::create_dir(&locked).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    // Root ignores directory permissions; /proc refuses new files even to root.
    let target = if std::fs::write(locked.join("probe"), "").is_ok() {
        "/proc/moderate-c.csv".to_string()
    } else {
        "locked/c.csv".to_string()
    };
    expect(
        &wd,
        &["split", &fixture("glued.txt"), "-o", &target],
        1,
        &format!("moderate: error: cannot write {target}: "),
    );
}

#[cfg(unix)]
#[test]
fn disk_full_simulated_by_a_write_error() {
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/dumps/bamako-fuel-shortage.txt");
    Workdir::new().assert_full_disk_keeps_the_previous_file(
        "c.csv",
        &["split", dump.to_str().unwrap(), "-o", "c.csv"],
    );
}
