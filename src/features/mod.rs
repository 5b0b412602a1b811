//! Features: text → sparse vectors the classifier weighs.

pub mod context;
pub mod near_duplicate;
pub mod sparse;
pub mod tfidf;

pub use near_duplicate::NearDuplicateIndex;
pub use sparse::SparseMatrix;
pub use tfidf::{TfIdf, TfIdfOptions};
