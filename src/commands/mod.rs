//! The jobs the binary runs, one file each; each takes validated options and returns a
//! report that `main` prints.

pub mod score;
pub mod split;
pub mod train;

use crate::error::{Error, Result};
use crate::extract::{ExtractOptions, Format, InputPath, InputReader, Piece};

/// What a run over several inputs did, for the summary line and the exit code.
#[derive(Debug, Default)]
pub struct InputsReport {
    pub files_read: usize,
    pub threads: usize,
    pub comments: usize,
    pub empty_comments: usize,
    /// Bad records skipped with `--lenient`.
    pub skipped: usize,
    /// Inputs that could not be read; the others were still processed.
    pub failed: Vec<Error>,
    pub warnings: Vec<String>,
}

impl InputsReport {
    /// Reads one input piece by piece, handing each to `visit` and counting threads and
    /// comments. An input that cannot be read is recorded in [`failed`](Self::failed) and the
    /// other inputs go on; a table that breaks part-way has had its earlier rows handed on.
    /// Only an error from `visit` itself (an output that cannot be written) is returned.
    pub fn read(
        &mut self,
        input: &InputPath,
        format: Format,
        options: &ExtractOptions,
        mut visit: impl FnMut(Piece) -> Result<()>,
    ) -> Result<()> {
        let mut reader = match InputReader::open(input, format, options) {
            Ok(reader) => reader,
            Err(error) => {
                self.failed.push(error);
                return Ok(());
            }
        };
        let finished = loop {
            match reader.next_piece() {
                Ok(Some(piece)) => {
                    match &piece {
                        Piece::Thread(_) => self.threads += 1,
                        Piece::Comment(comment) => {
                            self.comments += 1;
                            self.empty_comments += usize::from(comment.text.trim().is_empty());
                        }
                    }
                    visit(piece)?;
                }
                Ok(None) => break true,
                Err(error) => {
                    self.failed.push(error);
                    break false;
                }
            }
        };
        self.files_read += usize::from(finished);
        self.skipped += reader.skipped();
        self.warnings.extend(reader.warnings());
        Ok(())
    }

    /// The first failure when no input could be read at all (the run has nothing to show).
    pub fn all_failed(&mut self) -> Option<Error> {
        (self.files_read == 0 && !self.failed.is_empty()).then(|| self.failed.remove(0))
    }

    /// Whether some inputs failed while others were read.
    pub fn is_partial(&self) -> bool {
        !self.failed.is_empty()
    }

    pub fn summary(&self) -> String {
        let files = self.files_read + self.failed.len();
        format!(
            "{} file(s), {} thread(s), {} comment(s) ({} empty), {} skipped, {} failed",
            files,
            self.threads,
            self.comments,
            self.empty_comments,
            self.skipped,
            self.failed.len()
        )
    }
}
