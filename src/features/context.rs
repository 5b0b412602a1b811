//! Thread-context features: what a comment is relative to everything posted before it —
//! copies of earlier comments (in any thread, by any author), closeness to its article and
//! to its thread so far — plus surface signals (length, capitals, punctuation runs, links,
//! phone numbers, e-mails). They are columns the classifier weighs, so `duplicate` is learned
//! (a first copy keeps its own label) rather than hard-coded.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::near_duplicate::{DuplicateReport, NearDuplicateIndex, PreparedText, Window};
use super::tfidf::{Block, TfIdf};
use crate::text::tokenize::{EMAIL, PHONE, URL};
use crate::text::{tokenize, Normalizer, Token};
use crate::thread::{Article, Comment};

/// Names of the context columns, in order (prefixed `ctx:` in explanations).
///
/// There is deliberately no "first in its thread" column: in the team's corpus the first
/// comment of every thread is substantive, so it learned a large weight (+2.3 for
/// `substantive`, −1.1 for `incitement`) that says how the corpus was written, not how
/// sites are, and it pushed every comment scored alone toward `substantive`.
pub const CONTEXT_FEATURES: [&str; 21] = [
    "copy similarity",
    "exact copy",
    "copy ≥ 0.7",
    "copy ≥ 0.9",
    "copy by the same author",
    "copy from another thread",
    "copy cluster size",
    "similarity to the article",
    "far from the article (< 0.02)",
    "far from the article (< 0.05)",
    "no article",
    "similarity to the thread",
    "length",
    "very short (< 20 characters)",
    "capital letters",
    "runs of ! or ?",
    "links",
    "phone numbers",
    "e-mail addresses",
    "empty",
    "reply",
];

/// What the context of one comment was, for features and for the reasons shown to people.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentContext {
    pub duplicate: DuplicateReport,
    pub duplicate_same_author: bool,
    pub duplicate_other_thread: bool,
    /// Cosine similarity of the comment's words to its article's (`None` without article).
    pub article_similarity: Option<f32>,
    /// Cosine similarity to the earlier comments of its thread (`None` for the first).
    pub thread_similarity: Option<f32>,
    /// The feature values, one per [`CONTEXT_FEATURES`] entry.
    pub values: [f32; CONTEXT_FEATURES.len()],
}

#[derive(Debug, Default)]
struct ThreadState {
    /// The word block of its article, when it came in the stream (see
    /// [`ContextBuilder::add_article`]).
    article: Option<Vec<(u32, f32)>>,
    /// The word vectors of the thread's comments so far.
    centroid: Centroid,
    comments: usize,
    /// Comments inserted when it last had one (or its article): a thread silent for a whole
    /// duplicate window is forgotten, so memory stays bounded on an endless stream.
    latest: usize,
}

/// Computes contexts comment after comment, in posting order.
pub struct ContextBuilder<'a> {
    tfidf: &'a TfIdf,
    normalizer: Normalizer,
    index: NearDuplicateIndex,
    /// The word blocks of the articles of articles tables (see
    /// [`pin_article`](Self::pin_article)).
    pinned_articles: HashMap<String, Vec<(u32, f32)>>,
    threads: HashMap<String, ThreadState>,
    /// Author and thread of the comments in the duplicate window, by position.
    seen: Window<(String, String)>,
    /// Whether only copies are looked for (see [`copies_only`](Self::copies_only)).
    copies_only: bool,
}

impl<'a> ContextBuilder<'a> {
    pub fn new(tfidf: &'a TfIdf) -> Self {
        ContextBuilder {
            tfidf,
            normalizer: tfidf.normalizer.clone(),
            index: NearDuplicateIndex::default(),
            pinned_articles: HashMap::new(),
            threads: HashMap::new(),
            seen: Window::default(),
            copies_only: false,
        }
    }

    /// A builder that looks for copies only, for models without context columns: only
    /// copies are read of their contexts then (for the `duplicate_cluster` column).
    /// Article and thread closeness are left unmeasured (`None`) and the surface signals at
    /// zero, which saves a large share of the work.
    pub fn copies_only(self) -> Self {
        ContextBuilder {
            copies_only: true,
            ..self
        }
    }

    /// Makes an article that came in the stream known, for the similarity of its thread's
    /// comments. It comes just before them, and is forgotten with its thread: scoring a
    /// directory of pages must not keep every page's article.
    pub fn add_article(&mut self, article: &Article) {
        if let Some(row) = self.article_row(article) {
            let state = self.threads.entry(article.thread_id.clone()).or_default();
            state.article = Some(row);
            state.latest = self.index.len();
        }
    }

    /// Makes an article of an articles table known for the whole run: its thread's comments
    /// may come anywhere in the stream.
    pub fn pin_article(&mut self, article: &Article) {
        if let Some(row) = self.article_row(article) {
            self.pinned_articles.insert(article.thread_id.clone(), row);
        }
    }

