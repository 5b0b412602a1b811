//! TF-IDF over word 1–2 grams and character n-grams within word boundaries: sublinear tf,
//! smoothed idf, each block L2-normalised on its own (as a union of two vectorisers would),
//! min_df / max_df / max_features. Rows come out sparse; nothing dense is ever built.
//!
//! Features are keyed by a 64-bit hash of their name ("w:l' armée", "c: arm") so that
//! transforming a comment hashes slices of a reused buffer instead of building strings; the
//! names are kept for explanations and the keys are recomputed from them when a model loads,
//! so a model never depends on the hash function of the build that wrote it.

use std::hash::Hasher;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use super::hash_table::{prefetch, HashTable, Value};
use super::SparseMatrix;
use crate::text::{tokenize, Normalizer, Token, TokenKind};

/// The longest n-gram, in words or characters, that training accepts and a model may use.
pub const MAX_NGRAM: usize = 10;

/// Which n-grams to count and how many to keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfIdfOptions {
    /// Word n-gram lengths, inclusive (1, 2: unigrams and bigrams).
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths within word boundaries; `None` turns them off.
    pub char_ngrams: Option<(usize, usize)>,
    /// Keep features seen in at least this many comments.
    pub min_df: usize,
    /// Drop features seen in more than this fraction of comments.
    pub max_df: f64,
    /// Keep at most this many features (the most frequent); `None` keeps all.
    pub max_features: Option<usize>,
    /// Use 1 + ln(tf) instead of raw counts.
    pub sublinear_tf: bool,
}

impl Default for TfIdfOptions {
    fn default() -> Self {
        TfIdfOptions {
            word_ngrams: (1, 2),
            char_ngrams: Some((2, 5)),
            min_df: 2,
            max_df: 1.0,
            max_features: Some(300_000),
            sublinear_tf: true,
        }
    }
}

/// The two blocks of the vector, each normalised separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    Word,
    Char,
}

const WORD_TAG: u8 = b'w';
const CHAR_TAG: u8 = b'c';

fn feature_key(tag: u8, content: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_u8(tag);
    hasher.write(content.as_bytes());
    hasher.finish()
}

/// Where one n-gram of a transformed text counts: the entry of its row (an index into the
/// row, not a column) and the byte span of the text that produced it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evidence {
    pub entry: u32,
    pub start: u32,
    pub end: u32,
}

/// One feature occurrence: its key, block, and the byte span of the text that produced it.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence {
    pub key: u64,
    pub block: Block,
    pub start: usize,
    pub end: usize,
}

/// Calls `found` for every n-gram of `text`; `name` receives the name when asked for (only
/// while fitting, to label kept features).
fn for_each_ngram(
    tokens: &[Token],
    options: &TfIdfOptions,
    mut found: impl FnMut(Occurrence, &dyn Fn() -> String),
) {
    let (min_n, max_n) = options.word_ngrams;
    for_each_word_ngram(tokens, min_n.max(1), max_n, |occurrence, name| {
        found(occurrence, &|| name.to_string())
    });
    let Some(lengths) = options.char_ngrams else {
        return;
    };
    let mut scratch = CharScratch::default();
    for token in tokens.iter().filter(|t| t.kind == TokenKind::Word) {
        scratch.for_each_char_ngram(&token.text, lengths, |gram| {
            let occurrence = Occurrence {
                key: feature_key(CHAR_TAG, gram),
                block: Block::Char,
                start: token.start,
                end: token.end,
            };
            found(occurrence, &|| gram.to_string());
        });
    }
}

/// Calls `found` for every word n-gram of `tokens` from `from_n` to `to_n` words long, with
/// its name (the words joined by spaces).
fn for_each_word_ngram(
    tokens: &[Token],
    from_n: usize,
    to_n: usize,
    mut found: impl FnMut(Occurrence, &str),
) {
    let mut buffer = String::new();
    for n in from_n..=to_n {
        for window in tokens.windows(n) {
            buffer.clear();
            for (i, token) in window.iter().enumerate() {
                if i > 0 {
                    buffer.push(' ');
                }
                buffer.push_str(&token.text);
            }
            let occurrence = Occurrence {
                key: feature_key(WORD_TAG, &buffer),
                block: Block::Word,
                start: window[0].start,
                end: window[n - 1].end,
            };
            found(occurrence, &buffer);
        }
    }
}

