//! Exact and near duplicates of earlier comments, in posting order, across every thread.
//!
//! Each comment's text is reduced to its set of character 5-shingles (after folding case,
//! accents and punctuation, so light edits still match). A MinHash signature (90 hashes) cut
//! into 30 bands of 3 finds candidates — a pair at 0.5 Jaccard collides in some band with
//! probability 0.98, at 0.6 with 0.998, while unrelated comments (Jaccard about 0.03) collide
//! with probability 0.0008 — and every candidate is verified by the exact Jaccard of the two
//! shingle sets. (Two-row bands would catch more but make about 3% of all earlier comments
//! candidates of every new one: quadratic on a large dump.) Exact copies are found by a hash of the folded text. Written by hand because
//! no maintained crate does streaming MinHash-LSH with exact verification and clusters.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::rng::splitmix64;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const SHINGLE: usize = 5;
const BANDS: usize = 30;
const ROWS: usize = 3;
const HASHES: usize = BANDS * ROWS;
/// Candidates verified per comment: those sharing the most bands (an estimate of their
/// similarity). Bounds the work per comment when a dump repeats one template many times.
const MAX_VERIFIED: usize = 16;
/// Comments kept per band bucket; later ones still enter the other bands' buckets.
const MAX_BUCKET: usize = 64;

/// What the index knows of an earlier comment that this one copies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateOf {
    /// The position (in insertion order) of the most similar earlier comment.
    pub earlier: usize,
    /// Jaccard similarity of the two shingle sets (1.0 for an exact copy).
    pub similarity: f32,
    pub exact: bool,
}

/// What inserting a comment found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateReport {
    pub best: Option<DuplicateOf>,
    /// The position of the first comment of this comment's cluster (itself when it copies
    /// nothing).
    pub cluster: usize,
    /// How many comments the cluster has so far, this one included.
    pub cluster_size: usize,
}

/// A comment reduced to what the index compares (see [`NearDuplicateIndex::prepare`]).
#[derive(Debug, Clone)]
pub struct PreparedText {
    /// Hash of the folded text; `None` for a comment with no letters or digits.
    exact_key: Option<u64>,
    shingles: Vec<u32>,
    signature: [u32; HASHES],
}

impl Default for PreparedText {
    fn default() -> Self {
        PreparedText {
            exact_key: None,
            shingles: Vec::new(),
            signature: [u32::MAX; HASHES],
        }
    }
}

/// Streaming index of every comment inserted so far.
#[derive(Debug)]
pub struct NearDuplicateIndex {
    /// Minimum Jaccard similarity for a verified candidate to count as a near-copy.
    threshold: f32,
    seeds: [(u64, u64); HASHES],
    bands: Vec<FxHashMap<u64, Vec<u32>>>,
    shingles: Vec<Box<[u32]>>,
    exact: FxHashMap<u64, u32>,
    cluster_of: Vec<u32>,
    cluster_size: Vec<u32>,
}

impl Default for NearDuplicateIndex {
    fn default() -> Self {
        NearDuplicateIndex::new(0.5)
    }
}

impl NearDuplicateIndex {
    pub fn new(threshold: f32) -> Self {
        // Fixed odd multipliers and offsets (a splitmix sequence): the same signatures on
        // every run and every machine.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let seeds = std::array::from_fn(|_| (splitmix64(&mut state) | 1, splitmix64(&mut state)));
        NearDuplicateIndex {
            threshold,
            seeds,
            bands: vec![FxHashMap::default(); BANDS],
            shingles: Vec::new(),
            exact: FxHashMap::default(),
            cluster_of: Vec::new(),
            cluster_size: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.shingles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty()
    }

    /// Compares `text` with every earlier comment, then adds it.
    pub fn insert(&mut self, text: &str) -> DuplicateReport {
        let prepared = self.prepare(text);
        self.insert_prepared(prepared)
    }

    /// The part of [`insert`](Self::insert) that depends on the text alone (folding,
    /// shingles, signature): it can run in parallel, ahead of the ordered insertions.
    pub fn prepare(&self, text: &str) -> PreparedText {
        let folded = fold(text);
        if folded.is_empty() {
            return PreparedText::default();
        }
        let shingles = shingle_set(&folded);
        PreparedText {
            exact_key: Some(hash_str(&folded)),
            signature: self.signature(&shingles),
            shingles,
        }
    }

    /// Compares a prepared comment with every earlier comment, then adds it.
    pub fn insert_prepared(&mut self, prepared: PreparedText) -> DuplicateReport {
        let position = self.shingles.len() as u32;
        let Some(exact_key) = prepared.exact_key else {
            // Empty comments copy nothing and nothing copies them.
            self.shingles.push(Box::new([]));
            return self.join(position, None);
        };
        if let Some(&earlier) = self.exact.get(&exact_key) {
            let shingles = self.shingles[earlier as usize].clone();
            self.shingles.push(shingles);
            let best = DuplicateOf {
                earlier: earlier as usize,
                similarity: 1.0,
                exact: true,
            };
            return self.join(position, Some(best));
        }
        self.exact.insert(exact_key, position);
        let PreparedText {
            shingles,
            signature,
            ..
        } = prepared;
        let mut hits: Vec<u32> = Vec::new();
        for (band, rows) in signature.chunks(ROWS).enumerate() {
            let key = band_key(rows);
            let bucket = self.bands[band].entry(key).or_default();
            hits.extend_from_slice(bucket);
            if bucket.len() < MAX_BUCKET {
                bucket.push(position);
            }
        }
        hits.sort_unstable();
        // (bands shared, candidate), most shared first, then earliest.
        let mut candidates: Vec<(usize, u32)> = hits
            .chunk_by(|a, b| a == b)
            .map(|run| (run.len(), run[0]))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(MAX_VERIFIED);
        let best = candidates
            .into_iter()
            .map(|(_, c)| (c, jaccard(&shingles, &self.shingles[c as usize])))
            .filter(|&(_, similarity)| similarity >= self.threshold)
            // The most similar; on a tie the earliest.
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(earlier, similarity)| DuplicateOf {
                earlier: earlier as usize,
                similarity,
                exact: false,
            });
        self.shingles.push(shingles.into_boxed_slice());
        self.join(position, best)
    }

