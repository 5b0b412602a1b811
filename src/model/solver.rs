//! Multinomial logistic regression on sparse rows, minimising exactly linfa-logistic's
//! multinomial objective (plus optional per-row weights) with the same solver it uses:
//!
//! L(W, b) = −Σᵢ sᵢ · log softmax(xᵢ W + b)[yᵢ] + α/2 ‖W‖²   (the intercept b is not penalised)
//!
//! linfa-logistic only takes dense matrices, and a dense document × vocabulary matrix is what the
//! crate never builds; so [`fit_sparse`] evaluates the same loss and gradient straight from the
//! CSR rows, and [`fit_linfa`] (dense, small data) stays as the reference the tests compare to.
//!
//! Classes whose rows carry no weight at all are left out of the optimisation (the objective has
//! no finite minimiser for their intercept, which would only drift towards −∞): they get zero
//! weights and the intercept [`ABSENT_CLASS_INTERCEPT`], so their probability is exactly 0.

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::{Array1, Array2};
use rayon::prelude::*;

use crate::features::SparseMatrix;

/// Rows per unit of parallel work. Fixed (never derived from the thread count) so partial sums,
/// added in chunk order, give bit-identical results on any number of threads.
pub const CHUNK_ROWS: usize = 4096;

/// Intercept given to a class that had no weighted training row: finite (so the model stays
/// serialisable), yet so low that its softmax probability underflows to exactly 0.
pub const ABSENT_CLASS_INTERCEPT: f64 = -1e9;

#[derive(Debug, Clone, PartialEq)]
pub struct SolverParams {
    /// L2 penalty on the weights (not the intercept), as linfa-logistic's `alpha`.
    pub alpha: f64,
    pub max_iterations: u64,
    /// Relative gradient tolerance: L-BFGS stops once ‖∇L‖₂ < `tolerance` × Σᵢ sᵢ, since the loss
    /// is a sum over rows and an absolute tolerance would tighten as the data grows.
    pub tolerance: f64,
    /// L-BFGS memory (linfa-logistic hard-codes 10; [`fit_linfa`] cannot change it).
    pub history: usize,
}

