//! Helpers for end-to-end tests: a temporary working directory, the binary run inside it, and
//! CSV outputs read back as rows keyed by column name.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub type Row = BTreeMap<String, String>;

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write a fixture");
        path
    }

    /// Runs `moderate` with these arguments in the working directory.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("run the moderate binary")
    }

    /// The command that runs `moderate` with these arguments in the working directory.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"));
        command.args(args).current_dir(self.dir.path());
        command
    }

    /// Runs `moderate` with writes to regular files limited to 1 KiB (`ulimit -f`), so a
    /// larger output fails part-way with "File too large", the way a full disk fails a write.
    #[cfg(unix)]
    pub fn run_with_small_disk(&self, args: &[&str]) -> Output {
        std::process::Command::new("bash")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_moderate"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run the moderate binary under bash")
    }

    /// Runs `moderate` (writing `output`, which holds "previous" beforehand) on a disk that
    /// fills after 1 KiB, and checks the run fails naming the output, the previous file is
    /// intact and nothing else is left in the directory.
    #[cfg(unix)]
    pub fn assert_full_disk_keeps_the_previous_file(&self, output: &str, args: &[&str]) {
        self.write(output, "previous");
        let result = self.run_with_small_disk(args);
        assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
        let message = format!("moderate: error: cannot write {output}: File too large");
        assert!(stderr(&result).contains(&message), "{}", stderr(&result));
        assert_eq!(
            std::fs::read_to_string(self.path(output)).expect("the previous output"),
            "previous"
        );
        assert_eq!(self.listing(), [output], "no partial file left");
    }

    /// The names in the working directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list the working directory")
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// Runs `moderate` and fails the test, showing stderr, unless it exits with `code`.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        self.run_expect(args, 0)
    }

    pub fn run_expect(&self, args: &[&str], code: i32) -> Output {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "moderate {args:?}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    pub fn read_csv(&self, name: &str) -> Vec<Row> {
        read_csv(&self.path(name))
    }
}

pub fn read_csv(path: &Path) -> Vec<Row> {
    parse_csv(&std::fs::read(path).expect("read a CSV output"))
}

pub fn parse_csv(bytes: &[u8]) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|r| {
            let record = r.expect("a CSV record");
            header
                .iter()
                .zip(record.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// The shared seeds folder, or `None` (and a note) when this checkout has no `../shared`.
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
