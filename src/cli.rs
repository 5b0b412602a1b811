//! The command line: clap definitions, turned into the library's validated options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use moderate::commands::score::{FlagSelection, ModelSource, ScoreOptions};
use moderate::commands::split::SplitOptions;
use moderate::commands::train::{EvaluateCommand, LabelledInputs, TrainCommand};
use moderate::extract::{ExtractOptions, Format, InputPath, TableColumns};
use moderate::features::tfidf::MAX_NGRAM;
use moderate::features::TfIdfOptions;
use moderate::model::{ClassWeight, Solver, TrainOptions};
use moderate::text::Normalizer;

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
    /// Train a model from a labelled comments table (CSV or JSONL with `text` and `label`).
    ///
    /// Runs a K-fold cross-validation grouped by thread first (--cv), prints its report, and
    /// stores per-label decision thresholds chosen from the out-of-fold predictions.
    Train(TrainArgs),
    /// Measure a model on a labelled comments table.
    Evaluate(EvaluateArgs),
    /// Label every comment of the inputs, with probabilities, a decision and the reasons.
    ///
    /// Reads everything split reads. Writes the comments-table columns, then label, one
    /// p_<label> column per label, decision (approve, review or flag), reasons,
    /// duplicate_cluster and model; CSV, or JSONL when OUT ends in .jsonl.
    Score(ScoreArgs),
    /// Export the comments moderators should look at: CSV or JSON for tools, or one
    /// self-contained HTML page for people (by the extension of -o).
    ///
    /// Exports comments whose label is one of --labels and whose decision is flag or review
    /// (or, with --min-prob LABEL=P, whose probability for LABEL reaches P), most severe
    /// label first, most probable first.
    Flag(FlagArgs),
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

/// Column names and articles of labelled tables.
#[derive(Debug, Args)]
pub struct LabelledArgs {
    /// Labelled comments tables (CSV or JSONL).
    #[arg(value_name = "LABELLED", required = true)]
    pub inputs: Vec<String>,
    /// Articles tables (thread_id, title, body), for the article-similarity features.
    #[arg(long, value_name = "ARTICLES")]
    pub articles: Vec<String>,
    /// Name of the text column.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// Name of the label column.
    #[arg(long, default_value = "label")]
    pub label_col: String,
    /// Name of the thread column (rows without one form a thread per file).
    #[arg(long, default_value = "thread_id")]
    pub thread_col: String,
    /// Skip bad rows (counting them) instead of failing.
    #[arg(long)]
    pub lenient: bool,
}

impl LabelledArgs {
    pub fn inputs(&self) -> LabelledInputs {
        LabelledInputs {
            inputs: self.inputs.iter().map(|i| InputPath::parse(i)).collect(),
            articles: self.articles.iter().map(|i| InputPath::parse(i)).collect(),
            extract: ExtractOptions {
                lenient: self.lenient,
                columns: TableColumns {
                    text: self.text_col.clone(),
                    label: self.label_col.clone(),
                    thread_id: self.thread_col.clone(),
                    ..TableColumns::default()
                },
            },
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClassWeightArg {
    Balanced,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SolverArg {
    Sparse,
    Linfa,
}

/// An n-gram range `MIN-MAX` (or a single length), or `none`.
#[derive(Debug, Clone, Copy)]
pub struct NgramRange(pub Option<(usize, usize)>);

impl std::str::FromStr for NgramRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "none" {
            return Ok(NgramRange(None));
        }
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let parse = |x: &str| {
            x.trim()
                .parse::<usize>()
                .map_err(|_| format!("bad n-gram range {s:?} (expected e.g. 1-2)"))
        };
        let (a, b) = (parse(a)?, parse(b)?);
        if a == 0 || a > b || b > MAX_NGRAM {
            return Err(format!(
                "bad n-gram range {s:?}: need 1 <= MIN <= MAX <= {MAX_NGRAM}"
            ));
        }
        Ok(NgramRange(Some((a, b))))
    }
}

/// A number from 0 to 1.
fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("expected a number from 0 to 1, got {text:?}")),
    }
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: LabelledArgs,
    /// Where to write the model.
    #[arg(short, long, value_name = "MODEL")]
    pub output: PathBuf,
    /// L2 regularisation strength (scikit-learn's C is 1/alpha).
    #[arg(long, default_value_t = 0.1)]
    pub alpha: f64,
    /// Word n-gram lengths.
    #[arg(long, default_value = "1-2")]
    pub word_ngrams: NgramRange,
    /// Character n-gram lengths within words, or `none`.
    #[arg(long, default_value = "2-5")]
    pub char_ngrams: NgramRange,
    /// Keep n-grams seen in at least this many comments.
    #[arg(long, default_value_t = 2)]
    pub min_df: usize,
    /// Drop n-grams seen in more than this fraction of comments.
    #[arg(long, default_value_t = 1.0)]
    pub max_df: f64,
    /// Keep at most this many n-grams (0: all).
    #[arg(long, default_value_t = 300_000)]
    pub max_features: usize,
    /// Fold accents before counting n-grams.
    #[arg(long)]
    pub fold_accents: bool,
    /// Leave out the thread-context features (copies, article and thread similarity…).
    #[arg(long)]
    pub no_context: bool,
    /// Class weights: balanced (rare labels count as much as frequent ones) or none.
    #[arg(long, value_enum, default_value = "balanced")]
    pub class_weight: ClassWeightArg,
    /// Maximum L-BFGS iterations.
    #[arg(long, default_value_t = 300)]
    pub max_iter: u64,
    /// Gradient tolerance, per unit of row weight.
    #[arg(long, default_value_t = 1e-3)]
    pub tol: f64,
    /// sparse (fast) or linfa (linfa-logistic on a dense matrix: small data only, no class weights).
    #[arg(long, value_enum, default_value = "sparse")]
    pub solver: SolverArg,
    /// Folds of the cross-validation grouped by thread (0: none, and no thresholds).
    #[arg(long = "cv", default_value_t = 5)]
    pub folds: usize,
    /// Out-of-fold precision a label's flag threshold must reach.
    #[arg(long, default_value_t = 0.9)]
    pub target_precision: f64,
    /// Seed of the fold assignment and of the article dropout.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Fraction of training threads featurised as if they had no article, so that comments
    /// scored without one (a platform export, a table) are not taken for off-topic.
    #[arg(long, default_value_t = 0.25, value_parser = fraction)]
    pub article_dropout: f64,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