impl Default for SolverParams {
    fn default() -> Self {
        SolverParams {
            alpha: 1.0,
            max_iterations: 300,
            tolerance: 1e-3,
            history: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// n_features × n_classes.
    pub weights: Array2<f64>,
    /// n_classes.
    pub intercept: Array1<f64>,
    /// L-BFGS iterations run (0 from [`fit_linfa`], which does not report them).
    pub iterations: u64,
    /// Whether the gradient tolerance was met; `false` when the iteration budget ran out or the
    /// line search could make no more progress.
    pub converged: bool,
    /// The objective at the returned parameters.
    pub loss: f64,
}

impl LinearModel {
    pub fn n_features(&self) -> usize {
        self.weights.nrows()
    }

    pub fn n_classes(&self) -> usize {
        self.intercept.len()
    }

    /// x·W + b for one sparse row. Columns past the model's features (unseen at training time)
    /// contribute nothing.
    pub fn decision(&self, indices: &[u32], values: &[f32]) -> Vec<f64> {
        let mut z = self.intercept.to_vec();
        for (&column, &value) in indices.iter().zip(values) {
            let column = column as usize;
            if column >= self.n_features() {
                continue;
            }
            let value = f64::from(value);
            for (zk, &w) in z.iter_mut().zip(self.weights.row(column)) {
                *zk += value * w;
            }
        }
        z
    }

    /// Softmax probabilities for one sparse row.
    pub fn probabilities(&self, indices: &[u32], values: &[f32]) -> Vec<f64> {
        let mut z = self.decision(indices, values);
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for zk in &mut z {
            *zk = (*zk - max).exp();
            sum += *zk;
        }
        for zk in &mut z {
            *zk /= sum;
        }
        z
    }

    /// The most probable class for one sparse row (the lowest index on ties).
    pub fn predict(&self, indices: &[u32], values: &[f32]) -> usize {
        let z = self.decision(indices, values);
        let mut best = 0;
        for (k, &zk) in z.iter().enumerate() {
            if zk > z[best] {
                best = k;
            }
        }
        best
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    #[error(
        "need at least 2 classes with weighted training rows, found {present} (of {n_classes})"
    )]
    TooFewClasses { n_classes: usize, present: usize },
    #[error("mismatched shapes: {rows} feature rows, {labels} labels, {weights} sample weights")]
    MismatchedShapes {
        rows: usize,
        labels: usize,
        weights: usize,
    },
    #[error("row {row} has label {label}, but there are only {n_classes} classes")]
    LabelOutOfRange {
        row: usize,
        label: usize,
        n_classes: usize,
    },
    #[error("row {row} has column {column}, but the matrix has {n_cols} columns")]
    ColumnOutOfRange {
        row: usize,
        column: usize,
        n_cols: usize,
    },
    #[error("row {row} has sample weight {weight}; weights must be finite and >= 0")]
    InvalidSampleWeight { row: usize, weight: f64 },
    #[error("invalid solver parameter {name} = {value}")]
    InvalidParameter { name: &'static str, value: f64 },
    #[error("non-finite {what}")]
    NonFinite { what: &'static str },
    #[error("linfa-logistic failed: {0}")]
    Linfa(String),
    #[error("the optimiser failed: {0}")]
    Optimizer(String),
}

/// sklearn's "balanced" class weights, n_samples / (n_classes × count). Classes without rows get
/// 0 (the caller reports them); labels ≥ `n_classes` count towards n_samples only.
pub fn balanced_class_weights(y: &[usize], n_classes: usize) -> Vec<f64> {
    let mut counts = vec![0usize; n_classes];
    for &label in y {
        if let Some(count) = counts.get_mut(label) {
            *count += 1;
        }
    }
    counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                y.len() as f64 / (n_classes as f64 * count as f64)
            }
        })
        .collect()
}

/// Fits the weighted multinomial objective on sparse rows with L-BFGS (memory
/// `params.history`) and the More–Thuente line search, starting from zero like linfa-logistic.
/// Running out of iterations is not an error: the model comes back with `converged == false`.
pub fn fit_sparse(
    x: &SparseMatrix,
    y: &[usize],
    n_classes: usize,
    sample_weight: &[f64],
    params: &SolverParams,
) -> Result<LinearModel, SolverError> {
    fit_sparse_chunked(x, y, n_classes, sample_weight, params, CHUNK_ROWS)
}

fn fit_sparse_chunked(
    x: &SparseMatrix,
    y: &[usize],
    n_classes: usize,
    sample_weight: &[f64],
    params: &SolverParams,
    chunk_rows: usize,
) -> Result<LinearModel, SolverError> {
    validate_params(params)?;
    let active = validate_data(x, y, n_classes, sample_weight)?;
    let total_weight: f64 = sample_weight.iter().sum();
    let non_finite = Cell::new(false);
    let loss = Loss::new(x, y, sample_weight, params.alpha, &active, chunk_rows);
    let n_params = loss.n_params();
    let objective = Objective {
        loss,
        cache: RefCell::new(None),
        failure: &non_finite,
    };

    let solver = LBFGS::new(MoreThuenteLineSearch::new(), params.history)
        .with_tolerance_grad(params.tolerance * total_weight)
        .map_err(|e| SolverError::Optimizer(e.to_string()))?;
    let run = Executor::new(objective, solver)
        .configure(|state| {
            state
                .param(Array1::zeros(n_params))
                .max_iters(params.max_iterations)
        })
        .run();
    let result = match run {
        Ok(result) => result,
        Err(error) => {
            return Err(match error.downcast_ref::<SolverError>() {
                Some(solver_error) => solver_error.clone(),
                None if non_finite.get() => SolverError::NonFinite { what: "loss" },
                None => SolverError::Optimizer(error.to_string()),
            })
        }
    };
    // A non-finite value met inside a line search only ends that search, so check the flag too.
    if non_finite.get() {
        return Err(SolverError::NonFinite { what: "loss" });
    }
    let state = result.state;
    let converged = matches!(
        state.termination_status,
        TerminationStatus::Terminated(TerminationReason::SolverConverged)
    );
    let iterations = state.get_iter();
    let loss = state.get_best_cost();
    let param = state
        .best_param
        .ok_or_else(|| SolverError::Optimizer("L-BFGS returned no parameters".into()))?;
    if !loss.is_finite() {
        return Err(SolverError::NonFinite { what: "loss" });
    }
    let (weights, intercept) = unpack(&param.to_vec(), x.n_cols(), &active, n_classes);
    Ok(LinearModel {
        weights,
        intercept,
        iterations,
        converged,
        loss,
    })
}

