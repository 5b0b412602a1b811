//! Comments tables (the layout of DESIGN.md) in CSV or JSONL: validated and passed through.
//!
//! Only `text` is required (and `label` when a caller asks for it); every other column has a
//! fallback (the file name as thread, `thread#position` as comment id). Consecutive rows of
//! one thread form one thread. Column names are configurable so a user's own labelled file
//! can be read as it is.
//!
//! A [`TableReader`] reads record by record from any `Read`, so a table of any size is scored
//! in bounded memory. Fields are UTF-8; from the first field that is not, the rest of the
//! table is read as Windows-1252 (the same rule, and warning, as for whole files).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};

use super::{ExtractOptions, Extraction, Piece, Source};
use crate::error::{Error, InputProblem, Location, Result};
use crate::thread::{Article, Comment};

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

    fn comment(&self, mut field: impl FnMut(usize) -> String) -> Comment {
        let mut get = |index: Option<usize>| index.map(&mut field).unwrap_or_default();
        Comment {
            thread_id: get(self.thread_id),
            comment_id: get(self.comment_id),
            parent_id: get(self.parent_id),
            author: get(self.author),
            posted_at: get(self.posted_at),
            text: get(Some(self.text)),
            status: get(self.status),
            label: get(self.label),
        }
    }
}

/// Gives each row its thread and comment id: a new thread starts whenever the thread id
/// changes, and rows without one belong to the file's own thread.
struct ThreadCursor {
    fallback_id: String,
    current: Option<String>,
    position: usize,
}

impl ThreadCursor {
    fn new(fallback_id: &str) -> Self {
        ThreadCursor {
            fallback_id: fallback_id.to_string(),
            current: None,
            position: 0,
        }
    }

    /// Sets the comment's thread and (when it has none) comment id; returns the article of
    /// the thread it starts, if it starts one.
    fn place(&mut self, comment: &mut Comment) -> Option<Article> {
        let id = match comment.thread_id.trim() {
            "" => self.fallback_id.as_str(),
            id => id,
        };
        let starts = self.current.as_deref() != Some(id);
        if starts {
            self.current = Some(id.to_string());
            self.position = 0;
        }
        self.position += 1;
        let thread_id = self.current.clone().unwrap_or_default();
        if comment.comment_id.is_empty() {
            comment.comment_id = crate::thread::positional_id(&thread_id, self.position);
        }
        comment.thread_id = thread_id.clone();
        starts.then(|| Article {
            thread_id,
            ..Article::default()
        })
    }
}

/// Turns field bytes into text: UTF-8 until a field is not, Windows-1252 from then on.
struct FieldDecoder {
    name: String,
    windows_1252: bool,
    warning: Option<String>,
}

impl FieldDecoder {
    fn decode(&mut self, bytes: &[u8], line: u64) -> String {
        if !self.windows_1252 {
            match std::str::from_utf8(bytes) {
                Ok(text) => return text.to_string(),
                Err(_) => {
                    self.windows_1252 = true;
                    self.warning = Some(format!(
                        "{}:{line}: not valid UTF-8; the file was read as Windows-1252 from here on",
                        self.name
                    ));
                }
            }
        }
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        text.into_owned()
    }
}

/// Where the rows come from.
enum Rows<R: Read> {
    Csv {
        reader: csv::Reader<LastByte<R>>,
        index: ColumnIndex,
        record: csv::ByteRecord,
    },
    Jsonl {
        lines: BufReader<R>,
        line: u64,
        buffer: Vec<u8>,
    },
}

/// Whether a record read up to the end of a CSV file ends inside a quoted field: the csv
/// crate ends the field there without a word, so a stray quote would silently turn every
/// row after it into the text of one comment. Only a quoted field can hold a line break,
/// and a closed one leaves a quote as the file's last character (but for line breaks and
/// blanks).
fn ends_in_open_quote<R>(record: &csv::ByteRecord, input: &LastByte<R>) -> bool {
    input.at_end
        && input.last != Some(b'"')
        && record
            .iter()
            .next_back()
            .is_some_and(|field| field.contains(&b'\n'))
}