/// Buffers reused from word to word by [`CharScratch::for_each_char_ngram`].
#[derive(Default)]
struct CharScratch {
    /// The word padded with a space each side.
    buffer: String,
    /// Byte offsets of the characters of `buffer` (and its end), for non-ASCII words.
    boundaries: Vec<usize>,
}

impl CharScratch {
    /// Calls `found` with every character n-gram of `word` padded with a space each side,
    /// lengths `min..=max`, shortest first, left to right (the lone padding space is not one).
    fn for_each_char_ngram(
        &mut self,
        word: &str,
        (min, max): (usize, usize),
        mut found: impl FnMut(&str),
    ) {
        let CharScratch { buffer, boundaries } = self;
        buffer.clear();
        buffer.push(' ');
        buffer.push_str(word);
        buffer.push(' ');
        let ascii = buffer.is_ascii();
        if !ascii {
            boundaries.clear();
            boundaries.extend(buffer.char_indices().map(|(i, _)| i));
            boundaries.push(buffer.len());
        }
        // In ASCII every byte is a character: offsets are indices.
        let offset = |i: usize| if ascii { i } else { boundaries[i] };
        let chars = if ascii {
            buffer.len()
        } else {
            boundaries.len() - 1
        };
        for n in min.max(1)..=max {
            if n > chars {
                break;
            }
            for start in 0..=chars - n {
                let gram = &buffer[offset(start)..offset(start + n)];
                if gram != " " {
                    found(gram);
                }
            }
        }
    }
}

/// A fitted vectoriser: vocabulary, block of each feature, idf.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TfIdf {
    pub options: TfIdfOptions,
    pub normalizer: Normalizer,
    /// Feature names by column ("l' armée" for a word bigram, " arm" for a char 4-gram).
    names: Vec<String>,
    blocks: Vec<Block>,
    idf: Vec<f32>,
    #[serde(skip)]
    index: HashTable<u64, u32, 5>,
    /// The vocabulary's single words by key, with their character n-gram columns. Most words
    /// of a text are in the vocabulary: one lookup of the word gives its own column and
    /// replaces one lookup per character n-gram (about twenty); other words are cut up as
    /// usual.
    #[serde(skip)]
    words: HashTable<u64, VocabularyWord, 3>,
    /// The character n-gram columns of the vocabulary's words, one range per word.
    #[serde(skip)]
    word_char_columns: Vec<u32>,
}

/// A single word of the vocabulary: its column, and its character n-gram columns
/// (`word_char_columns[chars_from..chars_from + chars_len]`).
#[derive(Debug, Clone, Copy)]
struct VocabularyWord {
    column: u32,
    chars_from: u32,
    chars_len: u32,
}

impl Value for VocabularyWord {
    const FREE: VocabularyWord = VocabularyWord {
        column: u32::MAX,
        chars_from: 0,
        chars_len: 0,
    };
    fn is_free(&self) -> bool {
        self.column == u32::MAX
    }
}

impl PartialEq for TfIdf {
    fn eq(&self, other: &Self) -> bool {
        self.options == other.options
            && self.normalizer == other.normalizer
            && self.names == other.names
            && self.blocks == other.blocks
            && self.idf == other.idf
    }
}

