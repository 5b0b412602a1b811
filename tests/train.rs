//! `moderate train` and `moderate evaluate` end to end on a small labelled fixture: a model
//! that loads back and measures, renamed columns, and lenient reading.

mod common;

use common::{fixture, stderr, Workdir};

const FAST: [&str; 4] = ["--cv", "3", "--max-iter", "100"];

fn train(wd: &Workdir, input: &str, model: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", input, "-o", model];
    args.extend(FAST);
    args.extend(extra);
    wd.run(&args)
}

#[test]
fn trains_a_model_that_evaluates_and_scores() {
    let wd = Workdir::new();
    let output = train(&wd, &fixture("labelled.csv"), "m.model", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("3-fold cross-validation grouped by thread"),
        "{report}"
    );
    assert!(report.contains("macro-F1"));
    assert!(stderr(&output)
        .contains("24 rows (0 empty skipped, 0 bad rows skipped), 6 threads, 3 labels"));
    let output = wd.run_ok(&[
        "evaluate",
        &fixture("labelled.csv"),
        "--model",
        "m.model",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["rows"], 24);
    assert!(
        json["accuracy"].as_f64().unwrap() > 0.9,
        "fits its own training data: {json}"
    );
    wd.run_ok(&[
        "score",
        &fixture("labelled.csv"),
        "--model",
        "m.model",
        "-o",
        "s.csv",
    ]);
    let labels: Vec<String> = wd
        .read_csv("s.csv")
        .iter()
        .map(|r| r["label"].clone())
        .collect();
    assert_eq!(labels.len(), 24);
}

#[test]
fn evaluate_reports_labels_the_model_does_not_know() {
    let wd = Workdir::new();
    assert!(train(&wd, &fixture("labelled.csv"), "m.model", &[])
        .status
        .success());
    let mut text = std::fs::read_to_string(fixture("labelled.csv")).unwrap();
    text.push_str("t9,x1,Totally new kind of comment,sarcasm\n");
    wd.write("more.csv", text);
    let output = wd.run_ok(&["evaluate", "more.csv", "--model", "m.model"]);
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("label unknown to the model: \"sarcasm\" (1 rows, not scored)"));
}

#[test]
fn empty_texts_are_skipped_and_counted_and_columns_can_be_renamed() {
    let wd = Workdir::new();
    let text = std::fs::read_to_string(fixture("labelled.csv")).unwrap();
    let renamed = text.replacen("thread_id,comment_id,text,label", "topic,id,body,class", 1)
        + "t6,c99,,substantive\n";
    wd.write("renamed.csv", renamed);
    let output = train(
        &wd,
        "renamed.csv",
        "m.model",
        &[
            "--text-col",
            "body",
            "--label-col",
            "class",
            "--thread-col",
            "topic",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("24 rows (1 empty skipped"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_labelled_input_gets_a_clear_message() {
    let wd = Workdir::new();
    wd.write("empty.csv", "");
    wd.write(
        "ragged.csv",
        "thread_id,text,label\na,hello,spam\na,too,many,fields\n",
    );
    for (file, message) in [
        ("empty.csv", "empty.csv: the file is empty"),
        (
            "ragged.csv",
            "ragged.csv:3: this row has 4 fields but the header has 3",
        ),
        ("missing.csv", "missing.csv: no such file"),
    ] {
        let output = train(&wd, file, "m.model", &[]);
        assert_eq!(output.status.code(), Some(1), "{file}");
        assert!(
            stderr(&output).contains(message),
            "{file}: {}",
            stderr(&output)
        );
        assert!(!wd.path("m.model").exists(), "no model written for {file}");
    }
}

#[test]
fn lenient_training_skips_bad_rows_and_counts_them() {
    let wd = Workdir::new();
    let mut text = std::fs::read_to_string(fixture("labelled.csv")).unwrap();
    text.push_str("t6,c98,too,many,fields\n");
    wd.write("ragged.csv", text);
    let output = train(&wd, "ragged.csv", "m.model", &["--lenient"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("24 rows (0 empty skipped, 1 bad rows skipped)"),
        "{}",
        stderr(&output)
    );
}
