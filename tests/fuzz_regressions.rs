//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz`) found to crash or hang a reader or the
//! model loader, each run through the library as the target ran it. The inputs are in
//! `tests/fixtures/fuzz/`.

use moderate::error::{Error, ModelProblem};
use moderate::model::file::{from_bytes, FORMAT_VERSION};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A well-formed model file around `payload` (what the `model` target builds).
fn envelope(payload: &[u8]) -> Vec<u8> {
    let mut bytes = b"MODERATE".to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// `model` target, timeout: the payload of the small labelled model with its word n-gram
/// range damaged to (1, 2^63 − 2). It loaded, and scoring the first text then looped over
/// every n-gram length up to 2^63. Loading now refuses lengths over the ones training allows.
/// (Re-encoded for model format 3: the same damage to the same field of the small model.)
#[test]
fn model_with_a_huge_ngram_length_is_refused_on_load() {
    let bytes = envelope(&fixture("model-word-ngrams-hang.payload"));
    match from_bytes("hang.model", &bytes) {
        Err(Error::Model {
            name,
            problem: ModelProblem::Corrupt(message),
        }) => {
            assert_eq!(name, "hang.model");
            assert!(message.contains("n-gram"), "{message}");
        }
        other => panic!("expected a damaged-model error, got {other:?}"),
    }
}
