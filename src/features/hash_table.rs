//! A map from keys that are hashes already to small values, for the look-ups that scoring
//! makes by the million: n-grams in the vocabulary, comments in near-duplicate buckets.
//!
//! Written by hand instead of a `HashMap`: hashbrown's control bytes and its entries are two
//! cache misses per look-up, and it cannot be asked to fetch a key's place ahead. Here a
//! group of entries shares one 64-byte cache line with its keys, and
//! [`prefetch`](HashTable::prefetch) asks for that line early, so the look-ups of a comment
//! (or of the next few comments) wait on memory together instead of one after another.
//! With a large vocabulary, nearly all of the time of looking a comment's n-grams up was
//! that waiting; so was adding a batch of comments to the near-duplicate bands.

/// A key that is a hash already: its bits are spread, so it is its own hash.
pub trait Key: Copy + Eq {
    /// The key a free entry holds (any: only the value says whether an entry is free).
    const UNUSED: Self;
    /// Where the search for the key starts, out of `groups` places (the groups of a
    /// [`HashTable`], or the single slots of a table such as the near-duplicate tally).
    fn home(self, groups: usize) -> usize;
}

impl Key for u32 {
    const UNUSED: u32 = 0;
    fn home(self, groups: usize) -> usize {
        // Fibonacci hashing before the multiply-shift, in case the high bits are not spread
        // evenly.
        ((u64::from(self.wrapping_mul(0x9E37_79B9)) * groups as u64) >> 32) as usize
    }
}

impl Key for u64 {
    const UNUSED: u64 = 0;
    fn home(self, groups: usize) -> usize {
        (((self.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) * groups as u64) >> 32) as usize
    }
}

/// A value with a marker for "no value": an entry holding it is free.
pub trait Value: Copy {
    const FREE: Self;
    fn is_free(&self) -> bool;
}

impl Value for u32 {
    const FREE: u32 = u32::MAX;
    fn is_free(&self) -> bool {
        *self == u32::MAX
    }
}

/// `N` entries in one cache line: their keys, then their values.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Group<K, V, const N: usize> {
    keys: [K; N],
    values: [V; N],
}

/// Keys to values, open addressing over groups of `N` entries that fit a cache line, at
/// most seven eighths full (so a search meets a free entry within a few groups).
#[derive(Clone)]
pub struct HashTable<K, V, const N: usize> {
    groups: Vec<Group<K, V, N>>,
    /// Entries in use.
    len: usize,
}

impl<K, V, const N: usize> Default for HashTable<K, V, N> {
    fn default() -> Self {
        HashTable {
            groups: Vec::new(),
            len: 0,
        }
    }
}

impl<K, V, const N: usize> std::fmt::Debug for HashTable<K, V, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashTable({} entries)", self.len)
    }
}

impl<K: Key, V: Value, const N: usize> HashTable<K, V, N> {
    const FREE_GROUP: Group<K, V, N> = Group {
        keys: [K::UNUSED; N],
        values: [V::FREE; N],
    };

    /// A group that spills over its cache line would make every look-up two misses.
    const FITS_A_LINE: () = assert!(std::mem::size_of::<Group<K, V, N>>() == 64);

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// The group and entry of `key`, or of the free entry where it would go. The table has
    /// groups.
    fn find(&self, key: K) -> (usize, usize) {
        let mask = self.groups.len() - 1;
        let mut g = key.home(self.groups.len());
        loop {
            let group = &self.groups[g];
            for e in 0..N {
                if group.values[e].is_free() || group.keys[e] == key {
                    return (g, e);
                }
            }
            g = (g + 1) & mask;
        }
    }

    /// The value of `key`, or [`Value::FREE`] when it has none.
    pub fn get(&self, key: K) -> V {
        if self.groups.is_empty() {
            return V::FREE;
        }
        let (g, e) = self.find(key);
        self.groups[g].values[e]
    }

    /// The value of `key`, free if the key is new: the caller makes it not free before any
    /// other call, or the entry stays free (and the count of entries is one too many).
    pub fn entry(&mut self, key: K) -> &mut V {
        let () = Self::FITS_A_LINE;
        if 8 * (self.len + 1) > 7 * N * self.groups.len() {
            self.grow();
        }
        let (g, e) = self.find(key);
        let group = &mut self.groups[g];
        if group.values[e].is_free() {
            group.keys[e] = key;
            self.len += 1;
        }
        &mut group.values[e]
    }

    /// Sets the value of `key`, which must not be [`Value::FREE`].
    pub fn insert(&mut self, key: K, value: V) {
        *self.entry(key) = value;
    }

    fn grow(&mut self) {
        // A power of two, so that probing can wrap with a mask.
        let size = (2 * self.groups.len()).max(64);
        let old = std::mem::replace(&mut self.groups, vec![Self::FREE_GROUP; size]);
        for group in old {
            for (&key, &value) in group.keys.iter().zip(&group.values) {
                if !value.is_free() {
                    let (g, e) = self.find(key);
                    self.groups[g].keys[e] = key;
                    self.groups[g].values[e] = value;
                }
            }
        }
    }

    /// Asks for the cache line where the search for `key` starts.
    pub fn prefetch(&self, key: K) {
        if !self.groups.is_empty() {
            prefetch(&self.groups[key.home(self.groups.len())]);
        }
    }

    /// Empties the table, keeping its memory.
    pub fn clear(&mut self) {
        self.groups.fill(Self::FREE_GROUP);
        self.len = 0;
    }
}

/// Asks for the cache line at `address` ahead of reading it, so that memory read from all
/// over arrives together instead of one wait after another.
pub fn prefetch<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of every x86-64 CPU, and a prefetch is a hint that never
        // faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) };
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::rng::splitmix64;

    /// Fills a table and a `HashMap` alike with keys drawn from `0..spread` (so that some
    /// come again), and checks that they agree, then that clearing empties the table.
    fn agrees_with_a_hash_map<K: Key + std::hash::Hash + std::fmt::Debug>(
        draw_key: impl Fn(u64) -> K,
    ) {
        let mut state = 9u64;
        let mut table: HashTable<K, u32, 5> = HashTable::default();
        for spread in [50u64, 1 << 20, 1 << 40] {
            let mut expected = HashMap::new();
            for value in 0..20_000u32 {
                let key = draw_key(splitmix64(&mut state) % spread);
                if table.get(key).is_free() {
                    table.insert(key, value);
                } else {
                    *table.entry(key) += 1;
                }
                expected.entry(key).and_modify(|v| *v += 1).or_insert(value);
            }
            assert_eq!(table.len(), expected.len());
            for (&key, &value) in &expected {
                assert_eq!(table.get(key), value, "{key:?}");
            }
            let absent = (0..).map(&draw_key).find(|k| !expected.contains_key(k));
            assert!(absent.is_some_and(|key| table.get(key).is_free()));
            table.clear();
            assert!(expected.keys().all(|&key| table.get(key).is_free()));
            assert_eq!(table.len(), 0);
        }
    }

    #[test]
    fn finds_what_a_hash_map_finds_through_growth_and_clearing() {
        // 1 << 40 is beyond u32: those keys are cut to their low bits, which still spread.
        agrees_with_a_hash_map(|k| k as u32);
        // Key 0 is drawn too: it is the key free entries hold.
        agrees_with_a_hash_map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }

    #[test]
    fn an_empty_table_has_nothing() {
        let table: HashTable<u64, u32, 5> = HashTable::default();
        assert!(table.get(7).is_free());
        table.prefetch(7);
        assert_eq!(table.len(), 0);
    }
}