/// The reference fit: linfa-logistic's `MultiLogisticRegression` on `x.to_dense()` with unit
/// sample weights, the same alpha, iteration budget and relative tolerance (its L-BFGS memory is
/// fixed at 10). For small data and tests only. linfa reports no iteration count, so
/// `iterations` is 0; `loss` and `converged` are measured with this module's objective.
pub fn fit_linfa(
    x: &SparseMatrix,
    y: &[usize],
    n_classes: usize,
    params: &SolverParams,
) -> Result<LinearModel, SolverError> {
    use linfa::traits::Fit;

    validate_params(params)?;
    let unit = vec![1.0; y.len()];
    let active = validate_data(x, y, n_classes, &unit)?;
    let gradient_tolerance = params.tolerance * y.len() as f64;
    let dataset = linfa::Dataset::new(x.to_dense(), Array1::from(y.to_vec()));
    let fitted = linfa_logistic::MultiLogisticRegression::<f64>::default()
        .alpha(params.alpha)
        .max_iterations(params.max_iterations)
        .gradient_tolerance(gradient_tolerance)
        .fit(&dataset)
        .map_err(|e| SolverError::Linfa(e.to_string()))?;

    // linfa numbers the classes it saw in sorted order, which is our active list.
    if fitted.classes() != active.as_slice() {
        return Err(SolverError::Linfa(format!(
            "classes {:?} differ from the expected {:?}",
            fitted.classes(),
            active
        )));
    }
    let n_features = x.n_cols();
    let mut param = Vec::with_capacity((n_features + 1) * active.len());
    for row in fitted.params().rows() {
        param.extend(row.iter().copied());
    }
    param.extend(fitted.intercept().iter().copied());
    let (loss, gradient) =
        Loss::new(x, y, &unit, params.alpha, &active, CHUNK_ROWS).evaluate(&param);
    if !loss.is_finite() {
        return Err(SolverError::NonFinite { what: "loss" });
    }
    let gradient_norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    let (weights, intercept) = unpack(&param, n_features, &active, n_classes);
    Ok(LinearModel {
        weights,
        intercept,
        iterations: 0,
        converged: gradient_norm < gradient_tolerance,
        loss,
    })
}

fn validate_params(params: &SolverParams) -> Result<(), SolverError> {
    if !(params.alpha.is_finite() && params.alpha >= 0.0) {
        return Err(SolverError::InvalidParameter {
            name: "alpha",
            value: params.alpha,
        });
    }
    if !(params.tolerance.is_finite() && params.tolerance > 0.0) {
        return Err(SolverError::InvalidParameter {
            name: "tolerance",
            value: params.tolerance,
        });
    }
    if params.history == 0 {
        return Err(SolverError::InvalidParameter {
            name: "history",
            value: 0.0,
        });
    }
    Ok(())
}

