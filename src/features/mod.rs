//! Features: text → sparse vectors the classifier weighs.

pub mod sparse;

pub use sparse::SparseMatrix;