impl TfIdf {
    /// Learns the vocabulary and idf from `texts`.
    pub fn fit(texts: &[&str], options: TfIdfOptions, normalizer: Normalizer) -> TfIdf {
        let n_docs = texts.len();
        // Document frequencies, counted in parallel over fixed chunks and merged in order.
        let df = texts
            .par_chunks(2048)
            .map(|chunk| {
                let mut df: FxHashMap<u64, (u32, Block)> = FxHashMap::default();
                // The distinct n-grams of one text, reused from text to text.
                let mut seen: Vec<(u64, Block)> = Vec::new();
                for text in chunk {
                    seen.clear();
                    let tokens = tokenize(text, &normalizer);
                    for_each_ngram(&tokens, &options, |o, _| seen.push((o.key, o.block)));
                    seen.sort_unstable_by_key(|&(key, _)| key);
                    seen.dedup_by_key(|&mut (key, _)| key);
                    for &(key, block) in &seen {
                        df.entry(key).or_insert((0, block)).0 += 1;
                    }
                }
                df
            })
            .reduce(FxHashMap::default, |mut a, b| {
                for (key, (count, block)) in b {
                    a.entry(key).or_insert((0, block)).0 += count;
                }
                a
            });
        let max_df = (options.max_df * n_docs as f64).floor() as u32;
        let mut kept: Vec<(u64, u32, Block)> = df
            .into_iter()
            .filter(|&(_, (count, _))| count as usize >= options.min_df && count <= max_df.max(1))
            .map(|(key, (count, block))| (key, count, block))
            .collect();
        // Most frequent first, then by key: a fixed order whatever the hash map did.
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(max) = options.max_features {
            kept.truncate(max);
        }
        let mut index = HashTable::default();
        for (column, &(key, _, _)) in kept.iter().enumerate() {
            index.insert(key, column as u32);
        }
        // Names of the kept features, from their first occurrence.
        let mut names: Vec<Option<String>> = vec![None; kept.len()];
        let mut missing = kept.len();
        for text in texts {
            if missing == 0 {
                break;
            }
            let tokens = tokenize(text, &normalizer);
            for_each_ngram(&tokens, &options, |o, name| {
                let column = index.get(o.key);
                if !column.is_free() {
                    let slot = &mut names[column as usize];
                    if slot.is_none() {
                        *slot = Some(name());
                        missing -= 1;
                    }
                }
            });
        }
        let idf = kept
            .iter()
            .map(|&(_, count, _)| (((1 + n_docs) as f64 / (1 + count) as f64).ln() + 1.0) as f32)
            .collect();
        let mut tfidf = TfIdf {
            blocks: kept.iter().map(|&(_, _, block)| block).collect(),
            names: names.into_iter().map(Option::unwrap_or_default).collect(),
            idf,
            index,
            words: HashTable::default(),
            word_char_columns: Vec::new(),
            options,
            normalizer,
        };
        tfidf.index_words();
        tfidf
    }

    /// Every n-gram of a few test texts (min_df 1), the default options otherwise.
    #[cfg(test)]
    pub(crate) fn fit_every_ngram(texts: &[&str]) -> TfIdf {
        let options = TfIdfOptions {
            min_df: 1,
            ..TfIdfOptions::default()
        };
        TfIdf::fit(texts, options, Normalizer::default())
    }

    /// Rebuilds the key index after loading (keys are not stored; see the module doc).
    pub fn rebuild_index(&mut self) {
        self.index = HashTable::default();
        for (column, (name, block)) in self.names.iter().zip(&self.blocks).enumerate() {
            let tag = match block {
                Block::Word => WORD_TAG,
                Block::Char => CHAR_TAG,
            };
            self.index.insert(feature_key(tag, name), column as u32);
        }
        self.index_words();
    }

    /// Fills [`Self::words`] from the vocabulary's single words.
    fn index_words(&mut self) {
        self.words.clear();
        self.word_char_columns.clear();
        let mut scratch = CharScratch::default();
        let words = self.names.iter().zip(&self.blocks).enumerate();
        for (column, (name, _)) in
            words.filter(|(_, (name, &block))| block == Block::Word && !name.contains(' '))
        {
            let from = self.word_char_columns.len();
            if let Some(lengths) = self.options.char_ngrams {
                scratch.for_each_char_ngram(name, lengths, |gram| {
                    let column = self.index.get(feature_key(CHAR_TAG, gram));
                    if !column.is_free() {
                        self.word_char_columns.push(column);
                    }
                });
            }
            let word = VocabularyWord {
                column: column as u32,
                chars_from: from as u32,
                chars_len: (self.word_char_columns.len() - from) as u32,
            };
            self.words.insert(feature_key(WORD_TAG, name), word);
        }
    }

