//! Comments tables (the layout of DESIGN.md) in CSV or JSONL: validated and passed through.
//!
//! Only `text` is required (and `label` when a caller asks for it); every other column has a
//! fallback (the file name as thread, `thread#position` as comment id). Consecutive rows of
//! one thread become one [`Thread`]. Column names are configurable so a user's own labelled
//! file can be read as it is.

use std::collections::HashSet;

use super::{ExtractOptions, Extraction, Source};
use crate::error::{Error, InputProblem, Location, Result};
use crate::thread::{Article, Comment, Thread};

/// The names of the columns a table is read with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumns {
    pub thread_id: String,
    pub comment_id: String,
    pub parent_id: String,
    pub author: String,
    pub posted_at: String,
    pub text: String,
    pub status: String,
    pub label: String,
    /// Refuse a table without the label column (for training and evaluation).
    pub require_label: bool,
}

impl Default for TableColumns {
    fn default() -> Self {
        TableColumns {
            thread_id: "thread_id".into(),
            comment_id: "comment_id".into(),
            parent_id: "parent_id".into(),
            author: "author".into(),
            posted_at: "posted_at".into(),
            text: "text".into(),
            status: "status".into(),
            label: "label".into(),
            require_label: false,
        }
    }
}

/// Where each field of a [`Comment`] is in a row (`None`: the table has no such column).
#[derive(Debug)]
struct ColumnIndex {
    thread_id: Option<usize>,
    comment_id: Option<usize>,
    parent_id: Option<usize>,
    author: Option<usize>,
    posted_at: Option<usize>,
    text: usize,
    status: Option<usize>,
    label: Option<usize>,
    width: usize,
}

impl ColumnIndex {
    /// Checks a header and finds the columns; returns the names it will ignore.
    fn new(
        header: &[String],
        columns: &TableColumns,
    ) -> Result<(ColumnIndex, Vec<String>), InputProblem> {
        if header.is_empty() || header.iter().all(|h| h.trim().is_empty()) {
            return Err(InputProblem::MissingHeader);
        }
        let mut seen = HashSet::new();
        for name in header {
            if !seen.insert(name.as_str()) {
                return Err(InputProblem::DuplicateColumn {
                    column: name.clone(),
                });
            }
        }
        let find = |name: &str| header.iter().position(|h| h == name);
        let missing = |column: &str| InputProblem::MissingColumn {
            column: column.to_string(),
            found: header.join(", "),
        };
        let text = find(&columns.text).ok_or_else(|| missing(&columns.text))?;
        let label = find(&columns.label);
        if columns.require_label && label.is_none() {
            return Err(missing(&columns.label));
        }
        let index = ColumnIndex {
            thread_id: find(&columns.thread_id),
            comment_id: find(&columns.comment_id),
            parent_id: find(&columns.parent_id),
            author: find(&columns.author),
            posted_at: find(&columns.posted_at),
            text,
            status: find(&columns.status),
            label,
            width: header.len(),
        };
        let known = [
            &columns.thread_id,
            &columns.comment_id,
            &columns.parent_id,
            &columns.author,
            &columns.posted_at,
            &columns.text,
            &columns.status,
            &columns.label,
        ];
        let ignored = header
            .iter()
            .filter(|h| !known.contains(h))
            .cloned()
            .collect();
        Ok((index, ignored))
    }

    fn comment(&self, field: impl Fn(usize) -> String) -> Comment {
        let get = |index: Option<usize>| index.map(&field).unwrap_or_default();
        Comment {
            thread_id: get(self.thread_id),
            comment_id: get(self.comment_id),
            parent_id: get(self.parent_id),
            author: get(self.author),
            posted_at: get(self.posted_at),
            text: field(self.text),
            status: get(self.status),
            label: get(self.label).trim().to_string(),
        }
    }
}

/// Collects rows into threads: a new thread starts whenever the thread id changes.
struct ThreadBuilder<'a> {
    fallback_id: &'a str,
    threads: Vec<Thread>,
}

