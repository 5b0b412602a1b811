//! Plain-text page dumps, as scrapers produce them: the article, then (maybe) a comment
//! section.
//!
//! The reader is an ordered cascade of named rules over trimmed lines, every word of which
//! comes from the marker lexicon ([`Markers`]):
//!
//! 1. `section-start`: the first count header ("31 Commentaires"); without one, the first
//!    head, if the page has at least two (one alone is more likely an article byline).
//! 2. `article`: everything before the section, up to the first closer (a login prompt after
//!    an article without comments is not part of it).
//! 3. `layout`: every head rule is tried on the section; the one finding the most heads reads
//!    it (sites print every comment the same way).
//! 4. `heads`: each head starts a comment; when a scraper glued the next author to the end of
//!    a time line ("…(17:55 PM)Reply_author"), that text is the next comment's author, not
//!    this comment's text.
//! 5. `body`: the lines up to the next head, minus action lines ("Répondre", "Like (14)");
//!    an "in reply to X" line becomes the parent; a closer ends the section.

use std::cell::Cell;

use super::markers::{HeadMatch, HeadRule, Markers};
use super::{Extraction, Source};
use crate::error::Result;
use crate::thread::{Article, Comment, Thread};

/// Reads one page dump with the shipped lexicon: one thread, named after the file.
pub fn read(source: &Source) -> Result<Extraction> {
    let thread = read_page(&source.stem, &source.text, Markers::default_markers());
    Ok(Extraction {
        threads: vec![thread],
        ..Extraction::default()
    })
}

/// Splits one page dump into its article and comments.
pub fn read_page(thread_id: &str, text: &str, markers: &Markers) -> Thread {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let page = Page {
        starts_with_time: lines.iter().map(|l| markers.starts_with_time(l)).collect(),
        is_closer: lines.iter().map(|l| markers.is_closer(l)).collect(),
        contains_time: vec![Cell::new(None); lines.len()],
        lines,
    };
    let lines = &page.lines;
    let mut thread = Thread::new(thread_id);
    let section = find_section(&page, markers);
    let article_end = match &section {
        Some(section) => section.header_line.unwrap_or(section.first_line),
        None => page
            .is_closer
            .iter()
            .position(|&closer| closer)
            .unwrap_or(lines.len()),
    };
    thread.article = read_article(thread_id, &lines[..article_end]);
    if let Some(section) = section {
        let comments = read_comments(&page, &section, markers);
        thread.comments.reserve_exact(comments.len());
        for comment in comments {
            thread.push(comment);
        }
        resolve_parents(&mut thread);
    }
    thread
}

/// The trimmed lines of a page, which of them start with a time and which are closers
/// (computed once: every head rule asks).
struct Page<'a> {
    lines: Vec<&'a str>,
    starts_with_time: Vec<bool>,
    is_closer: Vec<bool>,
    /// Whether a line holds a time anywhere, filled in when a rule first asks: it scans the
    /// whole line, and only rules with a time on their first line need it.
    contains_time: Vec<Cell<Option<bool>>>,
}

impl Page<'_> {
    fn contains_time(&self, line: usize, markers: &Markers) -> bool {
        let cell = &self.contains_time[line];
        cell.get().unwrap_or_else(|| {
            let found = markers.contains_time(self.lines[line]);
            cell.set(Some(found));
            found
        })
    }

    /// Whether a head of `rule` can start at a line, by the rule's cheap filters. A head read
    /// from text glued to the previous time line skips the filters on its first line (rules
    /// that read one start with a bare `{author}` line, so have none).
    fn may_start_head(&self, line: usize, rule: &HeadRule, markers: &Markers, glued: bool) -> bool {
        let next_is_time = self
            .starts_with_time
            .get(line + 1)
            .copied()
            .unwrap_or(false);
        !((rule.second_line_starts_with_time && !next_is_time)
            || (rule.starts_with_time && !glued && !self.starts_with_time[line])
            || (rule.time_on_first_line && !glued && !self.contains_time(line, markers)))
    }
}