    /// The word block of an article's title and body; `None` when both are blank.
    fn article_row(&self, article: &Article) -> Option<Vec<(u32, f32)>> {
        let text = format!("{}\n{}", article.title, article.body);
        (!text.trim().is_empty()).then(|| word_block(self.tfidf, &self.tfidf.transform_one(&text)))
    }

    /// The context of the next comment in posting order; `row` is its TF-IDF row.
    pub fn next(&mut self, comment: &Comment, row: &[(u32, f32)]) -> CommentContext {
        let tokens = tokenize(&comment.text, &self.normalizer);
        let prepared = self.prepare(&comment.text, &tokens, row);
        self.next_batch(std::slice::from_ref(comment), vec![prepared])
            .pop()
            .unwrap_or_else(|| unreachable!("one context per comment"))
    }

    /// What the context needs of one comment alone (its `tokens` and TF-IDF `row`); needs
    /// only shared access, so a batch can be prepared in parallel.
    pub fn prepare(&self, text: &str, tokens: &[Token], row: &[(u32, f32)]) -> PreparedComment {
        PreparedComment {
            duplicate: self.index.prepare(text),
            surface: if self.copies_only {
                Surface::default()
            } else {
                Surface::of(text, tokens)
            },
            words: if self.copies_only {
                Vec::new()
            } else {
                word_block(self.tfidf, row)
            },
        }
    }

    /// The contexts of the next comments in posting order, prepared by
    /// [`prepare`](Self::prepare): each depends on everything before it.
    pub fn next_batch(
        &mut self,
        comments: &[Comment],
        prepared: Vec<PreparedComment>,
    ) -> Vec<CommentContext> {
        let (duplicates, rest): (Vec<PreparedText>, Vec<Ordered>) = prepared
            .into_iter()
            .map(|p| (p.duplicate, (p.surface, p.words)))
            .unzip();
        let reports = self.index.insert_batch(duplicates);
        let closeness = if self.copies_only {
            vec![(None, None); comments.len()]
        } else {
            self.closeness(comments, &rest)
        };
        let contexts = comments
            .iter()
            .zip(reports)
            .zip(rest)
            .zip(closeness)
            .map(|(((comment, duplicate), (surface, _)), closeness)| {
                self.next_known(comment, duplicate, &surface, closeness)
            })
            .collect();
        // Forget what fell out of the duplicate window.
        let start = self.index.window_start();
        if self.seen.start() < start {
            self.seen.trim(start);
            self.threads.retain(|_, state| state.latest >= start);
        }
        contexts
    }

    /// The first position the duplicate index still compares with.
    pub fn window_start(&self) -> usize {
        self.index.window_start()
    }

    /// Each comment's (article similarity, thread similarity), its thread's centroid then
    /// updated: threads depend only on their own comments, so they run in parallel, each
    /// in posting order.
    fn closeness(&mut self, comments: &[Comment], rest: &[Ordered]) -> Vec<Closeness> {
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        for (i, comment) in comments.iter().enumerate() {
            let group = *group_of
                .entry(comment.thread_id.as_str())
                .or_insert_with(|| {
                    groups.push((comment.thread_id.as_str(), Vec::new()));
                    groups.len() - 1
                });
            groups[group].1.push(i);
        }
        let states: Vec<ThreadState> = groups
            .iter()
            .map(|(thread, _)| self.threads.remove(*thread).unwrap_or_default())
            .collect();
        let pinned = &self.pinned_articles;
        let inserted = self.index.len();
        let done: Vec<(ThreadState, Vec<Closeness>)> = groups
            .par_iter()
            .zip(states)
            .map(|((thread, members), mut state)| {
                let values = members
                    .iter()
                    .map(|&i| {
                        let words = &rest[i].1;
                        let article = state.article.as_ref().or_else(|| pinned.get(*thread));
                        let article_similarity = article.map(|a| cosine(words, a));
                        let thread_similarity =
                            (state.comments > 0).then(|| state.centroid.cosine(words));
                        state.centroid.add(words);
                        state.comments += 1;
                        state.latest = inserted;
                        (article_similarity, thread_similarity)
                    })
                    .collect();
                (state, values)
            })
            .collect();
        let mut closeness = vec![(None, None); comments.len()];
        for ((thread, members), (state, values)) in groups.iter().zip(done) {
            for (&i, value) in members.iter().zip(values) {
                closeness[i] = value;
            }
            self.threads.insert(thread.to_string(), state);
        }
        closeness
    }

