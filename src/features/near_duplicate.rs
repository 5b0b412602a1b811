//! Exact and near duplicates of earlier comments, in posting order, across every thread.
//!
//! Each comment's text is reduced to its set of character 5-shingles (after folding case,
//! accents and punctuation, so light edits still match). A MinHash signature (90 hashes) cut
//! into 30 bands of 3 finds candidates — a pair at 0.5 Jaccard collides in some band with
//! probability 0.98, at 0.6 with 0.998, while unrelated comments (Jaccard about 0.03) collide
//! with probability 0.0008 — and every candidate is verified by the exact Jaccard of the two
//! shingle sets. (Two-row bands would catch more but make about 3% of all earlier comments
//! candidates of every new one: quadratic on a large dump.) Exact copies are found by a hash
//! of the folded text. Written by hand because no maintained crate does streaming MinHash-LSH
//! with exact verification and clusters.

use std::hash::Hasher;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use std::collections::hash_map::Entry;

use super::hash_table::{prefetch, HashTable, Key, Value};
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
/// How many comments ahead the band tables' cache lines are asked for.
const LOOK_AHEAD: usize = 8;
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
    /// The key of each band of the MinHash signature.
    band_keys: [u32; BANDS],
}

impl Default for PreparedText {
    fn default() -> Self {
        PreparedText {
            exact_key: None,
            shingles: Vec::new(),
            band_keys: [0; BANDS],
        }
    }
}

/// Comments a new comment is compared with, at least: the index keeps between
/// `WINDOW / 2` and `WINDOW` of the latest comments, so its memory is bounded however long
/// the stream (about 1.5 KB per comment kept). Copies in a comment section come within
/// hours of their original; 100,000 comments is days of a large site.
pub const WINDOW: usize = 200_000;

/// Streaming index of the latest comments (see [`WINDOW`]).
#[derive(Debug)]
pub struct NearDuplicateIndex {
    /// Minimum Jaccard similarity for a verified candidate to count as a near-copy.
    threshold: f32,
    seeds: [(u32, u32); HASHES],
    window: usize,
    /// The comments before `newer`, kept until `newer` holds half the window.
    older: Generation,
    newer: Generation,
    /// The cluster of each comment in the window, by position.
    cluster_of: Window<u32>,
    /// The clusters with more than one comment, by the position of their first. A cluster
    /// none of whose comments is in the window can gain no more, and is forgotten.
    clusters: FxHashMap<u32, Cluster>,
}

/// What the index keeps of a cluster with more than one comment.
#[derive(Debug, Clone, Copy)]
struct Cluster {
    size: u32,
    /// The position of its latest comment.
    latest: u32,
}

/// Values by position for the latest positions only: older ones are dropped on
/// [`trim`](Window::trim).
#[derive(Debug, Clone)]
pub struct Window<T> {
    /// The position of `values[0]`.
    start: usize,
    values: std::collections::VecDeque<T>,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            start: 0,
            values: std::collections::VecDeque::new(),
        }
    }
}

impl<T> Window<T> {
    /// The first position kept.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The next position.
    pub fn end(&self) -> usize {
        self.start + self.values.len()
    }

    pub fn push(&mut self, value: T) {
        self.values.push_back(value);
    }

    /// The value at `position`, unless it was dropped (or not pushed yet).
    pub fn get(&self, position: usize) -> Option<&T> {
        position
            .checked_sub(self.start)
            .and_then(|i| self.values.get(i))
    }

    /// Drops the values before `position`.
    pub fn trim(&mut self, position: usize) {
        while self.start < position && self.values.pop_front().is_some() {
            self.start += 1;
        }
    }
}

/// The comments of one stretch of the stream, from position `start` on.
#[derive(Debug, Default)]
struct Generation {
    start: usize,
    bands: Vec<Band>,
    /// The shingles of the comment at `start + i` are `shingles.get(i)`; empty for empty
    /// comments and exact copies that are not kept (see [`Plan::Exact`]), which are never
    /// candidates.
    shingles: ShingleStore,
    /// Where each text (by the hash of its folded form) first came in this generation.
    exact: FxHashMap<u64, u32>,
}

impl Generation {
    fn new(start: usize) -> Self {
        Generation {
            start,
            bands: (0..BANDS).map(|_| Band::default()).collect(),
            ..Generation::default()
        }
    }

    /// Forgets every comment and starts again at `start`, keeping the memory: the tables
    /// and blocks of a generation that held half a window are the right size for the next.
    fn reset(&mut self, start: usize) {
        self.start = start;
        for band in &mut self.bands {
            band.buckets.clear();
            band.more.clear();
        }
        self.shingles.clear();
        self.exact.clear();
    }

    /// Comments stored in this generation.
    fn len(&self) -> usize {
        self.shingles.len()
    }

    fn shingles(&self, position: usize) -> &[u32] {
        self.shingles.get(position - self.start)
    }
}

