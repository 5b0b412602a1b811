//! Why a comment got its label: the n-grams that pushed it toward the label most (with their
//! character offsets in the original text, so a UI can highlight them) and the context
//! features that did, in words ("near-copy of 42 (0.94)", "far from the article (0.03)").

use serde::Serialize;

use super::Classifier;
use crate::export::decimal::push_fixed;
use crate::features::{CommentContext, Evidence, CONTEXT_FEATURES};

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
    let mut cell = String::new();
    push_reasons_cell(&mut cell, reasons);
    cell
}

/// Appends [`reasons_cell`] to `out` (the same text, written as [`Reason`]'s `Display`
/// writes it, without a string per reason).
pub fn push_reasons_cell(out: &mut String, reasons: &[Reason]) {
    use std::fmt::Write;
    for (i, reason) in reasons.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let weight = match reason {
            Reason::Term {
                text,
                start,
                end,
                weight,
            } => {
                let _ = write!(out, "{text:?}@{start}-{end} ");
                weight
            }
            Reason::Context { text, weight } => {
                out.push_str(text);
                out.push(' ');
                weight
            }
        };
        push_fixed(out, *weight, 2, true);
    }
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
    let evidence: Vec<Evidence> = classifier
        .features
        .tfidf
        .occurrences(text)
        .into_iter()
        .filter_map(|(column, start, end)| {
            let entry = row.binary_search_by_key(&column, |&(c, _)| c).ok()?;
            Some(Evidence {
                entry: entry as u32,
                start: start as u32,
                end: end as u32,
            })
        })
        .collect();
    explain_with_evidence(classifier, text, row, &evidence, context, label, copy_of)
}