/// Where the comment section is and the heads found in it.
struct Section<'a> {
    /// The count header line, if the page has one.
    header_line: Option<usize>,
    /// The first line of the section (after the header, or the first head without one).
    first_line: usize,
    /// Heads, with line numbers relative to `first_line`.
    heads: Vec<Head<'a>>,
}

fn find_section<'a>(page: &Page<'a>, markers: &Markers) -> Option<Section<'a>> {
    if let Some(header) = page.lines.iter().position(|l| markers.is_count_header(l)) {
        let first_line = header + 1;
        // The layout is chosen on the start of the section, then read all through.
        let sample = (first_line + LAYOUT_SAMPLE).min(page.lines.len());
        let heads =
            best_rule(page, first_line, sample, markers).map_or_else(Vec::new, |(rule, heads)| {
                if sample == page.lines.len() {
                    heads
                } else {
                    find_heads(page, first_line, page.lines.len(), rule, markers)
                }
            });
        return Some(Section {
            header_line: Some(header),
            first_line,
            heads,
        });
    }
    let (_, heads) = best_rule(page, 0, page.lines.len(), markers)?;
    if heads.len() < 2 {
        return None;
    }
    let first_line = heads[0].first_line;
    let heads = heads
        .into_iter()
        .map(|h| Head {
            first_line: h.first_line - first_line,
            last_line: h.last_line - first_line,
            found: h.found,
        })
        .collect();
    Some(Section {
        header_line: None,
        first_line,
        heads,
    })
}

/// A head found at a line of the page.
#[derive(Debug)]
struct Head<'a> {
    first_line: usize,
    /// The line holding the time (and maybe the start of the text).
    last_line: usize,
    found: HeadMatch<'a>,
}

/// Lines after a count header on which the layout of a section is chosen.
const LAYOUT_SAMPLE: usize = 400;

/// The head rule that finds the most heads in lines `from..to` (the earliest rule on a tie),
/// with its heads (line numbers relative to `from`).
fn best_rule<'m, 'a>(
    page: &Page<'a>,
    from: usize,
    to: usize,
    markers: &'m Markers,
) -> Option<(&'m HeadRule, Vec<Head<'a>>)> {
    let mut best: Option<(&HeadRule, Vec<Head>)> = None;
    for rule in &markers.heads {
        // Each head starts at a distinct line passing the rule's filters: a rule with no more
        // such lines than the best so far has heads cannot beat it (a tie goes to the best).
        let found = best.as_ref().map_or(0, |(_, b)| b.len());
        let mut candidates = (from..to).filter(|&i| page.may_start_head(i, rule, markers, false));
        if candidates.nth(found).is_none() {
            continue;
        }
        let heads = find_heads(page, from, to, rule, markers);
        if !heads.is_empty() && best.as_ref().is_none_or(|(_, b)| heads.len() > b.len()) {
            best = Some((rule, heads));
        }
    }
    best
}

/// All heads of one rule in lines `from..to` (numbered from `from`), in order, stopping at
/// the first closer after a head.
fn find_heads<'a>(
    page: &Page<'a>,
    from: usize,
    to: usize,
    rule: &HeadRule,
    markers: &Markers,
) -> Vec<Head<'a>> {
    let lines = &page.lines[from..to];
    let mut heads: Vec<Head> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // The line after the range still completes a two-line head at its end.
        let next = page.lines.get(from + i + 1).copied();
        if !heads.is_empty() && page.is_closer[from + i] {
            break;
        }
        // The text after the previous head's time may be this head's author (see step 4).
        let glued = heads
            .last()
            .filter(|h| h.last_line == i && rule.author_alone_on_first_line)
            .map(|h| h.found.text);
        let first = match glued {
            Some(text) if !text.is_empty() => text,
            Some(_) => {
                i += 1;
                continue;
            }
            None => line,
        };
        if !page.may_start_head(from + i, rule, markers, glued.is_some()) {
            i += 1;
            continue;
        }
        match rule.matches(markers, first, next) {
            Some(found) if markers.is_plausible_author(found.author) => {
                let last_line = if rule.two_lines { i + 1 } else { i };
                heads.push(Head {
                    first_line: i,
                    last_line,
                    found,
                });
                // Stay on the time line of a two-line head when it carries text: it may hold
                // the next author. (A one-line head always moves on, so the loop ends.)
                i = if rule.two_lines && heads.last().is_some_and(|h| !h.found.text.is_empty()) {
                    last_line
                } else {
                    last_line + 1
                };
            }
            _ => i += 1,
        }
    }
    heads
}

