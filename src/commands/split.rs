//! `moderate split`: separate the reader comments from the articles of every input and write
//! the comments table (and optionally the articles table).

use std::path::PathBuf;

use super::InputsReport;
use crate::error::Result;
use crate::export::table::{ArticleTable, CommentTable};
use crate::extract::{ExtractOptions, Format, InputPath, Piece};

#[derive(Debug, Clone, Default)]
pub struct SplitOptions {
    pub inputs: Vec<InputPath>,
    pub format: Format,
    /// The comments table (CSV, or JSONL by extension); standard output when `None`.
    pub output: Option<PathBuf>,
    pub articles: Option<PathBuf>,
    pub extract: ExtractOptions,
}

/// Reads every input and writes the tables. An input that cannot be read is reported in
/// [`InputsReport::failed`] and the others are still written; when none can be read, the
/// first error is returned and no output is replaced.
pub fn split(options: &SplitOptions) -> Result<InputsReport> {
    let mut comments = CommentTable::create(options.output.as_deref())?;
    let mut articles = options
        .articles
        .as_deref()
        .map(|path| ArticleTable::create(Some(path)))
        .transpose()?;
    let mut report = InputsReport::default();
    for input in &options.inputs {
        report.read(
            input,
            options.format,
            &options.extract,
            |piece| match piece {
                Piece::Thread(article) => match articles.as_mut() {
                    Some(articles) => articles.write(&article),
                    None => Ok(()),
                },
                Piece::Comment(comment) => comments.write(&comment),
            },
        )?;
    }
    if let Some(error) = report.all_failed() {
        return Err(error);
    }
    comments.finish()?;
    if let Some(articles) = articles {
        articles.finish()?;
    }
    Ok(report)
}
