//! `moderate score` and `moderate flag`: label every comment of every input, streaming, in
//! parallel, with the decision the model's thresholds give and the reasons for it.
//!
//! [`score`] runs the pipeline and hands each [`ScoredComment`] to a sink, in input order:
//! `score` writes them to a table as they come, `flag` keeps the flagged ones for its export.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::InputsReport;
use crate::error::{Error, Result};
use crate::extract::{self, ExtractOptions, Format, InputPath, Piece, Source};
use crate::features::near_duplicate::Window;
use crate::features::FeatureStream;
use crate::model::explain::{explain_with_evidence, Reason};
use crate::model::{file, Classifier};
use crate::thread::{Article, Comment};

/// Where the model comes from.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// The default model embedded in the binary.
    Default,
    File(PathBuf),
}

/// A loaded model and its id (written next to every score).
pub struct LoadedModel {
    pub classifier: Classifier,
    pub id: String,
}

impl ModelSource {
    pub fn load(&self) -> Result<LoadedModel> {
        let (name, bytes) = match self {
            ModelSource::Default => (
                "<default model>".to_string(),
                crate::model::DEFAULT_MODEL.to_vec(),
            ),
            ModelSource::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::Model {
                    name: path.display().to_string(),
                    problem: crate::error::ModelProblem::Unreadable(e),
                })?;
                (path.display().to_string(), bytes)
            }
        };
        let classifier = file::from_bytes(&name, &bytes)?;
        Ok(LoadedModel {
            classifier,
            id: file::model_id(&bytes),
        })
    }
}

/// What the moderator is told to do with a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Review,
    Flag,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Review => "review",
            Decision::Flag => "flag",
        }
    }
}

/// Decision bands per label, from the model's thresholds and the user's overrides.
#[derive(Debug, Clone)]
pub struct DecisionRule {
    /// Per label: (flag threshold, review threshold); `None` for the label that is approved
    /// (the most frequent one in training, e.g. `substantive`).
    bands: Vec<Option<(f32, f32)>>,
}

/// Thresholds used when a model was trained without cross-validation.
const FALLBACK_FLAG: f32 = 0.9;
const FALLBACK_REVIEW: f32 = 0.5;

impl DecisionRule {
    pub fn new(classifier: &Classifier, overrides: &[(String, f32)]) -> Result<DecisionRule> {
        let approved = classifier
            .training
            .label_counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(label, _)| label.clone());
        let mut bands: Vec<Option<(f32, f32)>> = classifier
            .labels
            .iter()
            .zip(&classifier.thresholds)
            .map(|(label, t)| {
                if Some(label) == approved.as_ref() {
                    return None;
                }
                let flag = t.flag.unwrap_or(FALLBACK_FLAG);
                Some((flag, t.review.unwrap_or(FALLBACK_REVIEW).min(flag)))
            })
            .collect();
        for (label, p) in overrides {
            let index = classifier.label_index(label).ok_or_else(|| {
                Error::Usage(format!(
                    "--threshold {label}={p}: the model has no label {label:?} (labels: {})",
                    classifier.labels.join(", ")
                ))
            })?;
            let review = bands[index].map_or(*p, |(_, r)| r.min(*p));
            bands[index] = Some((*p, review));
        }
        Ok(DecisionRule { bands })
    }

    pub fn decide(&self, probabilities: &[f32]) -> Decision {
        let mut decision = Decision::Approve;
        for (p, band) in probabilities.iter().zip(&self.bands) {
            if let Some((flag, review)) = band {
                if p >= flag {
                    return Decision::Flag;
                }
                if p >= review {
                    decision = Decision::Review;
                }
            }
        }
        decision
    }
}