fn read_comments(page: &Page<'_>, section: &Section<'_>, markers: &Markers) -> Vec<Comment> {
    let lines = &page.lines;
    let offset = section.first_line;
    let heads = &section.heads;
    let mut comments: Vec<Comment> = Vec::with_capacity(heads.len());
    for (k, head) in heads.iter().enumerate() {
        let next_first_line = heads.get(k + 1).map(|n| n.first_line);
        let mut body: Vec<&str> = Vec::new();
        let mut parent_author: Option<&str> = None;
        let mut closed = false;
        let tail_is_next_author = next_first_line == Some(head.last_line);
        if !head.found.text.is_empty() && !tail_is_next_author {
            if markers.is_closer(head.found.text) {
                closed = true;
            } else {
                body.push(head.found.text);
            }
        }
        let body_end = next_first_line.unwrap_or(lines.len() - offset);
        if !closed {
            let range = offset + head.last_line + 1..offset + body_end.max(head.last_line + 1);
            for (&line, &is_closer) in lines[range.clone()].iter().zip(&page.is_closer[range]) {
                if is_closer {
                    closed = true;
                    break;
                }
                if markers.is_action(line) {
                    continue;
                }
                match markers.reply_to(line) {
                    Some(author) => parent_author = Some(author),
                    None => body.push(line),
                }
            }
        }
        let text = join_paragraphs(&body);
        let mut comment = Comment {
            author: head.found.author.to_string(),
            posted_at: head.found.time.to_string(),
            text,
            ..Comment::default()
        };
        if markers.is_reply_placeholder(&comment.author) {
            comment.author.clear();
            comment.parent_id = last_index_where(&comments, |c| !c.author.is_empty());
        } else if let Some(author) = parent_author {
            comment.parent_id = last_index_where(&comments, |c| same_name(&c.author, author));
        }
        comments.push(comment);
        if closed {
            break;
        }
    }
    comments
}

/// The 1-based position of the last comment matching `pred`, as a placeholder parent id that
/// [`resolve_parents`] turns into a real id.
fn last_index_where(comments: &[Comment], pred: impl Fn(&Comment) -> bool) -> String {
    comments
        .iter()
        .rposition(pred)
        .map(|i| format!("#{}", i + 1))
        .unwrap_or_default()
}