/// Shingle sets one after another in blocks that never move: one growing vector copied
/// everything it held at each doubling, a sixth of a 200,000-comment run's wall time.
#[derive(Debug, Default)]
struct ShingleStore {
    /// Each of capacity [`SHINGLE_BLOCK`] (or one set's length, when longer).
    blocks: Vec<Vec<u32>>,
    /// The block of each set, and where it starts and ends in it.
    spans: Vec<(u32, u32, u32)>,
    /// Emptied blocks, filled again before new ones are allocated.
    spare: Vec<Vec<u32>>,
}

/// Shingles per block of a [`ShingleStore`] (1 MB).
const SHINGLE_BLOCK: usize = 1 << 18;

impl ShingleStore {
    fn len(&self) -> usize {
        self.spans.len()
    }

    fn push(&mut self, shingles: &[u32]) {
        let room = self.blocks.last().map_or(0, |b| b.capacity() - b.len());
        if room < shingles.len() {
            let mut block = self.spare.pop().unwrap_or_default();
            block.reserve_exact(SHINGLE_BLOCK.max(shingles.len()));
            self.blocks.push(block);
        }
        let index = self.blocks.len().saturating_sub(1);
        let span = match self.blocks.last_mut() {
            Some(block) => {
                let start = block.len();
                block.extend_from_slice(shingles);
                (index as u32, start as u32, block.len() as u32)
            }
            None => (0, 0, 0),
        };
        self.spans.push(span);
    }

    fn get(&self, i: usize) -> &[u32] {
        let (block, start, end) = self.spans[i];
        self.blocks
            .get(block as usize)
            .map_or(&[], |b| &b[start as usize..end as usize])
    }

    /// Empties the store, keeping its blocks for the next sets.
    fn clear(&mut self) {
        for mut block in self.blocks.drain(..) {
            block.clear();
            self.spare.push(block);
        }
        self.spans.clear();
    }
}

/// One band of the LSH table: the comments whose signatures agree on its rows. Bands are
/// independent of each other, so a batch fills them in parallel.
#[derive(Debug, Default)]
struct Band {
    /// Buckets by key, four to a cache line.
    buckets: HashTable<u32, Bucket, 4>,
    /// The members of buckets after their first, at most [`MAX_BUCKET`]` - 1` each.
    more: Vec<Vec<u32>>,
}

/// The positions of the comments of one bucket, in insertion order: the first inline (most
/// buckets never get a second), the others in [`Band::more`]. A copy of it is a snapshot
/// of what the bucket held, since members are only ever appended.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    len: u32,
    first: u32,
    /// Index in [`Band::more`], `u32::MAX` until a second member comes.
    more: u32,
}

const EMPTY_BUCKET: Bucket = Bucket {
    len: 0,
    first: 0,
    more: u32::MAX,
};

impl Band {
    /// Adds `position` to the bucket of `key` (unless full) and returns what the bucket
    /// held before.
    fn join(&mut self, key: u32, position: u32) -> Bucket {
        let bucket = self.buckets.entry(key);
        let before = *bucket;
        match bucket.len as usize {
            0 => bucket.first = position,
            MAX_BUCKET.. => return before,
            _ => {
                if bucket.more == u32::MAX {
                    bucket.more = self.more.len() as u32;
                    self.more.push(Vec::new());
                }
                self.more[bucket.more as usize].push(position);
            }
        }
        bucket.len += 1;
        before
    }

    /// Where the members of a bucket after its first are kept, if it has more than one.
    fn more_of(&self, bucket: Bucket) -> Option<&Vec<u32>> {
        (bucket.len > 1).then(|| &self.more[bucket.more as usize])
    }

    /// The members of a bucket snapshot.
    fn members(&self, bucket: Bucket) -> impl Iterator<Item = u32> + '_ {
        let more: &[u32] = match self.more_of(bucket) {
            Some(more) => &more[..bucket.len as usize - 1],
            None => &[],
        };
        (bucket.len > 0)
            .then_some(bucket.first)
            .into_iter()
            .chain(more.iter().copied())
    }
}

impl Value for Bucket {
    const FREE: Bucket = EMPTY_BUCKET;
    fn is_free(&self) -> bool {
        self.len == 0
    }
}

/// What the ordered part of an insertion decided for one comment of a batch.
enum Plan {
    /// No letters or digits: copies nothing.
    Empty,
    /// An exact copy of the comment at `earlier`. It is `kept` (in the band buckets and the
    /// shingle store, like a searched comment) when it is the first copy of its text in the
    /// newer generation: copies coming after the older one is forgotten still find it.
    Exact { earlier: u32, kept: bool },
    /// Compare with the comments that were in its band buckets.
    Search,
}

impl Plan {
    /// Whether the comment joins its band buckets and keeps its shingles.
    fn is_kept(&self) -> bool {
        matches!(self, Plan::Search | Plan::Exact { kept: true, .. })
    }
}

impl Default for NearDuplicateIndex {
    fn default() -> Self {
        NearDuplicateIndex::new(0.5)
    }
}

