//! Why a comment got its label: the n-grams that pushed it toward the label most (with their
//! character offsets in the original text, so a UI can highlight them) and the context
//! features that did, in words ("near-copy of 42 (0.94)", "far from the article (0.03)").

use serde::Serialize;

use super::Classifier;
use crate::features::{CommentContext, CONTEXT_FEATURES};

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Reason {
    /// Text that pushed toward the label: `start..end` in characters of the original text.
    Term {
        text: String,
        start: usize,
        end: usize,
        weight: f32,
    },
    /// A context feature, in words.
    Context { text: String, weight: f32 },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Term {
                text,
                start,
                end,
                weight,
            } => write!(f, "{text:?}@{start}-{end} {weight:+.2}"),
            Reason::Context { text, weight } => write!(f, "{text} {weight:+.2}"),
        }
    }
}

/// Joins reasons for a table cell.
pub fn reasons_cell(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

const MAX_TERMS: usize = 3;
const MAX_CONTEXT: usize = 2;
/// Contributions smaller than this are noise, not reasons.
const MIN_WEIGHT: f32 = 0.05;

/// The reasons for `label` of a comment whose features are `row`. `copy_of` names the
/// earlier comment it copies, if any.
pub fn explain(
    classifier: &Classifier,
    text: &str,
    row: &[(u32, f32)],
    context: &CommentContext,
    label: usize,
    copy_of: Option<&str>,
) -> Vec<Reason> {
    let contributions = classifier.contributions(row, label);
    let n_text = classifier.features.tfidf.n_features() as u32;
    let mut reasons = term_reasons(classifier, text, &contributions, n_text);
    let context_reasons = contributions
        .iter()
        .filter(|&&(column, weight)| column >= n_text && weight >= MIN_WEIGHT)
        .filter_map(|&(column, weight)| {
            let name = CONTEXT_FEATURES[(column - n_text) as usize];
            describe(name, context, copy_of).map(|text| Reason::Context { text, weight })
        })
        .take(MAX_CONTEXT);
    reasons.extend(context_reasons);
    reasons
}

/// Spreads each n-gram's contribution over the words that produced it and keeps the spans
/// that weigh most (a span inside an already kept one is skipped).
fn term_reasons(
    classifier: &Classifier,
    text: &str,
    contributions: &[(u32, f32)],
    n_text: u32,
) -> Vec<Reason> {
    let weight_of: rustc_hash::FxHashMap<u32, f32> = contributions
        .iter()
        .filter(|&&(column, _)| column < n_text)
        .copied()
        .collect();
    if weight_of.is_empty() {
        return Vec::new();
    }
    let occurrences = classifier.features.tfidf.occurrences(text);
    let mut per_column: rustc_hash::FxHashMap<u32, usize> = rustc_hash::FxHashMap::default();
    for &(column, _, _) in &occurrences {
        *per_column.entry(column).or_insert(0) += 1;
    }
    let mut spans: rustc_hash::FxHashMap<(usize, usize), f32> = rustc_hash::FxHashMap::default();
    for (column, start, end) in occurrences {
        if let Some(weight) = weight_of.get(&column) {
            *spans.entry((start, end)).or_insert(0.0) += weight / per_column[&column] as f32;
        }
    }
    let mut ranked: Vec<((usize, usize), f32)> = spans
        .into_iter()
        .filter(|&(_, w)| w >= MIN_WEIGHT)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut kept: Vec<((usize, usize), f32)> = Vec::new();
    for (span, weight) in ranked {
        if kept.iter().any(|((s, e), _)| *s <= span.0 && span.1 <= *e) {
            continue;
        }
        kept.push((span, weight));
        if kept.len() == MAX_TERMS {
            break;
        }
    }
    kept.into_iter()
        .map(|((start, end), weight)| Reason::Term {
            text: text[start..end].to_string(),
            start: text[..start].chars().count(),
            end: text[..end].chars().count(),
            weight,
        })
        .collect()
}

/// A context feature in words, or `None` when it says nothing worth showing.
fn describe(name: &str, context: &CommentContext, copy_of: Option<&str>) -> Option<String> {
    let best = context.duplicate.best;
    let copy = |what: &str| {
        best.map(|b| match copy_of {
            Some(id) => format!("{what} of {id} ({:.2})", b.similarity),
            None => format!("{what} ({:.2})", b.similarity),
        })
    };
    match name {
        "exact copy" => copy("exact copy"),
        "copy similarity" | "copy ≥ 0.7" | "copy ≥ 0.9" | "copy cluster size" => {
            copy("near-copy")
        }
        "copy by the same author" => Some("copied from the same author".into()),
        "copy from another thread" => Some("copied from another thread".into()),
        "far from the article (< 0.02)" | "far from the article (< 0.05)" => context
            .article_similarity
            .map(|s| format!("far from the article ({s:.2})")),
        "similarity to the article" => context
            .article_similarity
            .map(|s| format!("close to the article ({s:.2})")),
        "similarity to the thread" => context
            .thread_similarity
            .map(|s| format!("close to the thread ({s:.2})")),
        "no article" | "reply" | "empty" | "length" => None,
        "very short (< 20 characters)" => Some("very short".into()),
        "capital letters" => {
            let share = context.values[CONTEXT_FEATURES.iter().position(|f| *f == name)?];
            (share >= 0.5).then(|| "mostly capital letters".into())
        }
        "runs of ! or ?" => Some("runs of ! or ?".into()),
        "links" => Some("contains links".into()),
        "phone numbers" => Some("contains a phone number".into()),
        "e-mail addresses" => Some("contains an e-mail address".into()),
        _ => None,
    }
}
