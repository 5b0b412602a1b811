//! Writing tables and reports. Every file output goes through [`Output`], which writes to a
//! temporary file beside the target and renames it into place on [`Output::commit`]: a crash
//! or an error never leaves a half-written file, and the previous file stays intact.
//!
//! On Linux the temporary file is anonymous (`O_TMPFILE`) until it is complete, so even a
//! process killed mid-write leaves nothing behind; elsewhere (on a file system without
//! anonymous files, or without /proc), it is a named temporary file that an error or a normal
//! exit removes.
//!
//! A target that is a symbolic link has the file it points to replaced (the link stays); a
//! target that is not a regular file (`/dev/null`, a named pipe) is written in place, as
//! there is nothing to replace: renaming over it would replace the device itself.

pub mod decimal;
pub mod flagged;
pub mod report;
pub mod scores;
pub mod table;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where an output goes: standard output, a file replaced atomically, or a device or pipe
/// written in place.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        /// As the user named it, for messages.
        path: PathBuf,
        /// The file replaced: `path`, or what it links to.
        target: PathBuf,
        file: BufWriter<TempFile>,
    },
    Device {
        path: PathBuf,
        file: BufWriter<std::fs::File>,
    },
}

/// The file an [`Output`] writes before it is moved into place.
pub enum TempFile {
    /// Not linked into any directory yet (Linux `O_TMPFILE`).
    Anonymous {
        file: std::fs::File,
        dir: PathBuf,
    },
    Named(tempfile::NamedTempFile),
}

impl TempFile {
    fn create(dir: &Path) -> io::Result<TempFile> {
        // Linking the finished file needs its `/proc/self/fd` path: without /proc (some
        // chroots and containers), use a named file from the start.
        #[cfg(target_os = "linux")]
        if Path::new("/proc/self/fd").is_dir() {
            use std::os::unix::fs::OpenOptionsExt;
            let anonymous = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_TMPFILE)
                .mode(0o644)
                .open(dir);
            if let Ok(file) = anonymous {
                return Ok(TempFile::Anonymous {
                    file,
                    dir: dir.to_path_buf(),
                });
            }
        }
        let file = tempfile::Builder::new()
            .prefix(".moderate-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(TempFile::Named(file))
    }

    fn file(&self) -> &std::fs::File {
        match self {
            TempFile::Anonymous { file, .. } => file,
            TempFile::Named(named) => named.as_file(),
        }
    }

    /// Syncs the file and moves it to `path`, replacing what was there in one rename.
    fn persist(self, path: &Path) -> io::Result<()> {
        self.file().sync_all()?;
        match self {
            TempFile::Anonymous { file, dir } => link_anonymous(&file, &dir)?
                .persist(path)
                .map_err(|e| e.error),
            TempFile::Named(named) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = named
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(0o644));
                }
                named.persist(path).map(drop).map_err(|e| e.error)
            }
        }
    }
}

/// Gives a complete anonymous file a temporary name in `dir` (from which it is renamed into
/// place). No crate exposes `linkat` of an `O_TMPFILE` descriptor, hence this one unsafe call.
#[cfg(target_os = "linux")]
fn link_anonymous(file: &std::fs::File, dir: &Path) -> io::Result<tempfile::TempPath> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let source = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let linked = tempfile::Builder::new()
        .prefix(".moderate-")
        .suffix(".tmp")
        .make_in(dir, |name| {
            let target = std::ffi::CString::new(name.as_os_str().as_bytes())?;
            // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
            let status = unsafe {
                libc::linkat(
                    libc::AT_FDCWD,
                    source.as_ptr(),
                    libc::AT_FDCWD,
                    target.as_ptr(),
                    libc::AT_SYMLINK_FOLLOW,
                )
            };
            if status == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        })?;
    Ok(linked.into_temp_path())
}

#[cfg(not(target_os = "linux"))]
fn link_anonymous(_: &std::fs::File, _: &Path) -> io::Result<tempfile::TempPath> {
    unreachable!("anonymous temporary files are only made on Linux")
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            TempFile::Anonymous { file, .. } => file.write(buf),
            TempFile::Named(named) => named.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            TempFile::Anonymous { file, .. } => file.flush(),
            TempFile::Named(named) => named.flush(),
        }
    }
}

impl Output {
    /// Opens `path` for writing (`None` or `-`: standard output).
    pub fn create(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Some(p) if p.as_os_str() == "-" => Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Some(path) => {
                // Through any symbolic links: `metadata` follows them even to what has no
                // path (`/dev/stdout` on a pipe), where `canonicalize` fails.
                if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(|e| Error::output(path, e))?;
                    return Ok(Output::Device {
                        path: path.to_path_buf(),
                        file: BufWriter::with_capacity(1 << 16, file),
                    });
                }
                let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                let dir = match target.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let temp = TempFile::create(dir).map_err(|e| Error::output(path, e))?;
                Ok(Output::File {
                    path: path.to_path_buf(),
                    target,
                    file: BufWriter::with_capacity(1 << 16, temp),
                })
            }
        }
    }

    /// The path shown in messages.
    pub fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "<stdout>".to_string(),
            Output::File { path, .. } | Output::Device { path, .. } => path.display().to_string(),
        }
    }

    /// Flushes and moves the file into place. Until this is called nothing is visible at the
    /// target path; dropping an uncommitted output deletes its temporary file.
    pub fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush().map_err(|e| Error::output("<stdout>", e)),
            Output::File { path, target, file } => {
                let temp = file
                    .into_inner()
                    .map_err(|e| Error::output(&path, e.into_error()))?;
                temp.persist(&target).map_err(|e| Error::output(&path, e))
            }
            Output::Device { path, mut file } => file.flush().map_err(|e| Error::output(&path, e)),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { file, .. } => file.write(buf),
            Output::Device { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { file, .. } => file.flush(),
            Output::Device { file, .. } => file.flush(),
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

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_file_being_written_has_no_name_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut output = Output::create(Some(&path)).unwrap();
        assert!(matches!(
            &output,
            Output::File {
                file,
                ..
            } if matches!(file.get_ref(), TempFile::Anonymous { .. })
        ));
        output.write_all(b"new").unwrap();
        output.flush().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        output.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_keeps_pointing_at_the_file_it_names_which_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link) = (dir.path().join("real.csv"), dir.path().join("link.csv"));
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut output = Output::create(Some(&link)).unwrap();
        output.write_all(b"new").unwrap();
        output.commit().unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let mut output = Output::create(Some(null)).unwrap();
        assert!(matches!(output, Output::Device { .. }));
        output.write_all(b"nothing").unwrap();
        output.commit().unwrap();
        assert!(null.metadata().unwrap().file_type().is_char_device());
    }

    #[test]
    fn an_unwritable_directory_is_an_output_error() {
        let result = Output::create(Some(Path::new("/nonexistent-dir/out.csv")));
        assert!(matches!(result, Err(Error::Output { .. })));
    }
}
