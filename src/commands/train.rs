//! `moderate train` and `moderate evaluate`: fit a model on a labelled comments table, or
//! measure one against a labelled table.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::eval::Report;
use crate::extract::{self, table::read_articles, ExtractOptions, Format, InputPath, Source};
use crate::model::{self, file, Classifier, TrainOptions, TrainingData};
use crate::thread::{Article, Comment};

/// What [`LabelledInputs::read`] found.
#[derive(Debug, Default)]
pub struct LabelledData {
    pub comments: Vec<Comment>,
    pub articles: Vec<Article>,
    pub warnings: Vec<String>,
    /// Bad rows skipped with `--lenient`.
    pub skipped: usize,
}

/// Labelled comments and articles, as both commands read them.
#[derive(Debug, Clone, Default)]
pub struct LabelledInputs {
    pub inputs: Vec<InputPath>,
    pub articles: Vec<InputPath>,
    pub extract: ExtractOptions,
}

impl LabelledInputs {
    /// Reads every input; any unreadable input is an error (a model trained or measured on
    /// part of the data would say nothing true).
    pub fn read(&self) -> Result<LabelledData> {
        let mut extract = self.extract.clone();
        extract.columns.require_label = true;
        let mut data = LabelledData::default();
        for input in &self.inputs {
            let extraction = extract::read_input(input, Format::Auto, &extract)?;
            data.warnings.extend(extraction.warnings);
            data.skipped += extraction.skipped;
            data.comments
                .extend(extraction.threads.into_iter().flat_map(|t| t.comments));
        }
        for input in &self.articles {
            let source = Source::read(input)?;
            data.warnings.extend(source.warnings.iter().cloned());
            data.articles.extend(read_articles(&source)?);
        }
        Ok(data)
    }
}

#[derive(Debug, Clone)]
pub struct TrainCommand {
    pub data: LabelledInputs,
    pub output: PathBuf,
    pub options: TrainOptions,
}

/// What `train` did, for the summary.
#[derive(Debug)]
pub struct TrainOutcome {
    pub classifier: Classifier,
    pub warnings: Vec<String>,
    /// Bad rows skipped with `--lenient`.
    pub skipped_rows: usize,
}

pub fn train(command: &TrainCommand) -> Result<TrainOutcome> {
    if command.options.folds == 1 {
        return Err(Error::Usage(
            "--cv needs at least 2 folds (or 0 for none)".into(),
        ));
    }
    let read = command.data.read()?;
    let data = TrainingData::new(read.comments, read.articles);
    let classifier = model::train(&data, &command.options)?;
    file::save(&classifier, &command.output)?;
    Ok(TrainOutcome {
        classifier,
        warnings: read.warnings,
        skipped_rows: read.skipped,
    })
}

#[derive(Debug, Clone)]
pub struct EvaluateCommand {
    pub data: LabelledInputs,
    pub model: PathBuf,
    /// Measure only the rows of these threads; every row still counts as context (earlier
    /// comments, copies), as when a whole dump is scored.
    pub only_threads: Option<std::collections::BTreeSet<String>>,
}

/// Scores a labelled table with a model. Rows with empty text are left out; rows whose label
/// the model does not know are counted in [`Report::unknown_labels`], not scored.
pub fn evaluate(command: &EvaluateCommand) -> Result<(Report, Vec<String>)> {
    let classifier = file::load(&command.model)?;
    let LabelledData {
        comments,
        articles,
        warnings,
        ..
    } = command.data.read()?;
    let (x, _) = classifier.features.rows(&comments, &articles);
    let mut truth = Vec::new();
    let mut predicted = Vec::new();
    let mut unknown = std::collections::BTreeMap::new();
    for (i, comment) in comments.iter().enumerate() {
        let measured = command
            .only_threads
            .as_ref()
            .is_none_or(|threads| threads.contains(&comment.thread_id));
        if !measured || comment.text.trim().is_empty() || comment.label.is_empty() {
            continue;
        }
        let Some(label) = classifier.label_index(&comment.label) else {
            *unknown.entry(comment.label.clone()).or_insert(0) += 1;
            continue;
        };
        let (indices, values) = x.row(i);
        let row: Vec<(u32, f32)> = indices
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect();
        truth.push(label);
        predicted.push(Classifier::argmax(&classifier.probabilities(&row)));
    }
    let mut report = Report::new(&classifier.labels, &truth, &predicted);
    report.unknown_labels = unknown;
    Ok((report, warnings))
}
