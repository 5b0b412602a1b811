//! HTML pages: the comment region is found by the structure comment systems give it (ids and
//! classes such as `comments`, `comment-list`, `disqus_thread`; items as `li`, `article` or
//! `div`; `<time datetime>`; nested reply lists), taken out of the page, and the article is
//! read from what is left (title and body paragraphs, without navigation, scripts, related
//! links or forms).

use ego_tree::NodeId;
use rustc_hash::{FxHashMap, FxHashSet};
use scraper::{ElementRef, Html, Node, Selector};

use super::{tidy_text, Extraction, Source};
use crate::error::Result;
use crate::thread::{Article, Comment, Thread};

/// The nodes that are comment items.
type ItemIds = FxHashSet<NodeId>;

/// Ids and classes that name a whole comment region.
const REGION_NAMES: &[&str] = &[
    "comments",
    "comment-list",
    "commentlist",
    "comments-list",
    "comments-area",
    "comment-section",
    "comments-section",
    "comments-container",
    "disqus_thread",
    "commentaires",
    "reactions",
];

/// Class tokens that mark one comment item.
const ITEM_CLASSES: &[&str] = &[
    "comment",
    "comment-item",
    "single-comment",
    "c-comment",
    "commentaire",
    "reaction",
    "post",
];

/// Class fragments of the parts of an item that are not its text.
const NOT_TEXT: &[&str] = &[
    "author", "avatar", "meta", "date", "time", "reply", "actions", "vote", "like", "report",
    "footer", "header", "byline", "share", "says",
];

/// Elements whose text is never article or comment text.
const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "nav", "form", "button", "select", "textarea", "svg",
    "template", "iframe",
];

/// Class fragments of page furniture around an article.
const FURNITURE: &[&str] = &[
    "related",
    "share",
    "social",
    "newsletter",
    "breadcrumb",
    "menu",
    "sidebar",
    "footer",
    "header",
    "advert",
    "promo",
    "subscribe",
    "tags",
    "cookie",
    "respond",
    "comment",
];

/// Reads one HTML page: one thread.
pub fn read(source: &Source) -> Result<Extraction> {
    let document = Html::parse_document(&source.text);
    let mut warnings = Vec::new();
    let lower_tail: String = source
        .text
        .chars()
        .rev()
        .take(2048)
        .collect::<String>()
        .to_lowercase();
    if !lower_tail.contains(&"</html>".chars().rev().collect::<String>())
        && !lower_tail.contains(&"</body>".chars().rev().collect::<String>())
    {
        warnings.push(format!(
            "{}: the page has no closing </body> or </html> (truncated?); read what is there",
            source.name
        ));
    }
    let thread_id = page_url(&document).unwrap_or_else(|| source.stem.clone());
    let region = find_region(&document);
    let mut thread = Thread::new(thread_id.clone());
    thread.article = read_article(&document, region.map(|r| r.id()), &thread_id);
    if let Some(region) = region {
        for comment in read_comments(region) {
            thread.push(comment);
        }
    }
    Ok(Extraction {
        threads: vec![thread],
        warnings,
        ..Extraction::default()
    })
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad built-in selector {css:?}: {e}"))
}

/// The page's canonical URL, a stable thread id.
fn page_url(document: &Html) -> Option<String> {
    let canonical = selector(r#"link[rel="canonical"]"#);
    let og_url = selector(r#"meta[property="og:url"]"#);
    document
        .select(&canonical)
        .find_map(|e| e.value().attr("href"))
        .or_else(|| {
            document
                .select(&og_url)
                .find_map(|e| e.value().attr("content"))
        })
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_string)
}

fn names<'a>(element: &'a ElementRef<'_>) -> impl Iterator<Item = String> + 'a {
    element
        .value()
        .id()
        .into_iter()
        .chain(element.value().classes())
        .map(str::to_ascii_lowercase)
}

fn has_class_fragment(element: &ElementRef<'_>, fragments: &[&str]) -> bool {
    element
        .value()
        .classes()
        .chain(element.value().id())
        .any(|c| {
            let c = c.to_ascii_lowercase();
            fragments.iter().any(|f| c.contains(f))
        })
}

/// The outermost element named as a comment region.
fn find_region(document: &Html) -> Option<ElementRef<'_>> {
    document
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| names(e).any(|n| REGION_NAMES.contains(&n.as_str())))
}