impl NearDuplicateIndex {
    pub fn new(threshold: f32) -> Self {
        NearDuplicateIndex::with_window(threshold, WINDOW)
    }

    /// An index that keeps between `window / 2` and `window` comments.
    pub fn with_window(threshold: f32, window: usize) -> Self {
        // Fixed odd multipliers and offsets (a splitmix sequence): the same signatures on
        // every run and every machine.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let seeds = std::array::from_fn(|_| {
            let draw = splitmix64(&mut state);
            ((draw >> 32) as u32 | 1, draw as u32)
        });
        NearDuplicateIndex {
            threshold,
            seeds,
            window: window.max(2),
            older: Generation::new(0),
            newer: Generation::new(0),
            cluster_of: Window::default(),
            clusters: FxHashMap::default(),
        }
    }

    /// Comments inserted so far.
    pub fn len(&self) -> usize {
        self.cluster_of.end()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first position still compared with new comments.
    pub fn window_start(&self) -> usize {
        self.older.start
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
            band_keys: band_keys(&self.signature(&shingles)),
            shingles,
        }
    }

    /// Compares a prepared comment with every earlier comment, then adds it.
    pub fn insert_prepared(&mut self, prepared: PreparedText) -> DuplicateReport {
        self.insert_batch(vec![prepared])[0]
    }

    /// Inserts prepared comments in order, each compared with every comment before it (in
    /// the window or earlier in the batch): exactly what inserting them one by one gives.
    ///
    /// The ordered part (exact keys, band buckets, clusters) is cheap; the verification of
    /// candidates by exact Jaccard, which only reads, runs in parallel.
    pub fn insert_batch(&mut self, prepared: Vec<PreparedText>) -> Vec<DuplicateReport> {
        // The window moves between batches only, so every position a plan names stays.
        if self.newer.len() >= self.window / 2 {
            let mut forgotten = std::mem::take(&mut self.older);
            forgotten.reset(self.len());
            self.older = std::mem::replace(&mut self.newer, forgotten);
            let start = self.older.start;
            self.cluster_of.trim(start);
            self.clusters
                .retain(|_, cluster| cluster.latest as usize >= start);
        }
        let base = self.len();
        let plans: Vec<Plan> = prepared
            .iter()
            .enumerate()
            .map(|(i, p)| self.plan((base + i) as u32, p))
            .collect();
        // Per band, per comment: what its buckets held before it joined, in the older
        // generation and in the newer one (bands in parallel, comments in order within each).
        let older = &self.older;
        let snapshots: Vec<Vec<(Bucket, Bucket)>> = self
            .newer
            .bands
            .par_iter_mut()
            .zip(&older.bands)
            .enumerate()
            .map(|(band, (table, older_table))| {
                plans
                    .iter()
                    .zip(&prepared)
                    .enumerate()
                    .map(|(i, (plan, p))| {
                        // The buckets of a comment a few ahead are asked for now, so that
                        // their cache lines arrive while this one's are used.
                        if let Some(ahead) = prepared.get(i + LOOK_AHEAD) {
                            older_table.buckets.prefetch(ahead.band_keys[band]);
                            table.buckets.prefetch(ahead.band_keys[band]);
                        }
                        if !plan.is_kept() {
                            return (EMPTY_BUCKET, EMPTY_BUCKET);
                        }
                        let key = p.band_keys[band];
                        let in_newer = table.join(key, (base + i) as u32);
                        match plan {
                            // Only a searched comment is compared with what was there.
                            Plan::Search => (older_table.buckets.get(key), in_newer),
                            _ => (EMPTY_BUCKET, EMPTY_BUCKET),
                        }
                    })
                    .collect()
            })
            .collect();
        let this = &*self;
        let shingles_of = |position: u32| -> &[u32] {
            let position = position as usize;
            match position.checked_sub(base) {
                Some(i) => &prepared[i].shingles,
                None if position >= this.newer.start => this.newer.shingles(position),
                None => this.older.shingles(position),
            }
        };
        let bests: Vec<Option<DuplicateOf>> = plans
            .par_iter()
            .zip(prepared.par_iter())
            .enumerate()
            .map_init(SharedBands::default, |shared, (i, (plan, p))| match plan {
                Plan::Empty => None,
                Plan::Exact { earlier, .. } => Some(DuplicateOf {
                    earlier: *earlier as usize,
                    similarity: 1.0,
                    exact: true,
                }),
                Plan::Search => {
                    let buckets = snapshots.iter().map(|band| band[i]);
                    this.verify(&p.shingles, buckets, &shingles_of, shared)
                }
            })
            .collect();
        let mut reports = Vec::with_capacity(prepared.len());
        for ((plan, p), best) in plans.iter().zip(prepared).zip(bests) {
            let stored: &[u32] = if plan.is_kept() { &p.shingles } else { &[] };
            self.newer.shingles.push(stored);
            let position = self.cluster_of.end() as u32;
            reports.push(self.join(position, best));
        }
        reports
    }

    /// The ordered part of inserting the comment at `position` that the bands do not do:
    /// its exact key.
    fn plan(&mut self, position: u32, prepared: &PreparedText) -> Plan {
        let Some(exact_key) = prepared.exact_key else {
            // Empty comments copy nothing and nothing copies them.
            return Plan::Empty;
        };
        let in_older = self.older.exact.get(&exact_key).copied();
        match self.newer.exact.entry(exact_key) {
            Entry::Occupied(in_newer) => Plan::Exact {
                earlier: in_older.unwrap_or(*in_newer.get()),
                kept: false,
            },
            Entry::Vacant(slot) => {
                slot.insert(position);
                match in_older {
                    Some(earlier) => Plan::Exact {
                        earlier,
                        kept: true,
                    },
                    None => Plan::Search,
                }
            }
        }
    }

    /// The most similar earlier comment among the candidates of the buckets, if it reaches
    /// the threshold.
    fn verify<'s>(
        &'s self,
        shingles: &[u32],
        buckets: impl Iterator<Item = (Bucket, Bucket)>,
        shingles_of: &impl Fn(u32) -> &'s [u32],
        shared: &mut SharedBands,
    ) -> Option<DuplicateOf> {
        // Collected once: walking the batch's snapshots (one vector per band) three times
        // instead took 9% longer on 200k comments than this small allocation.
        let buckets: Vec<(&Band, Bucket)> = (self.older.bands.iter().zip(&self.newer.bands))
            .zip(buckets)
            .flat_map(|((older, newer), (in_older, in_newer))| {
                [(older, in_older), (newer, in_newer)]
            })
            .collect();
        // The members after each bucket's first are two reads away (the vector, then its
        // values): both are asked for ahead, for every bucket, before any is read.
        for (band, bucket) in &buckets {
            if let Some(more) = band.more_of(*bucket) {
                prefetch(std::ptr::from_ref(more));
            }
        }
        for (band, bucket) in &buckets {
            if let Some(more) = band.more_of(*bucket) {
                prefetch(more.as_ptr());
            }
        }
        let members = buckets.iter().map(|(_, bucket)| bucket.len as usize).sum();
        if members == 0 {
            return None;
        }
        shared.make_room(members);
        for (band, bucket) in buckets {
            for position in band.members(bucket) {
                shared.count(position);
            }
        }
        let candidates = shared.most_shared(MAX_VERIFIED);
        for &(_, candidate) in &candidates {
            for line in shingles_of(candidate).chunks(16).take(4) {
                prefetch(line.as_ptr());
            }
        }
        // The most similar; on a tie the earliest. A candidate that cannot beat the best so
        // far (or reach the threshold) is given up as soon as that is certain.
        let probe = Probe::new(shingles);
        let mut best: Option<(u32, f32)> = None;
        for (_, candidate) in candidates {
            let target = best.map_or(self.threshold, |(_, s)| s.max(self.threshold));
            let Some(similarity) = probe.jaccard_at_least(shingles_of(candidate), target) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((earlier, s)) => similarity > s || (similarity == s && candidate < earlier),
            };
            if similarity >= self.threshold && better {
                best = Some((candidate, similarity));
            }
        }
        best.map(|(earlier, similarity)| DuplicateOf {
            earlier: earlier as usize,
            similarity,
            exact: false,
        })
    }

    /// Records the cluster of a new comment.
    fn join(&mut self, position: u32, best: Option<DuplicateOf>) -> DuplicateReport {
        let cluster = best
            .and_then(|of| self.cluster_of.get(of.earlier).copied())
            .unwrap_or(position);
        self.cluster_of.push(cluster);
        let cluster_size = if cluster == position {
            1
        } else {
            let state = self.clusters.entry(cluster).or_insert(Cluster {
                size: 1,
                latest: cluster,
            });
            state.size += 1;
            state.latest = position;
            state.size
        };
        DuplicateReport {
            best,
            cluster: cluster as usize,
            cluster_size: cluster_size as usize,
        }
    }

    fn signature(&self, shingles: &[u32]) -> [u32; HASHES] {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { signature_avx2(&self.seeds, shingles) };
        }
        signature_of(&self.seeds, shingles)
    }
}

