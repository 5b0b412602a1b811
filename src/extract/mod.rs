//! Reading what moderators have: page dumps, HTML pages, platform exports and comment tables,
//! each turned into [`Thread`]s (an article and its comments in page order).
//!
//! [`Source::read`] loads and decodes one input; [`Format::detect`] names its format;
//! [`extract`] hands it to the reader for that format. One file per format:
//! [`text`] (scraped plain-text dumps, driven by the marker lexicon in [`markers`]),
//! [`html`], [`disqus`], [`wxr`] and [`table`] (CSV / JSONL comments tables).

pub mod disqus;
pub mod html;
pub mod markers;
pub mod table;
pub mod text;
pub mod wxr;
mod xml;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, InputProblem, Location, Result};
use crate::thread::{Article, Comment, Thread};

pub use table::TableColumns;

/// An input format. `Auto` asks [`Format::detect`] to decide from the name and the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Auto,
    Text,
    Html,
    Disqus,
    Wxr,
    Csv,
    Jsonl,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => Format::Auto,
            "text" | "txt" => Format::Text,
            "html" | "htm" => Format::Html,
            "disqus" => Format::Disqus,
            "wxr" | "wordpress" => Format::Wxr,
            "csv" => Format::Csv,
            "jsonl" | "ndjson" => Format::Jsonl,
            other => {
                return Err(format!(
                "unknown format {other:?} (expected auto, text, html, disqus, wxr, csv or jsonl)"
            ))
            }
        })
    }
}

impl Format {
    /// Decides the format of an input from its file extension, then from its first bytes.
    pub fn detect(name: &str, text: &str) -> Format {
        let extension = Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        let head: String = text.trim_start().chars().take(4096).collect();
        let head_lower = head.to_lowercase();
        let xml_kind = || {
            if head_lower.contains("<disqus") {
                Some(Format::Disqus)
            } else if head_lower.contains("<rss") || head_lower.contains("wordpress.org/export") {
                Some(Format::Wxr)
            } else {
                None
            }
        };
        match extension.as_deref() {
            Some("html" | "htm" | "xhtml") => return Format::Html,
            Some("csv") => return Format::Csv,
            Some("jsonl" | "ndjson") => return Format::Jsonl,
            Some("xml") => return xml_kind().unwrap_or(Format::Disqus),
            Some("txt" | "text") => return Format::Text,
            _ => {}
        }
        if head_lower.starts_with("<?xml") || head_lower.starts_with("<rss") {
            if let Some(kind) = xml_kind() {
                return kind;
            }
        }
        if head_lower.starts_with("<!doctype html")
            || head_lower.starts_with("<html")
            || head_lower.contains("<body")
        {
            return Format::Html;
        }
        if head.starts_with('{') {
            return Format::Jsonl;
        }
        let first_line = head_lower.lines().next().unwrap_or("");
        if first_line.contains(',') && first_line.split(',').any(|c| c.trim() == "text") {
            return Format::Csv;
        }
        Format::Text
    }
}

/// One input: a path, or standard input when the path is `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPath {
    Stdin,
    File(PathBuf),
}

impl InputPath {
    pub fn parse(arg: &str) -> Self {
        if arg == "-" {
            InputPath::Stdin
        } else {
            InputPath::File(PathBuf::from(arg))
        }
    }

    /// The name used in messages and as the fallback thread id.
    pub fn display_name(&self) -> String {
        match self {
            InputPath::Stdin => "<stdin>".to_string(),
            InputPath::File(path) => path.display().to_string(),
        }
    }

    /// Opens the input for reading: a file, or standard input.
    pub fn open(&self) -> Result<Box<dyn Read>> {
        let problem = |problem| Error::input(Location::file(self.display_name()), problem);
        match self {
            InputPath::Stdin => Ok(Box::new(std::io::stdin().lock())),
            InputPath::File(path) => {
                if path.is_dir() {
                    return Err(problem(InputProblem::Directory));
                }
                let file = std::fs::File::open(path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => problem(InputProblem::NotFound),
                    _ => problem(InputProblem::Unreadable(e)),
                })?;
                Ok(Box::new(file))
            }
        }
    }

    /// The file name without directory and extension: a stable thread id for one-page inputs.
    pub fn stem(&self) -> String {
        match self {
            InputPath::Stdin => "stdin".to_string(),
            InputPath::File(path) => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        }
    }
}