    /// The ordered rest of a comment's context, its duplicate and closeness already known.
    fn next_known(
        &mut self,
        comment: &Comment,
        duplicate: DuplicateReport,
        surface: &Surface,
        (article_similarity, thread_similarity): Closeness,
    ) -> CommentContext {
        let earlier = duplicate.best.and_then(|of| self.seen.get(of.earlier));
        let (same_author, other_thread) = match earlier {
            Some((author, thread)) => (
                !comment.author.is_empty() && *author == comment.author,
                *thread != comment.thread_id,
            ),
            None => (false, false),
        };
        self.seen
            .push((comment.author.clone(), comment.thread_id.clone()));

        let copy = duplicate.best.map_or(0.0, |d| d.similarity);
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let article = article_similarity.unwrap_or(0.0);
        let values = [
            copy,
            flag(duplicate.best.is_some_and(|d| d.exact)),
            flag(copy >= 0.7),
            flag(copy >= 0.9),
            flag(same_author),
            flag(other_thread),
            (duplicate.cluster_size as f32).ln().min(3.0) / 3.0,
            article,
            flag(article_similarity.is_some() && article < 0.02),
            flag(article_similarity.is_some() && article < 0.05),
            flag(article_similarity.is_none()),
            thread_similarity.unwrap_or(0.0),
            (1.0 + surface.chars as f32).ln() / 7.0,
            flag(surface.chars < 20),
            surface.capitals,
            surface.punctuation_runs.min(5) as f32 / 5.0,
            surface.urls.min(3) as f32 / 3.0,
            surface.phones.min(3) as f32 / 3.0,
            surface.emails.min(3) as f32 / 3.0,
            flag(surface.blank),
            flag(!comment.parent_id.is_empty()),
        ];
        CommentContext {
            duplicate,
            duplicate_same_author: same_author,
            duplicate_other_thread: other_thread,
            article_similarity,
            thread_similarity,
            values,
        }
    }
}

/// What the ordered part of the context reads of a prepared comment: its surface and the
/// word block of its row.
type Ordered = (Surface, Vec<(u32, f32)>);

/// Similarity to the article and to the thread so far.
type Closeness = (Option<f32>, Option<f32>);

/// What the context needs of one comment's text alone (see [`ContextBuilder::prepare`]).
#[derive(Debug, Clone)]
pub struct PreparedComment {
    duplicate: PreparedText,
    surface: Surface,
    /// The word block of its TF-IDF row.
    words: Vec<(u32, f32)>,
}

/// Surface measures of a text.
#[derive(Debug, Clone, Default)]
struct Surface {
    chars: usize,
    /// Share of capitals among letters (0 for fewer than 10 letters).
    capitals: f32,
    punctuation_runs: usize,
    urls: usize,
    phones: usize,
    emails: usize,
    /// Nothing but white space.
    blank: bool,
}

impl Surface {
    /// The measures of `text`, whose tokens are `tokens`.
    fn of(text: &str, tokens: &[Token]) -> Surface {
        let (mut chars, mut letters, mut upper) = (0usize, 0usize, 0usize);
        for c in text.chars() {
            chars += 1;
            letters += usize::from(c.is_alphabetic());
            upper += usize::from(c.is_uppercase());
        }
        let count = |placeholder: &str| tokens.iter().filter(|t| t.text == placeholder).count();
        Surface {
            chars,
            capitals: if letters >= 10 {
                upper as f32 / letters as f32
            } else {
                0.0
            },
            punctuation_runs: tokens
                .iter()
                .filter(|t| {
                    t.text.chars().count() >= 2 && t.text.chars().all(|c| c == '!' || c == '?')
                })
                .count(),
            urls: count(URL),
            phones: count(PHONE),
            emails: count(EMAIL),
            blank: text.trim().is_empty(),
        }
    }
}

/// The word-block part of a row (char n-grams would make every French text look alike).
fn word_block(tfidf: &TfIdf, row: &[(u32, f32)]) -> Vec<(u32, f32)> {
    row.iter()
        .filter(|&&(column, _)| tfidf.block(column as usize) == Block::Word)
        .copied()
        .collect()
}

/// Cosine of two sorted sparse rows.
fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let norm = |v: &[(u32, f32)]| v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot / (na * nb)
}

/// The sum of a thread's word vectors. Its squared norm is kept up to date as entries
/// grow, so a comment's cosine to it costs the comment's length, not the thread's.
#[derive(Debug, Default)]
struct Centroid {
    sum: FxHashMap<u32, f32>,
    norm_sq: f64,
}

impl Centroid {
    fn add(&mut self, row: &[(u32, f32)]) {
        for &(column, value) in row {
            let entry = self.sum.entry(column).or_insert(0.0);
            let before = f64::from(*entry);
            *entry += value;
            self.norm_sq += f64::from(*entry).powi(2) - before.powi(2);
        }
    }