/// [`signature_of`] compiled for AVX2: eight 32-bit lanes per multiplication.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn signature_avx2(seeds: &[(u32, u32); HASHES], shingles: &[u32]) -> [u32; HASHES] {
    signature_of(seeds, shingles)
}

/// The MinHash signature: for each seed `(a, b)`, the least `a·x + b mod 2³²` over the
/// shingles `x`. With `a` odd each hash is a permutation of the 32-bit values, and the
/// shingles are already hashes of their characters, so these cheap permutations order
/// them as independently as a wider hash would; 32-bit lanes vectorise twice as wide as
/// 64-bit ones. Each shingle updates all the seeds' minima at once (the multipliers and
/// offsets laid out as two arrays, so the lanes are seeds): a third fewer instructions than
/// one seed at a time over the shingles, which ends every seed with a horizontal minimum.
#[inline(always)]
fn signature_of(seeds: &[(u32, u32); HASHES], shingles: &[u32]) -> [u32; HASHES] {
    let a: [u32; HASHES] = std::array::from_fn(|i| seeds[i].0);
    let b: [u32; HASHES] = std::array::from_fn(|i| seeds[i].1);
    let mut signature = [u32::MAX; HASHES];
    for &x in shingles {
        for ((slot, &a), &b) in signature.iter_mut().zip(&a).zip(&b) {
            *slot = (*slot).min(a.wrapping_mul(x).wrapping_add(b));
        }
    }
    signature
}

