//! The flagged list for tools: CSV, JSON (an array) or JSONL, chosen by the extension.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::table::TableWriter;
use super::Output;
use crate::commands::score::{FlaggedComments, ScoredComment};
use crate::error::{Error, Result};
use crate::model::explain::{reasons_cell, Reason};

const COLUMNS: [&str; 12] = [
    "label",
    "probability",
    "decision",
    "thread_id",
    "article_title",
    "comment_id",
    "author",
    "posted_at",
    "text",
    "reasons",
    "duplicate_cluster",
    "model",
];

#[derive(Serialize)]
struct FlaggedRecord<'a> {
    label: &'a str,
    probability: f32,
    decision: &'a str,
    thread_id: &'a str,
    article_title: &'a str,
    comment_id: &'a str,
    author: &'a str,
    posted_at: &'a str,
    text: &'a str,
    reasons: &'a [Reason],
    duplicate_cluster: Option<&'a str>,
    model: &'a str,
}

fn record<'a>(flagged: &'a FlaggedComments, s: &'a ScoredComment) -> FlaggedRecord<'a> {
    let label = s.label.unwrap_or(0);
    FlaggedRecord {
        label: &flagged.model_labels[label],
        probability: s.probabilities.get(label).copied().unwrap_or(0.0),
        decision: s.decision.map_or("", |d| d.as_str()),
        thread_id: &s.comment.thread_id,
        article_title: &s.article_title,
        comment_id: &s.comment.comment_id,
        author: &s.comment.author,
        posted_at: &s.comment.posted_at,
        text: &s.comment.text,
        reasons: &s.reasons,
        duplicate_cluster: s.duplicate_of.as_deref(),
        model: &flagged.model_id,
    }
}

/// Writes the flagged comments as CSV (default) or JSONL (`.jsonl`).
pub fn write_table(flagged: &FlaggedComments, path: Option<&Path>) -> Result<()> {
    let mut writer = TableWriter::create(path, COLUMNS.iter().map(|c| c.to_string()).collect())?;
    for s in &flagged.comments {
        let r = record(flagged, s);
        writer.write_row(&[
            r.label,
            &format!("{:.4}", r.probability),
            r.decision,
            r.thread_id,
            r.article_title,
            r.comment_id,
            r.author,
            r.posted_at,
            r.text,
            &reasons_cell(r.reasons),
            r.duplicate_cluster.unwrap_or(""),
            r.model,
        ])?;
    }
    writer.finish()
}

/// Writes the flagged comments as one JSON array, reasons as objects.
pub fn write_json(flagged: &FlaggedComments, path: &Path) -> Result<()> {
    let records: Vec<FlaggedRecord<'_>> = flagged
        .comments
        .iter()
        .map(|s| record(flagged, s))
        .collect();
    let mut output = Output::create(Some(path))?;
    serde_json::to_writer_pretty(&mut output, &records)
        .map_err(|e| Error::output(path, e.into()))?;
    output
        .write_all(b"\n")
        .map_err(|e| Error::output(path, e))?;
    output.commit()
}