/// A reader that remembers the last byte it read that is not a blank or a line break, and
/// whether it reached the end.
struct LastByte<R> {
    inner: R,
    last: Option<u8>,
    at_end: bool,
}

impl<R: Read> Read for LastByte<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.at_end |= n == 0 && !buf.is_empty();
        if let Some(&b) = buf[..n]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            self.last = Some(b);
        }
        Ok(n)
    }
}

/// Reads a comments table record by record, as [`Piece`]s.
pub struct TableReader<R: Read> {
    name: String,
    rows: Rows<R>,
    cursor: ThreadCursor,
    decoder: FieldDecoder,
    options: ExtractOptions,
    /// A comment read after the [`Piece::Thread`] it starts was handed out.
    pending: Option<Comment>,
    /// Columns read but not part of the comments table.
    ignored: Vec<String>,
    /// Bad rows skipped (only with `lenient`).
    pub skipped: usize,
}

impl<R: Read> TableReader<R> {
    /// Starts reading a CSV table: reads and checks its header.
    pub fn csv(input: R, name: &str, stem: &str, options: &ExtractOptions) -> Result<Self> {
        let fail = |problem| Error::input(Location::line(name.to_string(), 1), problem);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(LastByte {
                inner: input,
                last: None,
                at_end: false,
            });
        let mut decoder = FieldDecoder {
            name: name.to_string(),
            windows_1252: false,
            warning: None,
        };
        let header: Vec<String> = reader
            .byte_headers()
            .map_err(|e| fail(InputProblem::Csv(e.to_string())))?
            .iter()
            .map(|h| {
                let h = decoder.decode(h, 1);
                h.trim().trim_start_matches('\u{feff}').to_string()
            })
            .collect();
        let (index, ignored) = ColumnIndex::new(&header, &options.columns).map_err(fail)?;
        let rows = Rows::Csv {
            reader,
            index,
            record: csv::ByteRecord::new(),
        };
        Ok(TableReader::new(
            name, stem, options, rows, decoder, ignored,
        ))
    }

    /// Starts reading a JSONL table: one JSON object per line; blank lines are skipped.
    pub fn jsonl(input: R, name: &str, stem: &str, options: &ExtractOptions) -> Self {
        let rows = Rows::Jsonl {
            lines: BufReader::new(input),
            line: 0,
            buffer: Vec::new(),
        };
        let decoder = FieldDecoder {
            name: name.to_string(),
            windows_1252: false,
            warning: None,
        };
        TableReader::new(name, stem, options, rows, decoder, Vec::new())
    }

    fn new(
        name: &str,
        stem: &str,
        options: &ExtractOptions,
        rows: Rows<R>,
        decoder: FieldDecoder,
        ignored: Vec<String>,
    ) -> Self {
        TableReader {
            name: name.to_string(),
            rows,
            cursor: ThreadCursor::new(stem),
            decoder,
            options: options.clone(),
            pending: None,
            ignored,
            skipped: 0,
        }
    }

    /// The next piece: a thread that starts, or a comment; `None` at the end of the table.
    pub fn next_piece(&mut self) -> Result<Option<Piece>> {
        if let Some(comment) = self.pending.take() {
            return Ok(Some(Piece::Comment(comment)));
        }
        let Some(mut comment) = self.next_row()? else {
            return Ok(None);
        };
        Ok(Some(match self.cursor.place(&mut comment) {
            Some(article) => {
                self.pending = Some(comment);
                Piece::Thread(article)
            }
            None => Piece::Comment(comment),
        }))
    }