fn is_item_candidate(element: &ElementRef<'_>) -> bool {
    let tag = element.value().name();
    if !matches!(tag, "li" | "article" | "div" | "section") {
        return false;
    }
    let value = element.value();
    value.attr("data-comment-id").is_some()
        || value
            .attr("itemtype")
            .is_some_and(|t| t.ends_with("/Comment") || t.ends_with("/UserComments"))
        || value
            .classes()
            .any(|c| ITEM_CLASSES.contains(&c.to_ascii_lowercase().as_str()))
        || value.id().is_some_and(|id| comment_number(id).is_some())
}

/// `comment-123` → `123` (WordPress and most themes number their items so).
fn comment_number(id: &str) -> Option<&str> {
    let number = id
        .strip_prefix("comment-")
        .or_else(|| id.strip_prefix("li-comment-"))?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(number)
}

/// Whether an element sits in a reply list (an `ol`/`ul`, or a `children`/`replies` block)
/// below `ancestor`: then it is a reply, not a part of the ancestor comment.
fn in_reply_list_below(element: &ElementRef<'_>, ancestor: NodeId) -> bool {
    element
        .ancestors()
        .take_while(|a| a.id() != ancestor)
        .filter_map(ElementRef::wrap)
        .any(|a| {
            matches!(a.value().name(), "ol" | "ul")
                || has_class_fragment(&a, &["children", "replies", "reponses", "réponses"])
        })
}

struct Item<'a> {
    element: ElementRef<'a>,
    parent: Option<usize>,
}

/// The comment items of a region in page order, each with the index of the item it answers.
fn find_items(region: ElementRef<'_>) -> Vec<Item<'_>> {
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut index_of: FxHashMap<NodeId, usize> = FxHashMap::default();
    for element in region.descendants().filter_map(ElementRef::wrap) {
        if !is_item_candidate(&element) {
            continue;
        }
        // The nearest enclosing item, by walking up once (pages can hold thousands of items).
        let enclosing = element
            .ancestors()
            .find_map(|a| index_of.get(&a.id()).copied());
        match enclosing {
            Some(index) if !in_reply_list_below(&element, items[index].element.id()) => {
                // A wrapper inside the same comment (WordPress's `article.comment-body`).
            }
            parent => {
                index_of.insert(element.id(), items.len());
                items.push(Item { element, parent });
            }
        }
    }
    items
}

fn read_comments(region: ElementRef<'_>) -> Vec<Comment> {
    let items = find_items(region);
    let item_ids: ItemIds = items.iter().map(|i| i.element.id()).collect();
    let mut comments: Vec<Comment> = Vec::with_capacity(items.len());
    for item in &items {
        let own = |e: &ElementRef<'_>| owned_by(e, item.element.id(), &item_ids);
        let value = item.element.value();
        let comment_id = value
            .attr("data-comment-id")
            .map(str::to_string)
            .or_else(|| {
                value
                    .id()
                    .map(|id| comment_number(id).unwrap_or(id).to_string())
            })
            .unwrap_or_default();
        let parent_id = value
            .attr("data-parent-id")
            .map(str::to_string)
            .or_else(|| item.parent.map(|p| comments[p].comment_id.clone()))
            .unwrap_or_default();
        comments.push(Comment {
            comment_id,
            parent_id,
            author: find_author(item.element, &own),
            posted_at: find_time(item.element, &own),
            text: find_text(item.element, &item_ids),
            ..Comment::default()
        });
    }
    // Items without an id got one from the thread; parents pointing at them must follow.
    comments
}

/// Whether `element` belongs to `item` itself rather than to a reply nested in it.
fn owned_by(element: &ElementRef<'_>, item: NodeId, item_ids: &ItemIds) -> bool {
    element
        .ancestors()
        .find(|a| item_ids.contains(&a.id()))
        .is_some_and(|a| a.id() == item)
}

fn find_author(item: ElementRef<'_>, own: &dyn Fn(&ElementRef<'_>) -> bool) -> String {
    let elements: Vec<ElementRef<'_>> = item
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| own(e))
        .collect();
    let by_name = elements.iter().find(|e| {
        e.value()
            .classes()
            .any(|c| c == "fn" || c.contains("author-name"))
            || e.value().attr("itemprop") == Some("name")
    });
    let by_role = || {
        elements.iter().find(|e| {
            e.value().name() == "cite"
                || e.value().attr("itemprop") == Some("author")
                || has_class_fragment(e, &["author", "username", "user-name", "pseudo"])
        })
    };
    by_name
        .or_else(by_role)
        .map(|e| {
            let text = tidy_text(&e.text().collect::<String>());
            let text = text.trim_end_matches(':').trim();
            let text = ["says", "dit", "a dit", "a écrit", "wrote"]
                .iter()
                .find_map(|s| text.strip_suffix(s))
                .unwrap_or(text);
            text.trim().to_string()
        })
        .unwrap_or_default()
}

