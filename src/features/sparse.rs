//! A compressed sparse row (CSR) matrix: the one layout features take from the vectoriser to
//! the solver and the scorer. No dense document × vocabulary matrix exists anywhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseMatrix {
    n_cols: usize,
    /// Row `i` is `indices[indptr[i]..indptr[i + 1]]` with the same range of `values`.
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

impl SparseMatrix {
    /// An empty matrix with `n_cols` columns, to which rows are appended.
    pub fn new(n_cols: usize) -> Self {
        SparseMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends a row given as (column, value) pairs; columns must be below `n_cols`, and are
    /// sorted here so rows compare and iterate in a fixed order.
    pub fn push_row(&mut self, row: &mut [(u32, f32)]) {
        row.sort_unstable_by_key(|&(column, _)| column);
        for &(column, value) in row.iter() {
            debug_assert!((column as usize) < self.n_cols);
            self.indices.push(column);
            self.values.push(value);
        }
        self.indptr.push(self.indices.len());
    }

    pub fn from_rows(n_cols: usize, rows: impl IntoIterator<Item = Vec<(u32, f32)>>) -> Self {
        let mut matrix = SparseMatrix::new(n_cols);
        for mut row in rows {
            matrix.push_row(&mut row);
        }
        matrix
    }

    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The columns and values of row `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    /// The rows at `rows`, in that order (for cross-validation folds).
    pub fn select_rows(&self, rows: &[usize]) -> SparseMatrix {
        let mut out = SparseMatrix::new(self.n_cols);
        for &i in rows {
            let (indices, values) = self.row(i);
            out.indices.extend_from_slice(indices);
            out.values.extend_from_slice(values);
            out.indptr.push(out.indices.len());
        }
        out
    }

    /// The same rows side by side with `other`'s (whose columns are shifted past ours).
    pub fn hstack(&self, other: &SparseMatrix) -> SparseMatrix {
        assert_eq!(
            self.n_rows(),
            other.n_rows(),
            "hstack needs the same number of rows"
        );
        let shift = self.n_cols as u32;
        let mut out = SparseMatrix::new(self.n_cols + other.n_cols);
        for i in 0..self.n_rows() {
            let (a_idx, a_val) = self.row(i);
            let (b_idx, b_val) = other.row(i);
            out.indices.extend_from_slice(a_idx);
            out.values.extend_from_slice(a_val);
            out.indices.extend(b_idx.iter().map(|&c| c + shift));
            out.values.extend_from_slice(b_val);
            out.indptr.push(out.indices.len());
        }
        out
    }

    /// A dense copy, for the reference solver and tests on small data only.
    pub fn to_dense(&self) -> ndarray::Array2<f64> {
        let mut dense = ndarray::Array2::zeros((self.n_rows(), self.n_cols));
        for i in 0..self.n_rows() {
            let (indices, values) = self.row(i);
            for (&c, &v) in indices.iter().zip(values) {
                dense[[i, c as usize]] = f64::from(v);
            }
        }
        dense
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_select_and_stack() {
        let m = SparseMatrix::from_rows(3, vec![vec![(2, 1.0), (0, 2.0)], vec![], vec![(1, 3.0)]]);
        assert_eq!(m.n_rows(), 3);
        assert_eq!(m.row(0), (&[0u32, 2][..], &[2.0f32, 1.0][..]));
        assert_eq!(m.row(1).0.len(), 0);
        let s = m.select_rows(&[2, 0]);
        assert_eq!(s.row(0), (&[1u32][..], &[3.0f32][..]));
        let h = m.hstack(&SparseMatrix::from_rows(
            1,
            vec![vec![(0, 9.0)], vec![], vec![]],
        ));
        assert_eq!(h.n_cols(), 4);
        assert_eq!(h.row(0), (&[0u32, 2, 3][..], &[2.0f32, 1.0, 9.0][..]));
        assert_eq!(m.to_dense()[[2, 1]], 3.0);
    }
}
