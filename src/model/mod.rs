//! The model: training ([`train`]), the multinomial logistic regression solver
//! ([`solver`]), the trained pipeline ([`Classifier`]) and its file ([`file`]).

pub mod classifier;
pub mod file;
pub mod solver;
pub mod train;

pub use classifier::{Classifier, Thresholds, TrainingInfo};
pub use train::{train, ClassWeight, Solver, TrainOptions, TrainingData};