fn find_time(item: ElementRef<'_>, own: &dyn Fn(&ElementRef<'_>) -> bool) -> String {
    let elements = || {
        item.descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| own(e))
    };
    if let Some(time) = elements().find(|e| e.value().name() == "time") {
        return time
            .value()
            .attr("datetime")
            .map(str::to_string)
            .unwrap_or_else(|| tidy_text(&time.text().collect::<String>()));
    }
    elements()
        .find(|e| has_class_fragment(e, &["date", "time", "published"]))
        .map(|e| tidy_text(&e.text().collect::<String>()))
        .unwrap_or_default()
}

/// The comment's own text: its content element when it has one, otherwise everything in the
/// item that is not author, date, buttons or a nested reply.
fn find_text(item: ElementRef<'_>, item_ids: &ItemIds) -> String {
    let content = item.descendants().filter_map(ElementRef::wrap).find(|e| {
        owned_by(e, item.id(), item_ids)
            && (e.value().attr("itemprop") == Some("text")
                || has_class_fragment(
                    e,
                    &["content", "comment-text", "message", "comment-body-text"],
                ))
            && !has_class_fragment(e, &["author", "meta"])
    });
    let mut out = String::new();
    match content {
        Some(content) => collect_text(content, item_ids, false, &mut out),
        None => collect_text(item, item_ids, true, &mut out),
    }
    tidy_text(&out)
}

/// Appends the text under `element` with block elements as line breaks, skipping nested
/// items, scripts and forms, and (with `skip_furniture`) the author/date/button parts.
fn collect_text(
    element: ElementRef<'_>,
    item_ids: &ItemIds,
    skip_furniture: bool,
    out: &mut String,
) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(_) => {
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let tag = child.value().name();
                if item_ids.contains(&child.id())
                    || SKIPPED_TAGS.contains(&tag)
                    || (skip_furniture && (has_class_fragment(&child, NOT_TEXT) || tag == "time"))
                {
                    continue;
                }
                if tag == "br" {
                    out.push('\n');
                    continue;
                }
                let block = matches!(
                    tag,
                    "p" | "div"
                        | "li"
                        | "blockquote"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "section"
                        | "article"
                );
                if block {
                    out.push('\n');
                }
                collect_text(child, item_ids, skip_furniture, out);
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// The text of an HTML fragment (a Disqus message, a WordPress post body), with paragraphs
/// and line breaks kept as line breaks.
pub fn fragment_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return tidy_text(html);
    }
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    collect_text(
        fragment.root_element(),
        &ItemIds::default(),
        false,
        &mut out,
    );
    tidy_text(&out)
}

/// Whether an element is page furniture or inside the comment region.
fn is_outside_article(element: &ElementRef<'_>, region: Option<NodeId>) -> bool {
    element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .chain(std::iter::once(*element))
        .any(|a| {
            Some(a.id()) == region
                || SKIPPED_TAGS.contains(&a.value().name())
                || matches!(a.value().name(), "header" | "footer" | "aside")
                || has_class_fragment(&a, FURNITURE)
        })
}