impl ThreadBuilder<'_> {
    fn push(&mut self, comment: Comment) {
        let id = if comment.thread_id.trim().is_empty() {
            self.fallback_id
        } else {
            comment.thread_id.trim()
        };
        if self.threads.last().is_none_or(|t| t.id() != id) {
            self.threads.push(Thread::new(id));
        }
        if let Some(thread) = self.threads.last_mut() {
            thread.push(comment);
        }
    }
}

fn ignored_warning(source: &Source, ignored: &[String]) -> Vec<String> {
    if ignored.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{}: ignoring column(s) not in the comments table: {}",
        source.name,
        ignored.join(", ")
    )]
}

/// Reads a CSV comments table.
pub fn read_csv(source: &Source, options: &ExtractOptions) -> Result<Extraction> {
    let fail =
        |line: u64, problem| Error::input(Location::line(source.name.clone(), line), problem);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(source.text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(1, InputProblem::Csv(e.to_string())))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let (index, ignored) = ColumnIndex::new(&header, &options.columns).map_err(|p| fail(1, p))?;
    let mut builder = ThreadBuilder {
        fallback_id: &source.stem,
        threads: Vec::new(),
    };
    let mut skipped = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.len() == index.width => {
                builder.push(index.comment(|i| record.get(i).unwrap_or_default().to_string()));
            }
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                if !options.lenient {
                    return Err(fail(
                        line,
                        InputProblem::RaggedRow {
                            expected: index.width,
                            found: record.len(),
                        },
                    ));
                }
                skipped += 1;
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                if !options.lenient || !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    return Err(fail(line, InputProblem::Csv(e.to_string())));
                }
                skipped += 1;
            }
        }
    }
    Ok(Extraction {
        threads: builder.threads,
        skipped,
        warnings: ignored_warning(source, &ignored),
        ..Extraction::default()
    })
}

/// Reads a JSONL comments table: one JSON object per line; blank lines are skipped.
pub fn read_jsonl(source: &Source, options: &ExtractOptions) -> Result<Extraction> {
    let mut builder = ThreadBuilder {
        fallback_id: &source.stem,
        threads: Vec::new(),
    };
    let mut skipped = 0;
    let mut ignored: Vec<String> = Vec::new();
    for (n, line) in source.text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match jsonl_row(line, options, &mut ignored) {
            Ok(comment) => builder.push(comment),
            Err(_) if options.lenient => skipped += 1,
            Err(problem) => {
                return Err(Error::input(
                    Location::line(source.name.clone(), n as u64 + 1),
                    problem,
                ))
            }
        }
    }
    Ok(Extraction {
        threads: builder.threads,
        skipped,
        warnings: ignored_warning(source, &ignored),
        ..Extraction::default()
    })
}

fn jsonl_row(
    line: &str,
    options: &ExtractOptions,
    ignored: &mut Vec<String>,
) -> Result<Comment, InputProblem> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| InputProblem::Json(e.to_string()))?;
    let serde_json::Value::Object(object) = value else {
        return Err(InputProblem::NotAnObject);
    };
    let mut header: Vec<String> = Vec::with_capacity(object.len());
    let mut values: Vec<String> = Vec::with_capacity(object.len());
    for (key, value) in object {
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(InputProblem::BadField { field: key }),
        };
        header.push(key);
        values.push(text);
    }
    let (index, unknown) = ColumnIndex::new(&header, &options.columns)?;
    for name in unknown {
        if !ignored.contains(&name) {
            ignored.push(name);
        }
    }
    Ok(index.comment(|i| values[i].clone()))
}

