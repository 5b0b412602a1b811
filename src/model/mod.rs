//! The classifier: multinomial logistic regression fitted on sparse feature rows.

pub mod solver;

pub use solver::{
    balanced_class_weights, fit_linfa, fit_sparse, LinearModel, SolverError, SolverParams,
};
