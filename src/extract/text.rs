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
    let mut thread = Thread::new(thread_id);
    let section = find_section(&lines, markers);
    let article_end = match &section {
        Some(section) => section.header_line.unwrap_or(section.first_line),
        None => lines
            .iter()
            .position(|l| markers.is_closer(l))
            .unwrap_or(lines.len()),
    };
    thread.article = read_article(thread_id, &lines[..article_end]);
    if let Some(section) = section {
        for comment in read_comments(&lines, &section, markers) {
            thread.push(comment);
        }
        resolve_parents(&mut thread);
    }
    thread
}

/// Where the comment section is and how its heads are written.
struct Section<'m> {
    /// The count header line, if the page has one.
    header_line: Option<usize>,
    /// The first line after the header (or the first head, without a header).
    first_line: usize,
    rule: Option<&'m HeadRule>,
}

fn find_section<'m>(lines: &[&str], markers: &'m Markers) -> Option<Section<'m>> {
    if let Some(header) = lines.iter().position(|l| markers.is_count_header(l)) {
        let first_line = header + 1;
        let rule = best_rule(&lines[first_line..], markers).map(|(rule, _)| rule);
        return Some(Section {
            header_line: Some(header),
            first_line,
            rule,
        });
    }
    let (rule, heads) = best_rule(lines, markers)?;
    if heads.len() < 2 {
        return None;
    }
    Some(Section {
        header_line: None,
        first_line: heads[0].first_line,
        rule: Some(rule),
    })
}

/// A head found at a line of the page.
#[derive(Debug)]
struct Head {
    first_line: usize,
    /// The line holding the time (and maybe the start of the text).
    last_line: usize,
    found: HeadMatch,
}

/// The head rule that finds the most heads (the earliest rule on a tie), with its heads.
fn best_rule<'m>(lines: &[&str], markers: &'m Markers) -> Option<(&'m HeadRule, Vec<Head>)> {
    let mut best: Option<(&HeadRule, Vec<Head>)> = None;
    for rule in &markers.heads {
        let heads = find_heads(lines, rule, markers);
        if !heads.is_empty() && best.as_ref().is_none_or(|(_, b)| heads.len() > b.len()) {
            best = Some((rule, heads));
        }
    }
    best
}

/// All heads of one rule, in order, stopping at the first closer after a head.
fn find_heads(lines: &[&str], rule: &HeadRule, markers: &Markers) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let next = lines.get(i + 1).copied();
        if !heads.is_empty() && markers.is_closer(line) {
            break;
        }
        // The text after the previous head's time may be this head's author (see step 4).
        let glued = heads
            .last()
            .filter(|h| h.last_line == i && rule.author_alone_on_first_line)
            .map(|h| h.found.text.as_str());
        let first = match glued {
            Some(text) if !text.is_empty() => text,
            Some(_) => {
                i += 1;
                continue;
            }
            None => line,
        };
        if rule.second_line_starts_with_time
            && next.is_none_or(|n| markers.time_prefix(n).is_none())
        {
            i += 1;
            continue;
        }
        match rule.matches(first, next) {
            Some(found) if markers.is_plausible_author(&found.author) => {
                let last_line = if rule.two_lines { i + 1 } else { i };
                heads.push(Head {
                    first_line: i,
                    last_line,
                    found,
                });
                // Stay on a time line that carries text: it may hold the next author.
                i = if heads.last().is_some_and(|h| !h.found.text.is_empty()) {
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

fn read_comments(lines: &[&str], section: &Section<'_>, markers: &Markers) -> Vec<Comment> {
    let Some(rule) = section.rule else {
        return Vec::new();
    };
    let offset = section.first_line;
    let heads = find_heads(&lines[offset..], rule, markers);
    let mut comments: Vec<Comment> = Vec::with_capacity(heads.len());
    for (k, head) in heads.iter().enumerate() {
        let next = heads.get(k + 1);
        let mut body: Vec<&str> = Vec::new();
        let mut parent_author: Option<&str> = None;
        let mut closed = false;
        let tail_is_next_author = next.is_some_and(|n| n.first_line == head.last_line);
        if !head.found.text.is_empty() && !tail_is_next_author {
            if markers.is_closer(&head.found.text) {
                closed = true;
            } else {
                body.push(&head.found.text);
            }
        }
        let body_end = next.map_or(lines.len() - offset, |n| n.first_line);
        if !closed {
            for &line in
                &lines[offset + head.last_line + 1..offset + body_end.max(head.last_line + 1)]
            {
                if markers.is_closer(line) {
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
        let mut comment = Comment {
            author: head.found.author.clone(),
            posted_at: head.found.time.clone(),
            text: join_paragraphs(&body),
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
    fn a_single_byline_is_not_a_comment_section() {
        let thread = page("Titre\nPar Awa Ndiaye\nle 02/05/2025 à 08h15\nLe texte.\n");
        assert!(thread.comments.is_empty());
    }
}
