//! What every fuzz target shares: decode the bytes as a file would be, run one reader, and
//! check what holds by design of the readers (errors are fine; a panic is a finding).

use moderate::extract::{extract, ExtractOptions, Format, Source};
use moderate::Thread;

/// Decodes `data` as the file `name` and runs the reader for `format` with `options`.
/// Returns the threads when the reader accepted the input.
pub fn read(
    data: &[u8],
    name: &str,
    format: Format,
    options: &ExtractOptions,
) -> Option<Vec<Thread>> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let source = Source::decode(name.to_string(), stem.to_string(), data).ok()?;
    let extraction = extract(&source, format, options).ok()?;
    assert_eq!(extraction.format, Some(format));
    check_threads(&extraction.threads);
    Some(extraction.threads)
}

/// Every reader adds comments through `Thread::push`, which gives each the thread's id and,
/// when it has none, a positional id.
pub fn check_threads(threads: &[Thread]) {
    for thread in threads {
        for comment in &thread.comments {
            assert_eq!(comment.thread_id, thread.article.thread_id);
            assert!(!comment.comment_id.is_empty());
        }
    }
}

/// A table reader, run strictly and then leniently (skipping bad records): both paths are
/// reachable from the command line.
pub fn read_table(data: &[u8], name: &str, format: Format, require_label: bool) {
    let mut options = ExtractOptions::default();
    options.columns.require_label = require_label;
    let strict = read(data, name, format, &options);
    options.lenient = true;
    let lenient = read(data, name, format, &options);
    if let Some(strict) = &strict {
        // What the strict reader accepts, the lenient reader accepts identically.
        assert_eq!(Some(strict), lenient.as_ref());
    }
    // A table row without a thread id goes to the file's stem ("fuzz"), never to "".
    for thread in strict.iter().chain(lenient.iter()).flatten() {
        assert!(!thread.article.thread_id.is_empty());
    }
}

/// The articles table reader (`--articles`), which takes CSV or JSONL.
pub fn read_articles(data: &[u8], name: &str) {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    if let Ok(source) = Source::decode(name.to_string(), stem.to_string(), data) {
        let _ = moderate::extract::table::read_articles(&source);
    }
}