/// Turns the `#position` parents of [`read_comments`] into the ids the thread gave.
fn resolve_parents(thread: &mut Thread) {
    let id = thread.id().to_string();
    for comment in &mut thread.comments {
        if comment.parent_id.starts_with('#') {
            comment.parent_id = format!("{id}{}", comment.parent_id);
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let clean = |s: &str| s.trim_end_matches(['.', ':', ',']).trim().to_lowercase();
    clean(a) == clean(b)
}

/// Joins non-empty lines, keeping a blank line where the source had paragraph breaks.
fn join_paragraphs(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut pending_break = false;
    for line in lines {
        if line.is_empty() {
            pending_break = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if pending_break { "\n\n" } else { "\n" });
        }
        pending_break = false;
        out.push_str(line);
    }
    out
}

/// The article: a short first line without final punctuation is its title; otherwise the
/// title is the first sentence and the body keeps everything.
fn read_article(thread_id: &str, lines: &[&str]) -> Article {
    let paragraphs: Vec<&str> = lines.iter().copied().filter(|l| !l.is_empty()).collect();
    let Some((&first, rest)) = paragraphs.split_first() else {
        return Article {
            thread_id: thread_id.to_string(),
            ..Article::default()
        };
    };
    let looks_like_title =
        first.chars().count() <= 150 && !first.ends_with(['.', '!', '?', ':', '»', '"']);
    let (title, body) = if looks_like_title && !rest.is_empty() {
        (first.to_string(), rest.join("\n\n"))
    } else {
        (first_sentence(first), paragraphs.join("\n\n"))
    };
    Article {
        thread_id: thread_id.to_string(),
        title,
        body,
    }
}

/// The first sentence of a paragraph, cut at a word boundary if it is long.
fn first_sentence(paragraph: &str) -> String {
    let end = paragraph
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?') && paragraph[i + c.len_utf8()..].starts_with(' ') && i > 20
        })
        .map_or(paragraph.len(), |(i, c)| i + c.len_utf8());
    let sentence = &paragraph[..end];
    if sentence.chars().count() <= 150 {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(150).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Thread {
        read_page("t", text, Markers::default_markers())
    }

    fn summary(thread: &Thread) -> Vec<(String, String, String, String)> {
        thread
            .comments
            .iter()
            .map(|c| {
                (
                    c.author.clone(),
                    c.posted_at.clone(),
                    c.text.clone(),
                    c.parent_id.clone(),
                )
            })
            .collect()
    }

    fn row(author: &str, time: &str, text: &str, parent: &str) -> (String, String, String, String) {
        (author.into(), time.into(), text.into(), parent.into())
    }

    #[test]
    fn glued_layout_keeps_empty_comments_and_next_authors_apart() {
        let thread = page(
            "Titre de l'article\nLe corps de l'article.\n3 Commentaires\nAwa\n\
             il y a 2 heures (10:00 AM)Reply_author\n\
             il y a 2 heures (10:05 AM)Premier avis\nsur deux lignes.\nMoussa\n\
             il y a 1 heure (11:00 AM)Participer à la Discussion\n",
        );
        assert_eq!(thread.article.title, "Titre de l'article");
        assert_eq!(thread.article.body, "Le corps de l'article.");
        assert_eq!(
            summary(&thread),
            vec![
                row("Awa", "il y a 2 heures (10:00 AM)", "", ""),
                row(
                    "",
                    "il y a 2 heures (10:05 AM)",
                    "Premier avis\nsur deux lignes.",
                    "t#1"
                ),
                row("Moussa", "il y a 1 heure (11:00 AM)", "", ""),
            ]
        );
        assert_eq!(thread.comments[1].comment_id, "t#2");
    }

    #[test]
    fn time_first_layout_with_actions_and_reply_markers() {
        let thread = page(
            "Floods in Kaolack\nThe river rose overnight.\n2 comments\n\
             2 hours ago\nFatou\nThe drains were never cleaned.\nReply\nLike (14)\n\
             1 hour ago\nIbrahima\nIn reply to Fatou\nThey were, last spring.\nReply\n\
             Leave a Reply\nYour email address will not be published.\n",
        );
        assert_eq!(
            summary(&thread),
            vec![
                row("Fatou", "2 hours ago", "The drains were never cleaned.", ""),
                row("Ibrahima", "1 hour ago", "They were, last spring.", "t#1"),
            ]
        );
    }

    #[test]
    fn a_page_without_comments_keeps_its_whole_article_and_drops_the_login_prompt() {
        let thread = page(
            "Une longue première phrase qui ouvre l'article et se termine par un point.\n\
             Deuxième paragraphe.\nYou must be logged in to post a comment Login\n",
        );
        assert!(thread.comments.is_empty());
        assert_eq!(
            thread.article.body,
            "Une longue première phrase qui ouvre l'article et se termine par un point.\n\n\
             Deuxième paragraphe."
        );
    }

    #[test]
    fn a_custom_one_line_head_with_inline_text_terminates() {
        let custom = format!(
            "{}\n[[heads]]\nname = \"inline\"\npattern = '{{author}} · {{time}} {{text}}'\n",
            crate::extract::markers::DEFAULT_MARKERS
        );
        let markers = Markers::from_toml(&custom).unwrap();
        let thread = read_page(
            "t",
            "Titre\n2 comments\nAwa · 2 hours ago Bien vu\nMoussa · 1 hour ago Non\n",
            &markers,
        );
        assert_eq!(thread.comments.len(), 2);
        assert_eq!(thread.comments[1].text, "Non");
    }

    #[test]
    fn a_single_byline_is_not_a_comment_section() {
        let thread = page("Titre\nPar Awa Ndiaye\nle 02/05/2025 à 08h15\nLe texte.\n");
        assert!(thread.comments.is_empty());
    }
}
