//! Properties that hold for any input: no reader panics, `split` round-trips every comment
//! through its CSV, and `score` gives exactly one row per comment, in input order.

use std::sync::LazyLock;

use moderate::commands::score::{score, LoadedModel, ModelSource, ScoreOptions};
use moderate::commands::split::{split, SplitOptions};
use moderate::extract::{self, ExtractOptions, Format, InputPath, Source};
use moderate::Comment;
use proptest::prelude::*;

const FORMATS: [Format; 7] = [
    Format::Auto,
    Format::Text,
    Format::Html,
    Format::Disqus,
    Format::Wxr,
    Format::Csv,
    Format::Jsonl,
];

/// Decodes and reads `bytes` in every format, plain and as a labelled table.
fn read_in_every_format(bytes: &[u8]) {
    let Ok(source) = Source::decode("input".into(), "input".into(), bytes) else {
        return;
    };
    let mut labelled = ExtractOptions::default();
    labelled.columns.require_label = true;
    for format in FORMATS {
        let _ = extract::extract(&source, format, &ExtractOptions::default());
        let _ = extract::extract(&source, format, &labelled);
    }
    let _ = extract::table::read_articles(&source);
}

/// Pieces of the things readers look for, so random documents reach deep into each reader.
const MARKUP: &[&str] = &[
    "\n",
    " ",
    "\"",
    ",",
    "3 commentaires\n",
    "12 comments\n",
    "Awa · il y a 2 heures\n",
    "Moussa says:\n",
    "June 21, 2025 at 8:14 am\n",
    "Posté par Fatou le 02/05/2025 à 08h15\n",
    "il y a 3 semaines (17:55 PM)",
    "Reply_author\n",
    "Répondre\n",
    "Participer à la Discussion\n",
    "<html><body>",
    "<div class=\"comments\">",
    "<li class=\"comment\" id=\"c1\">",
    "<ul class=\"children\">",
    "</li>",
    "</ul>",
    "</div>",
    "<time datetime=\"2025-01-01T10:00\">",
    "<span class=\"author\">",
    "<p>",
    "<?xml version=\"1.0\"?>",
    "<disqus>",
    "<thread dsq:id=\"t1\"><link>https://x/a</link><title>T</title></thread>",
    "<post dsq:id=\"p1\">",
    "<message><![CDATA[",
    "]]></message>",
    "<parent dsq:id=\"p1\"/>",
    "<isDeleted>true</isDeleted>",
    "</post>",
    "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>",
    "<wp:comment><wp:comment_id>1</wp:comment_id>",
    "<wp:comment_parent>1</wp:comment_parent>",
    "<wp:comment_content>",
    "</wp:comment_content></wp:comment>",
    "thread_id,comment_id,text,label\n",
    "{\"thread_id\":\"a\",\"text\":\"x\",\"label\":\"spam\"}\n",
    "&amp;",
    "&#x0;",
];

fn document() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => prop::sample::select(MARKUP).prop_map(|s| s.as_bytes().to_vec()),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

/// Text as readers write it: commas, quotes, line breaks, tabs, emoji, right-to-left scripts
/// and any other character but NUL (which makes a file binary).
fn comment_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("  ".to_string()),
        Just("😀🇸🇳".to_string()),
        Just("مرحبا بكم".to_string()),
        Just("שלום".to_string()),
        Just("\u{200f}".to_string()),
        "[a-zA-Zéàç' ]{1,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat().replace('\0', ""))
}

fn comments() -> impl Strategy<Value = Vec<Comment>> {
    let comment = (
        "[a-z]{1,3}",
        comment_text(),
        comment_text(),
        comment_text(),
        "[a-z ]{0,6}",
    );
    prop::collection::vec(comment, 1..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (thread, author, posted_at, text, status))| Comment {
                thread_id: thread,
                comment_id: format!("c{i}"),
                parent_id: if i % 3 == 0 {
                    String::new()
                } else {
                    format!("c{}", i - 1)
                },
                author,
                posted_at,
                text,
                status,
                label: String::new(),
            })
            .collect()
    })
}

/// Writes comments as a JSONL comments table.
fn write_jsonl(dir: &std::path::Path, comments: &[Comment]) -> std::path::PathBuf {
    let path = dir.join("input.jsonl");
    let lines: Vec<String> = comments
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

static MODEL: LazyLock<LoadedModel> = LazyLock::new(|| ModelSource::Default.load().unwrap());

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_reader_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        read_in_every_format(&bytes);
    }

    #[test]
    fn no_reader_panics_on_documents_made_of_their_own_markers(bytes in document()) {
        read_in_every_format(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn split_then_reading_its_csv_gives_the_same_comments(comments in comments()) {
        let dir = tempfile::tempdir().unwrap();
        let input = write_jsonl(dir.path(), &comments);
        let output = dir.path().join("comments.csv");
        split(&SplitOptions {
            inputs: vec![InputPath::File(input)],
            output: Some(output.clone()),
            ..SplitOptions::default()
        })
        .unwrap();
        let read = extract::read_input(&InputPath::File(output), Format::Auto, &ExtractOptions::default())
            .unwrap();
        let back: Vec<Comment> = read.threads.into_iter().flat_map(|t| t.comments).collect();
        prop_assert_eq!(back, comments);
    }

    #[test]
    fn score_gives_one_row_per_comment_in_input_order(comments in comments()) {
        let dir = tempfile::tempdir().unwrap();
        let input = write_jsonl(dir.path(), &comments);
        let options = ScoreOptions {
            inputs: vec![InputPath::File(input)],
            format: Format::Auto,
            model: ModelSource::Default,
            thresholds: Vec::new(),
            extract: ExtractOptions::default(),
            articles: Vec::new(),
        };
        let mut scored = Vec::new();
        let report = score(&options, &MODEL, &|_, _| {}, |s| {
            scored.push((s.comment.comment_id.clone(), s.label.is_some()));
            Ok(())
        })
        .unwrap();
        prop_assert_eq!(report.comments, comments.len());
        let expected: Vec<(String, bool)> = comments
            .iter()
            .map(|c| (c.comment_id.clone(), !c.text.trim().is_empty()))
            .collect();
        prop_assert_eq!(scored, expected);
    }
}
