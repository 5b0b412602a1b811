//! Tokens found in the original text, each with its byte span there.
//!
//! URLs, e-mails, phone numbers, numbers and @mentions become placeholder tokens (when the
//! normaliser asks for them), so "+221 77 123 45 67" and "+223 66 00 11 22" share a feature.
//! French elisions stay meaningful: "l'armée" gives "l'" and "armée", "qu'ils" gives "qu'"
//! and "ils", while "aujourd'hui" stays one word.

use std::sync::OnceLock;

use regex::Regex;

use super::Normalizer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    /// A placeholder standing for a URL, e-mail, phone number, number or mention.
    Placeholder,
    /// A run of `!` or `?`.
    Punctuation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised text (or the placeholder, such as `_url_`).
    pub text: String,
    pub kind: TokenKind,
    /// Byte offsets of the token in the original text.
    pub start: usize,
    pub end: usize,
}

pub const URL: &str = "_url_";
pub const EMAIL: &str = "_email_";
pub const PHONE: &str = "_phone_";
pub const NUMBER: &str = "_num_";
pub const MENTION: &str = "_mention_";

/// Words that elide before a vowel in French; "l'", "qu'", "jusqu'"… are split off.
const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

fn token_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(
            r"(?xi)
            (?P<url>(?:https?://|www\.)[^\s<>\x22]+[^\s<>\x22.,;:!?)\]]
                   |\b[a-z0-9-]+\.(?:com|org|net|sn|ml|ci|bf|ne|fr|info|biz|io|me|ly)(?:/[^\s]*)?\b)
            |(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
            |(?P<phone>\+?\(?\d[\d\s().-]{6,}\d)
            |(?P<mention>@\w+)
            |(?P<number>\d+(?:[.,]\d+)*)
            |(?P<word>[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*['’]?)
            |(?P<punct>[!?]+)",
        )
        .unwrap_or_else(|e| panic!("built-in token pattern: {e}"))
    })
}

/// Which alternative of the token pattern produced a match, told from its text (cheaper
/// than asking the regex for capture groups, and tried in the pattern's order).
fn kind_of(token: &str) -> &'static str {
    let lower_start = |prefix: &str| {
        token.len() >= prefix.len()
            && token.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let first = token.chars().next().unwrap_or(' ');
    if lower_start("http://") || lower_start("https://") || lower_start("www.") {
        "url"
    } else if first == '@' {
        "mention"
    } else if token.contains('@') {
        "email"
    } else if first == '!' || first == '?' {
        "punct"
    } else if token
        .bytes()
        .all(|b| b.is_ascii_digit() || b".,".contains(&b))
    {
        "number"
    } else if (first.is_ascii_digit() || first == '+' || first == '(')
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || b" \t().-+".contains(&b))
    {
        "phone"
    } else if token.contains('.') && !token.contains(['\'', '’']) && url_tail().is_match(token) {
        "url"
    } else {
        "word"
    }
}

/// A bare domain ("site.com/page"), told apart from a word.
fn url_tail() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(
            r"(?i)^[a-z0-9-]+\.(?:com|org|net|sn|ml|ci|bf|ne|fr|info|biz|io|me|ly)(?:/\S*)?$",
        )
        .unwrap_or_else(|e| panic!("built-in url pattern: {e}"))
    })
}

/// The tokens of `text`, in order.
pub fn tokenize(text: &str, normalizer: &Normalizer) -> Vec<Token> {
    let mut tokens = Vec::new();
    for m in token_regex().find_iter(text) {
        let group = kind_of(m.as_str());
        let placeholder = |text: &str| Token {
            text: text.to_string(),
            kind: TokenKind::Placeholder,
            start: m.start(),
            end: m.end(),
        };
        match group {
            // A "phone" with fewer than eight digits is a number written with spaces.
            "phone" if m.as_str().bytes().filter(u8::is_ascii_digit).count() < 8 => {
                push_numbers(m.as_str(), m.start(), normalizer, &mut tokens)
            }
            "url" | "email" | "phone" | "mention" | "number" if normalizer.placeholders => tokens
                .push(placeholder(match group {
                    "url" => URL,
                    "email" => EMAIL,
                    "phone" => PHONE,
                    "mention" => MENTION,
                    _ => NUMBER,
                })),
            "punct" => tokens.push(Token {
                text: normalizer.fold(m.as_str()),
                kind: TokenKind::Punctuation,
                start: m.start(),
                end: m.end(),
            }),
            _ => push_word(m.as_str(), m.start(), normalizer, &mut tokens),
        }
    }
    tokens
}

