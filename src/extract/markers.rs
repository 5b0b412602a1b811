//! The marker lexicon of plain-text page dumps, compiled from `markers.toml`.
//!
//! The lexicon is data so that a new site layout (another count header, another way to print
//! a time, another button label) is a change to the TOML file, not new code. The text reader
//! only knows the generic rules: a section starts at a count header, comments start at heads,
//! action lines are dropped, closers end the section.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
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
    Regex(Regex),
    TimeOnly,
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

/// A head found in the text: who and when, and the comment text on the same line, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadMatch {
    pub author: String,
    pub time: String,
    pub text: String,
}

/// The longest first line a head can have: an author (80 characters) and a time, in bytes.
const MAX_HEAD_LINE: usize = 600;

impl HeadRule {
    /// Matches this rule at a line (and the next one, for two-line rules). The bare layouts
    /// use the time prefix; the others run the fast `is_match` first, since capturing is
    /// several times slower and most lines are text.
    pub fn matches(
        &self,
        markers: &Markers,
        first: &str,
        second: Option<&str>,
    ) -> Option<HeadMatch> {
        if first.len() > MAX_HEAD_LINE {
            return None;
        }
        let author_fits = |a: &str| !a.is_empty() && a.chars().count() <= 80;
        match self.shape {
            HeadShape::AuthorThenTime => {
                let second = second?;
                let end = markers.time_prefix(second)?;
                return author_fits(first).then(|| HeadMatch {
                    author: first.trim().to_string(),
                    time: second[..end].trim().to_string(),
                    text: second[end..].trim().to_string(),
                });
            }
            HeadShape::TimeThenAuthor => {
                let second = second?;
                return (author_fits(second) && markers.time_full.is_match(first)).then(|| {
                    HeadMatch {
                        author: second.trim().to_string(),
                        time: first.trim().to_string(),
                        text: String::new(),
                    }
                });
            }
            HeadShape::Pattern => {}
        }
        let texts = [Some(first), second];
        let mut found = HeadMatch {
            author: String::new(),
            time: String::new(),
            text: String::new(),
        };
        for (line, text) in self.lines.iter().zip(texts) {
            let text = text?;
            match line {
                HeadLine::TimeOnly => {
                    if !markers.time_full.is_match(text) {
                        return None;
                    }
                    found.time = text.trim().to_string();
                }
                HeadLine::Regex(regex) => {
                    if !regex.is_match(text) {
                        return None;
                    }
                    let part = capture_head(&regex.captures(text)?);
                    for (slot, value) in [
                        (&mut found.author, part.author),
                        (&mut found.time, part.time),
                        (&mut found.text, part.text),
                    ] {
                        if !value.is_empty() {
                            *slot = value;
                        }
                    }
                }
            }
        }
        Some(found)
    }
}

fn capture_head(captures: &regex::Captures<'_>) -> HeadMatch {
    let get = |name| {
        captures
            .name(name)
            .map(|m| m.as_str().trim().to_string())
            .unwrap_or_default()
    };
    HeadMatch {
        author: get("author"),
        time: get("time"),
        text: get("text"),
    }
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct Markers {
    time_start: Regex,
    time_full: Regex,
    time_anywhere: Regex,
    count_header: Regex,
    action: Regex,
    closer: Regex,
    reply_to: Vec<Regex>,
    reply_placeholders: Vec<String>,
    pub heads: Vec<HeadRule>,
}

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
                            .replace("{author}", r"(?P<author>[^\n]{1,80}?)")
                            .replace("{time}", &format!("(?P<time>{times})"))
                            .replace("{text}", r"(?P<text>[^\n]*)");
                        Ok(HeadLine::Regex(compile(format!("(?i)^{pattern}$"))?))
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
        let reply_to = file
            .reply_to
            .values()
            .flatten()
            .map(|p| {
                let p = expand(p)?.replace("{author}", r"(?P<author>.{1,80}?)");
                compile(format!(r"(?i)^{p}\s*[:.,]?$"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Markers {
            time_start: compile(format!("(?i)^(?:{times})"))?,
            time_full: compile(format!("(?i)^(?:{times})$"))?,
            time_anywhere: compile(format!("(?i)(?:{times})"))?,
            count_header: compile(format!("(?i)^(?:{})$", alternation(&file.count_headers)?))?,
            action: compile(format!("(?i)^(?:{})$", alternation(&file.actions)?))?,
            closer: compile(format!("(?i)^(?:{})", alternation(&file.closers)?))?,
            reply_to,
            reply_placeholders: file
                .reply_placeholders
                .values()
                .flatten()
                .map(|p| p.to_lowercase())
                .collect(),
            heads,
        })
    }

    /// The length in bytes of the time expression a line starts with, if it starts with one.
    pub fn time_prefix(&self, line: &str) -> Option<usize> {
        self.time_start.find(line).map(|m| m.end())
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
        if line.len() > 120 {
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
        !author.is_empty()
            && author.chars().count() <= 80
            && !author.contains("://")
            && self.time_prefix(author).is_none()
            && !self.is_action(author)
            && !self.is_closer(author)
            && !self.is_count_header(author)
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
            (head.author.as_str(), head.time.as_str()),
            ("Awa Ndiaye", "le 02/05/2025 à 08h15")
        );
        let head = rule("author-dot-time")
            .matches(markers(), "Moussa K. · 2 hours ago", None)
            .unwrap();
        assert_eq!(
            (head.author.as_str(), head.time.as_str()),
            ("Moussa K.", "2 hours ago")
        );
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
    fn a_broken_marker_file_is_an_error_not_a_panic() {
        assert!(Markers::from_toml("fragments = 3").is_err());
        let bad = DEFAULT_MARKERS.replace("{clock}", "{nosuch}");
        assert!(matches!(
            Markers::from_toml(&bad),
            Err(MarkersError::UnknownFragment(_))
        ));
    }
}