    /// Calls `found(column, start, end)` for every kept n-gram of `tokens`, in the order of
    /// [`for_each_ngram`], with the byte span that produced it.
    ///
    /// Every key is hashed and its place in the tables asked for before any is looked up:
    /// with a vocabulary larger than the cache most look-ups miss it, and this way the
    /// misses of a comment overlap instead of coming one after another.
    fn for_each_column(&self, tokens: &[Token], mut found: impl FnMut(u32, usize, usize)) {
        // One look-up per token: its column as a single word and, for a vocabulary word,
        // the columns of its character n-grams.
        let word_keys: Vec<u64> = tokens
            .iter()
            .map(|t| feature_key(WORD_TAG, &t.text))
            .collect();
        for &key in &word_keys {
            self.words.prefetch(key);
        }
        let (min_n, max_n) = self.options.word_ngrams;
        let mut ngrams = Vec::with_capacity(tokens.len());
        for_each_word_ngram(tokens, min_n.max(2), max_n, |o, _| {
            self.index.prefetch(o.key);
            ngrams.push(o);
        });
        let words: Vec<VocabularyWord> = word_keys.iter().map(|&k| self.words.get(k)).collect();
        for word in words.iter().filter(|w| !w.is_free()) {
            prefetch(self.word_char_columns[word.chars_from as usize..].as_ptr());
        }
        if min_n <= 1 && max_n >= 1 {
            for (token, word) in tokens.iter().zip(&words) {
                if !word.is_free() {
                    found(word.column, token.start, token.end);
                }
            }
        }
        for o in ngrams {
            let column = self.index.get(o.key);
            if !column.is_free() {
                found(column, o.start, o.end);
            }
        }
        let Some(lengths) = self.options.char_ngrams else {
            return;
        };
        // The character n-grams of the words that are not in the vocabulary, by token.
        let mut grams: Vec<(usize, u64)> = Vec::new();
        let mut scratch = CharScratch::default();
        for (i, (token, word)) in tokens.iter().zip(&words).enumerate() {
            if token.kind == TokenKind::Word && word.is_free() {
                scratch.for_each_char_ngram(&token.text, lengths, |gram| {
                    let key = feature_key(CHAR_TAG, gram);
                    self.index.prefetch(key);
                    grams.push((i, key));
                });
            }
        }
        let mut grams = grams.into_iter().peekable();
        for (i, (token, word)) in tokens.iter().zip(&words).enumerate() {
            if token.kind != TokenKind::Word {
                continue;
            }
            if !word.is_free() {
                let from = word.chars_from as usize;
                for &column in &self.word_char_columns[from..from + word.chars_len as usize] {
                    found(column, token.start, token.end);
                }
                continue;
            }
            while let Some((_, key)) = grams.next_if(|&(of, _)| of == i) {
                let column = self.index.get(key);
                if !column.is_free() {
                    found(column, token.start, token.end);
                }
            }
        }
    }

    pub fn n_features(&self) -> usize {
        self.names.len()
    }

    /// Checks that a loaded vectoriser's tables agree in size.
    pub fn check(&self) -> Result<(), String> {
        if self.blocks.len() != self.names.len() || self.idf.len() != self.names.len() {
            return Err("vocabulary tables of different sizes".to_string());
        }
        if self.idf.iter().any(|v| !v.is_finite()) {
            return Err("non-finite idf".to_string());
        }
        // Every n-gram length up to the longest is tried on every text: a damaged length
        // (up to 2^64) would make scoring one comment run for ever.
        let (_, max_word) = self.options.word_ngrams;
        let max_char = self.options.char_ngrams.map_or(0, |(_, max)| max);
        if max_word.max(max_char) > MAX_NGRAM {
            return Err(format!(
                "n-gram lengths up to {} (at most {MAX_NGRAM} are supported)",
                max_word.max(max_char)
            ));
        }
        Ok(())
    }

