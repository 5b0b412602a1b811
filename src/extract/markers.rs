//! The marker lexicon of plain-text page dumps, compiled from `markers.toml`.
//!
//! The lexicon is data so that a new site layout (another count header, another way to print
//! a time, another button label) is a change to the TOML file, not new code. The text reader
//! only knows the generic rules: a section starts at a count header, comments start at heads,
//! action lines are dropped, closers end the section.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use regex_syntax::ast::Ast;
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use serde::Deserialize;

/// The lexicon shipped with the crate (French and English).
pub const DEFAULT_MARKERS: &str = include_str!("markers.toml");

/// Marker patterns keyed by language (`fr`, `en`, `any`…); all languages are used together.
type ByLanguage = BTreeMap<String, Vec<String>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkersFile {
    fragments: BTreeMap<String, String>,
    times: ByLanguage,
    count_headers: ByLanguage,
    actions: ByLanguage,
    closers: ByLanguage,
    reply_to: ByLanguage,
    reply_placeholders: ByLanguage,
    heads: Vec<HeadFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadFile {
    name: String,
    pattern: String,
}

/// The two bare layouts, read without capturing (the time prefix of a line gives every
/// field), and every other head, read with its regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadShape {
    /// `{author}\n{time}{text}`
    AuthorThenTime,
    /// `{time}\n{author}`
    TimeThenAuthor,
    Pattern,
}

/// One line of a head pattern: a regex, or a line that is nothing but a time (checked with
/// the full-line time automaton, much cheaper than capturing through it).
#[derive(Debug)]
enum HeadLine {
    Regex(HeadRegex),
    TimeOnly,
}

/// A head line's regex and where its captures are, looked up once rather than by name on
/// every match.
#[derive(Debug)]
struct HeadRegex {
    /// The whole line, or when the line starts with the author, the rest after the author
    /// (see [`HeadRegex::read`]).
    regex: Regex,
    leading_author: bool,
    author: Option<usize>,
    time: Option<usize>,
    text: Option<usize>,
    /// Whether `regex` captures anything: without captures a match's bounds are enough.
    captures: bool,
    first_bytes: FirstBytes,
}

impl HeadRegex {
    fn new(regex: Regex, leading_author: bool) -> HeadRegex {
        let group = |name: &str| regex.capture_names().position(|n| n == Some(name));
        HeadRegex {
            leading_author,
            author: group("author"),
            time: group("time"),
            text: group("text"),
            captures: regex.captures_len() > 1,
            first_bytes: FirstBytes::of(regex.as_str()),
            regex,
        }
    }

    /// Fills the fields this line captures (non-empty ones only), or says it does not match.
    ///
    /// A line starting with the author, `^{author}REST$`, is read as the leftmost match of
    /// `REST$` after the first character, the author being what precedes it. That is the
    /// same match: the lazy author makes its length the first choice, shortest first, and the
    /// leftmost match of the rest is exactly the shortest author for which the rest of the
    /// line matches; when that author is too long, every other one is longer. It is also far
    /// cheaper: the bounds come from a DFA scan, and a rest without captures of its own (a
    /// "Name says:" line) needs no capturing engine at all.
    fn read<'a>(&self, line: &'a str, found: &mut HeadMatch<'a>) -> Option<()> {
        let mut locations = self.regex.capture_locations();
        let author = if self.leading_author {
            let first_char = line.chars().next()?.len_utf8();
            let rest = if self.captures {
                self.regex
                    .captures_read_at(&mut locations, line, first_char)?
            } else {
                self.regex.find_at(line, first_char)?
            };
            let author = &line[..rest.start()];
            if author.chars().count() > MAX_AUTHOR_CHARS {
                return None;
            }
            Some(author)
        } else {
            if !self.first_bytes.admits(line) || !self.regex.is_match(line) {
                return None;
            }
            self.regex.captures_read(&mut locations, line)?;
            None
        };
        let group = |g: Option<usize>| {
            g.and_then(|g| locations.get(g))
                .map(|(start, end)| &line[start..end])
        };
        for (slot, value) in [
            (&mut found.author, author.or_else(|| group(self.author))),
            (&mut found.time, group(self.time)),
            (&mut found.text, group(self.text)),
        ] {
            let value = value.map_or("", str::trim);
            if !value.is_empty() {
                *slot = value;
            }
        }
        Some(())
    }
}