    fn cosine(&self, a: &[(u32, f32)]) -> f32 {
        let na = a.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        let nb = self.norm_sq.max(0.0).sqrt() as f32;
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        let dot: f32 = a
            .iter()
            .map(|(c, x)| x * self.sum.get(c).copied().unwrap_or(0.0))
            .sum();
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(thread: &str, author: &str, text: &str) -> Comment {
        Comment {
            thread_id: thread.into(),
            author: author.into(),
            text: text.into(),
            ..Comment::default()
        }
    }

    #[test]
    fn copies_article_closeness_and_surface_signals() {
        let texts = [
            "Le prix du riz augmente à Bamako",
            "Le riz coûte trop cher au marché",
            "APPELEZ LE +223 66 00 11 22 POUR GAGNER !!!",
        ];
        let tfidf = TfIdf::fit_every_ngram(&texts);
        let mut builder = ContextBuilder::new(&tfidf);
        builder.add_article(&Article {
            thread_id: "riz".into(),
            title: "Le prix du riz augmente".into(),
            body: "Le riz coûte cher à Bamako.".into(),
        });
        let mut next = |c: &Comment| {
            let row = tfidf.transform_one(&c.text);
            builder.next(c, &row)
        };
        let first = next(&comment("riz", "awa", texts[1]));
        assert!(first.duplicate.best.is_none());
        assert!(first.article_similarity.unwrap() > 0.3);
        assert_eq!(first.thread_similarity, None);
        let spam = next(&comment("riz", "promo", texts[2]));
        assert!(spam.article_similarity.unwrap() < 0.05);
        let value = |ctx: &CommentContext, name: &str| {
            ctx.values[CONTEXT_FEATURES.iter().position(|f| *f == name).unwrap()]
        };
        assert_eq!(value(&spam, "phone numbers"), 1.0 / 3.0);
        assert!(value(&spam, "capital letters") > 0.9);
        assert_eq!(value(&spam, "runs of ! or ?"), 0.2);
        let copy = next(&comment("autre", "promo", texts[2]));
        assert!(copy.duplicate.best.unwrap().exact);
        assert!(copy.duplicate_same_author && copy.duplicate_other_thread);
        assert_eq!(value(&copy, "no article"), 1.0);
        assert_eq!(value(&copy, "copy cluster size"), 2f32.ln() / 3.0);
    }

    #[test]
    fn copies_only_finds_the_same_copies_and_measures_nothing_else() {
        let texts = [
            "Le prix du riz augmente encore à Bamako",
            "Le riz coûte trop cher au marché de Bamako",
            "Le prix du riz augmente encore à Bamako !",
        ];
        let tfidf = TfIdf::fit_every_ngram(&texts);
        let mut full = ContextBuilder::new(&tfidf);
        let mut copies = ContextBuilder::new(&tfidf).copies_only();
        for (i, text) in texts.iter().enumerate() {
            let c = comment("riz", &format!("lecteur{i}"), text);
            let row = tfidf.transform_one(text);
            let (a, b) = (full.next(&c, &row), copies.next(&c, &row));
            assert_eq!(a.duplicate, b.duplicate);
            assert_eq!(
                b.duplicate.best.is_some(),
                i == 2,
                "the third copies the first"
            );
            assert_eq!((b.article_similarity, b.thread_similarity), (None, None));
            let length = CONTEXT_FEATURES
                .iter()
                .position(|f| *f == "length")
                .unwrap();
            assert!(a.values[length] > 0.0 && b.values[length] == 0.0);
        }
    }

    #[test]
    fn streamed_articles_are_forgotten_with_their_threads_and_pinned_ones_kept() {
        let texts = ["Le prix du riz augmente à Bamako", "Le riz coûte trop cher"];
        let tfidf = TfIdf::fit_every_ngram(&texts);
        let mut builder = ContextBuilder::new(&tfidf);
        builder.index = NearDuplicateIndex::with_window(0.5, 20);
        let article = |thread: &str| Article {
            thread_id: thread.into(),
            title: "Le prix du riz".into(),
            body: texts[0].into(),
        };
        builder.add_article(&article("page"));
        builder.pin_article(&article("table"));
        let mut next = |thread: &str, text: &str| {
            let row = tfidf.transform_one(text);
            builder.next(&comment(thread, "awa", text), &row)
        };
        for thread in ["page", "table"] {
            assert!(
                next(thread, texts[1]).article_similarity.is_some(),
                "{thread}"
            );
        }
        for i in 0..60 {
            next(&format!("fil{i}"), &format!("commentaire numéro {i}"));
        }
        // Silent for a whole window: the page's article is gone with its thread; the
        // articles table's stays.
        assert_eq!(next("page", texts[1]).article_similarity, None);
        assert!(next("table", texts[1]).article_similarity.is_some());
        assert!(
            builder.threads.len() <= 22,
            "{} threads",
            builder.threads.len()
        );
    }
}
