//! Quality measures: per-class precision, recall and F1, macro-F1, accuracy and the confusion
//! matrix; folds grouped by thread; decision thresholds for a target precision.
//!
//! The metrics are computed here rather than through linfa's `ConfusionMatrix` because its
//! class order is not exposed (and is reversed for two classes); a test checks that both
//! agree on the macro averages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rng::splitmix64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Rows whose true label is this one.
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub rows: usize,
    pub per_class: Vec<ClassMetrics>,
    pub macro_f1: f64,
    pub accuracy: f64,
    /// `confusion[true][predicted]`, in the order of `per_class`.
    pub confusion: Vec<Vec<usize>>,
    /// True labels the model does not know, with their counts (not scored).
    pub unknown_labels: BTreeMap<String, usize>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// Scores predictions against the truth; both are indices into `labels`.
    pub fn new(labels: &[String], truth: &[usize], predicted: &[usize]) -> Report {
        let k = labels.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            confusion[t][p] += 1;
        }
        let per_class: Vec<ClassMetrics> = (0..k)
            .map(|c| {
                let tp = confusion[c][c];
                let predicted_c: usize = (0..k).map(|t| confusion[t][c]).sum();
                let support: usize = confusion[c].iter().sum();
                let precision = ratio(tp, predicted_c);
                let recall = ratio(tp, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    label: labels[c].clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let present: Vec<&ClassMetrics> = per_class.iter().filter(|m| m.support > 0).collect();
        let macro_f1 = present.iter().map(|m| m.f1).sum::<f64>() / present.len().max(1) as f64;
        let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
        Report {
            rows: truth.len(),
            per_class,
            macro_f1,
            accuracy: ratio(correct, truth.len()),
            confusion,
            unknown_labels: BTreeMap::new(),
        }
    }

    /// A plain-text table for terminals and model cards.
    pub fn to_text(&self) -> String {
        let width = self
            .per_class
            .iter()
            .map(|m| m.label.chars().count())
            .max()
            .unwrap_or(5)
            .max(9);
        let mut out = format!(
            "{:width$}  precision  recall     f1  support\n",
            "label",
            width = width
        );
        for m in &self.per_class {
            out.push_str(&format!(
                "{:width$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}\n",
                m.label,
                m.precision,
                m.recall,
                m.f1,
                m.support,
                width = width
            ));
        }
        out.push_str(&format!(
            "{:width$}  {:>9}  {:>6}  {:>5.3}  {:>7}\n{:width$}  {:>9}  {:>6}  {:>5.3}\n",
            "macro-F1",
            "",
            "",
            self.macro_f1,
            self.rows,
            "accuracy",
            "",
            "",
            self.accuracy,
            width = width
        ));
        out.push_str("\nconfusion (rows: true label, columns: predicted)\n");
        out.push_str(&format!("{:width$}", "", width = width));
        for m in &self.per_class {
            out.push_str(&format!(" {:>12}", truncate(&m.label, 12)));
        }
        out.push('\n');
        for (m, row) in self.per_class.iter().zip(&self.confusion) {
            out.push_str(&format!("{:width$}", m.label, width = width));
            for n in row {
                out.push_str(&format!(" {n:>12}"));
            }
            out.push('\n');
        }
        for (label, count) in &self.unknown_labels {
            out.push_str(&format!(
                "label unknown to the model: {label:?} ({count} rows, not scored)\n"
            ));
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Assigns each row a fold in `0..k` so that no group (thread) is split: groups are shuffled
/// with `seed`, then each goes to the fold with the fewest rows so far.
pub fn grouped_folds(groups: &[&str], k: usize, seed: u64) -> Vec<usize> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        *sizes.entry(g).or_insert(0) += 1;
    }
    let mut order: Vec<(&str, usize)> = sizes.into_iter().collect();
    shuffle(&mut order, seed);
    // Largest groups first keeps folds balanced; the shuffle breaks ties between equal sizes.
    order.sort_by_key(|&(_, size)| std::cmp::Reverse(size));
    let mut fold_rows = vec![0usize; k.max(1)];
    let mut fold_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (group, size) in order {
        let fold = (0..fold_rows.len())
            .min_by_key(|&f| (fold_rows[f], f))
            .unwrap_or(0);
        fold_rows[fold] += size;
        fold_of.insert(group, fold);
    }
    groups.iter().map(|g| fold_of[g]).collect()
}

/// Fisher–Yates with [`splitmix64`]: the same order for the same seed on every machine.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The lowest probability threshold at which the rows scored at or above it reach `target`
/// precision (at least `min_rows` of them), or `None` when no threshold does.
pub fn threshold_for_precision(
    scores: &[f64],
    positive: &[bool],
    target: f64,
    min_rows: usize,
) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut best = None;
    let mut hits = 0usize;
    for (rank, &i) in order.iter().enumerate() {
        hits += usize::from(positive[i]);
        let taken = rank + 1;
        // Only cut between distinct scores.
        let next_differs = order.get(rank + 1).is_none_or(|&j| scores[j] < scores[i]);
        if next_differs && taken >= min_rows && hits as f64 / taken as f64 >= target {
            best = Some(scores[i]);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::ToConfusionMatrix;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn per_class_metrics_and_confusion() {
        let report = Report::new(
            &labels(&["a", "b", "c"]),
            &[0, 0, 1, 1, 2, 2],
            &[0, 1, 1, 1, 2, 0],
        );
        assert_eq!(
            report.confusion,
            vec![vec![1, 1, 0], vec![0, 2, 0], vec![1, 0, 1]]
        );
        let a = &report.per_class[0];
        assert_eq!((a.precision, a.recall, a.support), (0.5, 0.5, 2));
        assert!((report.per_class[1].f1 - 0.8).abs() < 1e-12);
        assert!((report.accuracy - 4.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn macro_averages_agree_with_linfa() {
        let truth = [0usize, 0, 1, 1, 2, 2, 2, 1, 0, 2];
        let predicted = [0usize, 1, 1, 1, 2, 0, 2, 2, 0, 2];
        let ours = Report::new(&labels(&["a", "b", "c"]), &truth, &predicted);
        let cm = ndarray::Array1::from(predicted.to_vec())
            .confusion_matrix(ndarray::Array1::from(truth.to_vec()))
            .unwrap();
        let macro_precision = ours.per_class.iter().map(|m| m.precision).sum::<f64>() / 3.0;
        let macro_recall = ours.per_class.iter().map(|m| m.recall).sum::<f64>() / 3.0;
        // linfa's matrix is laid out the other way round, so its "precision" is our recall.
        assert!((f64::from(cm.precision()) - macro_recall).abs() < 1e-6);
        assert!((f64::from(cm.recall()) - macro_precision).abs() < 1e-6);
        assert!((f64::from(cm.accuracy()) - ours.accuracy).abs() < 1e-6);
    }

    #[test]
    fn folds_never_split_a_thread_and_are_balanced() {
        let groups: Vec<String> = (0..100).map(|i| format!("t{}", i % 20)).collect();
        let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let folds = grouped_folds(&refs, 5, 7);
        for g in 0..20 {
            let of: Vec<usize> = (0..100).filter(|i| i % 20 == g).map(|i| folds[i]).collect();
            assert!(of.windows(2).all(|w| w[0] == w[1]));
        }
        for f in 0..5 {
            assert_eq!(folds.iter().filter(|&&x| x == f).count(), 20);
        }
        assert_eq!(folds, grouped_folds(&refs, 5, 7), "same seed, same folds");
    }

    #[test]
    fn threshold_reaches_the_target_precision() {
        let scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5];
        let positive = [true, true, true, false, true, false];
        assert_eq!(
            threshold_for_precision(&scores, &positive, 0.9, 1),
            Some(0.8)
        );
        assert_eq!(
            threshold_for_precision(&scores, &positive, 0.8, 1),
            Some(0.6)
        );
        assert_eq!(threshold_for_precision(&scores, &[false; 6], 0.5, 1), None);
    }
}