/// Reads an articles table (`thread_id, title, body`; CSV, or JSONL by extension or content).
pub fn read_articles(source: &Source) -> Result<Vec<Article>> {
    let fail =
        |line: u64, problem| Error::input(Location::line(source.name.clone(), line), problem);
    let is_jsonl = source.name.ends_with(".jsonl")
        || source.name.ends_with(".ndjson")
        || source.text.trim_start().starts_with('{');
    if is_jsonl {
        return source
            .text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| {
                serde_json::from_str::<Article>(line)
                    .map_err(|e| fail(n as u64 + 1, InputProblem::Json(e.to_string())))
            })
            .collect();
    }
    let mut reader = csv::Reader::from_reader(source.text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| fail(1, InputProblem::Csv(e.to_string())))?
        .clone();
    for column in ["thread_id", "title", "body"] {
        if !header.iter().any(|h| h == column) {
            return Err(fail(
                1,
                InputProblem::MissingColumn {
                    column: column.to_string(),
                    found: header.iter().collect::<Vec<_>>().join(", "),
                },
            ));
        }
    }
    reader
        .deserialize::<Article>()
        .map(|row| {
            row.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                fail(line, InputProblem::Csv(e.to_string()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> Source {
        Source {
            name: name.into(),
            stem: "table".into(),
            text: text.into(),
            warnings: vec![],
        }
    }

    fn problem(result: Result<Extraction>) -> (Option<u64>, InputProblem) {
        match result {
            Err(Error::Input { location, problem }) => (location.line, problem),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_csv_table_into_consecutive_threads() {
        let text = "thread_id,comment_id,parent_id,author,posted_at,text\n\
                    a,1,,Awa,2025,\"Bonjour, \"\"vous\"\"\nligne 2\"\n\
                    a,2,1,Moussa,2025,\n\
                    b,,,,,Hello\n";
        let extraction = read_csv(&source("t.csv", text), &ExtractOptions::default()).unwrap();
        let threads = extraction.threads;
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].comments[0].text, "Bonjour, \"vous\"\nligne 2");
        assert_eq!(threads[0].comments[1].parent_id, "1");
        assert_eq!(threads[0].comments[1].text, "");
        assert_eq!(threads[1].comments[0].comment_id, "b#1");
    }

    #[test]
    fn only_text_is_required() {
        let extraction =
            read_csv(&source("t.csv", "text\nhi\n"), &ExtractOptions::default()).unwrap();
        assert_eq!(extraction.threads[0].id(), "table");
        let (line, problem) = problem(read_csv(
            &source("t.csv", "body\nhi\n"),
            &ExtractOptions::default(),
        ));
        assert_eq!(line, Some(1));
        assert!(matches!(problem, InputProblem::MissingColumn { column, .. } if column == "text"));
    }

    #[test]
    fn ragged_rows_name_their_line_or_are_skipped_when_lenient() {
        let text = "thread_id,text\na,ok\na,too,many\na,fine\n";
        let (line, problem) = problem(read_csv(&source("t.csv", text), &ExtractOptions::default()));
        assert_eq!(line, Some(3));
        assert!(matches!(
            problem,
            InputProblem::RaggedRow {
                expected: 2,
                found: 3
            }
        ));
        let lenient = ExtractOptions {
            lenient: true,
            ..ExtractOptions::default()
        };
        let extraction = read_csv(&source("t.csv", text), &lenient).unwrap();
        assert_eq!(extraction.skipped, 1);
        assert_eq!(extraction.threads[0].comments.len(), 2);
    }

    #[test]
    fn duplicate_columns_are_refused() {
        let (_, problem) = problem(read_csv(
            &source("t.csv", "text,text\na,b\n"),
            &ExtractOptions::default(),
        ));
        assert!(matches!(problem, InputProblem::DuplicateColumn { .. }));
    }

    #[test]
    fn reads_jsonl_and_names_the_bad_line() {
        let text =
            "{\"thread_id\":\"a\",\"text\":\"hi\",\"label\":\"substantive\",\"score\":3}\n\n[1]\n";
        let (line, problem) = problem(read_jsonl(
            &source("t.jsonl", text),
            &ExtractOptions::default(),
        ));
        assert_eq!(line, Some(3));
        assert!(matches!(problem, InputProblem::NotAnObject));
        let good = read_jsonl(
            &source("t.jsonl", &text[..text.len() - 4]),
            &ExtractOptions::default(),
        )
        .unwrap();
        assert_eq!(good.threads[0].comments[0].label, "substantive");
        assert_eq!(good.warnings.len(), 1, "the unknown column is reported");
    }
}