/// An input loaded into memory and decoded to UTF-8.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in messages (the path as given, or `<stdin>`).
    pub name: String,
    /// The fallback thread id (the file stem).
    pub stem: String,
    pub text: String,
    /// Things the reader should know but that did not stop it (an encoding fallback…).
    pub warnings: Vec<String>,
}

impl Source {
    /// Reads and decodes an input.
    ///
    /// Decoding: a byte-order mark is honoured (UTF-8 or UTF-16); otherwise the bytes must be
    /// UTF-8, and when they are not the file is read as Windows-1252 (what French and English
    /// sites used before UTF-8) with a warning naming the first bad line, rather than refused:
    /// a moderator with an old export still gets their comments. A NUL byte in the first 8 KiB
    /// of a file without a UTF-16 mark means binary, which is refused.
    pub fn read(input: &InputPath) -> Result<Source> {
        let name = input.display_name();
        let problem = |problem| Error::input(Location::file(name.clone()), problem);
        let mut bytes = Vec::new();
        input
            .open()?
            .read_to_end(&mut bytes)
            .map_err(|e| problem(InputProblem::Unreadable(e)))?;
        Source::decode(name, input.stem(), &bytes)
    }

    /// A source already decoded, for the readers' unit tests (the stem is the name's).
    #[cfg(test)]
    pub(crate) fn in_memory(name: &str, text: &str) -> Source {
        let stem = InputPath::File(PathBuf::from(name)).stem();
        Source {
            name: name.to_string(),
            stem,
            text: text.to_string(),
            warnings: Vec::new(),
        }
    }

    /// Decodes bytes already in memory (see [`Source::read`] for the rules).
    pub fn decode(name: String, stem: String, bytes: &[u8]) -> Result<Source> {
        let problem = |problem| Error::input(Location::file(name.clone()), problem);
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(problem(InputProblem::Empty));
        }
        let mut warnings = Vec::new();
        let text = if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
            let (text, _, had_errors) = encoding.decode(bytes);
            if had_errors {
                warnings.push(format!(
                    "{name}: some bytes are not valid {}; they were replaced by U+FFFD",
                    encoding.name()
                ));
            }
            text.into_owned()
        } else {
            if bytes[..bytes.len().min(8192)].contains(&0) {
                return Err(problem(InputProblem::Binary));
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => text.to_string(),
                Err(e) => {
                    let line = 1 + bytes[..e.valid_up_to()]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    warnings.push(format!(
                        "{name}:{line}: not valid UTF-8; the file was read as Windows-1252"
                    ));
                    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                    text.into_owned()
                }
            }
        };
        Ok(Source {
            name,
            stem,
            text,
            warnings,
        })
    }
}

/// How readers treat bad records.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Skip bad records (counting them) instead of failing the file.
    pub lenient: bool,
    /// Column names of comments tables.
    pub columns: TableColumns,
}

/// What a reader found in one input.
#[derive(Debug, Default)]
pub struct Extraction {
    pub format: Option<Format>,
    pub threads: Vec<Thread>,
    /// Records skipped as bad (only with `lenient`).
    pub skipped: usize,
    pub warnings: Vec<String>,
}

impl Extraction {
    /// Adds a piece read in order: a thread starts, or its next comment arrives.
    fn add(&mut self, piece: Piece) {
        match piece {
            Piece::Thread(article) => self.threads.push(Thread {
                article,
                comments: Vec::new(),
            }),
            Piece::Comment(comment) => match self.threads.last_mut() {
                Some(thread) => thread.comments.push(comment),
                None => {
                    let mut thread = Thread::new(comment.thread_id.clone());
                    thread.push(comment);
                    self.threads.push(thread);
                }
            },
        }
    }
}

