//! The library's error type: every failure names the file (and line or record) it came from,
//! so `main` can print one clear message without knowing how the failure happened.

use std::fmt;
use std::path::PathBuf;

/// Where in the input a problem was found: the file, and the line when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: Option<u64>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
        }
    }

    pub fn line(file: impl Into<String>, line: u64) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// What is wrong with an input file. One variant per kind of problem, so tests and callers can
/// tell them apart without parsing messages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputProblem {
    #[error("the file is empty")]
    Empty,
    #[error("this looks like a binary file, not text")]
    Binary,
    #[error("is a directory, not a file")]
    Directory,
    #[error("no such file")]
    NotFound,
    #[error("cannot read: {0}")]
    Unreadable(std::io::Error),
    #[error("the document ends before <{element}> is closed (truncated file?)")]
    Truncated { element: String },
    #[error("malformed XML: {0}")]
    Xml(String),
    #[error("not a Disqus or WordPress export: {0}")]
    UnknownXml(String),
    #[error("malformed CSV: {0}")]
    Csv(String),
    #[error("malformed CSV: a quoted field of this row is never closed, so it runs to the end of the file")]
    UnclosedQuote,
    #[error("the header has no column named {column:?} (columns: {found})")]
    MissingColumn { column: String, found: String },
    #[error("the header names column {column:?} twice")]
    DuplicateColumn { column: String },
    #[error("this row has {found} fields but the header has {expected}")]
    RaggedRow { expected: usize, found: usize },
    #[error("the header is missing or empty")]
    MissingHeader,
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("expected a JSON object, one per line")]
    NotAnObject,
    #[error("field {field:?} must be a string, number or null")]
    BadField { field: String },
    #[error("{0}")]
    Invalid(String),
}

/// What is wrong with a model file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelProblem {
    #[error("not a moderate model file")]
    NotAModel,
    #[error("model format version {found} is not supported by this build (it reads version {supported}); retrain the model or use a matching moderate")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("the file is truncated ({found} bytes, {expected} expected)")]
    Truncated { found: usize, expected: usize },
    #[error("the checksum does not match: the file is damaged")]
    Checksum,
    #[error("the model is damaged: {0}")]
    Corrupt(String),
    #[error("cannot read: {0}")]
    Unreadable(std::io::Error),
}

/// Why a model could not be trained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainingProblem {
    #[error("no labelled rows with text to train on")]
    NoRows,
    #[error("every row has the label {0:?}: at least two classes are needed")]
    SingleClass(String),
    #[error("cross-validation needs at least {needed} threads, the data has {found}")]
    TooFewThreads { needed: usize, found: usize },
    #[error("the solver failed: {0}")]
    Solver(String),
}

/// The library's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input file could not be read as what it claims to be.
    #[error("{location}: {problem}")]
    Input {
        location: Location,
        problem: InputProblem,
    },
    /// An output could not be written; the previous file at that path, if any, is untouched.
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A model file that cannot be used.
    #[error("model {name}: {problem}")]
    Model { name: String, problem: ModelProblem },
    /// Training could not produce a model.
    #[error("training: {0}")]
    Training(TrainingProblem),
    /// Options that cannot work together, or a value out of range.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn input(location: Location, problem: InputProblem) -> Self {
        Error::Input { location, problem }
    }

    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Output {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