fn read_article(document: &Html, region: Option<NodeId>, thread_id: &str) -> Article {
    let first_text = |css: &str| {
        document
            .select(&selector(css))
            .filter(|e| !is_outside_article(e, region) || e.value().name() == "title")
            .map(|e| tidy_text(&e.text().collect::<String>()))
            .find(|t| !t.is_empty())
    };
    let meta = |css: &str| {
        document
            .select(&selector(css))
            .find_map(|e| e.value().attr("content"))
            .map(|t| t.trim().to_string())
    };
    let title = first_text("h1")
        .or_else(|| meta(r#"meta[property="og:title"]"#))
        .or_else(|| first_text("title"))
        .unwrap_or_default();
    let containers = [
        r#"[itemprop="articleBody"]"#,
        ".article-body, .article__body, .entry-content, .post-content, .story-body",
        "article",
        "main",
        "body",
    ];
    let paragraph = selector("p, h2, h3, blockquote");
    let body = containers
        .iter()
        .flat_map(|css| document.select(&selector(css)).collect::<Vec<_>>())
        .filter(|c| {
            Some(c.id()) != region && !is_outside_article(c, region) || c.value().name() == "body"
        })
        .map(|container| {
            container
                .select(&paragraph)
                .filter(|p| !is_outside_article(p, region))
                .filter(|p| {
                    !p.ancestors()
                        .filter_map(ElementRef::wrap)
                        .any(|a| a.value().name() == "blockquote" && a.id() != p.id())
                })
                .map(|p| tidy_text(&p.text().collect::<String>()))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|paragraphs| !paragraphs.is_empty())
        .unwrap_or_default();
    Article {
        thread_id: thread_id.to_string(),
        title,
        body: body.join("\n\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_html(html: &str) -> Thread {
        let source = Source::in_memory("page.html", html);
        read(&source).unwrap().threads.remove(0)
    }

    #[test]
    fn wordpress_comment_list_with_nested_replies() {
        let thread = read_html(
            r##"<html><head><title>Site | Floods</title></head><body>
            <nav><p>Home</p></nav>
            <article><h1>Floods in Kaolack</h1><p>The river rose.</p><p>Roads closed.</p>
            <div class="related"><p>Other story</p></div></article>
            <div id="comments" class="comments-area"><h2>2 thoughts on “Floods”</h2>
             <ol class="comment-list">
              <li id="comment-7" class="comment">
               <article id="div-comment-7" class="comment-body">
                <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Awa</b> <span class="says">says:</span></div>
                 <div class="comment-metadata"><a href="#"><time datetime="2025-06-21T08:14:00+00:00">June 21, 2025</time></a></div></footer>
                <div class="comment-content"><p>The drains were blocked.</p><p>Again.</p></div>
                <div class="reply"><a>Reply</a></div>
               </article>
               <ol class="children"><li id="comment-9" class="comment">
                <article class="comment-body"><div class="comment-author"><b class="fn">Moussa</b></div>
                 <time datetime="2025-06-21T09:00:00+00:00">9:00</time>
                 <div class="comment-content"><p>Not this year.</p></div></article></li></ol>
              </li>
             </ol>
             <div id="respond"><form><p>Leave a Reply</p></form></div>
            </div></body></html>"##,
        );
        assert_eq!(thread.article.title, "Floods in Kaolack");
        assert_eq!(thread.article.body, "The river rose.\n\nRoads closed.");
        let got: Vec<_> = thread
            .comments
            .iter()
            .map(|c| {
                (
                    c.comment_id.as_str(),
                    c.parent_id.as_str(),
                    c.author.as_str(),
                    c.posted_at.as_str(),
                    c.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "7",
                    "",
                    "Awa",
                    "2025-06-21T08:14:00+00:00",
                    "The drains were blocked.\n\nAgain."
                ),
                (
                    "9",
                    "7",
                    "Moussa",
                    "2025-06-21T09:00:00+00:00",
                    "Not this year."
                ),
            ]
        );
    }

    #[test]
    fn a_page_without_a_comment_region_has_no_comments() {
        let thread = read_html("<html><body><h1>T</h1><p>Body.</p></body></html>");
        assert!(thread.comments.is_empty());
        assert_eq!(thread.article.body, "Body.");
    }

    #[test]
    fn truncated_pages_are_read_with_a_warning() {
        let source = Source::in_memory("cut.html", "<html><body><h1>T</h1><p>Bo");
        let extraction = read(&source).unwrap();
        assert_eq!(extraction.warnings.len(), 1);
        assert_eq!(extraction.threads[0].article.body, "Bo");
    }
}