/// One step of reading an input, in order: a thread starts (with its article, which may be
/// empty), or a comment of the thread last started arrives (with its thread and comment ids
/// set).
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Thread(Article),
    Comment(Comment),
}

/// Reads one decoded input in the given format (`Auto` detects it).
pub fn extract(source: &Source, format: Format, options: &ExtractOptions) -> Result<Extraction> {
    let format = match format {
        Format::Auto => Format::detect(&source.name, &source.text),
        known => known,
    };
    let mut extraction = match format {
        Format::Text => text::read(source),
        Format::Html => html::read(source),
        Format::Disqus => disqus::read(source),
        Format::Wxr => wxr::read(source),
        Format::Csv => table::read_csv(source, options),
        Format::Jsonl => table::read_jsonl(source, options),
        Format::Auto => unreachable!("auto was resolved above"),
    }?;
    extraction.format = Some(format);
    let mut warnings = source.warnings.clone();
    warnings.append(&mut extraction.warnings);
    extraction.warnings = warnings;
    Ok(extraction)
}

/// An input being read piece by piece. Comments tables are streamed from the file record by
/// record, so memory does not grow with their size; pages and exports are documents, read
/// whole (a page's structure is only known once all of it is read).
pub struct InputReader {
    pub format: Format,
    kind: ReaderKind,
}

enum ReaderKind {
    Document {
        pieces: std::vec::IntoIter<Piece>,
        skipped: usize,
        warnings: Vec<String>,
    },
    Table(Box<table::TableReader<Box<dyn Read>>>),
}

/// Bytes looked at to decide how to read an input.
const HEAD: usize = 8192;

impl InputReader {
    /// Opens an input and decides its format (`Auto` detects it from the name and the first
    /// bytes).
    pub fn open(input: &InputPath, format: Format, options: &ExtractOptions) -> Result<Self> {
        let name = input.display_name();
        let problem = |problem| Error::input(Location::file(name.clone()), problem);
        let mut stream = input.open()?;
        let mut head = Vec::with_capacity(HEAD);
        (&mut stream)
            .take(HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| problem(InputProblem::Unreadable(e)))?;
        let whole = head.len() < HEAD;
        let format = match format {
            Format::Auto => Format::detect(&name, &String::from_utf8_lossy(&head)),
            known => known,
        };
        // A table is streamed unless what decides how to read it needs the whole file: a
        // UTF-16 mark, a NUL byte (binary), or nothing but white space so far.
        let streamable = matches!(format, Format::Csv | Format::Jsonl)
            && !head.starts_with(b"\xFF\xFE")
            && !head.starts_with(b"\xFE\xFF")
            && !head.contains(&0)
            && !head.iter().all(|b| b.is_ascii_whitespace());
        if streamable {
            if head.starts_with(b"\xEF\xBB\xBF") {
                head.drain(..3);
            }
            let rest: Box<dyn Read> = Box::new(std::io::Cursor::new(head).chain(stream));
            let stem = input.stem();
            let reader = match format {
                Format::Csv => table::TableReader::csv(rest, &name, &stem, options)?,
                _ => table::TableReader::jsonl(rest, &name, &stem, options),
            };
            return Ok(InputReader {
                format,
                kind: ReaderKind::Table(Box::new(reader)),
            });
        }
        let mut bytes = head;
        if !whole {
            stream
                .read_to_end(&mut bytes)
                .map_err(|e| problem(InputProblem::Unreadable(e)))?;
        }
        let source = Source::decode(name, input.stem(), &bytes)?;
        let extraction = extract(&source, format, options)?;
        let pieces: Vec<Piece> = extraction
            .threads
            .into_iter()
            .flat_map(|thread| {
                std::iter::once(Piece::Thread(thread.article))
                    .chain(thread.comments.into_iter().map(Piece::Comment))
            })
            .collect();
        Ok(InputReader {
            format,
            kind: ReaderKind::Document {
                pieces: pieces.into_iter(),
                skipped: extraction.skipped,
                warnings: extraction.warnings,
            },
        })
    }