/// Lower case, no accents, letters and digits only, single spaces.
pub fn fold(text: &str) -> String {
    let mut out = Folded {
        text: String::with_capacity(text.len()),
        space: false,
    };
    // NFKD never reorders across an ASCII character (a starter that decomposes to itself),
    // so ASCII characters are folded directly and only the runs between them go through
    // the Unicode tables: the same characters as folding the whole text at once.
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (run, after) = rest.split_at(ascii);
        out.push_ascii(run);
        let other = after
            .bytes()
            .position(|b| b.is_ascii())
            .unwrap_or(after.len());
        for c in after[..other]
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
        {
            out.push(c);
        }
        rest = &after[other..];
    }
    out.text
}

/// The text [`fold`] is writing, and whether a separator came since its last letter.
struct Folded {
    text: String,
    space: bool,
}

/// Each ASCII byte folded: letters lowered, digits kept, 0 for everything else.
const FOLDED_ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

impl Folded {
    fn separate(&mut self) {
        if self.space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.space = false;
    }

    fn push(&mut self, c: char) {
        if c.is_alphanumeric() {
            self.separate();
            self.text.push(c);
        } else {
            self.space = true;
        }
    }

    /// [`push`](Self::push) for each character of an ASCII text, by table: through the
    /// Unicode tables, folding took ~40 instructions a character.
    fn push_ascii(&mut self, run: &str) {
        for &b in run.as_bytes() {
            match FOLDED_ASCII[usize::from(b & 127)] {
                0 => self.space = true,
                folded => {
                    self.separate();
                    self.text.push(char::from(folded));
                }
            }
        }
    }
}

fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// A band's rows hashed to 32 bits: keys take a third less of the tables' memory than 64-bit
/// ones, and the rare two bands of different rows that share a key only add a candidate,
/// which verification then rules out.
fn band_key(rows: &[u32]) -> u32 {
    let mut hasher = FxHasher::default();
    for &r in rows {
        hasher.write_u32(r);
    }
    let hash = hasher.finish();
    (hash ^ (hash >> 32)) as u32
}

fn band_keys(signature: &[u32; HASHES]) -> [u32; BANDS] {
    let mut keys = [0; BANDS];
    for (key, rows) in keys.iter_mut().zip(signature.chunks(ROWS)) {
        *key = band_key(rows);
    }
    keys
}

/// The sorted, deduplicated 5-shingles of a folded text (the whole text when shorter).
fn shingle_set(folded: &str) -> Vec<u32> {
    let mut set: Vec<u32> = if folded.is_ascii() {
        // Every byte is a character: each shingle's packed bytes come from the last one's.
        match folded.as_bytes() {
            bytes if bytes.len() <= SHINGLE => vec![shingle_hash(bytes)],
            bytes => {
                let mut packed = pack(&bytes[..SHINGLE - 1]) << 8;
                bytes[SHINGLE - 1..]
                    .iter()
                    .map(|&b| {
                        packed = packed >> 8 | u64::from(b) << (8 * (SHINGLE - 1));
                        mix(packed)
                    })
                    .collect()
            }
        }
    } else {
        let boundaries: Vec<usize> = folded
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(folded.len()))
            .collect();
        let chars = boundaries.len() - 1;
        if chars <= SHINGLE {
            vec![shingle_hash(folded.as_bytes())]
        } else {
            (0..=chars - SHINGLE)
                .map(|i| shingle_hash(&folded.as_bytes()[boundaries[i]..boundaries[i + SHINGLE]]))
                .collect()
        }
    };
    sort_hashes(&mut set);
    set.dedup();
    set
}

/// A shingle's hash. Up to 8 bytes (every ASCII shingle) are packed into a word, which
/// [`shingle_set`] can roll along a text: hashing each shingle's bytes anew took a sixth
/// of the preparation. Folded text has no NUL byte, so packing never merges two shingles.
fn shingle_hash(bytes: &[u8]) -> u32 {
    if bytes.len() <= 8 {
        mix(pack(bytes))
    } else {
        hash_bytes(bytes) as u32
    }
}

/// Up to 8 bytes, the first in the lowest.
fn pack(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0, |packed, &b| packed << 8 | u64::from(b))
}