impl TrainArgs {
    pub fn command(&self) -> TrainCommand {
        TrainCommand {
            data: self.data.inputs(),
            output: self.output.clone(),
            options: TrainOptions {
                tfidf: TfIdfOptions {
                    word_ngrams: self.word_ngrams.0.unwrap_or((1, 0)),
                    char_ngrams: self.char_ngrams.0,
                    min_df: self.min_df,
                    max_df: self.max_df,
                    max_features: (self.max_features > 0).then_some(self.max_features),
                    sublinear_tf: true,
                },
                normalizer: Normalizer {
                    fold_accents: self.fold_accents,
                    ..Normalizer::default()
                },
                context: !self.no_context,
                alpha: self.alpha,
                class_weight: match self.class_weight {
                    ClassWeightArg::Balanced => ClassWeight::Balanced,
                    ClassWeightArg::None => ClassWeight::Uniform,
                },
                max_iterations: self.max_iter,
                tolerance: self.tol,
                solver: match self.solver {
                    SolverArg::Sparse => Solver::Sparse,
                    SolverArg::Linfa => Solver::Linfa,
                },
                folds: self.folds,
                target_precision: self.target_precision,
                seed: self.seed,
                article_dropout: self.article_dropout,
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub data: LabelledArgs,
    /// The model to measure.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Measure only the threads listed in this file (one id per line); the other rows are
    /// still read, in order, as the context of the measured ones.
    #[arg(long, value_name = "FILE")]
    pub threads: Option<PathBuf>,
}

impl EvaluateArgs {
    pub fn command(&self) -> Result<EvaluateCommand, moderate::Error> {
        let only_threads = match &self.threads {
            None => None,
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| {
                        moderate::Error::Usage(format!(
                            "cannot read --threads {}: {e}",
                            path.display()
                        ))
                    })?
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        };
        Ok(EvaluateCommand {
            data: self.data.inputs(),
            model: self.model.clone(),
            only_threads,
        })
    }
}

/// A `LABEL=P` threshold override.
#[derive(Debug, Clone)]
pub struct LabelProbability(pub String, pub f32);

impl std::str::FromStr for LabelProbability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (label, p) = s
            .split_once('=')
            .ok_or_else(|| format!("expected LABEL=P, got {s:?}"))?;
        let p: f32 = p
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: the probability must be a number"))?;
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("{s:?}: the probability must be between 0 and 1"));
        }
        Ok(LabelProbability(label.trim().to_string(), p))
    }
}

/// Inputs and model of score and flag.
#[derive(Debug, Args)]
pub struct ScoringArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The model (default: the one embedded in the binary).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Articles tables (thread_id, title, body) for comment tables.
    #[arg(long, value_name = "ARTICLES")]
    pub articles: Vec<String>,
    /// Flag a label from this probability on, instead of the model's threshold (repeatable).
    #[arg(long = "threshold", value_name = "LABEL=P")]
    pub thresholds: Vec<LabelProbability>,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

impl ScoringArgs {
    pub fn options(&self) -> ScoreOptions {
        ScoreOptions {
            inputs: self.input.inputs(),
            format: self.input.format,
            model: self
                .model
                .clone()
                .map_or(ModelSource::Default, ModelSource::File),
            thresholds: self.thresholds.iter().map(|t| (t.0.clone(), t.1)).collect(),
            extract: self.input.extract_options(),
            articles: self.articles.iter().map(|a| InputPath::parse(a)).collect(),
        }
    }

    /// Total bytes of the input files, for the progress bar.
    pub fn input_bytes(&self) -> u64 {
        self.input
            .inputs
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Where to write the scores (CSV, or JSONL for .jsonl); standard output by default.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FlagArgs {
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// flagged.csv, flagged.json, flagged.jsonl or flagged.html; CSV on standard output by default.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Labels to export, most severe first (default: every label but the approved one,
    /// incitement, duplicate and off-topic first).
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Export LABEL from this probability on, whatever the decision (repeatable).
    #[arg(long = "min-prob", value_name = "LABEL=P")]
    pub min_prob: Vec<LabelProbability>,
}

impl FlagArgs {
    pub fn selection(&self) -> FlagSelection {
        FlagSelection {
            labels: self.labels.clone(),
            min_probability: self.min_prob.iter().map(|t| (t.0.clone(), t.1)).collect(),
        }
    }
}
