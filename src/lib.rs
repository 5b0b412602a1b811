//! # moderate
//!
//! Reads what newsroom moderators have (scraped page dumps, HTML pages, Disqus and WordPress
//! exports, CSV/JSONL tables), separates each article from its reader comments, and labels
//! every comment `duplicate`, `incitement`, `off-topic` or `substantive`.
//!
//! The pipeline flows one way, one module per stage:
//!
//! - [`extract`]: inputs → [`Thread`]s (an [`Article`] and its [`Comment`]s in page order);
//! - [`text`]: normalisation and tokens that remember where they came from;
//! - [`features`]: TF-IDF rows and thread-context columns, sparse throughout;
//! - [`model`]: the multinomial logistic regression, its training, explanations and file;
//! - [`eval`]: metrics, grouped folds, thresholds;
//! - [`export`]: tables and reports, written atomically;
//! - [`commands`]: the jobs the binary runs (`split`, `train`, `score`, `flag`…).
//!
//! ```
//! use moderate::extract::{extract, ExtractOptions, Format, Source};
//!
//! let page = "Titre\nLe texte de l'article.\n2 commentaires\nAwa\nil y a 2 heures\nBien vu.\n\
//!             Moussa\nil y a 1 heure\nJe ne suis pas d'accord.\n";
//! let source = Source::decode("page.txt".into(), "page".into(), page.as_bytes())?;
//! let threads = extract(&source, Format::Auto, &ExtractOptions::default())?.threads;
//! assert_eq!(threads[0].article.body, "Le texte de l'article.");
//! assert_eq!(threads[0].comments[1].author, "Moussa");
//! assert_eq!(threads[0].comments[1].text, "Je ne suis pas d'accord.");
//! # Ok::<(), moderate::Error>(())
//! ```

pub mod commands;
pub mod error;
pub mod eval;
pub mod export;
pub mod extract;
pub mod features;
pub mod model;
pub mod rng;
pub mod text;
pub mod thread;

pub use error::{Error, InputProblem, Location, Result};
pub use thread::{Article, Comment, Thread};
