#![no_main]

use libfuzzer_sys::fuzz_target;
use moderate::commands::score::DecisionRule;
use moderate::features::FeatureStream;
use moderate::model::explain::explain;
use moderate::model::file::{from_bytes, FORMAT_VERSION};
use moderate::model::Classifier;
use moderate::{Article, Comment};

/// The model file header (see `model::file::to_bytes`) around `payload`, with the right
/// length and CRC-32, so the fuzzer reaches postcard decoding and the checks behind it.
fn envelope(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(24 + payload.len());
    bytes.extend_from_slice(b"MODERATE");
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// What `moderate score` does with a loaded model, on a tiny thread: a model that loads must
/// score without panicking.
fn score(classifier: &Classifier) {
    let Ok(rule) = DecisionRule::new(classifier, &[]) else {
        return;
    };
    let mut stream = FeatureStream::new(&classifier.features);
    stream.add_article(&Article {
        thread_id: "t".into(),
        title: "Le prix du riz".into(),
        body: "Le prix du riz a doublé.".into(),
    });
    let comment = |id: &str, text: &str| Comment {
        thread_id: "t".into(),
        comment_id: id.into(),
        text: text.into(),
        ..Comment::default()
    };
    let comments = [
        comment(
            "1",
            "Le riz coûte trop cher, gagnez 500 FCFA sur WhatsApp !",
        ),
        comment(
            "2",
            "Le riz coûte trop cher, gagnez 500 FCFA sur WhatsApp !",
        ),
    ];
    let (rows, contexts) = stream.next_batch(&comments);
    for ((comment, row), context) in comments.iter().zip(&rows).zip(&contexts) {
        let probabilities = classifier.probabilities(row);
        let label = Classifier::argmax(&probabilities);
        let _ = explain(classifier, &comment.text, row, context, label, None);
        let _ = rule.decide(&probabilities);
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as a whole file (header checks)…
    if let Ok(classifier) = from_bytes("fuzz.model", data) {
        score(&classifier);
    }
    // …and as the payload of a well-formed file.
    if let Ok(classifier) = from_bytes("fuzz.model", &envelope(data)) {
        score(&classifier);
    }
});