    pub fn feature_name(&self, column: usize) -> &str {
        &self.names[column]
    }

    pub fn block(&self, column: usize) -> Block {
        self.blocks[column]
    }

    /// The TF-IDF row of one text, sorted by column.
    pub fn transform_one(&self, text: &str) -> Vec<(u32, f32)> {
        self.transform_tokens(&tokenize(text, &self.normalizer))
    }

    /// The TF-IDF row of a text given as its tokens (folded with [`Self::normalizer`]).
    pub fn transform_tokens(&self, tokens: &[Token]) -> Vec<(u32, f32)> {
        let mut columns: Vec<u32> = Vec::with_capacity(self.capacity_hint(tokens));
        self.for_each_column(tokens, |column, _, _| columns.push(column));
        self.weigh(columns)
    }

    /// [`transform_tokens`](Self::transform_tokens), also filling `evidence` with every
    /// n-gram found (what [`occurrences`](Self::occurrences) gives, in the same order), each
    /// pointing at the entry of the row it counts toward.
    pub fn transform_tokens_with_evidence(
        &self,
        tokens: &[Token],
        evidence: &mut Vec<Evidence>,
    ) -> Vec<(u32, f32)> {
        evidence.clear();
        evidence.reserve(self.capacity_hint(tokens));
        // Columns go in the high half of a sort key, the occurrence's rank in the low one.
        let mut keys: Vec<u64> = Vec::with_capacity(self.capacity_hint(tokens));
        self.for_each_column(tokens, |column, start, end| {
            keys.push(u64::from(column) << 32 | evidence.len() as u64);
            evidence.push(Evidence {
                entry: 0,
                start: start as u32,
                end: end as u32,
            });
        });
        let row = self.count_columns(keys, |key, entry| {
            evidence[key as u32 as usize].entry = entry as u32;
        });
        self.weigh_counts(row)
    }

    /// About how many n-grams `tokens` give (two word n-grams per token, and the character
    /// n-grams of a word of average length when they are on).
    fn capacity_hint(&self, tokens: &[Token]) -> usize {
        let per_token = if self.options.char_ngrams.is_some() {
            32
        } else {
            2
        };
        tokens.len() * per_token
    }

    /// Sorts keys whose high 32 bits are a column: by radix on the column (stable, so the
    /// low bits keep their order, which is increasing) for long rows, else by comparison.
    /// Either way the keys end up in increasing order.
    fn sort_keys(&self, keys: &mut Vec<u64>) {
        let bits = 32 - (self.names.len().max(2) as u32 - 1).leading_zeros();
        if keys.len() < 128 || bits > 22 {
            keys.sort_unstable();
            return;
        }
        let digit = bits.div_ceil(2);
        let mask = (1u64 << digit) - 1;
        let mut counts = vec![0usize; 1 << digit];
        let mut scratch = vec![0u64; keys.len()];
        for pass in 0..2 {
            let shift = 32 + pass * digit;
            counts.iter_mut().for_each(|c| *c = 0);
            for &key in keys.iter() {
                counts[((key >> shift) & mask) as usize] += 1;
            }
            let mut total = 0;
            for c in counts.iter_mut() {
                let n = *c;
                *c = total;
                total += n;
            }
            for &key in keys.iter() {
                let slot = &mut counts[((key >> shift) & mask) as usize];
                scratch[*slot] = key;
                *slot += 1;
            }
            std::mem::swap(keys, &mut scratch);
        }
    }

    /// Turns a list of column occurrences into normalised tf-idf weights.
    fn weigh(&self, columns: Vec<u32>) -> Vec<(u32, f32)> {
        let keys: Vec<u64> = columns.into_iter().map(|c| u64::from(c) << 32).collect();
        let row = self.count_columns(keys, |_, _| {});
        self.weigh_counts(row)
    }