/// Multiplicative hashing: the high half of the product depends on every input bit.
fn mix(packed: u64) -> u32 {
    (packed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// Sorts 32-bit hashes, which spread evenly over their range: one counting pass on the top
/// byte puts each in its 256th of the range, and insertion sort then has only the few
/// values that share a 256th to order. On a comment's hundred or two shingles this took
/// 5.5% off the instructions of a whole scoring run compared with the standard library's
/// comparison sort (which has no such sort). Long sets, where the shares grow, and short
/// ones go to the comparison sort, so no input is slow.
fn sort_hashes(values: &mut Vec<u32>) {
    if !(64..=4096).contains(&values.len()) {
        values.sort_unstable();
        return;
    }
    let mut starts = [0u32; 256];
    for &v in values.iter() {
        starts[(v >> 24) as usize] += 1;
    }
    let mut total = 0;
    for start in starts.iter_mut() {
        let n = *start;
        *start = total;
        total += n;
    }
    let mut sorted = vec![0u32; values.len()];
    for &v in values.iter() {
        let slot = &mut starts[(v >> 24) as usize];
        sorted[*slot as usize] = v;
        *slot += 1;
    }
    for i in 1..sorted.len() {
        let v = sorted[i];
        let mut j = i;
        while j > 0 && sorted[j - 1] > v {
            sorted[j] = sorted[j - 1];
            j -= 1;
        }
        sorted[j] = v;
    }
    *values = sorted;
}

/// How many bands each earlier comment shares with the one being verified: an
/// open-addressing table of a few kilobytes for most comments (at most 64 KB: 60 buckets of
/// 64), reused from comment to comment, where only the slots used are scanned and freed.
/// Sorting the hits to count their runs instead (a radix sort of a few hundred positions)
/// was a third of verification on 200,000 comments. Not a [`HashTable`]: that one is filled
/// once and looked up many times, while this one is filled, read whole and emptied for
/// every comment, so it keeps the list of its slots in use.
#[derive(Debug, Default)]
struct SharedBands {
    /// `(position, bands shared)`; [`FREE`](Self::FREE) marks a free slot.
    slots: Vec<(u32, u32)>,
    /// The slots taken, in the order they were.
    used: Vec<u32>,
}

impl SharedBands {
    /// No comment has this position: positions are counted in `u32`, and the index would
    /// need as many comments as that plus one to hand it out.
    const FREE: u32 = u32::MAX;

    /// Makes room for up to `members` positions, keeping the table at most half full.
    fn make_room(&mut self, members: usize) {
        let size = (2 * members).next_power_of_two().max(16);
        if size > self.slots.len() {
            self.slots = vec![(Self::FREE, 0); size];
        }
    }

    fn count(&mut self, position: u32) {
        let mask = self.slots.len() - 1;
        // Fibonacci hashing spreads consecutive positions over the table.
        let mut slot = position.home(self.slots.len());
        loop {
            let (p, n) = &mut self.slots[slot];
            if *p == position {
                *n += 1;
                return;
            }
            if *p == Self::FREE {
                (*p, *n) = (position, 1);
                self.used.push(slot as u32);
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The `most` candidates `(bands shared, position)` sharing the most bands, the earliest
    /// on a tie, in that order (a total order, so selecting before sorting keeps exactly
    /// those); the table is empty again after.
    fn most_shared(&mut self, most: usize) -> Vec<(u32, u32)> {
        let mut candidates: Vec<(u32, u32)> = (self.used.drain(..))
            .map(|slot| {
                let (position, shared) =
                    std::mem::replace(&mut self.slots[slot as usize], (Self::FREE, 0));
                (shared, position)
            })
            .collect();
        let order = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if candidates.len() > most {
            candidates.select_nth_unstable_by(most, order);
            candidates.truncate(most);
        }
        candidates.sort_unstable_by(order);
        candidates
    }
}

/// Exact Jaccard similarity of two sorted sets.
#[cfg(test)]
fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let common = intersection_size(a, b, 0);
    common as f32 / (a.len() + b.len() - common) as f32
}

/// A comment's shingle set, ready to be compared with many candidates: beside the sorted set,
/// a 4,096-bit map of its shingles' low bits. A pass over a candidate alone then bounds the
/// overlap from above (a shingle whose bit is clear is surely not shared), so a candidate
/// that cannot reach the threshold is mostly given up before the exact merge, and early.
struct Probe<'s> {
    shingles: &'s [u32],
    bits: [u64; 64],
}

impl<'s> Probe<'s> {
    fn new(shingles: &'s [u32]) -> Self {
        let mut bits = [0u64; 64];
        for &x in shingles {
            bits[(x as usize >> 6) & 63] |= 1 << (x & 63);
        }
        Probe { shingles, bits }
    }

    /// Whether `other` may share `needed` shingles with the probe: false only when it
    /// surely does not.
    fn may_share(&self, other: &[u32], needed: usize) -> bool {
        // Shingles of `other` that are surely not shared, and how many it may miss.
        let mut missing = 0;
        let allowed = other.len().saturating_sub(needed);
        for chunk in other.chunks(32) {
            missing += chunk
                .iter()
                .map(|&y| 1 - ((self.bits[(y as usize >> 6) & 63] >> (y & 63)) & 1) as usize)
                .sum::<usize>();
            if missing > allowed {
                return false;
            }
        }
        true
    }

    /// The exact Jaccard similarity with a sorted set `b` (not both empty), or `None` as soon
    /// as it is certain to be below `target`. Exactly the value of [`jaccard`] when it
    /// returns one: the bounds compare the same `common / union` quotient, which never
    /// decreases as `common` grows.
    fn jaccard_at_least(&self, b: &[u32], target: f32) -> Option<f32> {
        let a = self.shingles;
        let total = a.len() + b.len();
        let similarity = |common: usize| common as f32 / (total - common) as f32;
        if similarity(a.len().min(b.len())) < target {
            return None;
        }
        // The fewest common shingles that reach the target: c / (total - c) ≥ t for c at
        // about t·total / (1 + t), settled on the exact quotient.
        let t = f64::from(target.max(0.0));
        let mut needed = ((t * total as f64 / (1.0 + t)) as usize).min(a.len().min(b.len()));
        while needed > 0 && similarity(needed - 1) >= target {
            needed -= 1;
        }
        while similarity(needed) < target {
            needed += 1;
        }
        if !self.may_share(b, needed) {
            return None;
        }
        let common = intersection_size(a, b, needed);
        (common >= needed).then(|| similarity(common))
    }
}

/// The number of values two sorted sets share; stops early (returning less than `needed`)
/// once `needed` is out of reach.
fn intersection_size(a: &[u32], b: &[u32], needed: usize) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        // Branch-free steps; every 32, check that `needed` can still be reached.
        let stop = (i + 32).min(a.len());
        while i < stop && j < b.len() {
            let (x, y) = (a[i], b[j]);
            common += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        if common + (a.len() - i).min(b.len() - j) < needed {
            return common;
        }
    }
    common
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

    /// Comments from a small vocabulary, many of them edited copies of earlier ones.
    fn noisy_comments(n: usize) -> Vec<String> {
        let mut state = 7u64;
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..n {
            let r = splitmix64(&mut state);
            let text = if r % 3 == 0 && !texts.is_empty() {
                let mut words: Vec<&str> =
                    texts[(r >> 8) as usize % texts.len()].split(' ').collect();
                let at = (r >> 20) as usize % words.len();
                words[at] = "modifié";
                words.join(" ")
            } else {
                (0..5 + r % 20)
                    .map(|_| format!("mot{}", splitmix64(&mut state) % 60))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            texts.push(text);
        }
        texts
    }

    #[test]
    fn batches_find_what_one_by_one_insertion_finds() {
        let texts = noisy_comments(600);
        let mut one_by_one = NearDuplicateIndex::default();
        let expected: Vec<DuplicateReport> = texts.iter().map(|t| one_by_one.insert(t)).collect();
        assert!(expected.iter().filter(|r| r.best.is_some()).count() > 100);
        for size in [1, 7, 250] {
            let mut batched = NearDuplicateIndex::default();
            let mut found = Vec::new();
            for chunk in texts.chunks(size) {
                let prepared = chunk.iter().map(|t| batched.prepare(t)).collect();
                found.extend(batched.insert_batch(prepared));
            }
            assert_eq!(found, expected, "batches of {size}");
        }
    }

    #[test]
    fn copies_are_found_within_the_window_and_memory_stays_bounded() {
        let mut index = NearDuplicateIndex::with_window(0.5, 20);
        let fillers = noisy_comments(200);
        index.insert(ORIGINAL);
        for text in &fillers[..9] {
            index.insert(text);
        }
        let report = index.insert(ORIGINAL);
        assert_eq!(report.best.map(|b| b.earlier), Some(0), "within the window");
        for text in &fillers[9..] {
            index.insert(text);
        }
        assert_eq!(index.insert(ORIGINAL).best, None, "long out of the window");
        assert_eq!(index.len(), 1 + 200 + 2);
        assert!(index.window_start() >= index.len() - 20);
        assert!(index.older.len() + index.newer.len() <= 20);
        assert!(index.cluster_of.values.len() <= 20);
    }

    #[test]
    fn clusters_are_forgotten_once_out_of_the_window_and_live_ones_keep_counting() {
        let mut index = NearDuplicateIndex::with_window(0.5, 20);
        let mut state = 11u64;
        let fillers: Vec<String> = (0..300)
            .map(|_| {
                (0..12)
                    .map(|_| format!("m{}", splitmix64(&mut state) % 1_000_000))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut original_reports = Vec::new();
        for (i, text) in fillers.iter().enumerate() {
            // Every filler copied once, right away: 300 clusters of two.
            index.insert(text);
            let copy = index.insert(text);
            assert_eq!(copy.cluster_size, 2);
            // One cluster that never leaves the window.
            if i % 4 == 0 {
                original_reports.push(index.insert(ORIGINAL));
            }
        }
        let sizes: Vec<usize> = original_reports.iter().map(|r| r.cluster_size).collect();
        assert_eq!(sizes, (1..=75).collect::<Vec<_>>());
        // Its first comment left the window long ago; the cluster is still named by it.
        assert!(original_reports.iter().all(|r| r.cluster == 2));
        // A near copy finds the latest exact copy kept in the window.
        let edited = ORIGINAL.replace("militaire", "militaires");
        let near = index.insert(&edited);
        assert!(near.best.is_some_and(|b| !b.exact && b.similarity > 0.8));
        assert_eq!((near.cluster, near.cluster_size), (2, 76));
        assert!(
            index.clusters.len() <= 20,
            "{} clusters",
            index.clusters.len()
        );
    }

    #[test]
    fn jaccard_with_a_target_is_exact_or_below_it() {
        let texts = noisy_comments(80);
        let sets: Vec<Vec<u32>> = texts.iter().map(|t| shingle_set(&fold(t))).collect();
        for a in &sets {
            for b in &sets {
                let exact = jaccard(a, b);
                for target in [0.0, 0.3, 0.5, exact, 0.9] {
                    match Probe::new(a).jaccard_at_least(b, target) {
                        Some(similarity) => assert_eq!(similarity, exact),
                        None => assert!(exact < target, "{exact} {target}"),
                    }
                }
            }
        }
    }

    #[test]
    fn rolling_shingles_hash_as_each_shingle_alone() {
        for folded in ["abcdefgh ij", "abcde", "ab", "the cat the cat", "aé cdéfg"] {
            let chars: Vec<char> = folded.chars().collect();
            let mut expected: Vec<u32> = chars
                .windows(SHINGLE.min(chars.len()))
                .map(|w| shingle_hash(w.iter().collect::<String>().as_bytes()))
                .collect();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(shingle_set(folded), expected, "{folded:?}");
        }
    }

    #[test]
    fn folding_runs_of_unicode_apart_is_folding_the_whole_text() {
        for text in [
            ORIGINAL,
            "",
            "  !! ",
            "ÉCOLE Ｍａｌｉ ﬁn",
            "e\u{301}\u{327}a\u{327}\u{301} cafe\u{301}",
            "\u{301}début, Straße İstanbul ǅ ½ x²",
            "L’armée — 500 000 FCFA!!",
        ] {
            assert_eq!(fold(text), fold_whole(text), "{text:?}");
        }
    }

    /// [`fold`] the slow way: every character through the Unicode tables.
    fn fold_whole(text: &str) -> String {
        let mut out = String::new();
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

    proptest::proptest! {
        #[test]
        fn folding_any_text_is_folding_it_the_slow_way(
            text in "([ A-Za-z0-9.,'!?-]{0,6}|[éÉçœßİǅ½²’\u{301}\u{327}Ｍ]{0,3}){0,12}"
        ) {
            proptest::prop_assert_eq!(fold(&text), fold_whole(&text));
        }
    }

    #[test]
    fn hashes_sort_as_by_comparison() {
        let mut state = 11u64;
        let mut draw = |n: usize, top_bits: u32| -> Vec<u32> {
            (0..n)
                .map(|_| (splitmix64(&mut state) as u32) >> (32 - top_bits))
                .collect()
        };
        // Even spreads of many sizes, values that all share a top byte, repeats, a long set.
        let cases = [
            draw(10, 32),
            draw(64, 32),
            draw(157, 32),
            draw(1_000, 32),
            draw(300, 20),
            draw(500, 4),
            draw(5_000, 32),
        ];
        for mut values in cases {
            let mut expected = values.clone();
            expected.sort_unstable();
            sort_hashes(&mut values);
            assert_eq!(values, expected);
        }
    }

    #[test]
    fn the_most_shared_candidates_are_those_a_full_sort_puts_first() {
        let mut state = 5u64;
        // One table for every case, as verification reuses one from comment to comment
        // (the last, small case in a table grown for a large one).
        let mut shared = SharedBands::default();
        for hits in [1, 3, MAX_VERIFIED, MAX_VERIFIED + 1, 40, 400, 3_000, 5] {
            for spread in [1, 30, 1_000, u64::from(SharedBands::FREE)] {
                let positions: Vec<u32> = (0..hits)
                    .map(|_| (splitmix64(&mut state) % spread) as u32)
                    .collect();
                shared.make_room(hits);
                for &p in &positions {
                    shared.count(p);
                }
                let mut sorted = positions.clone();
                sorted.sort_unstable();
                let mut expected: Vec<(u32, u32)> = sorted
                    .chunk_by(|a, b| a == b)
                    .map(|run| (run.len() as u32, run[0]))
                    .collect();
                expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                expected.truncate(MAX_VERIFIED);
                assert_eq!(shared.most_shared(MAX_VERIFIED), expected);
            }
        }
    }

    #[test]
    fn exact_jaccard() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