    /// What the reader noticed without failing: the encoding fallback, ignored columns.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings: Vec<String> = self.decoder.warning.iter().cloned().collect();
        if !self.ignored.is_empty() {
            warnings.push(format!(
                "{}: ignoring column(s) not in the comments table: {}",
                self.name,
                self.ignored.join(", ")
            ));
        }
        warnings
    }

    /// The next good row (skipping bad ones when lenient).
    fn next_row(&mut self) -> Result<Option<Comment>> {
        loop {
            let (line, row) = match &mut self.rows {
                Rows::Csv {
                    reader,
                    index,
                    record,
                } => {
                    let line = reader.position().line();
                    match reader.read_byte_record(record) {
                        Ok(false) => return Ok(None),
                        Ok(true) => {
                            let line = record.position().map_or(line, |p| p.line());
                            if ends_in_open_quote(record, reader.get_ref()) {
                                return Err(self.fail(line, InputProblem::UnclosedQuote));
                            }
                            if record.len() == index.width {
                                let decoder = &mut self.decoder;
                                let comment = index.comment(|i| decoder.decode(&record[i], line));
                                (line, Ok(comment))
                            } else {
                                let problem = InputProblem::RaggedRow {
                                    expected: index.width,
                                    found: record.len(),
                                };
                                (line, Err(problem))
                            }
                        }
                        Err(e) => {
                            let line = e.position().map_or(line, |p| p.line());
                            let problem = InputProblem::Csv(e.to_string());
                            // Only a row of the wrong width can be skipped; a broken quote
                            // or an I/O error leaves nothing sensible to go on with.
                            if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                                return Err(self.fail(line, problem));
                            }
                            (line, Err(problem))
                        }
                    }
                }
                Rows::Jsonl {
                    lines,
                    line,
                    buffer,
                } => {
                    buffer.clear();
                    let read = lines.read_until(b'\n', buffer).map_err(|e| {
                        Error::input(
                            Location::file(self.name.clone()),
                            InputProblem::Unreadable(e),
                        )
                    })?;
                    if read == 0 {
                        return Ok(None);
                    }
                    *line += 1;
                    let mut bytes = buffer.as_slice();
                    if *line == 1 {
                        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                    }
                    if bytes.trim_ascii().is_empty() {
                        continue;
                    }
                    let text = self.decoder.decode(bytes, *line);
                    (*line, jsonl_row(&text, &self.options, &mut self.ignored))
                }
            };
            match row {
                Ok(mut comment) => {
                    comment.label = comment.label.trim().to_string();
                    return Ok(Some(comment));
                }
                Err(_) if self.options.lenient => self.skipped += 1,
                Err(problem) => return Err(self.fail(line, problem)),
            }
        }
    }

    fn fail(&self, line: u64, problem: InputProblem) -> Error {
        Error::input(Location::line(self.name.clone(), line), problem)
    }
}

/// Reads a whole comments table already in memory.
fn read_table(mut reader: TableReader<&[u8]>) -> Result<Extraction> {
    let mut extraction = Extraction::default();
    while let Some(piece) = reader.next_piece()? {
        extraction.add(piece);
    }
    extraction.skipped = reader.skipped;
    extraction.warnings = reader.warnings();
    Ok(extraction)
}

/// Reads a CSV comments table already in memory.
pub fn read_csv(source: &Source, options: &ExtractOptions) -> Result<Extraction> {
    let reader = TableReader::csv(source.text.as_bytes(), &source.name, &source.stem, options)?;
    read_table(reader)
}

/// Reads a JSONL comments table already in memory.
pub fn read_jsonl(source: &Source, options: &ExtractOptions) -> Result<Extraction> {
    let reader = TableReader::jsonl(source.text.as_bytes(), &source.name, &source.stem, options);
    read_table(reader)
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
        Source::in_memory(name, text)
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
        assert_eq!(extraction.threads[0].id(), "t");
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
    fn a_streamed_table_falls_back_to_windows_1252_from_its_first_bad_field() {
        let bytes: &[u8] = b"thread_id,text\na,d\xe9j\xe0 vu\na,caf\xe9\n";
        let mut reader =
            TableReader::csv(bytes, "old.csv", "old", &ExtractOptions::default()).unwrap();
        let mut texts = Vec::new();
        while let Some(piece) = reader.next_piece().unwrap() {
            if let Piece::Comment(comment) = piece {
                texts.push(comment.text);
            }
        }
        assert_eq!(texts, ["déjà vu", "café"]);
        let warnings = reader.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("old.csv:2: not valid UTF-8"),
            "{warnings:?}"
        );
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
