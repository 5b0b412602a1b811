//! The command line: clap definitions, turned into the library's validated options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use moderate::commands::split::SplitOptions;
use moderate::extract::{ExtractOptions, Format, InputPath, TableColumns};

#[derive(Debug, Parser)]
#[command(
    name = "moderate",
    version,
    about = "Label reader comments of news sites: duplicate, incitement, off-topic or substantive"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Separate reader comments from articles and write the comments table.
    ///
    /// Reads plain-text page dumps, HTML pages, Disqus XML and WordPress WXR exports, and
    /// CSV/JSONL comments tables. Writes CSV (or JSONL when OUT ends in .jsonl) with the
    /// columns thread_id, comment_id, parent_id, author, posted_at, text, status, label.
    Split(SplitArgs),
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files; `-` or nothing reads standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Input format: auto, text, html, disqus, wxr, csv or jsonl.
    #[arg(long, default_value = "auto")]
    pub format: Format,
    /// Skip bad rows of tables (counting them) instead of failing the file.
    #[arg(long)]
    pub lenient: bool,
}

impl InputArgs {
    pub fn inputs(&self) -> Vec<InputPath> {
        if self.inputs.is_empty() {
            vec![InputPath::Stdin]
        } else {
            self.inputs.iter().map(|i| InputPath::parse(i)).collect()
        }
    }

    pub fn extract_options(&self) -> ExtractOptions {
        ExtractOptions {
            lenient: self.lenient,
            columns: TableColumns::default(),
        }
    }
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The comments table to write (CSV, or JSONL for .jsonl); standard output by default.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Also write the articles table (thread_id, title, body) here.
    #[arg(long, value_name = "ARTICLES_OUT")]
    pub articles: Option<PathBuf>,
}

impl SplitArgs {
    pub fn options(&self) -> SplitOptions {
        SplitOptions {
            inputs: self.input.inputs(),
            format: self.input.format,
            output: self.output.clone(),
            articles: self.articles.clone(),
            extract: self.input.extract_options(),
        }
    }
}
