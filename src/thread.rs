//! The types every stage shares: a [`Thread`] is one article and its reader comments, in
//! posting order.

use serde::{Deserialize, Serialize};

/// The article a comment section belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub thread_id: String,
    pub title: String,
    pub body: String,
}

/// One reader comment, as the comments table stores it.
///
/// Empty strings mean "unknown" (no author shown, no parent, no platform status); an empty
/// `text` is a real, empty comment and is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub thread_id: String,
    pub comment_id: String,
    pub parent_id: String,
    pub author: String,
    pub posted_at: String,
    pub text: String,
    /// The platform's moderation state when the source has one (`pending`, `spam`, `deleted`,
    /// `trash`, `pingback`…), space-separated; empty for an ordinary published comment.
    pub status: String,
    /// The label given in a labelled table; empty otherwise.
    pub label: String,
}

/// An article and its comments in posting order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    pub article: Article,
    pub comments: Vec<Comment>,
}

impl Thread {
    pub fn new(thread_id: impl Into<String>) -> Self {
        Thread {
            article: Article {
                thread_id: thread_id.into(),
                ..Article::default()
            },
            comments: Vec::new(),
        }
    }

    pub fn id(&self) -> &str {
        &self.article.thread_id
    }

    /// Adds a comment, giving it this thread's id and, when it has none, the id
    /// `thread_id#position` (1-based), which stays stable as long as the page does.
    pub fn push(&mut self, mut comment: Comment) {
        comment.thread_id = self.article.thread_id.clone();
        if comment.comment_id.is_empty() {
            comment.comment_id = positional_id(&self.article.thread_id, self.comments.len() + 1);
        }
        self.comments.push(comment);
    }
}

/// The id of a comment the source gave none: `thread_id#position` (1-based).
pub fn positional_id(thread_id: &str, position: usize) -> String {
    format!("{thread_id}#{position}")
}

/// The label set the default model uses; a user's model may use any other.
pub const DEFAULT_LABELS: [&str; 4] = ["duplicate", "incitement", "off-topic", "substantive"];
