//! The team's labelled corpus in data/: its size and label mix, and the near-duplicate scan
//! the data card promises (near-copies only among rows labelled `duplicate`).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{read_csv, Row};
use moderate::features::NearDuplicateIndex;

fn corpus() -> (Vec<Row>, Vec<Row>) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    (
        read_csv(&data.join("comments.csv")),
        read_csv(&data.join("articles.csv")),
    )
}

#[test]
fn the_corpus_is_large_enough_and_every_thread_has_its_article() {
    let (comments, articles) = corpus();
    let threads: BTreeSet<&str> = comments.iter().map(|r| r["thread_id"].as_str()).collect();
    assert!(comments.len() >= 3000, "{} comments", comments.len());
    assert!(threads.len() >= 60, "{} threads", threads.len());
    let with_article: BTreeSet<&str> = articles
        .iter()
        .filter(|a| !a["title"].is_empty() && !a["body"].is_empty())
        .map(|a| a["thread_id"].as_str())
        .collect();
    assert_eq!(threads, with_article);
    assert!(comments.iter().all(|r| !r["text"].trim().is_empty()));
}

#[test]
fn the_label_mix_is_close_to_a_real_site_and_the_languages_to_60_40() {
    let (comments, _) = corpus();
    let share = |key: &str, value: &str| {
        comments.iter().filter(|r| r[key] == value).count() as f64 / comments.len() as f64
    };
    for (label, low, high) in [
        ("substantive", 0.60, 0.70),
        ("off-topic", 0.12, 0.18),
        ("duplicate", 0.09, 0.15),
        ("incitement", 0.06, 0.11),
    ] {
        let s = share("label", label);
        assert!((low..=high).contains(&s), "{label}: {s:.3}");
    }
    let french = share("lang", "fr");
    assert!((0.55..=0.68).contains(&french), "French share {french:.3}");
}

#[test]
fn near_copies_are_found_only_among_duplicates_and_every_duplicate_has_its_original() {
    let (comments, _) = corpus();
    let mut index = NearDuplicateIndex::default();
    let mut unexpected: Vec<String> = Vec::new();
    let mut orphans: Vec<String> = Vec::new();
    let mut originals: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: Vec<&str> = Vec::new();
    for row in &comments {
        let report = index.insert(&row["text"]);
        ids.push(&row["comment_id"]);
        let is_duplicate = row["label"] == "duplicate";
        match report.best {
            Some(of) if of.similarity >= 0.5 && !is_duplicate => unexpected.push(format!(
                "{} ≈ {} ({:.2})",
                row["comment_id"], ids[of.earlier], of.similarity
            )),
            Some(of) if is_duplicate => {
                *originals.entry(ids[of.earlier].to_string()).or_insert(0) += 1
            }
            None if is_duplicate => orphans.push(row["comment_id"].clone()),
            _ => {}
        }
    }
    assert!(
        unexpected.is_empty(),
        "near-copies not labelled duplicate: {unexpected:#?}"
    );
    assert!(
        orphans.is_empty(),
        "duplicates without an earlier near-copy: {orphans:#?}"
    );
    assert!(!originals.is_empty());
}