    /// The next piece, `None` at the end of the input.
    pub fn next_piece(&mut self) -> Result<Option<Piece>> {
        match &mut self.kind {
            ReaderKind::Document { pieces, .. } => Ok(pieces.next()),
            ReaderKind::Table(table) => table.next_piece(),
        }
    }

    /// Bad records skipped so far (only with `lenient`).
    pub fn skipped(&self) -> usize {
        match &self.kind {
            ReaderKind::Document { skipped, .. } => *skipped,
            ReaderKind::Table(table) => table.skipped,
        }
    }

    /// What the reader noticed without failing (an encoding fallback, ignored columns…).
    pub fn warnings(&self) -> Vec<String> {
        match &self.kind {
            ReaderKind::Document { warnings, .. } => warnings.clone(),
            ReaderKind::Table(table) => table.warnings(),
        }
    }
}

/// Reads and extracts one whole input.
pub fn read_input(
    input: &InputPath,
    format: Format,
    options: &ExtractOptions,
) -> Result<Extraction> {
    let mut reader = InputReader::open(input, format, options)?;
    let mut extraction = Extraction {
        format: Some(reader.format),
        ..Extraction::default()
    };
    while let Some(piece) = reader.next_piece()? {
        extraction.add(piece);
    }
    extraction.skipped = reader.skipped();
    extraction.warnings = reader.warnings();
    Ok(extraction)
}

/// A platform's thread id, or the file name when the export gives none (so a thread id is
/// never empty, as for tables).
fn id_or_stem(id: &str, source: &Source) -> String {
    match id.trim() {
        "" => source.stem.clone(),
        id => id.to_string(),
    }
}

/// Collapses runs of spaces and tabs and trims each line; keeps line breaks (at most one blank
/// line in a row). Used by readers that take text out of markup.
pub fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<Source> {
        Source::decode("f.txt".into(), "f".into(), bytes)
    }

    #[test]
    fn detects_formats_by_extension_then_content() {
        assert_eq!(Format::detect("a.html", ""), Format::Html);
        assert_eq!(Format::detect("a.csv", ""), Format::Csv);
        assert_eq!(
            Format::detect("x", "<?xml version=\"1.0\"?>\n<disqus xmlns=\"\">"),
            Format::Disqus
        );
        assert_eq!(
            Format::detect("x", "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"\">"),
            Format::Wxr
        );
        assert_eq!(Format::detect("x", "<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(Format::detect("x", "{\"text\":\"a\"}"), Format::Jsonl);
        assert_eq!(Format::detect("x", "thread_id,text\na,b"), Format::Csv);
        assert_eq!(
            Format::detect("x", "Un article.\n3 commentaires"),
            Format::Text
        );
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252_with_a_warning() {
        let source = decode(b"ligne un\nd\xe9j\xe0 vu\n").unwrap();
        assert_eq!(source.text, "ligne un\ndéjà vu\n");
        assert_eq!(source.warnings.len(), 1);
        assert!(
            source.warnings[0].contains("f.txt:2"),
            "{:?}",
            source.warnings
        );
    }

    #[test]
    fn refuses_empty_and_binary_files() {
        assert!(matches!(
            decode(b"  \n"),
            Err(Error::Input {
                problem: InputProblem::Empty,
                ..
            })
        ));
        assert!(matches!(
            decode(b"\x7fELF\x02\x01\x00\x00"),
            Err(Error::Input {
                problem: InputProblem::Binary,
                ..
            })
        ));
    }

    #[test]
    fn honours_a_utf16_byte_order_mark() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hé".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&bytes).unwrap().text, "hé");
    }

    #[test]
    fn tidies_markup_text() {
        assert_eq!(tidy_text("  a   b \n\n\n c\t d \n"), "a b\n\nc d");
    }
}
