//! How the text of one token is folded before it becomes a feature.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Normalisation settings; stored in the model so scoring folds text exactly as training did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalizer {
    /// Fold accents ("sécurité" → "securite"). Off by default: French accents carry meaning,
    /// but comments often drop them, so folding can help small corpora.
    pub fold_accents: bool,
    /// Replace URLs, e-mails, phone numbers, numbers and @mentions by placeholder tokens.
    pub placeholders: bool,
    /// Squash runs of three or more identical characters to two ("trooop" → "troop").
    pub squash_runs: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            fold_accents: false,
            placeholders: true,
            squash_runs: true,
        }
    }
}

impl Normalizer {
    /// Folds one token's text: NFKC, lower case, typographic apostrophe → ASCII, optionally
    /// accents, and long runs of one character.
    pub fn fold(&self, token: &str) -> String {
        if token.is_ascii() {
            // NFKC and accent folding change nothing in ASCII: only case and runs remain,
            // and runs are rare, so the lowered copy is searched for one before squashing
            // (a character at a time through `squash`, this took ~300 instructions a word).
            let lowered = token.to_ascii_lowercase();
            let has_run = |b: &[u8]| b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
            if !self.squash_runs || !has_run(lowered.as_bytes()) {
                return lowered;
            }
            return self.squash(lowered.chars(), lowered.len());
        }
        let chars = token.nfkc().flat_map(char::to_lowercase).map(|c| {
            if c == '’' || c == 'ʼ' {
                '\''
            } else {
                c
            }
        });
        if self.fold_accents {
            self.squash(
                chars
                    .flat_map(|c| std::iter::once(c).nfd())
                    .filter(|d| !is_combining_mark(*d)),
                token.len(),
            )
        } else {
            self.squash(chars, token.len())
        }
    }

    /// Squashes runs of three or more identical characters to two (when asked). `capacity`
    /// is the usual output length (the input's), so most tokens take one allocation.
    fn squash(&self, chars: impl Iterator<Item = char>, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        let mut previous: Option<char> = None;
        let mut run = 0;
        for c in chars {
            if self.squash_runs {
                if Some(c) == previous {
                    run += 1;
                    if run >= 2 {
                        continue;
                    }
                } else {
                    run = 0;
                }
                previous = Some(c);
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_apostrophes_and_runs() {
        let n = Normalizer::default();
        assert_eq!(n.fold("TROOOP"), "troop");
        assert_eq!(n.fold("NoOoOn"), "noon", "runs are counted after lowering");
        assert_eq!(n.fold("Plain"), "plain");
        let keep_runs = Normalizer {
            squash_runs: false,
            ..Normalizer::default()
        };
        assert_eq!(keep_runs.fold("TROOOP"), "trooop");
        assert_eq!(n.fold("!!!!!"), "!!");
        assert_eq!(n.fold("Ｍａｌｉ"), "mali");
        assert_eq!(n.fold("L’armée"), "l'armée");
        assert_eq!(n.fold("Sécurité"), "sécurité");
    }

    #[test]
    fn folds_accents_when_asked() {
        let n = Normalizer {
            fold_accents: true,
            ..Normalizer::default()
        };
        assert_eq!(n.fold("Sécurité à Ségou"), "securite a segou");
    }
}
