//! The model file: a short header, then the [`Classifier`] serialised with postcard.
//!
//! ```text
//! "MODERATE"            8 bytes, magic
//! format version        u32, little endian
//! payload length        u64, little endian
//! payload CRC-32        u32, little endian
//! payload               postcard(Classifier)
//! ```
//!
//! Loading checks each part in turn, so a file from another program, another format version,
//! a truncated copy or a flipped bit is a clear error, never a panic or a silently wrong
//! score. Saving goes through an atomic [`Output`].

use std::io::Write;
use std::path::Path;

use super::Classifier;
use crate::error::{Error, ModelProblem, Result};
use crate::export::Output;

const MAGIC: &[u8; 8] = b"MODERATE";
/// Bumped whenever the serialised layout of [`Classifier`] changes.
pub const FORMAT_VERSION: u32 = 3;
const HEADER: usize = 8 + 4 + 8 + 4;

/// The bytes of a model file.
pub fn to_bytes(classifier: &Classifier) -> Result<Vec<u8>> {
    let payload = postcard::to_stdvec(classifier)
        .map_err(|e| Error::Usage(format!("cannot serialise the model: {e}")))?;
    let mut bytes = Vec::with_capacity(HEADER + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// Writes a model file atomically.
pub fn save(classifier: &Classifier, path: &Path) -> Result<()> {
    let bytes = to_bytes(classifier)?;
    let mut output = Output::create(Some(path))?;
    output
        .write_all(&bytes)
        .map_err(|e| Error::output(path, e))?;
    output.commit()
}

/// Reads a model file.
pub fn load(path: &Path) -> Result<Classifier> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Model {
        name: name.clone(),
        problem: ModelProblem::Unreadable(e),
    })?;
    from_bytes(&name, &bytes)
}

/// Reads a model from bytes (`name` is used in messages).
pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Classifier> {
    let fail = |problem| Error::Model {
        name: name.to_string(),
        problem,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(fail(ModelProblem::NotAModel));
    }
    if bytes.len() < HEADER {
        return Err(fail(ModelProblem::Truncated {
            found: bytes.len(),
            expected: HEADER,
        }));
    }
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let version = word(8);
    if version != FORMAT_VERSION {
        return Err(fail(ModelProblem::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        }));
    }
    let mut length = [0u8; 8];
    length.copy_from_slice(&bytes[12..20]);
    let length = u64::from_le_bytes(length);
    let expected = (HEADER as u64).saturating_add(length);
    if bytes.len() as u64 != expected {
        return Err(fail(ModelProblem::Truncated {
            found: bytes.len(),
            expected: usize::try_from(expected).unwrap_or(usize::MAX),
        }));
    }
    let payload = &bytes[HEADER..];
    if crc32fast::hash(payload) != word(20) {
        return Err(fail(ModelProblem::Checksum));
    }
    let mut classifier: Classifier =
        postcard::from_bytes(payload).map_err(|e| fail(ModelProblem::Corrupt(e.to_string())))?;
    check_shapes(&classifier).map_err(|m| fail(ModelProblem::Corrupt(m)))?;
    classifier.features.tfidf.rebuild_index();
    Ok(classifier)
}

/// The identifier written next to every score: the format version and the payload checksum.
pub fn model_id(bytes: &[u8]) -> String {
    let crc = bytes
        .get(20..24)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    format!("moderate-v{FORMAT_VERSION}-{crc:08x}")
}

