//! WordPress export files (WXR): each `<item>` is a post (the article) and its
//! `<wp:comment>` elements are the comments, with `wp:comment_parent` for replies and
//! `wp:comment_approved` (plus pingbacks and trackbacks) kept in the `status` column.

use super::{html::fragment_text, xml, Extraction, Source};
use crate::error::{Error, InputProblem, Location, Result};
use crate::thread::{Comment, Thread};

pub fn read(source: &Source) -> Result<Extraction> {
    let root = xml::parse(source)?;
    let channel = root
        .child("channel")
        .filter(|_| root.name == "rss")
        .ok_or_else(|| {
            Error::input(
                Location::line(source.name.clone(), root.line),
                InputProblem::UnknownXml(format!(
                    "the root element is <{}>, not <rss> with a <channel>",
                    root.name
                )),
            )
        })?;
    let mut threads = Vec::new();
    for item in channel.children_named("item") {
        let post_id = item.child_text("wp:post_id");
        let id = if post_id.is_empty() {
            item.child_text("link")
        } else {
            post_id
        };
        let mut thread = Thread::new(super::id_or_stem(id, source));
        thread.article.title = item.child_text("title").to_string();
        thread.article.body = fragment_text(item.child_text("content:encoded"));
        let mut comments: Vec<Comment> = item
            .children_named("wp:comment")
            .map(|comment| {
                let parent = comment.child_text("wp:comment_parent");
                let mut status: Vec<&str> = Vec::new();
                match comment.child_text("wp:comment_approved") {
                    "1" | "approve" | "approved" | "" => {}
                    "0" | "hold" => status.push("pending"),
                    other => status.push(other),
                }
                match comment.child_text("wp:comment_type") {
                    "" | "comment" => {}
                    other => status.push(other),
                }
                Comment {
                    comment_id: comment.child_text("wp:comment_id").to_string(),
                    parent_id: if parent == "0" {
                        String::new()
                    } else {
                        parent.to_string()
                    },
                    author: comment.child_text("wp:comment_author").to_string(),
                    posted_at: comment.child_text("wp:comment_date").to_string(),
                    text: fragment_text(comment.child_text("wp:comment_content")),
                    status: status.join(" "),
                    ..Comment::default()
                }
            })
            .collect();
        comments.sort_by(|a, b| a.posted_at.cmp(&b.posted_at));
        for comment in comments {
            thread.push(comment);
        }
        threads.push(thread);
    }
    Ok(Extraction {
        threads,
        ..Extraction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_posts_comments_parents_and_approval() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Le Site</title>
<item><title>Grève des enseignants</title><link>https://example.org/greve</link>
<content:encoded><![CDATA[<p>Les écoles sont fermées.</p>]]></content:encoded><wp:post_id>42</wp:post_id>
<wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author><![CDATA[Fatou]]></wp:comment_author>
<wp:comment_date>2025-03-02 09:00:00</wp:comment_date><wp:comment_content><![CDATA[Enfin !]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>6</wp:comment_id><wp:comment_author><![CDATA[Spammy]]></wp:comment_author>
<wp:comment_date>2025-03-02 10:00:00</wp:comment_date><wp:comment_content><![CDATA[Gagnez 500 000 FCFA]]></wp:comment_content>
<wp:comment_approved>spam</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>5</wp:comment_parent></wp:comment>
</item></channel></rss>"#;
        let source = Source::in_memory("site.xml", text);
        let threads = read(&source).unwrap().threads;
        assert_eq!(threads[0].article.title, "Grève des enseignants");
        assert_eq!(threads[0].article.body, "Les écoles sont fermées.");
        let got: Vec<_> = threads[0]
            .comments
            .iter()
            .map(|c| {
                (
                    c.thread_id.as_str(),
                    c.comment_id.as_str(),
                    c.parent_id.as_str(),
                    c.author.as_str(),
                    c.text.as_str(),
                    c.status.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("42", "5", "", "Fatou", "Enfin !", ""),
                ("42", "6", "5", "Spammy", "Gagnez 500 000 FCFA", "spam"),
            ]
        );
    }
}