/// One comment with its scores.
#[derive(Debug, Clone)]
pub struct ScoredComment {
    pub comment: Comment,
    pub article_title: String,
    /// Empty for a comment that was not scored (empty text).
    pub probabilities: Vec<f32>,
    pub label: Option<usize>,
    pub decision: Option<Decision>,
    pub reasons: Vec<Reason>,
    /// The comment id of the first copy, for a copy of an earlier comment.
    pub duplicate_of: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ScoreOptions {
    pub inputs: Vec<InputPath>,
    pub format: Format,
    pub model: ModelSource,
    pub thresholds: Vec<(String, f32)>,
    pub extract: ExtractOptions,
    /// Articles tables for comment tables without their articles.
    pub articles: Vec<InputPath>,
}

/// Comments scored per parallel batch; the context is carried between batches.
const BATCH: usize = 2048;

/// Scores every input in order, handing each comment to `sink`. `progress` hears of each
/// batch (comments done, bytes of finished inputs).
///
/// `sink` runs on a thread of its own, so writing one batch overlaps scoring the next; it
/// still sees every comment once, in input order. Its first error stops the run.
pub fn score(
    options: &ScoreOptions,
    model: &LoadedModel,
    progress: &dyn Fn(usize, u64),
    mut sink: impl FnMut(ScoredComment) -> Result<()> + Send,
) -> Result<InputsReport> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<ScoredComment>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<()> {
            for batch in receiver {
                for scored in batch {
                    sink(scored)?;
                }
            }
            Ok(())
        });
        let scored = score_batches(options, model, progress, &mut |batch| {
            // A closed channel means the sink failed: its error is returned below.
            sender
                .send(batch)
                .map_err(|_| Error::Usage("the output stopped".into()))
        });
        drop(sender);
        match writer.join() {
            Ok(Ok(())) => scored,
            Ok(Err(error)) => Err(error),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// [`score`], handing each batch of scored comments to `deliver` in order.
fn score_batches(
    options: &ScoreOptions,
    model: &LoadedModel,
    progress: &dyn Fn(usize, u64),
    deliver: &mut dyn FnMut(Vec<ScoredComment>) -> Result<()>,
) -> Result<InputsReport> {
    let classifier = &model.classifier;
    let mut scorer = Scorer {
        classifier,
        rule: DecisionRule::new(classifier, &options.thresholds)?,
        stream: FeatureStream::new(&classifier.features),
        titles: HashMap::new(),
        ids: Window::default(),
        cluster_heads: HashMap::new(),
        batch: Vec::with_capacity(BATCH),
        deliver,
        progress,
    };
    for input in &options.articles {
        let source = Source::read(input)?;
        for article in extract::table::read_articles(&source)? {
            scorer.pin_article(&article);
        }
    }
    // Inputs are read on a thread of their own, so parsing the next comments overlaps
    // scoring the last ones (reading was a twentieth of a run's CPU time, all of it on the
    // critical path).
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Read>(2);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_inputs(options, &sender));
        for read in receiver {
            match read {
                Read::Pieces(pieces) => {
                    for piece in pieces {
                        match piece {
                            Piece::Thread(article) => scorer.add_article(&article),
                            Piece::Comment(comment) => scorer.push(comment)?,
                        }
                    }
                }
                Read::InputDone(bytes) => {
                    scorer.flush()?;
                    progress(0, bytes);
                }
            }
        }
        let mut report = match reader.join() {
            Ok(report) => report?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if let Some(error) = report.all_failed() {
            return Err(error);
        }
        Ok(report)
    })
}

/// What the reading thread hands to the scoring one, in input order.
enum Read {
    Pieces(Vec<Piece>),
    /// An input was read to its end (or as far as it could be); its size in bytes.
    InputDone(u64),
}

/// Pieces handed over at once: few enough to keep the scorer busy early, many enough that
/// the hand-over costs nothing.
const READ_CHUNK: usize = 512;

/// Reads every input in order, sending its pieces in chunks. Stops when the scoring side
/// hangs up (it failed, and says why).
fn read_inputs(
    options: &ScoreOptions,
    sender: &std::sync::mpsc::SyncSender<Read>,
) -> Result<InputsReport> {
    let hung_up = |_| Error::Usage("the scoring stopped".into());
    let mut report = InputsReport::default();
    for input in &options.inputs {
        let bytes = match input {
            InputPath::File(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            InputPath::Stdin => 0,
        };
        let mut chunk = Vec::with_capacity(READ_CHUNK);
        report.read(input, options.format, &options.extract, |piece| {
            chunk.push(piece);
            if chunk.len() == READ_CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(READ_CHUNK));
                sender.send(Read::Pieces(full)).map_err(hung_up)?;
            }
            Ok(())
        })?;
        sender.send(Read::Pieces(chunk)).map_err(hung_up)?;
        sender.send(Read::InputDone(bytes)).map_err(hung_up)?;
    }
    Ok(report)
}

/// The scoring pipeline's state between batches: features carry the thread context (articles
/// seen, the near-duplicate index) from one batch to the next.
struct Scorer<'m> {
    classifier: &'m Classifier,
    rule: DecisionRule,
    stream: FeatureStream<'m>,
    /// Article titles by thread id.
    titles: HashMap<String, Title>,
    /// The comment id at each position of the duplicate window, to name what a copy copies.
    ids: Window<String>,
    /// The duplicate clusters with a comment in the window, by the position of their first.
    cluster_heads: HashMap<usize, ClusterHead>,
    batch: Vec<Comment>,
    deliver: &'m mut dyn FnMut(Vec<ScoredComment>) -> Result<()>,
    progress: &'m dyn Fn(usize, u64),
}

