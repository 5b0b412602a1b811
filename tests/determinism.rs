//! The same inputs, options and seed give byte-identical models and outputs, run after run
//! and whatever the number of threads.

mod common;

use std::path::Path;

use common::{fixture, stderr, Workdir};

/// Runs `moderate` with `threads` worker threads and returns the bytes of `output`.
fn run_with_threads(wd: &Workdir, threads: usize, args: &[&str], output: &str) -> Vec<u8> {
    let result = wd
        .command(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .unwrap();
    assert!(result.status.success(), "{args:?}: {}", stderr(&result));
    std::fs::read(wd.path(output)).unwrap()
}

/// The same bytes from a run with 1 thread and two runs with 3.
fn assert_same_bytes(wd: &Workdir, args: &[&str], output: &str) {
    let reference = run_with_threads(wd, 1, args, output);
    for threads in [3, 3] {
        assert!(
            run_with_threads(wd, threads, args, output) == reference,
            "{args:?} with {threads} threads wrote different bytes"
        );
    }
}

#[test]
fn training_gives_the_same_model_bytes() {
    let wd = Workdir::new();
    let args = [
        "train",
        &fixture("labelled.csv"),
        "-o",
        "m.model",
        "--cv",
        "3",
        "--seed",
        "7",
    ];
    assert_same_bytes(&wd, &args, "m.model");
}

#[test]
fn scoring_gives_the_same_bytes_across_batches() {
    // The team corpus spans two scoring batches and has duplicates across them.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("data/comments.csv");
    let articles = root.join("data/articles.csv");
    let wd = Workdir::new();
    let args = [
        "score",
        data.to_str().unwrap(),
        "--articles",
        articles.to_str().unwrap(),
        "-o",
        "s.csv",
    ];
    assert_same_bytes(&wd, &args, "s.csv");
}

#[test]
fn flagging_gives_the_same_report_bytes() {
    let dumps = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/dumps");
    let mut args: Vec<String> = vec!["flag".into()];
    let mut names: Vec<_> = std::fs::read_dir(&dumps)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    names.sort();
    args.extend(names);
    args.extend(["-o".into(), "flagged.html".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let wd = Workdir::new();
    assert_same_bytes(&wd, &args, "flagged.html");
}
