//! Time to prepare comments for the near-duplicate index (fold, shingles, MinHash
//! signature) and to insert them, on comments shaped like the scoring benchmark's: 5 to 46
//! words drawn from a few thousand, some of them French. Only to give a number.

use criterion::{criterion_group, criterion_main, Criterion};
use moderate::features::NearDuplicateIndex;
use moderate::rng::unit;

const COMMENTS: usize = 2_000;

fn comments() -> Vec<String> {
    let mut state = 7u64;
    let words: Vec<String> = (0..3_000)
        .map(|i| match i % 4 {
            0 => format!("mot{i}"),
            1 => format!("sécurité{i}"),
            2 => format!("Word{i}"),
            _ => format!("l'élève{i},"),
        })
        .collect();
    (0..COMMENTS)
        .map(|_| {
            let n = 5 + (unit(&mut state) * 42.0) as usize;
            let picked: Vec<&str> = (0..n)
                .map(|_| words[(unit(&mut state) * words.len() as f64) as usize].as_str())
                .collect();
            picked.join(" ")
        })
        .collect()
}

fn near_duplicates(c: &mut Criterion) {
    let texts = comments();
    let mut group = c.benchmark_group("near-duplicate index, 2,000 comments");
    group.sample_size(20);
    let index = NearDuplicateIndex::default();
    group.bench_function("prepare", |b| {
        b.iter(|| texts.iter().map(|t| index.prepare(t)).collect::<Vec<_>>())
    });
    group.bench_function("prepare and insert", |b| {
        b.iter(|| {
            let mut index = NearDuplicateIndex::default();
            index.insert_batch(texts.iter().map(|t| index.prepare(t)).collect())
        })
    });
    group.finish();
}

criterion_group!(benches, near_duplicates);
criterion_main!(benches);