    /// Records the cluster of a new comment.
    fn join(&mut self, position: u32, best: Option<DuplicateOf>) -> DuplicateReport {
        let cluster = match best {
            Some(of) => self.cluster_of[of.earlier],
            None => position,
        };
        self.cluster_of.push(cluster);
        if cluster == position {
            self.cluster_size.push(1);
        } else {
            self.cluster_size.push(0);
            self.cluster_size[cluster as usize] += 1;
        }
        DuplicateReport {
            best,
            cluster: cluster as usize,
            cluster_size: self.cluster_size[cluster as usize] as usize,
        }
    }

    fn signature(&self, shingles: &[u32]) -> [u32; HASHES] {
        let mut signature = [u32::MAX; HASHES];
        for &shingle in shingles {
            let x = u64::from(shingle);
            for (slot, &(a, b)) in signature.iter_mut().zip(&self.seeds) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                if h < *slot {
                    *slot = h;
                }
            }
        }
        signature
    }
}

/// Lower case, no accents, letters and digits only, single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

fn hash_str(s: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(s.as_bytes());
    hasher.finish()
}

fn band_key(rows: &[u32]) -> u64 {
    let mut hasher = FxHasher::default();
    for &r in rows {
        hasher.write_u32(r);
    }
    hasher.finish()
}

/// The sorted, deduplicated 5-shingles of a folded text (the whole text when shorter).
fn shingle_set(folded: &str) -> Vec<u32> {
    let boundaries: Vec<usize> = folded
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(folded.len()))
        .collect();
    let chars = boundaries.len() - 1;
    let mut set: Vec<u32> = if chars <= SHINGLE {
        vec![hash_str(folded) as u32]
    } else {
        (0..=chars - SHINGLE)
            .map(|i| hash_str(&folded[boundaries[i]..boundaries[i + SHINGLE]]) as u32)
            .collect()
    };
    set.sort_unstable();
    set.dedup();
    set
}

/// Exact Jaccard similarity of two sorted sets.
fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f32 / (a.len() + b.len() - common) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "Mêmes pas capables de sécuriser l'aéroport militaire et l'école de la gendarmerie, vous croyez que ces militaires de salon pourront protéger les civils ?";

    #[test]
    fn finds_exact_and_lightly_edited_copies_and_clusters_them() {
        let mut index = NearDuplicateIndex::default();
        assert_eq!(index.insert(ORIGINAL).best, None);
        assert_eq!(
            index
                .insert("Le prix du riz a encore augmenté au marché de Sandaga.")
                .best,
            None
        );
        let exact = index.insert(&ORIGINAL.to_uppercase()).best.unwrap();
        assert!(exact.exact && exact.earlier == 0 && exact.similarity == 1.0);
        let edited = ORIGINAL
            .replace("Mêmes pas", "Meme pas")
            .replace(" ?", " !!!");
        let report = index.insert(&edited);
        let near = report.best.unwrap();
        assert_eq!(near.earlier, 0);
        assert!(!near.exact && near.similarity > 0.8, "{near:?}");
        assert_eq!((report.cluster, report.cluster_size), (0, 3));
    }

    #[test]
    fn different_comments_on_the_same_topic_are_not_copies() {
        let mut index = NearDuplicateIndex::default();
        index.insert("La junte doit rendre le pouvoir aux civils avant la fin de l'année.");
        let report = index.insert(
            "Les civils ne veulent pas de la junte, ils veulent des élections cette année.",
        );
        assert_eq!(report.best, None);
        assert_eq!(report.cluster, 1);
    }

    #[test]
    fn empty_comments_match_nothing() {
        let mut index = NearDuplicateIndex::default();
        index.insert("");
        assert_eq!(index.insert("  ").best, None);
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn exact_jaccard() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
