//! The trained pipeline as one value: labels, features, weights, intercepts, decision
//! thresholds and what training measured. Everything scoring needs is here, so a model file
//! is self-describing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::solver::LinearModel;
use super::train::TrainOptions;
use crate::eval::Report;
use crate::features::Features;

/// Per-label probability thresholds chosen from out-of-fold predictions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// From this probability the label is flagged (out-of-fold precision ≥ the target).
    pub flag: Option<f32>,
    /// From this probability the comment goes to review (out-of-fold precision ≥ 0.5).
    pub review: Option<f32>,
}

/// What training saw and measured, kept in the model for its card and for audits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub rows: usize,
    /// Rows skipped because their text was empty.
    pub skipped_empty: usize,
    pub label_counts: BTreeMap<String, usize>,
    pub threads: usize,
    pub options: TrainOptions,
    /// Grouped cross-validation, when it was run.
    pub cross_validation: Option<Report>,
    pub iterations: u64,
    pub converged: bool,
    pub crate_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    pub labels: Vec<String>,
    pub features: Features,
    /// Feature-major weights: the weights of feature `j` are
    /// `weights[j * labels.len()..(j + 1) * labels.len()]`, so a sparse row reads contiguous
    /// memory.
    pub weights: Vec<f32>,
    pub intercept: Vec<f32>,
    pub thresholds: Vec<Thresholds>,
    pub training: TrainingInfo,
}

impl Classifier {
    pub fn new(
        labels: Vec<String>,
        features: Features,
        model: &LinearModel,
        training: TrainingInfo,
    ) -> Self {
        let k = labels.len();
        let mut weights = Vec::with_capacity(model.weights.nrows() * k);
        for row in model.weights.rows() {
            weights.extend(row.iter().map(|&w| w as f32));
        }
        Classifier {
            thresholds: vec![Thresholds::default(); k],
            intercept: model.intercept.iter().map(|&b| b as f32).collect(),
            labels,
            features,
            weights,
            training,
        }
    }

    pub fn n_labels(&self) -> usize {
        self.labels.len()
    }

    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// The softmax probabilities of one row.
    pub fn probabilities(&self, row: &[(u32, f32)]) -> Vec<f32> {
        let k = self.labels.len();
        let mut scores: Vec<f32> = self.intercept.clone();
        for &(column, value) in row {
            let w = &self.weights[column as usize * k..column as usize * k + k];
            for (score, weight) in scores.iter_mut().zip(w) {
                *score += value * weight;
            }
        }
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut total = 0.0;
        for s in scores.iter_mut() {
            *s = (*s - max).exp();
            total += *s;
        }
        for s in scores.iter_mut() {
            *s /= total;
        }
        scores
    }

    /// The index of the most probable label (the first on a tie).
    pub fn argmax(probabilities: &[f32]) -> usize {
        probabilities
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (i, &p)| {
                if p > best.1 {
                    (i, p)
                } else {
                    best
                }
            })
            .0
    }

    /// How much each feature of `row` pushed it toward `label` rather than the other labels
    /// (value × (weight for the label − mean weight of the others)), largest first, positive
    /// only.
    pub fn contributions(&self, row: &[(u32, f32)], label: usize) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32)> = row
            .iter()
            .map(|&(column, value)| (column, self.contribution(column, value, label)))
            .filter(|&(_, c)| c > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// How much one feature pushes toward `label` (see [`contributions`](Self::contributions)).
    pub fn contribution(&self, column: u32, value: f32, label: usize) -> f32 {
        let k = self.labels.len();
        let w = &self.weights[column as usize * k..column as usize * k + k];
        let others = (w.iter().sum::<f32>() - w[label]) / (k.max(2) - 1) as f32;
        value * (w[label] - others)
    }
}
