//! The jobs the binary runs, one file each; each takes validated options and returns a
//! report that `main` prints.

pub mod score;
pub mod split;
pub mod train;

use crate::error::Error;
use crate::extract::{self, ExtractOptions, Extraction, Format, InputPath};

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
    /// Reads one input: a failure is recorded (and `None` returned) so the other inputs go
    /// on; a success adds its skipped rows and warnings.
    pub fn read(
        &mut self,
        input: &InputPath,
        format: Format,
        options: &ExtractOptions,
    ) -> Option<Extraction> {
        match extract::read_input(input, format, options) {
            Ok(mut extraction) => {
                self.files_read += 1;
                self.skipped += extraction.skipped;
                self.warnings.append(&mut extraction.warnings);
                Some(extraction)
            }
            Err(error) => {
                self.failed.push(error);
                None
            }
        }
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
