//! Features: text → sparse vectors the classifier weighs.
//!
//! [`Features`] is the fitted part of the pipeline that turns comments into rows: the
//! [`TfIdf`] vectoriser, then (optionally) the thread-context columns of [`context`] after
//! it. [`FeatureStream`] computes rows batch after batch in posting order, so scoring can
//! stream while the context (earlier comments, threads, duplicates) carries over.

pub mod context;
mod hash_table;
pub mod near_duplicate;
pub mod sparse;
pub mod tfidf;

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use context::{CommentContext, ContextBuilder, PreparedComment, CONTEXT_FEATURES};
pub use near_duplicate::NearDuplicateIndex;
pub use sparse::SparseMatrix;
pub use tfidf::{Evidence, TfIdf, TfIdfOptions};

use crate::text::tokenize;
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
            stream.pin_article(article);
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
        let context = ContextBuilder::new(&features.tfidf);
        FeatureStream {
            features,
            context: if features.context {
                context
            } else {
                context.copies_only()
            },
        }
    }

    /// See [`ContextBuilder::add_article`]: forgotten with its thread.
    pub fn add_article(&mut self, article: &Article) {
        if self.features.context {
            self.context.add_article(article);
        }
    }

    /// See [`ContextBuilder::pin_article`]: kept for the whole run.
    pub fn pin_article(&mut self, article: &Article) {
        if self.features.context {
            self.context.pin_article(article);
        }
    }

    /// The first comment position the context still compares new comments with.
    pub fn window_start(&self) -> usize {
        self.context.window_start()
    }

    /// The rows of the next comments in posting order: TF-IDF in parallel, then the context
    /// in order (it depends on everything before).
    pub fn next_batch(
        &mut self,
        comments: &[Comment],
    ) -> (Vec<Vec<(u32, f32)>>, Vec<CommentContext>) {
        let batch = self.batch(comments, false);
        (batch.rows, batch.contexts)
    }

    /// [`next_batch`](Self::next_batch), with the [`Evidence`] of each comment's n-grams
    /// for explanations.
    pub fn next_batch_with_evidence(&mut self, comments: &[Comment]) -> Batch {
        self.batch(comments, true)
    }

    fn batch(&mut self, comments: &[Comment], with_evidence: bool) -> Batch {
        let tfidf = &self.features.tfidf;
        let context = &self.context;
        // Each text is tokenised once, for its row, its evidence and its context.
        type Prepared = ((Vec<(u32, f32)>, Vec<Evidence>), PreparedComment);
        let (texts, prepared): (Vec<_>, Vec<PreparedComment>) = comments
            .par_iter()
            .map(|c| -> Prepared {
                let tokens = tokenize(&c.text, &tfidf.normalizer);
                let mut evidence = Vec::new();
                let row = if with_evidence {
                    tfidf.transform_tokens_with_evidence(&tokens, &mut evidence)
                } else {
                    tfidf.transform_tokens(&tokens)
                };
                let prepared = context.prepare(&c.text, &tokens, &row);
                ((row, evidence), prepared)
            })
            .unzip();
        let (mut rows, evidence): (Vec<_>, Vec<_>) = texts.into_iter().unzip();
        let contexts = self.context.next_batch(comments, prepared);
        if self.features.context {
            let offset = tfidf.n_features() as u32;
            for (row, context) in rows.iter_mut().zip(&contexts) {
                for (k, &value) in context.values.iter().enumerate() {
                    if value != 0.0 {
                        row.push((offset + k as u32, value));
                    }
                }
            }
        }
        Batch {
            rows,
            contexts,
            evidence,
        }
    }
}

/// The rows of a batch of comments, their contexts, and the evidence of their n-grams (empty
/// unless asked for).
pub struct Batch {
    pub rows: Vec<Vec<(u32, f32)>>,
    pub contexts: Vec<CommentContext>,
    pub evidence: Vec<Vec<Evidence>>,
}
