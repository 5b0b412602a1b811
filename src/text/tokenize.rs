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
///
/// Plain words (an ASCII letter, then ASCII letters and digits, then maybe `.,;:`, between
/// white space) are the bulk of most comments and need no regex: no alternative of the
/// pattern but `word` can match there, and no match elsewhere can reach into them (only a
/// phone number spans white space, and it has no letters). The regex reads the stretches
/// between them, which start and end at white space, so it finds there exactly what it
/// finds in the whole text.
pub fn tokenize(text: &str, normalizer: &Normalizer) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(bytes.len() / 5);
    // Start of the stretch the regex has yet to read.
    let mut pending: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        if is_space(bytes[i]) {
            i += 1;
            continue;
        }
        let end = bytes[i..]
            .iter()
            .position(|&b| is_space(b))
            .map_or(bytes.len(), |p| i + p);
        match plain_word(&bytes[i..end]) {
            Some(len) => {
                if let Some(start) = pending.take() {
                    tokenize_with_regex(&text[start..i], start, normalizer, &mut tokens);
                }
                tokens.push(Token {
                    text: normalizer.fold(&text[i..i + len]),
                    kind: TokenKind::Word,
                    start: i,
                    end: i + len,
                });
            }
            None => {
                pending.get_or_insert(i);
            }
        }
        i = end;
    }
    if let Some(start) = pending {
        tokenize_with_regex(&text[start..], start, normalizer, &mut tokens);
    }
    tokens
}

/// ASCII white space (all of it `\s` for the regex).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The length of the word of a chunk that is a plain word: an ASCII letter, ASCII letters
/// and digits, then only `.`, `,`, `;` or `:` (which no token starts with).
fn plain_word(chunk: &[u8]) -> Option<usize> {
    if !chunk.first()?.is_ascii_alphabetic() {
        return None;
    }
    let len = chunk
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(chunk.len());
    chunk[len..]
        .iter()
        .all(|b| matches!(b, b'.' | b',' | b';' | b':'))
        .then_some(len)
}

/// The tokens the regex finds in `text`, a stretch of a longer text that starts at byte
/// `offset` of it.
fn tokenize_with_regex(
    text: &str,
    offset: usize,
    normalizer: &Normalizer,
    tokens: &mut Vec<Token>,
) {
    let first = tokens.len();
    regex_tokens(text, normalizer, tokens);
    for token in &mut tokens[first..] {
        token.start += offset;
        token.end += offset;
    }
}

/// The tokens of `text` by the regex alone.
fn regex_tokens(text: &str, normalizer: &Normalizer, tokens: &mut Vec<Token>) {
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
                push_numbers(m.as_str(), m.start(), normalizer, tokens)
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
            _ => push_word(m.as_str(), m.start(), normalizer, tokens),
        }
    }
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
    fn plain_words_skip_the_regex_and_change_nothing() {
        let normalizer = Normalizer::default();
        for text in [
            "Le prix du riz, encore: augmente. Vraiment;",
            "mot1083 sub289 www. http: site.com x.y@mail.com www.site.com/page ok",
            "Appelez +221 77 123 45 67 ou le 500 000 FCFA!!! @Awa l'armée qu’ils aujourd'hui",
            "  Tel 77 123 45 67 abc 12 34 56 78 9 fin.  ",
            "a\tb\nc\r\nd  é e... f.com g.fr. h..com TROOOP (x) \"y\" _url_ l'",
            "",
            "   ",
            "phone 0612345678 then words",
        ] {
            let mut expected = Vec::new();
            regex_tokens(text, &normalizer, &mut expected);
            assert_eq!(tokenize(text, &normalizer), expected, "{text:?}");
        }
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
