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
/// Most chunks between white space are words, perhaps with elisions, punctuation around them
/// or a run of `!`: [`split_plain_chunk`] reads those without the regex. The regex reads the
/// stretches between them, which start and end at white space, so it finds there exactly
/// what it finds in the whole text: no match elsewhere can reach into a plain chunk (only a
/// phone number spans white space, and a plain chunk has no digit where a number could
/// start).
pub fn tokenize(text: &str, normalizer: &Normalizer) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(bytes.len() / 5);
    let mut pieces = Vec::new();
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
        if split_plain_chunk(&text[i..end], &mut pieces) {
            if let Some(start) = pending.take() {
                tokenize_with_regex(&text[start..i], start, normalizer, &mut tokens);
            }
            for piece in &pieces {
                let (start, end) = (i + piece.start, i + piece.end);
                if piece.apostrophe {
                    push_word(&text[start..end], start, normalizer, &mut tokens);
                } else {
                    tokens.push(Token {
                        text: normalizer.fold(&text[start..end]),
                        kind: piece.kind,
                        start,
                        end,
                    });
                }
            }
        } else {
            pending.get_or_insert(i);
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

/// What the token pattern would match in a plain chunk: a word (`Word`, elisions not yet
/// split off) or a run of `!` and `?` (`Punctuation`), by byte offsets in the chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    start: usize,
    end: usize,
    kind: TokenKind,
    /// A word with an apostrophe, which may be an elision to split off.
    apostrophe: bool,
}

/// What a character is to [`split_plain_chunk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// In the pattern's word class `[\p{L}\p{M}\p{N}_]`, but not a decimal digit.
    Letter,
    /// A decimal digit (`\d`, any script): where a word would start with one, the pattern
    /// may see a number or a phone number instead.
    Digit,
    /// `'` or `’`, which joins the parts of a word.
    Apostrophe,
    /// `!` or `?`.
    Exclamation,
    /// Anything else: between tokens, unless it is one of the few ASCII characters
    /// [`split_plain_chunk`] looks at itself.
    Other,
}

impl CharClass {
    fn is_word(self) -> bool {
        matches!(self, CharClass::Letter | CharClass::Digit)
    }
}

/// The class of every character below U+0800 (ASCII, Latin, Greek, Cyrillic, Hebrew,
/// Arabic…), and the sorted ranges of the word and digit classes for the others. Built
/// from the regex crate's own Unicode tables, so the scanner and the pattern agree on every
/// character.
struct CharClasses {
    low: Vec<CharClass>,
    word: Vec<(char, char)>,
    digit: Vec<(char, char)>,
}

const LOW_CHARS: u32 = 0x800;

fn char_classes() -> &'static CharClasses {
    static CLASSES: OnceLock<CharClasses> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let word = class_ranges(r"[\p{L}\p{M}\p{N}_]");
        let digit = class_ranges(r"\d");
        let low = (0..LOW_CHARS)
            .map(|c| char::from_u32(c).map_or(CharClass::Other, |c| classify(c, &word, &digit)))
            .collect();
        CharClasses { low, word, digit }
    })
}