/// A regex anchored at the start of the line, with the bytes its matches can start with:
/// most lines are told apart by their first byte, far cheaper than starting a regex search.
#[derive(Debug)]
struct LineRegex {
    regex: Regex,
    first_bytes: FirstBytes,
}

impl LineRegex {
    fn new(regex: Regex) -> LineRegex {
        LineRegex {
            first_bytes: FirstBytes::of(regex.as_str()),
            regex,
        }
    }

    fn is_match(&self, line: &str) -> bool {
        self.first_bytes.admits(line) && self.regex.is_match(line)
    }

    fn find<'a>(&self, line: &'a str) -> Option<regex::Match<'a>> {
        self.first_bytes
            .admits(line)
            .then(|| self.regex.find(line))?
    }
}

/// The bytes a match of a pattern can start with, when every match starts at the start of
/// the line and none is empty; otherwise every line is admitted, the empty one included.
#[derive(Debug)]
struct FirstBytes {
    set: [u64; 4],
    /// Whether an empty line may match (when the bytes are not known).
    empty: bool,
}

impl FirstBytes {
    fn of(pattern: &str) -> FirstBytes {
        let mut bytes = [false; 256];
        let known = regex_syntax::Parser::new().parse(pattern).is_ok_and(|hir| {
            hir.properties().look_set_prefix().contains(Look::Start)
                && !add_first_bytes(&hir, &mut bytes)
        });
        let mut set = [0u64; 4];
        for (b, _) in bytes.iter().enumerate().filter(|&(_, &is)| is || !known) {
            set[b / 64] |= 1 << (b % 64);
        }
        FirstBytes { set, empty: !known }
    }

    /// Whether a line can match: its first byte is one a match can start with.
    fn admits(&self, line: &str) -> bool {
        line.as_bytes().first().map_or(self.empty, |&b| {
            self.set[usize::from(b / 64)] & (1 << (b % 64)) != 0
        })
    }
}

/// Adds the bytes a match of `hir` can start with (a superset: assertions are skipped) and
/// says whether it can match the empty string, where the next part's bytes count too.
fn add_first_bytes(hir: &Hir, bytes: &mut [bool; 256]) -> bool {
    let mut add = |lo: u8, hi: u8| bytes[usize::from(lo)..=usize::from(hi)].fill(true);
    let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match literal.0.first() {
            Some(&b) => {
                add(b, b);
                false
            }
            None => true,
        },
        // UTF-8 keeps code point order, so a range's lead bytes lie between its ends'.
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.ranges() {
                add(lead(range.start()), lead(range.end()));
            }
            false
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.ranges() {
                add(range.start(), range.end());
            }
            false
        }
        HirKind::Repetition(repetition) => {
            add_first_bytes(&repetition.sub, bytes) || repetition.min == 0
        }
        HirKind::Capture(capture) => add_first_bytes(&capture.sub, bytes),
        HirKind::Concat(parts) => parts.iter().all(|part| add_first_bytes(part, bytes)),
        HirKind::Alternation(parts) => parts
            .iter()
            .fold(false, |empty, part| add_first_bytes(part, bytes) | empty),
    }
}

/// A way a comment starts, compiled.
#[derive(Debug)]
pub struct HeadRule {
    shape: HeadShape,
    pub name: String,
    /// One entry per line of the head; each anchored to its whole line.
    lines: Vec<HeadLine>,
    /// The head spans two lines.
    pub two_lines: bool,
    /// The first line holds nothing but the author (so it may be the text after the previous
    /// comment's time, as when a scraper glued lines together).
    pub author_alone_on_first_line: bool,
    /// The head's second line starts with the time: a cheap filter before the regex.
    pub second_line_starts_with_time: bool,
    /// The head's first line starts with the time.
    pub starts_with_time: bool,
    /// The head's first line holds a time somewhere (lines without one are skipped cheaply).
    pub time_on_first_line: bool,
}

/// A head found in the text: who and when, and the comment text on the same line, if any
/// (borrowed from the page: most heads are found by rules that lose to another layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadMatch<'a> {
    pub author: &'a str,
    pub time: &'a str,
    pub text: &'a str,
}

/// The longest author name a head can have, in characters.
const MAX_AUTHOR_CHARS: usize = 80;

/// The longest first line a head can have: an author (80 characters) and a time, in bytes.
const MAX_HEAD_LINE: usize = 600;