/// Checks shapes, labels, columns and values; returns the classes that carry weight, ascending.
fn validate_data(
    x: &SparseMatrix,
    y: &[usize],
    n_classes: usize,
    sample_weight: &[f64],
) -> Result<Vec<usize>, SolverError> {
    if x.n_rows() != y.len() || y.len() != sample_weight.len() {
        return Err(SolverError::MismatchedShapes {
            rows: x.n_rows(),
            labels: y.len(),
            weights: sample_weight.len(),
        });
    }
    let mut class_weight = vec![0.0; n_classes];
    for (row, (&label, &weight)) in y.iter().zip(sample_weight).enumerate() {
        if label >= n_classes {
            return Err(SolverError::LabelOutOfRange {
                row,
                label,
                n_classes,
            });
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(SolverError::InvalidSampleWeight { row, weight });
        }
        class_weight[label] += weight;
        let (indices, values) = x.row(row);
        if let Some(&column) = indices.iter().find(|&&c| c as usize >= x.n_cols()) {
            return Err(SolverError::ColumnOutOfRange {
                row,
                column: column as usize,
                n_cols: x.n_cols(),
            });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(SolverError::NonFinite {
                what: "feature value",
            });
        }
    }
    let active: Vec<usize> = (0..n_classes).filter(|&k| class_weight[k] > 0.0).collect();
    if active.len() < 2 {
        return Err(SolverError::TooFewClasses {
            n_classes,
            present: active.len(),
        });
    }
    Ok(active)
}

/// Spreads the flat parameters over the active classes back to all `n_classes`. The layout is
/// linfa-logistic's: row-major (n_features + 1) × n_active, the intercept as the last row.
fn unpack(
    param: &[f64],
    n_features: usize,
    active: &[usize],
    n_classes: usize,
) -> (Array2<f64>, Array1<f64>) {
    let n_active = active.len();
    let mut weights = Array2::zeros((n_features, n_classes));
    let mut intercept = Array1::from_elem(n_classes, ABSENT_CLASS_INTERCEPT);
    for (a, &k) in active.iter().enumerate() {
        for j in 0..n_features {
            weights[[j, k]] = param[j * n_active + a];
        }
        intercept[k] = param[n_features * n_active + a];
    }
    (weights, intercept)
}

/// The weighted multinomial loss over the rows; parameters cover the active classes only.
/// Shared by the parallel chunks, so it holds nothing mutable.
struct Loss<'a> {
    x: &'a SparseMatrix,
    /// Per row: the active index of its class, or `None` for zero-weight rows (skipped).
    targets: Vec<Option<u32>>,
    weights: &'a [f64],
    alpha: f64,
    n_active: usize,
    chunk_rows: usize,
}

impl<'a> Loss<'a> {
    fn new(
        x: &'a SparseMatrix,
        y: &[usize],
        weights: &'a [f64],
        alpha: f64,
        active: &[usize],
        chunk_rows: usize,
    ) -> Self {
        let mut position = vec![None; active.iter().max().map_or(0, |&k| k + 1)];
        for (a, &k) in active.iter().enumerate() {
            position[k] = Some(a as u32);
        }
        let targets = y
            .iter()
            .zip(weights)
            .map(|(&label, &w)| {
                if w > 0.0 {
                    position.get(label).copied().flatten()
                } else {
                    None
                }
            })
            .collect();
        Loss {
            x,
            targets,
            weights,
            alpha,
            n_active: active.len(),
            chunk_rows: chunk_rows.max(1),
        }
    }

    fn n_params(&self) -> usize {
        (self.x.n_cols() + 1) * self.n_active
    }