/// The ranges of characters a one-class pattern matches.
fn class_ranges(pattern: &str) -> Vec<(char, char)> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .unwrap_or_else(|e| panic!("built-in class {pattern}: {e}"));
    match hir.kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
        other => panic!("built-in class {pattern} is {other:?}"),
    }
}

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(start, end)| {
            if end < c {
                std::cmp::Ordering::Less
            } else if start > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn classify(c: char, word: &[(char, char)], digit: &[(char, char)]) -> CharClass {
    match c {
        '\'' | '’' => CharClass::Apostrophe,
        '!' | '?' => CharClass::Exclamation,
        _ if in_ranges(digit, c) => CharClass::Digit,
        _ if in_ranges(word, c) => CharClass::Letter,
        _ => CharClass::Other,
    }
}

impl CharClasses {
    fn of(&self, c: char) -> CharClass {
        match self.low.get(c as usize) {
            Some(&class) => class,
            None => classify(c, &self.word, &self.digit),
        }
    }

    /// The class and length of the character at byte `i` of `text` (a character boundary).
    fn at(&self, text: &str, i: usize) -> (CharClass, usize) {
        let byte = text.as_bytes()[i];
        if byte.is_ascii() {
            return (self.low[usize::from(byte)], 1);
        }
        text[i..]
            .chars()
            .next()
            .map_or((CharClass::Other, 1), |c| (self.of(c), c.len_utf8()))
    }
}

#[cfg(test)]
fn class_of(c: char) -> CharClass {
    char_classes().of(c)
}

/// Splits a chunk of text between white space into [`Piece`]s, when it is plain: `false`
/// (and `pieces` to be ignored) when the chunk may hold a URL, an e-mail address, a
/// mention, a number or a phone number, which the regex is left to find. Those need an
/// `@`, a word starting with a digit, a `.` before a letter or digit (a bare domain, or
/// after `www`), or `://`; every other character is a word character, an apostrophe, `!`,
/// `?`, or lies between tokens.
fn split_plain_chunk(chunk: &str, pieces: &mut Vec<Piece>) -> bool {
    pieces.clear();
    let classes = char_classes();
    let bytes = chunk.as_bytes();
    let is_word_at = |i: usize| i < bytes.len() && classes.at(chunk, i).0.is_word();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let (class, len) = classes.at(chunk, i);
        i += len;
        match class {
            CharClass::Letter => {
                // The pattern's word: word characters, each apostrophe either between two
                // of them or the word's last character.
                let mut apostrophe = false;
                while i < bytes.len() {
                    // ASCII letters and digits, the bulk of it, a byte at a time.
                    if bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                        continue;
                    }
                    let (class, len) = classes.at(chunk, i);
                    if !class.is_word() && class != CharClass::Apostrophe {
                        break;
                    }
                    i += len;
                    if class == CharClass::Apostrophe {
                        apostrophe = true;
                        if !is_word_at(i) {
                            break;
                        }
                    }
                }
                pieces.push(Piece {
                    start,
                    end: i,
                    kind: TokenKind::Word,
                    apostrophe,
                });
            }
            CharClass::Digit => return false,
            CharClass::Exclamation => {
                while matches!(bytes.get(i), Some(b'!' | b'?')) {
                    i += 1;
                }
                pieces.push(Piece {
                    start,
                    end: i,
                    kind: TokenKind::Punctuation,
                    apostrophe: false,
                });
            }
            CharClass::Apostrophe => {}
            CharClass::Other => {
                let special = match bytes[start] {
                    b'@' => true,
                    b'.' => {
                        is_word_at(i)
                            || (start >= 3 && bytes[start - 3..start].eq_ignore_ascii_case(b"www"))
                    }
                    b':' => bytes.get(i) == Some(&b'/'),
                    _ => false,
                };
                if special {
                    return false;
                }
            }
        }
    }
    true
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
    while let Some(apostrophe) = find_apostrophe(rest) {
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

/// The byte offset of the first `'` or `’` in `text`, by a byte search (`str::find` with
/// the two characters decodes every character of the word first).
fn find_apostrophe(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let curly = "’".as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'\'' || bytes[i..].starts_with(curly))
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

    /// The tokens of `text` by the regex alone, which [`tokenize`] must give too.
    fn by_regex(text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        regex_tokens(text, &Normalizer::default(), &mut tokens);
        tokens
    }

    #[test]
    fn plain_chunks_skip_the_regex_and_change_nothing() {
        for text in [
            "Le prix du riz, encore: augmente. Vraiment;",
            "mot1083 sub289 www. http: site.com x.y@mail.com www.site.com/page ok",
            "Appelez +221 77 123 45 67 ou le 500 000 FCFA!!! @Awa l'armée qu’ils aujourd'hui",
            "  Tel 77 123 45 67 abc 12 34 56 78 9 fin.  ",
            "a\tb\nc\r\nd  é e... f.com g.fr. h..com TROOOP (x) \"y\" _url_ l'",
            "",
            "   ",
            "phone 0612345678 then words",
            "«Vraiment ?» Non…—peut-être (l’été) 'x' ''y'' l'' ❤️ 👍🏽 ZWJ👨‍👩 fin.Le bon...c'est",
            "www.(( WWW.x awww.( http://x HTTPS://ab/c https:/ ftp://yz a@ @b a.b.c a.é a.2 ab-12 x-y.com (12 +33",
            "l'2 ١٢٣ abc٣ \u{a0}77\u{a0}12\u{a0}34\u{a0}56 ſ.ſn x.K ２ café.fr !?!x? ¿qué? ²x x²",
        ] {
            assert_eq!(tokenize(text, &Normalizer::default()), by_regex(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_tokenizes_as_by_the_regex_alone(
            text in "([ a-zA-Z0-9.,:;/@!?+()'-]{0,5}|[éÉœ’«»…—\u{a0}\u{301}\u{fe0f}\u{200d}٣²ſK👍]{0,2}|www|http|com|fr|l'){0,12}"
        ) {
            proptest::prop_assert_eq!(tokenize(&text, &Normalizer::default()), by_regex(&text));
        }
    }

    /// The classes the scanner gives every character are the pattern's.
    #[test]
    fn character_classes_are_the_patterns() {
        let word = Regex::new(r"^[\p{L}\p{M}\p{N}_]$").unwrap();
        let digit = Regex::new(r"^\d$").unwrap();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text = c.to_string();
            let expected = match c {
                '\'' | '’' => CharClass::Apostrophe,
                '!' | '?' => CharClass::Exclamation,
                _ if digit.is_match(&text) => CharClass::Digit,
                _ if word.is_match(&text) => CharClass::Letter,
                _ => CharClass::Other,
            };
            assert_eq!(class_of(c), expected, "{c:?} U+{:04X}", c as u32);
        }
    }

    /// Every comment of the public corpora, when they are beside the project.
    #[test]
    fn real_comments_tokenize_as_by_the_regex_alone() {
        let corpora = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        let Ok(entries) = std::fs::read_dir(&corpora) else {
            return;
        };
        for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let mut reader = csv::Reader::from_path(&path).unwrap();
            for record in reader.records() {
                for text in record.unwrap().iter() {
                    assert_eq!(
                        tokenize(text, &Normalizer::default()),
                        by_regex(text),
                        "{text:?}"
                    );
                }
            }
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