impl HeadRule {
    /// Matches this rule at a line (and the next one, for two-line rules). The bare layouts
    /// use the time prefix; the others run the fast `is_match` first, since capturing is
    /// several times slower and most lines are text.
    pub fn matches<'a>(
        &self,
        markers: &Markers,
        first: &'a str,
        second: Option<&'a str>,
    ) -> Option<HeadMatch<'a>> {
        if first.len() > MAX_HEAD_LINE {
            return None;
        }
        let author_fits = |a: &str| !a.is_empty() && a.chars().count() <= MAX_AUTHOR_CHARS;
        match self.shape {
            HeadShape::AuthorThenTime => {
                let second = second?;
                let end = markers.time_prefix(second)?;
                return author_fits(first).then(|| HeadMatch {
                    author: first.trim(),
                    time: second[..end].trim(),
                    text: second[end..].trim(),
                });
            }
            HeadShape::TimeThenAuthor => {
                let second = second?;
                return (author_fits(second) && markers.time_full.is_match(first)).then(|| {
                    HeadMatch {
                        author: second.trim(),
                        time: first.trim(),
                        text: "",
                    }
                });
            }
            HeadShape::Pattern => {}
        }
        let texts = [Some(first), second];
        let mut found = HeadMatch {
            author: "",
            time: "",
            text: "",
        };
        for (line, text) in self.lines.iter().zip(texts) {
            let text = text?;
            match line {
                HeadLine::TimeOnly => {
                    if !markers.time_full.is_match(text) {
                        return None;
                    }
                    found.time = text.trim();
                }
                HeadLine::Regex(regex) => regex.read(text, &mut found)?,
            }
        }
        Some(found)
    }
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct Markers {
    time_start: LineRegex,
    time_full: LineRegex,
    time_anywhere: Regex,
    count_header: LineRegex,
    action: LineRegex,
    closer: LineRegex,
    reply_to: Vec<Regex>,
    /// All `reply_to` patterns in one, without captures: most body lines match none, and one
    /// scan says so.
    reply_to_any: RegexSet,
    reply_placeholders: Vec<String>,
    /// The time, closer, count header and action patterns as one set (in that order), for
    /// telling an author's name from a marker in one scan.
    not_author: RegexSet,
    pub heads: Vec<HeadRule>,
}

/// Indices of the patterns in [`Markers::not_author`] (the action pattern comes last).
const NOT_AUTHOR_TIME: usize = 0;
const NOT_AUTHOR_CLOSER: usize = 1;
const NOT_AUTHOR_COUNT_HEADER: usize = 2;

/// A problem in a marker file, with the pattern that caused it.
#[derive(Debug, thiserror::Error)]
pub enum MarkersError {
    #[error("marker file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("marker file: unknown fragment {{{0}}}")]
    UnknownFragment(String),
    #[error("marker file: bad pattern {pattern:?}: {source}")]
    Pattern {
        pattern: String,
        source: Box<regex::Error>,
    },
}