/// Sizes that must agree, checked so that scoring can index without bounds surprises.
fn check_shapes(c: &Classifier) -> std::result::Result<(), String> {
    c.features.tfidf.check()?;
    let k = c.labels.len();
    if k < 2 {
        return Err(format!("{k} labels"));
    }
    if c.weights.len() != c.features.n_features() * k {
        return Err(format!(
            "{} weights for {} features and {k} labels",
            c.weights.len(),
            c.features.n_features()
        ));
    }
    if c.intercept.len() != k || c.thresholds.len() != k {
        return Err("intercepts or thresholds do not match the labels".to_string());
    }
    if c.weights.iter().chain(&c.intercept).any(|w| !w.is_finite()) {
        return Err("non-finite weights".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{train, TrainOptions, TrainingData};
    use crate::thread::Comment;

    /// A small model trained on made-up comments (with cross-validation, so every optional
    /// part of the file is present).
    pub(crate) fn small_model() -> Classifier {
        let texts = [
            (
                "a",
                "substantive",
                "Le gouvernement doit baisser le prix du riz",
            ),
            (
                "a",
                "off-topic",
                "Gagnez 500 000 FCFA par semaine sur WhatsApp",
            ),
            (
                "b",
                "substantive",
                "Les prix du riz ont doublé depuis janvier",
            ),
            (
                "b",
                "off-topic",
                "Abonnez-vous à ma chaîne pour gagner de l'argent",
            ),
            (
                "c",
                "substantive",
                "Le riz importé coûte plus cher que le local",
            ),
            (
                "c",
                "off-topic",
                "Gagnez de l'argent facile, écrivez sur WhatsApp",
            ),
        ];
        let comments = texts
            .iter()
            .map(|(thread, label, text)| Comment {
                thread_id: thread.to_string(),
                label: label.to_string(),
                text: text.to_string(),
                ..Comment::default()
            })
            .collect();
        let options = TrainOptions {
            folds: 3,
            ..TrainOptions::default()
        };
        train(&TrainingData::new(comments, vec![]), &options).unwrap()
    }

    #[test]
    fn a_saved_model_loads_back_identical() {
        let model = small_model();
        assert!(model.training.cross_validation.is_some());
        let bytes = to_bytes(&model).unwrap();
        let loaded = from_bytes("m", &bytes).unwrap();
        assert_eq!(loaded, model);
        let row = loaded.features.tfidf.transform_one("Gagnez sur WhatsApp");
        assert_eq!(
            loaded.probabilities(&row),
            model.probabilities(&model.features.tfidf.transform_one("Gagnez sur WhatsApp"))
        );
        assert_eq!(to_bytes(&loaded).unwrap(), bytes, "same model, same bytes");
    }

    #[test]
    fn damaged_and_foreign_files_are_clear_errors() {
        let bytes = to_bytes(&small_model()).unwrap();
        let problem = |bytes: &[u8]| match from_bytes("m", bytes) {
            Err(Error::Model { problem, .. }) => problem,
            other => panic!("expected a model error, got {other:?}"),
        };
        assert!(matches!(
            problem(b"thread_id,text\n"),
            ModelProblem::NotAModel
        ));
        assert!(matches!(
            problem(&bytes[..bytes.len() - 10]),
            ModelProblem::Truncated { .. }
        ));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert!(matches!(problem(&flipped), ModelProblem::Checksum));
        let mut other_version = bytes.clone();
        other_version[8] = 99;
        assert!(matches!(
            problem(&other_version),
            ModelProblem::UnsupportedVersion {
                found: 99,
                supported: FORMAT_VERSION
            }
        ));
    }

    /// Found by fuzzing: a model whose word n-gram length had been damaged to 2^63 loaded,
    /// then scoring its first comment tried every length up to it (a hang).
    #[test]
    fn damaged_ngram_lengths_are_refused_on_load() {
        for (word, char) in [
            ((1, usize::MAX), Some((2, 5))),
            ((1, 2), Some((2, 1 << 40))),
        ] {
            let mut model = small_model();
            model.features.tfidf.options.word_ngrams = word;
            model.features.tfidf.options.char_ngrams = char;
            let err = from_bytes("m.model", &to_bytes(&model).unwrap()).unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::Model {
                        problem: ModelProblem::Corrupt(_),
                        ..
                    }
                ),
                "{err}"
            );
            assert!(err.to_string().contains("m.model"), "{err}");
        }
    }
}
