//! The scored comments table: the comments-table columns, then the label, one probability
//! column per label, the decision, the reasons, the duplicate cluster and the model id.

use std::path::Path;

use super::decimal::push_fixed;
use super::table::{comment_fields, TableWriter, COMMENT_COLUMNS};
use crate::commands::score::ScoredComment;
use crate::error::Result;
use crate::model::explain::push_reasons_cell;

pub struct ScoreTable {
    writer: TableWriter,
    width: usize,
    /// Formatted probabilities and reasons of the row being written.
    buffer: String,
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
            width: header.len(),
            buffer: String::new(),
            writer: TableWriter::create(path, header)?,
            labels: labels.to_vec(),
            model_id: model_id.to_string(),
        })
    }

    pub fn write(&mut self, s: &ScoredComment) -> Result<()> {
        let c = &s.comment;
        // The numbers and reasons go into one reused buffer; the row borrows everything.
        self.buffer.clear();
        let mut ends: Vec<usize> = Vec::with_capacity(s.probabilities.len() + 1);
        for &p in &s.probabilities {
            push_fixed(&mut self.buffer, p, 4, false);
            ends.push(self.buffer.len());
        }
        push_reasons_cell(&mut self.buffer, &s.reasons);
        ends.push(self.buffer.len());
        let buffer = self.buffer.as_str();
        let piece = |i: usize| &buffer[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
        let mut row: Vec<&str> = Vec::with_capacity(self.width);
        // The comments-table columns, with the predicted label in place of a given one.
        let mut fields = comment_fields(c);
        fields[COMMENT_COLUMNS.len() - 1] = s.label.map_or("", |l| self.labels[l].as_str());
        row.extend(fields);
        if s.probabilities.is_empty() {
            row.extend(self.labels.iter().map(|_| ""));
        } else {
            row.extend((0..s.probabilities.len()).map(piece));
        }
        row.push(s.decision.map_or("", |d| d.as_str()));
        row.push(piece(s.probabilities.len()));
        row.push(s.duplicate_of.as_deref().unwrap_or_default());
        row.push(&self.model_id);
        self.writer.write_row(&row)
    }

    pub fn finish(self) -> Result<()> {
        self.writer.finish()
    }
}
