//! The scored comments table: the comments-table columns, then the label, one probability
//! column per label, the decision, the reasons, the duplicate cluster and the model id.

use std::path::Path;

use super::table::{TableWriter, COMMENT_COLUMNS};
use crate::commands::score::ScoredComment;
use crate::error::Result;
use crate::model::explain::reasons_cell;

pub struct ScoreTable {
    writer: TableWriter,
    labels: Vec<String>,
    model_id: String,
}

impl ScoreTable {
    pub fn create(path: Option<&Path>, labels: &[String], model_id: &str) -> Result<ScoreTable> {
        // The comments-table columns, but the input's own label: `label` is the model's.
        let mut header: Vec<String> = COMMENT_COLUMNS
            .iter()
            .filter(|c| **c != "label")
            .map(|c| c.to_string())
            .collect();
        header.push("label".into());
        header.extend(labels.iter().map(|l| format!("p_{l}")));
        header.extend(["decision", "reasons", "duplicate_cluster", "model"].map(String::from));
        Ok(ScoreTable {
            writer: TableWriter::create(path, header)?,
            labels: labels.to_vec(),
            model_id: model_id.to_string(),
        })
    }

    pub fn write(&mut self, s: &ScoredComment) -> Result<()> {
        let c = &s.comment;
        let mut row: Vec<String> = vec![
            c.thread_id.clone(),
            c.comment_id.clone(),
            c.parent_id.clone(),
            c.author.clone(),
            c.posted_at.clone(),
            c.text.clone(),
            c.status.clone(),
            s.label.map(|l| self.labels[l].clone()).unwrap_or_default(),
        ];
        if s.probabilities.is_empty() {
            row.extend(self.labels.iter().map(|_| String::new()));
        } else {
            row.extend(s.probabilities.iter().map(|p| format!("{p:.4}")));
        }
        row.push(
            s.decision
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
        );
        row.push(reasons_cell(&s.reasons));
        row.push(s.duplicate_of.clone().unwrap_or_default());
        row.push(self.model_id.clone());
        self.writer.write_row(&row)
    }

    pub fn finish(self) -> Result<()> {
        self.writer.finish()
    }
}
