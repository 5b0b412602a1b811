//! The model: training ([`train`]), the multinomial logistic regression solver
//! ([`solver`]), the trained pipeline ([`Classifier`]) and its file ([`file`]).

pub mod classifier;
pub mod explain;
pub mod file;
pub mod solver;
pub mod train;

pub use classifier::{Classifier, Thresholds, TrainingInfo};
pub use train::{train, ClassWeight, Solver, TrainOptions, TrainingData};

/// The default model, trained by `scripts/train-default` from the team's corpus in `data/`
/// and embedded so an installed binary works anywhere.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../models/default.model");