/// [`explain`] with the evidence of the text's n-grams already known (as
/// [`TfIdf::transform_tokens_with_evidence`](crate::features::TfIdf::transform_tokens_with_evidence)
/// gives it with `row`).
pub fn explain_with_evidence(
    classifier: &Classifier,
    text: &str,
    row: &[(u32, f32)],
    evidence: &[Evidence],
    context_of: &CommentContext,
    label: usize,
    copy_of: Option<&str>,
) -> Vec<Reason> {
    let n_text = classifier.features.tfidf.n_features() as u32;
    // Each entry's contribution toward the label, when positive (0 otherwise).
    let contributions: Vec<f32> = row
        .iter()
        .map(|&(column, value)| {
            let c = classifier.contribution(column, value, label);
            if c > 0.0 {
                c
            } else {
                0.0
            }
        })
        .collect();
    let mut reasons = term_reasons(text, row, evidence, &contributions, n_text);
    // Context features: most contributing first (as `Classifier::contributions` orders them).
    let mut context: Vec<(u32, f32)> = row
        .iter()
        .zip(&contributions)
        .filter(|&(&(column, _), &weight)| column >= n_text && weight >= MIN_WEIGHT)
        .map(|(&(column, _), &weight)| (column, weight))
        .collect();
    context.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Features that say the same thing in words (the copy similarity, its thresholds and the
    // cluster size all say "near-copy of …") make one reason with their summed weight.
    let mut context_reasons: Vec<(String, f32)> = Vec::new();
    for (column, weight) in context {
        let name = CONTEXT_FEATURES[(column - n_text) as usize];
        let Some(text) = describe(name, context_of, copy_of) else {
            continue;
        };
        match context_reasons.iter_mut().find(|(t, _)| *t == text) {
            Some((_, total)) => *total += weight,
            None => context_reasons.push((text, weight)),
        }
    }
    context_reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
    reasons.extend(
        context_reasons
            .into_iter()
            .take(MAX_CONTEXT)
            .map(|(text, weight)| Reason::Context { text, weight }),
    );
    reasons
}

/// Spreads each n-gram's contribution over the words that produced it and keeps the spans
/// that weigh most (a span inside an already kept one is skipped).
fn term_reasons(
    text: &str,
    row: &[(u32, f32)],
    evidence: &[Evidence],
    contributions: &[f32],
    n_text: u32,
) -> Vec<Reason> {
    let is_term = |entry: usize| row[entry].0 < n_text && contributions[entry] > 0.0;
    if !(0..row.len()).any(is_term) {
        return Vec::new();
    }
    // How many occurrences produced each entry.
    let mut counts = vec![0u32; row.len()];
    for e in evidence {
        counts[e.entry as usize] += 1;
    }
    // Each occurrence's share, summed per span in occurrence order; the occurrences of one
    // span often come in a run (the n-grams of a word), which needs one look-up.
    let mut slots: rustc_hash::FxHashMap<(u32, u32), usize> = rustc_hash::FxHashMap::default();
    let mut spans: Vec<((u32, u32), f32)> = Vec::new();
    let mut current: Option<((u32, u32), usize)> = None;
    for e in evidence {
        let entry = e.entry as usize;
        if !is_term(entry) {
            continue;
        }
        let span = (e.start, e.end);
        let slot = match current {
            Some((s, slot)) if s == span => slot,
            _ => {
                let slot = *slots.entry(span).or_insert_with(|| {
                    spans.push((span, 0.0));
                    spans.len() - 1
                });
                current = Some((span, slot));
                slot
            }
        };
        spans[slot].1 += contributions[entry] / counts[entry] as f32;
    }
    let mut ranked: Vec<((u32, u32), f32)> = spans
        .into_iter()
        .filter(|&(_, w)| w >= MIN_WEIGHT)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut kept: Vec<((u32, u32), f32)> = Vec::new();
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
        .map(|((start, end), weight)| {
            let (start, end) = (start as usize, end as usize);
            Reason::Term {
                text: text[start..end].to_string(),
                start: text[..start].chars().count(),
                end: text[..end].chars().count(),
                weight,
            }
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
        "exact copy" | "copy similarity" | "copy ≥ 0.7" | "copy ≥ 0.9" | "copy cluster size" => {
            copy(if best.is_some_and(|b| b.exact) {
                "exact copy"
            } else {
                "near-copy"
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_sum_the_shares_of_their_spans_and_skip_spans_inside_kept_ones() {
        let text = "aa bb aa";
        // "aa" (twice), "aa bb", and a character n-gram of the first "aa"; the last entry
        // is a context column, never a term.
        let row = [(0, 1.0), (1, 1.0), (2, 1.0), (10, 1.0)];
        let contributions = [0.4, 0.3, 0.15, 0.9];
        let at = |entry, start, end| Evidence { entry, start, end };
        let evidence = [at(0, 0, 2), at(0, 6, 8), at(1, 0, 5), at(2, 0, 2)];
        let terms: Vec<(String, usize, usize, f32)> =
            term_reasons(text, &row, &evidence, &contributions, 10)
                .into_iter()
                .map(|reason| match reason {
                    Reason::Term {
                        text,
                        start,
                        end,
                        weight,
                    } => (text, start, end, weight),
                    other => panic!("{other:?}"),
                })
                .collect();
        let names: Vec<(&str, usize, usize)> = terms
            .iter()
            .map(|(t, s, e, _)| (t.as_str(), *s, *e))
            .collect();
        // The first "aa": half of 0.4 plus 0.15; "aa bb" 0.3; the second "aa" half of 0.4.
        assert_eq!(names, [("aa", 0, 2), ("aa bb", 0, 5), ("aa", 6, 8)]);
        let weights: Vec<f32> = terms.iter().map(|t| t.3).collect();
        for (weight, expected) in weights.iter().zip([0.35, 0.3, 0.2]) {
            assert!((weight - expected).abs() < 1e-6, "{weights:?}");
        }
        // Without the character n-gram, the first "aa" (0.2) lies inside "aa bb" (0.3).
        let fewer = term_reasons(text, &row[..3], &evidence[..3], &contributions[..3], 10);
        let spans: Vec<String> = fewer.iter().map(ToString::to_string).collect();
        assert_eq!(spans, ["\"aa bb\"@0-5 +0.30", "\"aa\"@6-8 +0.20"]);
    }

    #[test]
    fn the_reasons_cell_is_the_reasons_displayed_and_joined() {
        let reasons = [
            Reason::Term {
                text: "les \"brûler\"\n".into(),
                start: 3,
                end: 12,
                weight: 0.125,
            },
            Reason::Context {
                text: "near-copy of 42 (0.94)".into(),
                weight: 1.005,
            },
            Reason::Term {
                text: "x".into(),
                start: 0,
                end: 1,
                weight: -0.0,
            },
        ];
        let displayed: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        assert_eq!(reasons_cell(&reasons), displayed.join("; "));
        assert_eq!(reasons_cell(&[]), "");
    }
}