    /// Loss and gradient in one pass over the rows. Chunks run in parallel in waves of as many
    /// chunks as there are threads; their partial sums are always added one by one in chunk
    /// order into zero-initialised totals, so the bits do not depend on the thread count.
    fn evaluate(&self, param: &[f64]) -> (f64, Vec<f64>) {
        let n_rows = self.x.n_rows();
        let n_chunks = n_rows.div_ceil(self.chunk_rows);
        let wave = rayon::current_num_threads().max(1);
        let mut loss = 0.0;
        let mut gradient = vec![0.0; self.n_params()];
        let mut first = 0;
        while first < n_chunks {
            let last = (first + wave).min(n_chunks);
            let partials: Vec<(f64, Vec<f64>)> = (first..last)
                .into_par_iter()
                .map(|chunk| {
                    let start = chunk * self.chunk_rows;
                    let end = (start + self.chunk_rows).min(n_rows);
                    self.evaluate_rows(param, start..end)
                })
                .collect();
            for (partial_loss, partial_gradient) in partials {
                loss += partial_loss;
                for (g, p) in gradient.iter_mut().zip(&partial_gradient) {
                    *g += p;
                }
            }
            first = last;
        }
        let n_weights = self.x.n_cols() * self.n_active;
        let mut penalty = 0.0;
        for (g, &w) in gradient[..n_weights].iter_mut().zip(&param[..n_weights]) {
            penalty += w * w;
            *g += self.alpha * w;
        }
        (loss + 0.5 * self.alpha * penalty, gradient)
    }

    fn evaluate_rows(&self, param: &[f64], rows: std::ops::Range<usize>) -> (f64, Vec<f64>) {
        let n_active = self.n_active;
        let bias = self.x.n_cols() * n_active;
        let mut loss = 0.0;
        let mut gradient = vec![0.0; self.n_params()];
        let mut z = vec![0.0; n_active];
        for i in rows {
            let Some(target) = self.targets[i] else {
                continue;
            };
            let target = target as usize;
            let weight = self.weights[i];
            let (indices, values) = self.x.row(i);
            z.copy_from_slice(&param[bias..bias + n_active]);
            for (&column, &value) in indices.iter().zip(values) {
                let offset = column as usize * n_active;
                let value = f64::from(value);
                for (zk, &w) in z.iter_mut().zip(&param[offset..offset + n_active]) {
                    *zk += value * w;
                }
            }
            // Stable log-sum-exp: shift by the row's maximum before exponentiating.
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for zk in &z {
                sum += (zk - max).exp();
            }
            let log_sum = max + sum.ln();
            loss += weight * (log_sum - z[target]);
            // z becomes the residual sᵢ (softmax − onehot), the row's factor in the gradient.
            for (k, zk) in z.iter_mut().enumerate() {
                let indicator = if k == target { 1.0 } else { 0.0 };
                *zk = weight * ((*zk - log_sum).exp() - indicator);
            }
            for (&column, &value) in indices.iter().zip(values) {
                let offset = column as usize * n_active;
                let value = f64::from(value);
                for (g, &r) in gradient[offset..offset + n_active].iter_mut().zip(&z) {
                    *g += value * r;
                }
            }
            for (g, &r) in gradient[bias..].iter_mut().zip(&z) {
                *g += r;
            }
        }
        (loss, gradient)
    }
}

/// A point, the loss there and the gradient there.
type Evaluation = (Array1<f64>, f64, Array1<f64>);

/// What argmin sees: the loss plus a one-point cache, since argmin asks for the cost and the
/// gradient at the same point in separate calls and one pass yields both.
struct Objective<'a> {
    loss: Loss<'a>,
    cache: RefCell<Option<Evaluation>>,
    /// Set when a non-finite value was met, which a line search would otherwise swallow.
    failure: &'a Cell<bool>,
}

impl Objective<'_> {
    fn at(&self, param: &Array1<f64>) -> Result<(f64, Array1<f64>), SolverError> {
        if let Some((cached, loss, gradient)) = self.cache.borrow().as_ref() {
            if cached == param {
                return Ok((*loss, gradient.clone()));
            }
        }
        let (loss, gradient) = match param.as_slice() {
            Some(slice) => self.loss.evaluate(slice),
            None => self.loss.evaluate(&param.to_vec()),
        };
        if !loss.is_finite() || gradient.iter().any(|g| !g.is_finite()) {
            self.failure.set(true);
            return Err(SolverError::NonFinite { what: "loss" });
        }
        let gradient = Array1::from(gradient);
        *self.cache.borrow_mut() = Some((param.clone(), loss, gradient.clone()));
        Ok((loss, gradient))
    }
}

