//! The `moderate` binary: parse the command line, call the library, print one clear message
//! and exit with a code that says what happened.
//!
//! Exit codes: 0 success, 1 error (nothing written), 2 usage error, 3 partial (some inputs
//! could not be read; the others were processed).

mod cli;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use moderate::commands::{self, InputsReport};
use moderate::export::{self, scores::ScoreTable};

const EXIT_ERROR: u8 = 1;
const EXIT_PARTIAL: u8 = 3;

/// Scoring allocates a few small vectors and strings per comment on every core; mimalloc's
/// per-thread free lists serve those faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        cli::Command::Train(args) => {
            let spinner = progress::spinner(args.quiet, "training");
            let outcome = commands::train::train(&args.command());
            spinner.finish_and_clear();
            let outcome = outcome?;
            print_warnings(&outcome.warnings);
            let info = &outcome.classifier.training;
            if let Some(report) = &info.cross_validation {
                println!(
                    "{}-fold cross-validation grouped by thread\n{}",
                    info.options.folds,
                    report.to_text()
                );
            }
            eprintln!(
                "moderate train: {} rows ({} empty skipped, {} bad rows skipped), {} threads, {} labels, {} features; {} iterations{}; model written to {}",
                info.rows,
                info.skipped_empty,
                outcome.skipped_rows,
                info.threads,
                outcome.classifier.n_labels(),
                outcome.classifier.features.n_features(),
                info.iterations,
                if info.converged { "" } else { " (not converged: raise --max-iter)" },
                args.output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Score(args) => score(&args),
        cli::Command::Flag(args) => flag(&args),
        cli::Command::Evaluate(args) => {
            let (report, warnings) = commands::train::evaluate(&args.command()?)?;
            print_warnings(&warnings);
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print!("{}", report.to_text());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn score(args: &cli::ScoreArgs) -> moderate::Result<ExitCode> {
    let options = args.scoring.options();
    let model = options.model.load()?;
    let mut table =
        ScoreTable::create(args.output.as_deref(), &model.classifier.labels, &model.id)?;
    let progress = progress::ScoreProgress::new(args.scoring.quiet, args.scoring.input_bytes());
    let report = commands::score::score(
        &options,
        &model,
        &|comments, bytes| progress.advance(comments, bytes),
        |scored| table.write(&scored),
    );
    progress.finish();
    let report = report?;
    table.finish()?;
    Ok(finish("score", &report))
}

fn flag(args: &cli::FlagArgs) -> moderate::Result<ExitCode> {
    let options = args.scoring.options();
    let model = options.model.load()?;
    let progress = progress::ScoreProgress::new(args.scoring.quiet, args.scoring.input_bytes());
    let result = commands::score::flag(&options, &model, &args.selection(), &|c, b| {
        progress.advance(c, b)
    });
    progress.finish();
    let (flagged, report) = result?;
    let extension = args
        .output
        .as_deref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (extension.as_deref(), args.output.as_deref()) {
        (Some("html" | "htm"), Some(path)) => export::report::write_html(&flagged, path)?,
        (Some("json"), Some(path)) => export::flagged::write_json(&flagged, path)?,
        (_, path) => export::flagged::write_table(&flagged, path)?,
    }
    eprintln!(
        "moderate flag: {} comment(s) flagged",
        flagged.comments.len()
    );
    Ok(finish("flag", &report))
}

fn print_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("moderate: warning: {warning}");
    }
}

/// Prints warnings, failed inputs and the summary; the exit code says whether all inputs
/// were read.
fn finish(command: &str, report: &InputsReport) -> ExitCode {
    print_warnings(&report.warnings);
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
