//! Disqus XML exports: `<thread>` elements (the articles) and `<post>` elements (the
//! comments) that point at their thread and parent by `dsq:id`. Deleted and spam flags are
//! kept in the `status` column; messages are HTML and are reduced to text.

use std::collections::HashMap;

use super::{html::fragment_text, id_or_stem, xml, Extraction, Source};
use crate::error::{Error, InputProblem, Location, Result};
use crate::thread::{Comment, Thread};

pub fn read(source: &Source) -> Result<Extraction> {
    let root = xml::parse(source)?;
    if root.name != "disqus" {
        return Err(Error::input(
            Location::line(source.name.clone(), root.line),
            InputProblem::UnknownXml(format!("the root element is <{}>, not <disqus>", root.name)),
        ));
    }
    let mut threads: Vec<Thread> = Vec::new();
    let mut by_dsq_id: HashMap<String, usize> = HashMap::new();
    for element in root.children_named("thread") {
        let dsq_id = element.attribute("dsq:id").unwrap_or_default().to_string();
        let id = if dsq_id.is_empty() {
            element.child_text("id")
        } else {
            &dsq_id
        };
        let mut thread = Thread::new(id_or_stem(id, source));
        thread.article.title = element.child_text("title").to_string();
        thread.article.body = fragment_text(element.child_text("message"));
        by_dsq_id.insert(dsq_id, threads.len());
        threads.push(thread);
    }
    let mut posts: Vec<(usize, Comment)> = Vec::new();
    for post in root.children_named("post") {
        let thread_ref = post
            .child("thread")
            .and_then(|t| t.attribute("dsq:id"))
            .unwrap_or_default();
        let index = match by_dsq_id.get(thread_ref) {
            Some(&index) => index,
            None => {
                // A post whose thread is not in the file still belongs somewhere: its own thread.
                by_dsq_id.insert(thread_ref.to_string(), threads.len());
                threads.push(Thread::new(id_or_stem(thread_ref, source)));
                threads.len() - 1
            }
        };
        let author = post.child("author");
        let author_name = author
            .map(|a| a.child_text("name"))
            .filter(|n| !n.is_empty())
            .or_else(|| author.map(|a| a.child_text("username")))
            .unwrap_or_default();
        let flag = |name: &str| post.child_text(name).eq_ignore_ascii_case("true");
        let status: Vec<&str> = [("isDeleted", "deleted"), ("isSpam", "spam")]
            .into_iter()
            .filter(|(element, _)| flag(element))
            .map(|(_, word)| word)
            .collect();
        posts.push((
            index,
            Comment {
                comment_id: post.attribute("dsq:id").unwrap_or_default().to_string(),
                parent_id: post
                    .child("parent")
                    .and_then(|p| p.attribute("dsq:id"))
                    .unwrap_or_default()
                    .to_string(),
                author: author_name.to_string(),
                posted_at: post.child_text("createdAt").to_string(),
                text: fragment_text(post.child_text("message")),
                status: status.join(" "),
                ..Comment::default()
            },
        ));
    }
    // Exports list posts roughly by creation; the table wants posting order in each thread.
    posts.sort_by(|(ta, a), (tb, b)| ta.cmp(tb).then_with(|| a.posted_at.cmp(&b.posted_at)));
    for (index, comment) in posts {
        threads[index].push(comment);
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
    fn reads_threads_posts_parents_and_flags() {
        let text = r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="100"><id>kati-attack</id><link>https://example.org/kati</link><title>Attack in Kati</title><message/></thread>
  <post dsq:id="2"><message><![CDATA[<p>Second</p>]]></message><createdAt>2025-01-01T10:05:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>true</isSpam><author><name>Bob</name></author>
    <thread dsq:id="100"/><parent dsq:id="1"/></post>
  <post dsq:id="1"><message><![CDATA[<p>First &amp; best<br>line two</p>]]></message><createdAt>2025-01-01T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name></name><username>awa_n</username></author>
    <thread dsq:id="100"/></post>
</disqus>"#;
        let source = Source::in_memory("export.xml", text);
        let threads = read(&source).unwrap().threads;
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].article.title, "Attack in Kati");
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
                ("100", "1", "", "awa_n", "First & best\nline two", ""),
                ("100", "2", "1", "Bob", "Second", "deleted spam"),
            ]
        );
    }

    #[test]
    fn a_post_without_a_thread_belongs_to_the_file() {
        let text = r#"<?xml version="1.0"?>
<disqus xmlns:dsq="http://disqus.com/disqus-internals">
  <post dsq:id="7"><message>Orphan</message></post>
</disqus>"#;
        let source = Source::in_memory("export.xml", text);
        let threads = read(&source).unwrap().threads;
        assert_eq!(threads[0].id(), "export");
        assert_eq!(threads[0].comments[0].thread_id, "export");
    }
}
