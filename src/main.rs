//! The `moderate` binary: parse the command line, call the library, print one clear message
//! and exit with a code that says what happened.
//!
//! Exit codes: 0 success, 1 error (nothing written), 2 usage error, 3 partial (some inputs
//! could not be read; the others were processed).

mod cli;

use std::process::ExitCode;

use clap::Parser;
use moderate::commands::{self, InputsReport};

const EXIT_ERROR: u8 = 1;
const EXIT_PARTIAL: u8 = 3;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("moderate: error: {error}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: cli::Cli) -> moderate::Result<ExitCode> {
    match cli.command {
        cli::Command::Split(args) => {
            let report = commands::split::split(&args.options())?;
            Ok(finish("split", &report))
        }
    }
}

/// Prints warnings, failed inputs and the summary; the exit code says whether all inputs
/// were read.
fn finish(command: &str, report: &InputsReport) -> ExitCode {
    for warning in &report.warnings {
        eprintln!("moderate: warning: {warning}");
    }
    for failure in &report.failed {
        eprintln!("moderate: error: {failure}");
    }
    eprintln!("moderate {command}: {}", report.summary());
    if report.is_partial() {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    }
}

fn is_broken_pipe(error: &moderate::Error) -> bool {
    matches!(error, moderate::Error::Output { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}