impl Scorer<'_> {
    /// An article read with its comments, forgotten with its thread (see
    /// [`FeatureStream::add_article`]).
    fn add_article(&mut self, article: &Article) {
        if has_text(article) {
            self.stream.add_article(article);
            let latest = Some(self.ids.end() + self.batch.len());
            self.add_title(article, latest);
        }
    }

    /// An article of an articles table, kept for the run (see
    /// [`FeatureStream::pin_article`]).
    fn pin_article(&mut self, article: &Article) {
        if has_text(article) {
            self.stream.pin_article(article);
            self.add_title(article, None);
        }
    }

    fn add_title(&mut self, article: &Article, latest: Option<usize>) {
        let title = Title {
            text: article.title.clone(),
            latest,
        };
        self.titles.insert(article.thread_id.clone(), title);
    }

    fn push(&mut self, comment: Comment) -> Result<()> {
        self.batch.push(comment);
        if self.batch.len() == BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Scores the comments waiting (in parallel) and hands them to the sink in order.
    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let features = self.stream.next_batch_with_evidence(&batch);
        let first_position = self.ids.end();
        for comment in &batch {
            if let Some(Title {
                latest: Some(latest),
                ..
            }) = self.titles.get_mut(&comment.thread_id)
            {
                *latest = self.ids.end();
            }
            self.ids.push(comment.comment_id.clone());
        }
        for (i, context) in features.contexts.iter().enumerate() {
            let (cluster, position) = (context.duplicate.cluster, first_position + i);
            if context.duplicate.best.is_some() && cluster != position {
                let ids = &self.ids;
                self.cluster_heads
                    .entry(cluster)
                    .or_insert_with(|| ClusterHead {
                        // Its first comment is still in the window: it is the only
                        // comment of the cluster so far, and this one copies it.
                        id: ids.get(cluster).cloned().unwrap_or_default(),
                        latest: position,
                    })
                    .latest = position;
            }
        }
        let (classifier, rule, titles) = (self.classifier, &self.rule, &self.titles);
        let (ids, cluster_heads) = (&self.ids, &self.cluster_heads);
        let scored: Vec<ScoredComment> = batch
            .into_par_iter()
            .zip(features.rows.par_iter())
            .zip(features.contexts.par_iter())
            .zip(features.evidence.par_iter())
            .enumerate()
            .map(|(i, (((mut comment, row), context), evidence))| {
                let article_title = titles
                    .get(&comment.thread_id)
                    .map(|title| title.text.clone())
                    .unwrap_or_default();
                let duplicate_of = context
                    .duplicate
                    .best
                    .and_then(|_| cluster_heads.get(&context.duplicate.cluster))
                    .map(|head| head.id.clone())
                    .filter(|_| context.duplicate.cluster != first_position + i);
                if comment.text.trim().is_empty() {
                    comment.status = join_words(&comment.status, "empty");
                    return ScoredComment {
                        comment,
                        article_title,
                        probabilities: Vec::new(),
                        label: None,
                        decision: None,
                        reasons: Vec::new(),
                        duplicate_of,
                    };
                }
                let probabilities = classifier.probabilities(row);
                let label = Classifier::argmax(&probabilities);
                let copy_of = context
                    .duplicate
                    .best
                    .and_then(|b| ids.get(b.earlier).map(String::as_str));
                ScoredComment {
                    reasons: explain_with_evidence(
                        classifier,
                        &comment.text,
                        row,
                        evidence,
                        context,
                        label,
                        copy_of,
                    ),
                    decision: Some(rule.decide(&probabilities)),
                    label: Some(label),
                    probabilities,
                    comment,
                    article_title,
                    duplicate_of,
                }
            })
            .collect();
        // A cluster with no comment left in the window can gain none: it is forgotten, and
        // so is the title of a thread silent for a whole window, as its context is.
        let start = self.stream.window_start();
        if self.ids.start() < start {
            self.ids.trim(start);
            self.cluster_heads.retain(|_, head| head.latest >= start);
            self.titles
                .retain(|_, title| title.latest.is_none_or(|latest| latest >= start));
        }
        let done = scored.len();
        (self.deliver)(scored)?;
        (self.progress)(done, 0);
        Ok(())
    }
}

/// An article's title, for its comments' rows.
struct Title {
    text: String,
    /// The position of its thread's latest comment (or of the article); `None` for an
    /// article of an articles table, kept for the run.
    latest: Option<usize>,
}

fn has_text(article: &Article) -> bool {
    !article.title.is_empty() || !article.body.is_empty()
}