impl Markers {
    /// The shipped lexicon, compiled once.
    pub fn default_markers() -> &'static Markers {
        static MARKERS: OnceLock<Markers> = OnceLock::new();
        MARKERS.get_or_init(|| {
            Markers::from_toml(DEFAULT_MARKERS)
                .unwrap_or_else(|e| panic!("the shipped markers.toml is invalid: {e}"))
        })
    }

    /// Compiles a lexicon written in the layout of `markers.toml`.
    pub fn from_toml(source: &str) -> Result<Markers, MarkersError> {
        let file: MarkersFile = toml::from_str(source)?;
        let expand = |pattern: &str| expand_fragments(pattern, &file.fragments);
        let alternation = |by_language: &ByLanguage| -> Result<String, MarkersError> {
            let parts = by_language
                .values()
                .flatten()
                .map(|p| expand(p).map(|p| format!("(?:{p})")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(parts.join("|"))
        };
        let times = alternation(&file.times)?;
        let compile = |pattern: String| {
            Regex::new(&pattern).map_err(|source| MarkersError::Pattern {
                pattern,
                source: Box::new(source),
            })
        };
        let heads = file
            .heads
            .iter()
            .map(|head| {
                let lines = head
                    .pattern
                    .split("\\n")
                    .map(|line| {
                        if line == "{time}" {
                            return Ok(HeadLine::TimeOnly);
                        }
                        let pattern = expand(line)?
                            .replace(
                                "{author}",
                                &format!(r"(?P<author>[^\n]{{1,{MAX_AUTHOR_CHARS}}}?)"),
                            )
                            .replace("{time}", &format!("(?P<time>{times})"))
                            .replace("{text}", r"(?P<text>[^\n]*)");
                        let rest = line
                            .strip_prefix("{author}")
                            .filter(|rest| !rest.contains("{author}"))
                            .map(|rest| {
                                expand(rest).map(|rest| {
                                    rest.replace("{time}", &format!("(?P<time>{times})"))
                                        .replace("{text}", r"(?P<text>[^\n]*)")
                                })
                            })
                            .transpose()?
                            .filter(|rest| is_plain_sequence(rest));
                        Ok(HeadLine::Regex(match rest {
                            Some(rest) => {
                                HeadRegex::new(compile(format!("(?i)(?:{rest})$"))?, true)
                            }
                            None => HeadRegex::new(compile(format!("(?i)^{pattern}$"))?, false),
                        }))
                    })
                    .collect::<Result<Vec<_>, MarkersError>>()?;
                let shape = match head.pattern.as_str() {
                    "{author}\\n{time}{text}" => HeadShape::AuthorThenTime,
                    "{time}\\n{author}" => HeadShape::TimeThenAuthor,
                    _ => HeadShape::Pattern,
                };
                Ok(HeadRule {
                    shape,
                    name: head.name.clone(),
                    lines,
                    two_lines: head.pattern.contains("\\n"),
                    author_alone_on_first_line: head.pattern.starts_with("{author}\\n"),
                    second_line_starts_with_time: head.pattern.contains("\\n{time}"),
                    starts_with_time: head.pattern.starts_with("{time}"),
                    time_on_first_line: head
                        .pattern
                        .split("\\n")
                        .next()
                        .is_some_and(|first| first.contains("{time}")),
                })
            })
            .collect::<Result<Vec<_>, MarkersError>>()?;
        let reply_to_patterns = file
            .reply_to
            .values()
            .flatten()
            .map(|p| {
                let p = expand(p)?.replace("{author}", r"(?P<author>.{1,80}?)");
                Ok(format!(r"(?i)^{p}\s*[:.,]?$"))
            })
            .collect::<Result<Vec<_>, MarkersError>>()?;
        let reply_to = reply_to_patterns
            .iter()
            .cloned()
            .map(compile)
            .collect::<Result<Vec<_>, _>>()?;
        // Every pattern compiled on its own above, so the set only fails on size limits.
        let reply_to_any =
            RegexSet::new(&reply_to_patterns).map_err(|source| MarkersError::Pattern {
                pattern: reply_to_patterns.join(" | "),
                source: Box::new(source),
            })?;
        let time_start = compile(format!("(?i)^(?:{times})"))?;
        let time_full = compile(format!("(?i)^(?:{times})$"))?;
        let time_anywhere = compile(format!("(?i)(?:{times})"))?;
        let count_header = compile(format!("(?i)^(?:{})$", alternation(&file.count_headers)?))?;
        let action = compile(format!("(?i)^(?:{})$", alternation(&file.actions)?))?;
        let closer = compile(format!("(?i)^(?:{})", alternation(&file.closers)?))?;
        let not_author = [&time_start, &closer, &count_header, &action].map(Regex::as_str);
        // Every pattern compiled on its own above, so the set only fails on size limits.
        let not_author = RegexSet::new(not_author).map_err(|source| MarkersError::Pattern {
            pattern: not_author.join(" | "),
            source: Box::new(source),
        })?;
        Ok(Markers {
            time_start: LineRegex::new(time_start),
            time_full: LineRegex::new(time_full),
            time_anywhere,
            count_header: LineRegex::new(count_header),
            action: LineRegex::new(action),
            closer: LineRegex::new(closer),
            reply_to,
            reply_to_any,
            reply_placeholders: file
                .reply_placeholders
                .values()
                .flatten()
                .map(|p| p.to_lowercase())
                .collect(),
            not_author,
            heads,
        })
    }

    /// The length in bytes of the time expression a line starts with, if it starts with one.
    pub fn time_prefix(&self, line: &str) -> Option<usize> {
        self.time_start.find(line).map(|m| m.end())
    }

    /// Whether the line starts with a time expression (cheaper than finding where it ends).
    pub fn starts_with_time(&self, line: &str) -> bool {
        self.time_start.is_match(line)
    }

    /// Whether a time expression appears anywhere in the line.
    pub fn contains_time(&self, line: &str) -> bool {
        self.time_anywhere.is_match(line)
    }

    pub fn is_count_header(&self, line: &str) -> bool {
        line.len() < 200 && self.count_header.is_match(line)
    }

    pub fn is_action(&self, line: &str) -> bool {
        line.len() < 80 && self.action.is_match(line)
    }

    pub fn is_closer(&self, line: &str) -> bool {
        self.closer.is_match(line)
    }

    /// The author named by a "in reply to X" line.
    pub fn reply_to<'a>(&self, line: &'a str) -> Option<&'a str> {
        if line.len() > 120 || !self.reply_to_any.is_match(line) {
            return None;
        }
        self.reply_to
            .iter()
            .find_map(|r| r.captures(line))
            .and_then(|c| c.name("author"))
            .map(|m| m.as_str().trim())
    }

    pub fn is_reply_placeholder(&self, author: &str) -> bool {
        self.reply_placeholders
            .iter()
            .any(|p| p.eq_ignore_ascii_case(author))
    }

    /// Whether a string can be an author's name: short, and not itself a marker.
    pub fn is_plausible_author(&self, author: &str) -> bool {
        if author.is_empty() || author.chars().count() > MAX_AUTHOR_CHARS || author.contains("://")
        {
            return false;
        }
        // One scan for the four markers, each with the length bound of its own check.
        if author.len() < 80 {
            return !self.not_author.is_match(author);
        }
        let found = self.not_author.matches(author);
        !(found.matched(NOT_AUTHOR_TIME)
            || found.matched(NOT_AUTHOR_CLOSER)
            || (author.len() < 200 && found.matched(NOT_AUTHOR_COUNT_HEADER)))
    }
}