    /// Sorts keys (column in the high 32 bits) and counts each column: (column, count) pairs
    /// sorted by column. `entry` hears each key with the index of its column's pair.
    fn count_columns(
        &self,
        mut keys: Vec<u64>,
        mut entry: impl FnMut(u64, usize),
    ) -> Vec<(u32, f32)> {
        self.sort_keys(&mut keys);
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(keys.len());
        for key in keys {
            let column = (key >> 32) as u32;
            match row.last_mut() {
                Some((last, count)) if *last == column => *count += 1.0,
                _ => row.push((column, 1.0)),
            }
            entry(key, row.len() - 1);
        }
        row
    }

    /// Turns (column, count) pairs, sorted by column, into normalised tf-idf weights.
    fn weigh_counts(&self, mut row: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
        let mut norms = [0f32; 2];
        for (column, value) in row.iter_mut() {
            // A count of one (most of them) weighs 1 either way: ln(1) is exactly 0.
            let tf = if self.options.sublinear_tf && *value != 1.0 {
                1.0 + value.ln()
            } else {
                *value
            };
            *value = tf * self.idf[*column as usize];
            norms[self.blocks[*column as usize] as usize] += *value * *value;
        }
        let norms = norms.map(|n| if n > 0.0 { n.sqrt() } else { 1.0 });
        for (column, value) in row.iter_mut() {
            *value /= norms[self.blocks[*column as usize] as usize];
        }
        row
    }

    /// The rows of many texts, computed in parallel, in input order.
    pub fn transform(&self, texts: &[&str]) -> SparseMatrix {
        let rows: Vec<Vec<(u32, f32)>> = texts.par_iter().map(|t| self.transform_one(t)).collect();
        SparseMatrix::from_rows(self.n_features(), rows)
    }