impl CostFunction for Objective<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, param: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.at(param)?.0)
    }
}

impl Gradient for Objective<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, param: &Self::Param) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.at(param)?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::unit;

    /// 60 rows, 8 features (about a third of them zero), 3 overlapping classes.
    fn three_classes() -> (SparseMatrix, Vec<usize>) {
        let mut state = 42u64;
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            let class = i % 3;
            let mut row = Vec::new();
            for j in 0..8u32 {
                if unit(&mut state) < 0.33 {
                    continue;
                }
                let signal = if j as usize % 3 == class { 0.8 } else { 0.0 };
                row.push((j, (2.0 * unit(&mut state) - 1.0 + signal) as f32));
            }
            rows.push(row);
            y.push(class);
        }
        (SparseMatrix::from_rows(8, rows), y)
    }

    fn tight() -> SolverParams {
        SolverParams {
            alpha: 1.0,
            max_iterations: 1000,
            tolerance: 1e-8,
            history: 10,
        }
    }

    fn max_abs_diff<'a>(
        a: impl IntoIterator<Item = &'a f64>,
        b: impl IntoIterator<Item = &'a f64>,
    ) -> f64 {
        a.into_iter()
            .zip(b)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn agrees_with_linfa_logistic() {
        let (x, y) = three_classes();
        for alpha in [0.1, 1.0] {
            let params = SolverParams { alpha, ..tight() };
            let ours = fit_sparse(&x, &y, 3, &vec![1.0; y.len()], &params).unwrap();
            let reference = fit_linfa(&x, &y, 3, &params).unwrap();
            let weight_diff = max_abs_diff(&ours.weights, &reference.weights);
            let intercept_diff = max_abs_diff(&ours.intercept, &reference.intercept);
            let mut probability_diff: f64 = 0.0;
            for i in 0..x.n_rows() {
                let (indices, values) = x.row(i);
                let p = ours.probabilities(indices, values);
                let q = reference.probabilities(indices, values);
                probability_diff = probability_diff.max(max_abs_diff(&p, &q));
            }
            eprintln!(
                "alpha {alpha} vs linfa: weights {weight_diff:.2e}, intercept {intercept_diff:.2e}, \
                 probabilities {probability_diff:.2e}, loss {} vs {}, {} iterations, \
                 converged {} (linfa {})",
                ours.loss, reference.loss, ours.iterations, ours.converged, reference.converged
            );
            assert!(ours.converged);
            assert!(weight_diff < 1e-4, "weights differ by {weight_diff}");
            assert!(
                intercept_diff < 1e-4,
                "intercepts differ by {intercept_diff}"
            );
            assert!(
                probability_diff < 1e-4,
                "probabilities differ by {probability_diff}"
            );
            assert!((ours.loss - reference.loss).abs() < 1e-6 * reference.loss);
            // Not a degenerate fit: the weights moved away from zero.
            assert!(ours.weights.iter().any(|w| w.abs() > 0.1));
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let x = SparseMatrix::from_rows(
            3,
            vec![
                vec![(0, 1.0), (2, -0.5)],
                vec![(1, 2.0)],
                vec![(0, -1.5), (1, 0.3), (2, 0.7)],
                vec![(2, 1.0)],
                vec![],
                vec![(0, 0.2), (1, -1.0)],
            ],
        );
        let y = [0, 1, 2, 1, 0, 2];
        let weights = [0.5, 2.0, 1.0, 0.0, 3.0, 1.5];
        let active = [0, 1, 2];
        let loss = Loss::new(&x, &y, &weights, 0.7, &active, 2);
        let mut state = 7u64;
        let param: Vec<f64> = (0..loss.n_params())
            .map(|_| 2.0 * unit(&mut state) - 1.0)
            .collect();
        let (_, analytic) = loss.evaluate(&param);
        let h = 1e-6;
        for p in 0..param.len() {
            let mut plus = param.clone();
            plus[p] += h;
            let mut minus = param.clone();
            minus[p] -= h;
            let numeric = (loss.evaluate(&plus).0 - loss.evaluate(&minus).0) / (2.0 * h);
            assert!(
                (numeric - analytic[p]).abs() < 1e-6 * (1.0 + numeric.abs()),
                "parameter {p}: numeric {numeric}, analytic {}",
                analytic[p]
            );
        }
    }

    #[test]
    fn zero_weight_rows_are_ignored_and_weights_scale_rows() {
        let (x, y) = three_classes();
        // Doubling a row's weight is the same objective as listing it twice.
        let mut weights = vec![1.0; y.len()];
        weights[5] = 2.0;
        weights[10] = 0.0;
        let active = [0, 1, 2];
        let weighted = Loss::new(&x, &y, &weights, 1.0, &active, CHUNK_ROWS);
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| i != 10).collect();
        rows.push(5);
        let x2 = x.select_rows(&rows);
        let y2: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
        let unit = vec![1.0; y2.len()];
        let repeated = Loss::new(&x2, &y2, &unit, 1.0, &active, CHUNK_ROWS);
        let param: Vec<f64> = (0..weighted.n_params())
            .map(|p| (p as f64 * 0.37).sin())
            .collect();
        let (l1, g1) = weighted.evaluate(&param);
        let (l2, g2) = repeated.evaluate(&param);
        assert!((l1 - l2).abs() < 1e-9 * l1.abs());
        assert!(max_abs_diff(&g1, &g2) < 1e-9);
    }

    #[test]
    fn balanced_weights_follow_sklearn() {
        let w = balanced_class_weights(&[0, 0, 0, 1, 2, 2], 4);
        // n_samples / (n_classes * count): 6 / (4 * 3), 6 / (4 * 1), 6 / (4 * 2), absent → 0.
        assert_eq!(w, vec![0.5, 1.5, 0.75, 0.0]);
        assert_eq!(balanced_class_weights(&[], 2), vec![0.0, 0.0]);
    }

    #[test]
    fn separates_a_separable_problem() {
        // Three clusters, one per class, along three directions.
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..30u32 {
            let class = (i % 3) as usize;
            let jitter = (i as f32) * 0.01;
            rows.push(vec![(class as u32, 1.0 + jitter), (3, 0.5 - jitter)]);
            y.push(class);
        }
        let x = SparseMatrix::from_rows(4, rows);
        let params = SolverParams {
            alpha: 0.1,
            ..SolverParams::default()
        };
        let model = fit_sparse(&x, &y, 3, &vec![1.0; 30], &params).unwrap();
        assert!(model.converged);
        for (i, &label) in y.iter().enumerate() {
            let (indices, values) = x.row(i);
            assert_eq!(model.predict(indices, values), label);
            let p = model.probabilities(indices, values);
            assert!(p[label] > 0.5, "row {i}: {p:?}");
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn class_without_weight_is_left_out() {
        let (x, y) = three_classes();
        // Class 1 gets no weight: the fit equals a 2-class fit, and class 1 is never predicted.
        let weights: Vec<f64> = y.iter().map(|&c| if c == 1 { 0.0 } else { 1.0 }).collect();
        let model = fit_sparse(&x, &y, 4, &weights, &SolverParams::default()).unwrap();
        assert_eq!(model.weights.dim(), (8, 4));
        for k in [1, 3] {
            assert_eq!(model.intercept[k], ABSENT_CLASS_INTERCEPT);
            assert!(model.weights.column(k).iter().all(|&w| w == 0.0));
        }
        let keep: Vec<usize> = (0..y.len()).filter(|&i| y[i] != 1).collect();
        let x2 = x.select_rows(&keep);
        let y2: Vec<usize> = keep.iter().map(|&i| y[i] / 2).collect();
        let two = fit_sparse(&x2, &y2, 2, &vec![1.0; y2.len()], &SolverParams::default()).unwrap();
        assert_eq!(model.weights.column(2), two.weights.column(1));
        assert_eq!(model.intercept[0], two.intercept[0]);
        let (indices, values) = x.row(0);
        let p = model.probabilities(indices, values);
        assert_eq!(p[1], 0.0);
        assert_eq!(p[3], 0.0);
    }

    #[test]
    fn running_out_of_iterations_is_not_an_error() {
        let (x, y) = three_classes();
        let params = SolverParams {
            max_iterations: 1,
            tolerance: 1e-12,
            ..SolverParams::default()
        };
        let model = fit_sparse(&x, &y, 3, &vec![1.0; y.len()], &params).unwrap();
        assert!(!model.converged);
        assert_eq!(model.iterations, 1);
        assert!(model.loss.is_finite());
    }

    #[test]
    fn bad_inputs_are_precise_errors() {
        let (x, y) = three_classes();
        let unit = vec![1.0; y.len()];
        let params = SolverParams::default();
        assert_eq!(
            fit_sparse(&x, &y[1..], 3, &unit, &params),
            Err(SolverError::MismatchedShapes {
                rows: 60,
                labels: 59,
                weights: 60
            })
        );
        assert!(matches!(
            fit_sparse(&x, &y, 3, &unit[1..], &params),
            Err(SolverError::MismatchedShapes { .. })
        ));
        assert_eq!(
            fit_sparse(&x, &y, 2, &unit, &params),
            Err(SolverError::LabelOutOfRange {
                row: 2,
                label: 2,
                n_classes: 2
            })
        );
        let one_class = vec![1; y.len()];
        assert_eq!(
            fit_sparse(&x, &one_class, 3, &unit, &params),
            Err(SolverError::TooFewClasses {
                n_classes: 3,
                present: 1
            })
        );
        assert!(matches!(
            fit_linfa(&x, &one_class, 3, &params),
            Err(SolverError::TooFewClasses { .. })
        ));
        let mut negative = unit.clone();
        negative[3] = -1.0;
        assert_eq!(
            fit_sparse(&x, &y, 3, &negative, &params),
            Err(SolverError::InvalidSampleWeight {
                row: 3,
                weight: -1.0
            })
        );
        let nan = SparseMatrix::from_rows(1, vec![vec![(0, f32::NAN)], vec![(0, 1.0)]]);
        assert_eq!(
            fit_sparse(&nan, &[0, 1], 2, &[1.0, 1.0], &params),
            Err(SolverError::NonFinite {
                what: "feature value"
            })
        );
        // Finite weights whose weighted loss overflows.
        let huge = vec![1e308; y.len()];
        assert_eq!(
            fit_sparse(&x, &y, 3, &huge, &params),
            Err(SolverError::NonFinite { what: "loss" })
        );
        assert!(matches!(
            fit_sparse(
                &x,
                &y,
                3,
                &unit,
                &SolverParams {
                    alpha: f64::NAN,
                    ..SolverParams::default()
                }
            ),
            Err(SolverError::InvalidParameter { name: "alpha", .. })
        ));
    }

    #[test]
    fn bit_identical_across_thread_counts() {
        let (x, y) = three_classes();
        let weights: Vec<f64> = (0..y.len()).map(|i| 0.5 + (i % 4) as f64 * 0.25).collect();
        // Chunks of 7 rows: 9 chunks, so 1 and 2 threads group them differently.
        let fit = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit_sparse_chunked(&x, &y, 3, &weights, &tight(), 7))
                .unwrap()
        };
        let one = fit(1);
        let two = fit(2);
        let bits = |m: &LinearModel| -> Vec<u64> {
            m.weights
                .iter()
                .chain(&m.intercept)
                .chain([&m.loss])
                .map(|v| v.to_bits())
                .collect()
        };
        assert_eq!(bits(&one), bits(&two));
        assert_eq!(one.iterations, two.iterations);
        // And the chunking itself changes nothing beyond rounding.
        let whole = fit_sparse(&x, &y, 3, &weights, &tight()).unwrap();
        assert!(max_abs_diff(&whole.weights, &one.weights) < 1e-6);
    }
}
