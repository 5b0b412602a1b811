//! CSV and JSONL tables with a fixed header: the comments table, the articles table, and
//! (later) scored and flagged comments all go through [`TableWriter`].

use std::io::Write;
use std::path::Path;

use super::Output;
use crate::error::{Error, Result};
use crate::thread::{Article, Comment};

/// The columns of the comments table, in order.
pub const COMMENT_COLUMNS: [&str; 8] = [
    "thread_id",
    "comment_id",
    "parent_id",
    "author",
    "posted_at",
    "text",
    "status",
    "label",
];

/// The columns of the articles table.
pub const ARTICLE_COLUMNS: [&str; 3] = ["thread_id", "title", "body"];

/// A table's file format, chosen from the output's extension (CSV unless `.jsonl`/`.ndjson`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Jsonl,
}

impl TableFormat {
    pub fn for_path(path: Option<&Path>) -> TableFormat {
        match path
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => TableFormat::Jsonl,
            _ => TableFormat::Csv,
        }
    }
}

/// Writes rows of strings under a fixed header.
pub struct TableWriter {
    format: TableFormat,
    header: Vec<String>,
    csv: Option<csv::Writer<Output>>,
    jsonl: Option<Output>,
    name: String,
}

impl TableWriter {
    pub fn create(path: Option<&Path>, header: Vec<String>) -> Result<TableWriter> {
        let output = Output::create(path)?;
        let name = output.name();
        let format = TableFormat::for_path(path);
        let mut writer = TableWriter {
            format,
            header,
            csv: None,
            jsonl: None,
            name,
        };
        match format {
            TableFormat::Csv => {
                let mut csv = csv::WriterBuilder::new().from_writer(output);
                csv.write_record(&writer.header)
                    .map_err(|e| writer.error(e.into()))?;
                writer.csv = Some(csv);
            }
            TableFormat::Jsonl => writer.jsonl = Some(output),
        }
        Ok(writer)
    }

    fn error(&self, e: std::io::Error) -> Error {
        Error::output(&self.name, e)
    }

    /// Writes one row; it must have one field per header column.
    pub fn write_row<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<()> {
        debug_assert_eq!(fields.len(), self.header.len());
        let result = match (self.format, &mut self.csv, &mut self.jsonl) {
            (TableFormat::Csv, Some(csv), _) => csv
                .write_record(fields.iter().map(|f| f.as_ref()))
                .map_err(std::io::Error::from),
            (TableFormat::Jsonl, _, Some(out)) => {
                let mut line = String::with_capacity(256);
                line.push('{');
                for (i, (key, value)) in self.header.iter().zip(fields).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&json_string(key));
                    line.push(':');
                    line.push_str(&json_string(value.as_ref()));
                }
                line.push_str("}\n");
                out.write_all(line.as_bytes())
            }
            _ => Ok(()),
        };
        result.map_err(|e| self.error(e))
    }

    /// Flushes and moves the file into place.
    pub fn finish(self) -> Result<()> {
        let name = self.name.clone();
        let output = match (self.csv, self.jsonl) {
            (Some(csv), _) => csv
                .into_inner()
                .map_err(|e| Error::output(&name, e.into_error()))?,
            (_, Some(output)) => output,
            _ => return Ok(()),
        };
        output.commit()
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A comment's fields in [`COMMENT_COLUMNS`] order.
pub fn comment_fields(c: &Comment) -> [&str; COMMENT_COLUMNS.len()] {
    [
        &c.thread_id,
        &c.comment_id,
        &c.parent_id,
        &c.author,
        &c.posted_at,
        &c.text,
        &c.status,
        &c.label,
    ]
}

/// The comments table.
pub struct CommentTable(TableWriter);

impl CommentTable {
    pub fn create(path: Option<&Path>) -> Result<Self> {
        let header = COMMENT_COLUMNS.iter().map(|c| c.to_string()).collect();
        Ok(CommentTable(TableWriter::create(path, header)?))
    }

    pub fn write(&mut self, c: &Comment) -> Result<()> {
        self.0.write_row(&comment_fields(c))
    }

    pub fn finish(self) -> Result<()> {
        self.0.finish()
    }
}

/// The articles table.
pub struct ArticleTable(TableWriter);

impl ArticleTable {
    pub fn create(path: Option<&Path>) -> Result<Self> {
        let header = ARTICLE_COLUMNS.iter().map(|c| c.to_string()).collect();
        Ok(ArticleTable(TableWriter::create(path, header)?))
    }

    pub fn write(&mut self, a: &Article) -> Result<()> {
        self.0.write_row(&[&a.thread_id, &a.title, &a.body])
    }

    pub fn finish(self) -> Result<()> {
        self.0.finish()
    }
}