    /// Every kept feature of `text` with the byte span that produced it, for explanations.
    pub fn occurrences(&self, text: &str) -> Vec<(u32, usize, usize)> {
        let tokens = tokenize(text, &self.normalizer);
        let mut found = Vec::new();
        self.for_each_column(&tokens, |column, start, end| {
            found.push((column, start, end))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_only() -> TfIdfOptions {
        TfIdfOptions {
            char_ngrams: None,
            min_df: 1,
            ..TfIdfOptions::default()
        }
    }

    #[test]
    fn smoothed_idf_and_sublinear_tf_match_the_textbook_formulas() {
        let texts = ["le mali le mali", "le sahel"];
        let tfidf = TfIdf::fit(&texts, words_only(), Normalizer::default());
        let column = |name: &str| {
            (0..tfidf.n_features())
                .find(|&c| tfidf.feature_name(c) == name)
                .unwrap()
        };
        let idf_le = tfidf.idf[column("le")];
        let idf_mali = tfidf.idf[column("mali")];
        assert!(
            (idf_le - 1.0).abs() < 1e-6,
            "in every document: ln(3/3) + 1"
        );
        assert!((idf_mali - ((3.0f32 / 2.0).ln() + 1.0)).abs() < 1e-6);
        let row = tfidf.transform_one("le mali le mali");
        let norm: f32 = row.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        let weight = |name: &str| {
            row.iter()
                .find(|(c, _)| *c as usize == column(name))
                .unwrap()
                .1
        };
        // tf = 1 + ln 2 for "le" and "mali", 1 for "mali le".
        let ratio = weight("le") / weight("mali");
        assert!((ratio - idf_le / idf_mali).abs() < 1e-5);
    }

    #[test]
    fn min_df_and_max_features_prune_the_vocabulary() {
        let texts = ["a b", "a c", "a b"];
        let options = TfIdfOptions {
            min_df: 2,
            ..words_only()
        };
        let tfidf = TfIdf::fit(&texts, options.clone(), Normalizer::default());
        let mut names: Vec<&str> = (0..tfidf.n_features())
            .map(|c| tfidf.feature_name(c))
            .collect();
        names.sort();
        assert_eq!(names, ["a", "a b", "b"]);
        let capped = TfIdf::fit(
            &texts,
            TfIdfOptions {
                max_features: Some(1),
                ..options
            },
            Normalizer::default(),
        );
        assert_eq!(capped.feature_name(0), "a");
    }

    #[test]
    fn char_ngrams_stay_inside_words_and_blocks_are_normalised_apart() {
        let tfidf = TfIdf::fit(
            &["ab cd"],
            TfIdfOptions {
                min_df: 1,
                char_ngrams: Some((2, 3)),
                ..TfIdfOptions::default()
            },
            Normalizer::default(),
        );
        let names: Vec<&str> = (0..tfidf.n_features())
            .map(|c| tfidf.feature_name(c))
            .collect();
        assert!(names.contains(&" ab") && names.contains(&"ab ") && !names.contains(&"b c"));
        let row = tfidf.transform_one("ab cd");
        let block_norm = |block: Block| -> f32 {
            row.iter()
                .filter(|(c, _)| tfidf.block(*c as usize) == block)
                .map(|(_, v)| v * v)
                .sum()
        };
        assert!((block_norm(Block::Word) - 1.0).abs() < 1e-5);
        assert!((block_norm(Block::Char) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn a_reloaded_vectoriser_gives_the_same_rows() {
        let texts = ["Il faut agir vite", "agir ensemble contre la vie chère"];
        let tfidf = TfIdf::fit_every_ngram(&texts);
        let json = serde_json::to_string(&tfidf).unwrap();
        let mut loaded: TfIdf = serde_json::from_str(&json).unwrap();
        loaded.rebuild_index();
        assert_eq!(
            loaded.transform_one(texts[1]),
            tfidf.transform_one(texts[1])
        );
        assert!(!tfidf.transform_one(texts[1]).is_empty());
    }

    #[test]
    fn occurrences_point_at_the_words_that_produced_them() {
        let text = "Il faut les brûler";
        let tfidf = TfIdf::fit(&[text], words_only(), Normalizer::default());
        let spans: Vec<(&str, &str)> = tfidf
            .occurrences(text)
            .into_iter()
            .map(|(c, s, e)| (tfidf.feature_name(c as usize), &text[s..e]))
            .collect();
        assert!(spans.contains(&("brûler", "brûler")));
        assert!(spans.contains(&("les brûler", "les brûler")));
    }

    #[test]
    fn vocabulary_words_give_the_ngrams_that_cutting_them_up_gives() {
        let texts = [
            "Le marché de Sévaré rouvre, les éleveurs reviennent",
            "les éleveurs peuls et dogons signent un pacte au marché",
        ];
        // Known words (cached), unknown ones (cut up), accents, a repeat.
        let text = "Marché rouvert : les éleveurs peuls reviennent, Sévaré respire, marché !";
        let every = TfIdfOptions {
            min_df: 1,
            ..TfIdfOptions::default()
        };
        for options in [
            every.clone(),
            TfIdfOptions {
                char_ngrams: None,
                ..every.clone()
            },
            TfIdfOptions {
                word_ngrams: (2, 3),
                ..every.clone()
            },
            TfIdfOptions {
                word_ngrams: (1, 3),
                char_ngrams: Some((3, 4)),
                ..every.clone()
            },
        ] {
            let tfidf = TfIdf::fit(&texts, options.clone(), Normalizer::default());
            let tokens = tokenize(text, &tfidf.normalizer);
            let mut cut_up = Vec::new();
            for_each_ngram(&tokens, &tfidf.options, |o, _| {
                let column = tfidf.index.get(o.key);
                if !column.is_free() {
                    cut_up.push((column, o.start, o.end));
                }
            });
            assert_eq!(tfidf.occurrences(text), cut_up, "{options:?}");
            let has_chars = cut_up
                .iter()
                .any(|&(c, _, _)| tfidf.block(c as usize) == Block::Char);
            assert_eq!(has_chars, options.char_ngrams.is_some());
            assert_eq!(tfidf.words.len() == 0, options.word_ngrams.0 > 1);
        }
    }
}