/// Pushes a word, splitting off French elisions.
fn push_word(word: &str, start: usize, normalizer: &Normalizer, tokens: &mut Vec<Token>) {
    let mut rest = word;
    let mut offset = start;
    while let Some(apostrophe) = rest.find(['\'', '’']) {
        let head = &rest[..apostrophe];
        let after = apostrophe + rest[apostrophe..].chars().next().map_or(1, char::len_utf8);
        let is_elision =
            ELISIONS.iter().any(|e| head.eq_ignore_ascii_case(e)) && after < rest.len();
        if !is_elision {
            break;
        }
        tokens.push(Token {
            text: format!("{}'", head.to_lowercase()),
            kind: TokenKind::Word,
            start: offset,
            end: offset + after,
        });
        offset += after;
        rest = &rest[after..];
    }
    let rest_trimmed = rest.trim_end_matches(['\'', '’']);
    if !rest_trimmed.is_empty() {
        tokens.push(Token {
            text: normalizer.fold(rest_trimmed),
            kind: TokenKind::Word,
            start: offset,
            end: offset + rest_trimmed.len(),
        });
    }
}

/// Digits separated by spaces that are not a phone number: each group is a number.
fn push_numbers(text: &str, start: usize, normalizer: &Normalizer, tokens: &mut Vec<Token>) {
    let mut offset = 0;
    for part in text.split(|c: char| !c.is_ascii_digit()) {
        if !part.is_empty() {
            let part_start = start + offset;
            tokens.push(Token {
                text: if normalizer.placeholders {
                    NUMBER.to_string()
                } else {
                    part.to_string()
                },
                kind: if normalizer.placeholders {
                    TokenKind::Placeholder
                } else {
                    TokenKind::Word
                },
                start: part_start,
                end: part_start + part.len(),
            });
        }
        offset += part.len() + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokenize(text, &Normalizer::default())
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    /// Asserts the token at `position` and its span in the original text.
    fn assert_token(text: &str, position: usize, token: &str, from: usize, to: usize) {
        let tokens = tokenize(text, &Normalizer::default());
        let t = &tokens[position];
        assert_eq!(
            (t.text.as_str(), t.start, t.end),
            (token, from, to),
            "{tokens:?}"
        );
    }

    #[test]
    fn keeps_french_elisions_as_tokens() {
        assert_eq!(
            texts("L'armée qu'ils aiment"),
            ["l'", "armée", "qu'", "ils", "aiment"]
        );
        assert_eq!(
            texts("aujourd’hui, jusqu’à"),
            ["aujourd'hui", "jusqu'", "à"]
        );
        assert_eq!(texts("don't"), ["don't"]);
        assert_token("L'armée", 1, "armée", 2, 8);
    }

    #[test]
    fn replaces_urls_emails_phones_numbers_and_mentions() {
        assert_eq!(
            texts("Appelez +221 77 123 45 67 ou ecrire a x.y@mail.com, voir https://t.co/abc @Awa 500 000 FCFA"),
            [
                "appelez", "_phone_", "ou", "ecrire", "a", "_email_", "voir", "_url_", "_mention_",
                "_num_", "_num_", "fcfa"
            ]
        );
        assert_token("Go www.site.com now", 1, "_url_", 3, 15);
    }

    #[test]
    fn keeps_exclamation_runs_and_squashes_letters() {
        assert_eq!(
            texts("NOOOON!!!!! Pourquoi???"),
            ["noon", "!!", "pourquoi", "??"]
        );
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Ki sont vraiment ceux ki s’attaquent au Mali????";
        for token in tokenize(text, &Normalizer::default()) {
            let original = &text[token.start..token.end];
            assert!(!original.is_empty());
            if token.kind == TokenKind::Word {
                assert_eq!(
                    Normalizer::default().fold(original).trim_end_matches('\''),
                    token.text.trim_end_matches('\'')
                );
            }
        }
    }
}
