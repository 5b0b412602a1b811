//! Writing tables and reports. Every file output goes through [`Output`], which writes to a
//! temporary file beside the target and renames it into place on [`Output::commit`]: a crash
//! or an error never leaves a half-written file, and the previous file stays intact.

pub mod decimal;
pub mod flagged;
pub mod report;
pub mod scores;
pub mod table;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where an output goes: standard output, or a file replaced atomically.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        path: PathBuf,
        file: BufWriter<tempfile::NamedTempFile>,
    },
}

impl Output {
    /// Opens `path` for writing (`None` or `-`: standard output).
    pub fn create(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Some(p) if p.as_os_str() == "-" => Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Some(path) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let temp = tempfile::Builder::new()
                    .prefix(".moderate-")
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .map_err(|e| Error::output(path, e))?;
                Ok(Output::File {
                    path: path.to_path_buf(),
                    file: BufWriter::with_capacity(1 << 16, temp),
                })
            }
        }
    }

    /// The path shown in messages.
    pub fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "<stdout>".to_string(),
            Output::File { path, .. } => path.display().to_string(),
        }
    }

    /// Flushes and moves the file into place. Until this is called nothing is visible at the
    /// target path; dropping an uncommitted output deletes its temporary file.
    pub fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush().map_err(|e| Error::output("<stdout>", e)),
            Output::File { path, file } => {
                let temp = file
                    .into_inner()
                    .map_err(|e| Error::output(&path, e.into_error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| Error::output(&path, e))?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = temp
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(0o644));
                }
                temp.persist(&path)
                    .map_err(|e| Error::output(&path, e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { file, .. } => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_a_dropped_output_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let mut output = Output::create(Some(&path)).unwrap();
        output.write_all(b"new").unwrap();
        output.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        drop(output);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        let mut output = Output::create(Some(&path)).unwrap();
        output.write_all(b"new").unwrap();
        output.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn an_unwritable_directory_is_an_output_error() {
        let result = Output::create(Some(Path::new("/nonexistent-dir/out.csv")));
        assert!(matches!(result, Err(Error::Output { .. })));
    }
}