/// What scoring keeps of a duplicate cluster to name its first comment in its copies'
/// rows.
struct ClusterHead {
    /// The comment id of its first comment.
    id: String,
    /// The position of its latest comment.
    latest: usize,
}

fn join_words(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a} {b}")
    }
}

/// Which comments `flag` exports.
#[derive(Debug, Clone, Default)]
pub struct FlagSelection {
    /// Labels to export, most severe first (also the order of the export). Empty: every label
    /// but the approved one, in the order incitement, duplicate, off-topic, then the others.
    pub labels: Vec<String>,
    /// Per label, export from this probability on instead of the model's decision.
    pub min_probability: Vec<(String, f32)>,
}

/// The comments `flag` keeps, in export order, and what it needs to show them.
#[derive(Debug, Default)]
pub struct FlaggedComments {
    pub labels: Vec<String>,
    /// The model's labels, for probabilities.
    pub model_labels: Vec<String>,
    pub model_id: String,
    pub comments: Vec<ScoredComment>,
    /// Comments read, per predicted label (all of them, flagged or not).
    pub counts: Vec<(String, usize)>,
    /// Author, time and text of the first copies that flagged copies point to.
    pub first_copies: std::collections::HashMap<String, (String, String, String)>,
}

/// Label order when the user names none: most severe first.
const SEVERITY: [&str; 3] = ["incitement", "duplicate", "off-topic"];

/// Scores the inputs and keeps the comments to flag, sorted by label severity then
/// probability (highest first).
pub fn flag(
    options: &ScoreOptions,
    model: &LoadedModel,
    selection: &FlagSelection,
    progress: &dyn Fn(usize, u64),
) -> Result<(FlaggedComments, InputsReport)> {
    let classifier = &model.classifier;
    let rule = DecisionRule::new(classifier, &options.thresholds)?;
    let labels: Vec<String> = if selection.labels.is_empty() {
        let mut flaggable: Vec<String> = classifier
            .labels
            .iter()
            .enumerate()
            .filter(|(i, _)| rule.bands[*i].is_some())
            .map(|(_, l)| l.clone())
            .collect();
        flaggable.sort_by_key(|l| {
            (
                SEVERITY
                    .iter()
                    .position(|s| s == l)
                    .unwrap_or(SEVERITY.len()),
                l.clone(),
            )
        });
        flaggable
    } else {
        selection.labels.clone()
    };
    let index_of = |label: &str| {
        classifier.label_index(label).ok_or_else(|| {
            Error::Usage(format!(
                "the model has no label {label:?} (labels: {})",
                classifier.labels.join(", ")
            ))
        })
    };
    let wanted: Vec<usize> = labels.iter().map(|l| index_of(l)).collect::<Result<_>>()?;
    let mut min_probability: Vec<Option<f32>> = vec![None; classifier.n_labels()];
    for (label, p) in &selection.min_probability {
        min_probability[index_of(label)?] = Some(*p);
    }
    let mut counts = vec![0usize; classifier.n_labels()];
    let mut seen: std::collections::HashMap<String, (String, String, String)> =
        std::collections::HashMap::new();
    let mut kept = Vec::new();
    let report = score(options, model, progress, |scored| {
        let c = &scored.comment;
        seen.insert(
            c.comment_id.clone(),
            (c.author.clone(), c.posted_at.clone(), c.text.clone()),
        );
        let Some(label) = scored.label else {
            return Ok(());
        };
        counts[label] += 1;
        let selected = wanted.contains(&label)
            && match min_probability[label] {
                Some(p) => scored.probabilities[label] >= p,
                None => scored.decision.is_some_and(|d| d != Decision::Approve),
            };
        if selected {
            kept.push(scored);
        }
        Ok(())
    })?;
    let rank = |s: &ScoredComment| {
        s.label
            .and_then(|l| wanted.iter().position(|&w| w == l))
            .unwrap_or(usize::MAX)
    };
    kept.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| {
            let p = |s: &ScoredComment| s.label.map_or(0.0, |l| s.probabilities[l]);
            p(b).total_cmp(&p(a))
        })
    });
    let first_copies = kept
        .iter()
        .filter_map(|s| s.duplicate_of.as_ref())
        .filter_map(|id| seen.get(id).map(|v| (id.clone(), v.clone())))
        .collect();
    Ok((
        FlaggedComments {
            labels,
            model_labels: classifier.labels.clone(),
            model_id: model.id.clone(),
            comments: kept,
            counts: classifier.labels.iter().cloned().zip(counts).collect(),
            first_copies,
        },
        report,
    ))
}