/// Whether a pattern is a plain sequence (no alternation or flag change at its top level), so
/// that it means the same on its own as after a prefix.
fn is_plain_sequence(pattern: &str) -> bool {
    match regex_syntax::ast::parse::Parser::new().parse(pattern) {
        Ok(Ast::Alternation(_) | Ast::Flags(_)) | Err(_) => false,
        Ok(Ast::Concat(ref concat)) => !concat.asts.iter().any(|a| matches!(a, Ast::Flags(_))),
        Ok(_) => true,
    }
}

/// Replaces `{name}` by the fragment `name`, leaving the head captures and regex repetition
/// counts (`{2}`, `{1,80}`) alone.
fn expand_fragments(
    pattern: &str,
    fragments: &BTreeMap<String, String>,
) -> Result<String, MarkersError> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
        match fragments.get(name) {
            Some(fragment) => out.push_str(&format!("(?:{fragment})")),
            None if is_name && !matches!(name, "author" | "time" | "text") => {
                return Err(MarkersError::UnknownFragment(name.to_string()))
            }
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers() -> &'static Markers {
        Markers::default_markers()
    }

    #[test]
    fn recognises_times_in_french_and_english() {
        for time in [
            "il y a 3 semaines (17:55 PM)",
            "il y a 2 heures",
            "Aujourd'hui à 08h15",
            "le 02/05/2025 à 08h15",
            "12 mars 2025 à 10:02",
            "2 hours ago",
            "June 21, 2025 at 8:14 am",
            "21 June 2025",
            "2025-06-21T08:14:00Z",
        ] {
            assert_eq!(markers().time_prefix(time), Some(time.len()), "{time}");
        }
        assert_eq!(markers().time_prefix("Il faut agir"), None);
        assert_eq!(
            markers().time_prefix("il y a 3 semaines (17:55 PM)Bonjour"),
            Some(28)
        );
    }

    #[test]
    fn recognises_count_headers_actions_and_closers() {
        for header in [
            "31 Commentaires",
            "Commentaires (12)",
            "4 réactions",
            "2 comments",
            "3 thoughts on “Bamako under fire”",
        ] {
            assert!(markers().is_count_header(header), "{header}");
        }
        for action in [
            "Reply",
            "Répondre",
            "Like (14)",
            "Signaler",
            "Load more comments",
            "12",
        ] {
            assert!(markers().is_action(action), "{action}");
        }
        for closer in [
            "Participer à la Discussion",
            "Leave a Reply",
            "Vous devez être connecté pour publier un commentaire.",
            "You must be logged in to post a comment Login",
        ] {
            assert!(markers().is_closer(closer), "{closer}");
        }
        assert!(!markers().is_closer("Il faut participer à la vie publique"));
    }

    #[test]
    fn head_rules_capture_author_time_and_inline_text() {
        let rule = |name: &str| markers().heads.iter().find(|h| h.name == name).unwrap();
        let head = rule("author-then-time")
            .matches(
                markers(),
                "Abdullah",
                Some("il y a 3 semaines (18:00 PM)C est elle"),
            )
            .unwrap();
        assert_eq!(head.author, "Abdullah");
        assert_eq!(head.time, "il y a 3 semaines (18:00 PM)");
        assert_eq!(head.text, "C est elle");
        let head = rule("posted-by-fr")
            .matches(
                markers(),
                "Posté par Awa Ndiaye le 02/05/2025 à 08h15",
                None,
            )
            .unwrap();
        assert_eq!(
            (head.author, head.time),
            ("Awa Ndiaye", "le 02/05/2025 à 08h15")
        );
        let head = rule("author-dot-time")
            .matches(markers(), "Moussa K. · 2 hours ago", None)
            .unwrap();
        assert_eq!((head.author, head.time), ("Moussa K.", "2 hours ago"));
    }

    #[test]
    fn reads_reply_markers_and_placeholders() {
        assert_eq!(markers().reply_to("En réponse à Awa"), Some("Awa"));
        assert_eq!(
            markers().reply_to("In reply to @Moussa K."),
            Some("Moussa K")
        );
        assert!(markers().is_reply_placeholder("Reply_author"));
    }

    #[test]
    fn first_bytes_admit_every_match_of_a_line_anchored_pattern() {
        let time = FirstBytes::of(r"(?i)^(?:le\s+)?\d");
        for line in ["Le 3", "le 3", "3 mai", "LE\t4"] {
            assert!(time.admits(line), "{line}");
        }
        for line in ["", "Kwame says:", " 3"] {
            assert!(!time.admits(line), "{line}");
        }
        // Not anchored in every branch, or able to match nothing: every line may match.
        for pattern in [r"^a|b", r"^a?", r"a"] {
            assert!(FirstBytes::of(pattern).admits("xb"), "{pattern}");
        }
        // A pattern that can match nothing matches the empty line too.
        assert!(FirstBytes::of(r"^a?").admits(""));
    }

    #[test]
    fn a_leading_author_is_read_as_the_whole_line_regex_reads_it() {
        let lines = [
            "Awa says:",
            "Awa  says  says:",
            "says says:",
            "Awa · 2 hours ago · 3 hours ago",
            "x says:",
            "says:",
            "",
            "Éloïse a écrit :",
        ];
        let long = format!("{} says:", "a".repeat(81));
        let exact = format!("{} says:", "é".repeat(80));
        for head in [
            r"{author}\s+says\s*:",
            r"{author}\s*·\s*{time}",
            r"{author}\s*·\s*{text}",
            r"{author} a|b says:",
        ] {
            let custom = format!(
                "{}\n[[heads]]\nname = \"custom\"\npattern = '{head}'\n",
                DEFAULT_MARKERS
            );
            let markers = Markers::from_toml(&custom).unwrap();
            let rule = markers.heads.last().unwrap();
            let times = markers.time_full.regex.as_str();
            let times = &times["(?i)^(?:".len()..times.len() - 2];
            let whole = Regex::new(&format!(
                "(?i)^{}$",
                head.replace("{author}", r"(?P<author>[^\n]{1,80}?)")
                    .replace("{time}", &format!("(?P<time>{times})"))
                    .replace("{text}", r"(?P<text>[^\n]*)")
            ))
            .unwrap();
            for line in lines.iter().copied().chain([long.as_str(), exact.as_str()]) {
                let expected = whole.captures(line).map(|c| {
                    let get = |name| c.name(name).map_or("", |m| m.as_str().trim());
                    (get("author"), get("time"), get("text"))
                });
                let got = rule
                    .matches(&markers, line, None)
                    .map(|m| (m.author, m.time, m.text));
                assert_eq!(got, expected, "{head} on {line:?}");
            }
        }
    }

    #[test]
    fn a_broken_marker_file_is_an_error_not_a_panic() {
        assert!(Markers::from_toml("fragments = 3").is_err());
        let bad = DEFAULT_MARKERS.replace("{clock}", "{nosuch}");
        assert!(matches!(
            Markers::from_toml(&bad),
            Err(MarkersError::UnknownFragment(_))
        ));
    }
}
