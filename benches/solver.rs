//! Time to fit the sparse multinomial solver on a text-like problem: 20k rows × 16k features,
//! about 30 nonzeros per row, 4 classes, default parameters. Only to give a number.

use criterion::{criterion_group, criterion_main, Criterion};
use moderate::features::SparseMatrix;
use moderate::model::solver::{fit_sparse, SolverParams};
use moderate::rng::unit;

const ROWS: usize = 20_000;
const FEATURES: usize = 16_000;
const CLASSES: usize = 4;

/// Skewed column frequencies (like words), L2-normalised rows (like TF-IDF), and labels from a
/// hidden linear model plus noise, so the problem is learnable but not separable.
fn problem() -> (SparseMatrix, Vec<usize>) {
    let mut state = 2024u64;
    let hidden: Vec<f64> = (0..FEATURES * CLASSES)
        .map(|_| 4.0 * unit(&mut state) - 2.0)
        .collect();
    let mut x = SparseMatrix::new(FEATURES);
    let mut y = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        let nnz = 20 + (unit(&mut state) * 21.0) as usize;
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(nnz);
        for _ in 0..nnz {
            let u = unit(&mut state);
            let column = (u * u * FEATURES as f64) as u32;
            if !row.iter().any(|&(c, _)| c == column) {
                row.push((column, (1.0 + 3.0 * unit(&mut state)) as f32));
            }
        }
        let norm = row
            .iter()
            .map(|&(_, v)| f64::from(v).powi(2))
            .sum::<f64>()
            .sqrt();
        for (_, v) in &mut row {
            *v = (f64::from(*v) / norm) as f32;
        }
        let mut scores = [0.0; CLASSES];
        for &(c, v) in &row {
            for (k, score) in scores.iter_mut().enumerate() {
                *score += f64::from(v) * hidden[c as usize * CLASSES + k];
            }
        }
        let mut label = 0;
        for k in 0..CLASSES {
            scores[k] += unit(&mut state);
            if scores[k] > scores[label] {
                label = k;
            }
        }
        x.push_row(&mut row);
        y.push(label);
    }
    (x, y)
}

fn fit(c: &mut Criterion) {
    let (x, y) = problem();
    let weights = vec![1.0; y.len()];
    let params = SolverParams::default();
    // One fit outside the timing, to show what is being timed.
    let start = std::time::Instant::now();
    match fit_sparse(&x, &y, CLASSES, &weights, &params) {
        Ok(model) => {
            let correct = (0..x.n_rows())
                .filter(|&i| {
                    let (indices, values) = x.row(i);
                    model.predict(indices, values) == y[i]
                })
                .count();
            eprintln!(
                "one fit: {:.2?}, {} iterations, converged {}, loss {:.1}, training accuracy {:.3}",
                start.elapsed(),
                model.iterations,
                model.converged,
                model.loss,
                correct as f64 / x.n_rows() as f64
            );
        }
        Err(error) => eprintln!("fit failed: {error}"),
    }
    let mut group = c.benchmark_group("solver");
    group.sample_size(10);
    group.bench_function("fit_sparse 20k x 16k, 4 classes", |b| {
        b.iter(|| fit_sparse(&x, &y, CLASSES, &weights, &params))
    });
    group.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
