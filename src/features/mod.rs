//! Features: text → sparse vectors the classifier weighs.
//!
//! [`Features`] is the fitted part of the pipeline that turns comments into rows: the
//! [`TfIdf`] vectoriser, then (optionally) the thread-context columns of [`context`] after
//! it. [`FeatureStream`] computes rows batch after batch in posting order, so scoring can
//! stream while the context (earlier comments, threads, duplicates) carries over.

pub mod context;
pub mod near_duplicate;
pub mod sparse;
pub mod tfidf;

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use context::{CommentContext, ContextBuilder, CONTEXT_FEATURES};
pub use near_duplicate::NearDuplicateIndex;
pub use sparse::SparseMatrix;
pub use tfidf::{TfIdf, TfIdfOptions};

use crate::thread::{Article, Comment};

/// The fitted feature pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub tfidf: TfIdf,
    /// Append the thread-context columns.
    pub context: bool,
}

impl Features {
    pub fn n_features(&self) -> usize {
        self.tfidf.n_features()
            + if self.context {
                CONTEXT_FEATURES.len()
            } else {
                0
            }
    }

    /// A readable name: the n-gram, or `ctx:<name>` for a context column.
    pub fn feature_name(&self, column: usize) -> Cow<'_, str> {
        let n_text = self.tfidf.n_features();
        if column < n_text {
            Cow::Borrowed(self.tfidf.feature_name(column))
        } else {
            Cow::Owned(format!("ctx:{}", CONTEXT_FEATURES[column - n_text]))
        }
    }

    /// Rows of every comment, in posting order (see [`FeatureStream`]).
    pub fn rows(
        &self,
        comments: &[Comment],
        articles: &[Article],
    ) -> (SparseMatrix, Vec<CommentContext>) {
        let mut stream = FeatureStream::new(self);
        for article in articles {
            stream.add_article(article);
        }
        let (rows, contexts) = stream.next_batch(comments);
        (SparseMatrix::from_rows(self.n_features(), rows), contexts)
    }
}

/// Rows computed batch after batch, the context carrying over between batches.
pub struct FeatureStream<'a> {
    features: &'a Features,
    context: ContextBuilder<'a>,
}

impl<'a> FeatureStream<'a> {
    pub fn new(features: &'a Features) -> Self {
        FeatureStream {
            features,
            context: ContextBuilder::new(&features.tfidf),
        }
    }

    pub fn add_article(&mut self, article: &Article) {
        if self.features.context {
            self.context.add_article(article);
        }
    }

    /// The rows of the next comments in posting order: TF-IDF in parallel, then the context
    /// in order (it depends on everything before).
    pub fn next_batch(
        &mut self,
        comments: &[Comment],
    ) -> (Vec<Vec<(u32, f32)>>, Vec<CommentContext>) {
        let context = &self.context;
        let (mut rows, prepared): (Vec<Vec<(u32, f32)>>, Vec<_>) = comments
            .par_iter()
            .map(|c| {
                (
                    self.features.tfidf.transform_one(&c.text),
                    context.prepare(&c.text),
                )
            })
            .unzip();
        let mut contexts = Vec::with_capacity(comments.len());
        let offset = self.features.tfidf.n_features() as u32;
        for ((comment, row), prepared) in comments.iter().zip(rows.iter_mut()).zip(prepared) {
            let context = self.context.next_prepared(comment, row, prepared);
            if self.features.context {
                for (k, &value) in context.values.iter().enumerate() {
                    if value != 0.0 {
                        row.push((offset + k as u32, value));
                    }
                }
            }
            contexts.push(context);
        }
        (rows, contexts)
    }
}
