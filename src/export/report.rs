//! The flagged comments as one self-contained HTML page for moderators: inline CSS and
//! JavaScript, no network access, opens from disk. A summary with a bar chart per label,
//! one section per label sorted by confidence, duplicate clusters shown with their first
//! copy, the evidence highlighted in each comment, and a filter box. Everything is rendered
//! here, so the page stays fast with 10,000 comments (the script only hides and counts).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::Output;
use crate::commands::score::{FlaggedComments, ScoredComment};
use crate::error::{Error, Result};
use crate::model::explain::Reason;

const STYLE: &str = r#"
:root { --ink:#1d2330; --muted:#5b6474; --line:#dde1e8; --bg:#f6f7f9; --flag:#b42318; --review:#b54708; --mark:#ffe58f; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); padding:16px 24px; position:sticky; top:0; z-index:1; }
h1 { font-size:20px; margin:0 0 4px; } h2 { font-size:17px; margin:24px 0 8px; }
.sub { color:var(--muted); font-size:13px; margin:0 0 12px; }
.chart { display:grid; grid-template-columns: 120px 1fr 90px; gap:4px 10px; align-items:center; max-width:720px; margin-bottom:12px; }
.bar { height:14px; background:#e4e7ec; border-radius:3px; overflow:hidden; } .bar span { display:block; height:100%; background:#3e63dd; }
.chart .n { color:var(--muted); font-size:13px; text-align:right; }
#filter { width:100%; max-width:520px; padding:8px 10px; border:1px solid var(--line); border-radius:6px; font-size:15px; }
#shown { color:var(--muted); margin-left:10px; font-size:13px; }
main { padding:8px 24px 48px; max-width:1100px; }
.comment { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin:8px 0; }
.meta { color:var(--muted); font-size:13px; display:flex; flex-wrap:wrap; gap:4px 12px; }
.p { font-weight:600; color:var(--ink); } .decision { font-weight:600; text-transform:uppercase; font-size:11px; letter-spacing:.04em; }
.decision.flag { color:var(--flag); } .decision.review { color:var(--review); }
.text { white-space:pre-wrap; margin:6px 0; } mark { background:var(--mark); border-radius:2px; padding:0 1px; }
.reasons { margin:4px 0 0; padding:0; list-style:none; display:flex; flex-wrap:wrap; gap:4px; }
.reasons li { font-size:12px; background:#eef1f6; border-radius:10px; padding:1px 8px; }
.cluster { border-left:3px solid #98a2b3; padding-left:10px; margin:14px 0; }
.first { font-size:13px; color:var(--muted); background:#fff; border:1px dashed var(--line); border-radius:8px; padding:8px 12px; }
.first .text { color:var(--ink); }
[hidden] { display:none !important; }
"#;

const SCRIPT: &str = r#"
(function () {
  var input = document.getElementById('filter');
  var items = Array.prototype.slice.call(document.querySelectorAll('.comment'));
  var texts = items.map(function (el) { return el.textContent.toLowerCase(); });
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.label'));
  var clusters = Array.prototype.slice.call(document.querySelectorAll('.cluster'));
  function apply() {
    var q = input.value.toLowerCase().trim();
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var ok = !q || texts[i].indexOf(q) !== -1;
      items[i].hidden = !ok;
      if (ok) shown++;
    }
    clusters.forEach(function (c) { c.hidden = !c.querySelector('.comment:not([hidden])'); });
    sections.forEach(function (s) {
      var n = s.querySelectorAll('.comment:not([hidden])').length;
      s.querySelector('.count').textContent = n;
    });
    document.getElementById('shown').textContent = shown + ' shown';
    document.body.setAttribute('data-shown', shown);
  }
  var timer;
  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  apply();
  document.body.setAttribute('data-ready', 'yes');
})();
"#;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The comment text with its evidence spans (character offsets) wrapped in `<mark>`;
/// overlapping spans are merged.
pub fn highlight(text: &str, reasons: &[Reason]) -> String {
    let mut spans: Vec<(usize, usize, f32)> = reasons
        .iter()
        .filter_map(|r| match r {
            Reason::Term {
                start, end, weight, ..
            } => Some((*start, *end, *weight)),
            Reason::Context { .. } => None,
        })
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut merged: Vec<(usize, usize, f32)> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.0 < last.1 => {
                last.1 = last.1.max(span.1);
                last.2 += span.2;
            }
            _ => merged.push(span),
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 32 * merged.len());
    let mut at = 0;
    for (start, end, weight) in merged {
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < at {
            continue;
        }
        out.push_str(&escape(&chars[at..start].iter().collect::<String>()));
        let _ = write!(
            out,
            "<mark title=\"{weight:+.2}\">{}</mark>",
            escape(&chars[start..end].iter().collect::<String>())
        );
        at = end;
    }
    out.push_str(&escape(&chars[at..].iter().collect::<String>()));
    out
}

fn comment_html(flagged: &FlaggedComments, s: &ScoredComment, out: &mut String) {
    let label = s.label.unwrap_or(0);
    let p = s.probabilities.get(label).copied().unwrap_or(0.0);
    let decision = s.decision.map_or("", |d| d.as_str());
    let c = &s.comment;
    let _ = write!(
        out,
        "<article class=\"comment\" data-label=\"{}\"><div class=\"meta\"><span class=\"p\">{:.0}%</span><span class=\"decision {decision}\">{decision}</span><span>{}</span><span>{}</span><span title=\"thread {}\">{}</span><span>#{}</span></div><p class=\"text\">{}</p>",
        escape(&flagged.model_labels[label]),
        p * 100.0,
        escape(if c.author.is_empty() { "(no author)" } else { &c.author }),
        escape(&c.posted_at),
        escape(&c.thread_id),
        escape(if s.article_title.is_empty() { &c.thread_id } else { &s.article_title }),
        escape(&c.comment_id),
        highlight(&c.text, &s.reasons),
    );
    if !s.reasons.is_empty() {
        out.push_str("<ul class=\"reasons\">");
        for reason in &s.reasons {
            let _ = write!(out, "<li>{}</li>", escape(&reason.to_string()));
        }
        out.push_str("</ul>");
    }
    out.push_str("</article>\n");
}

/// The whole page.
pub fn render(flagged: &FlaggedComments) -> String {
    let total_read: usize = flagged.counts.iter().map(|(_, n)| n).sum();
    let mut out = String::with_capacity(4096 + flagged.comments.len() * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>moderate — {} flagged comments</title><style>{STYLE}</style></head>\n<body>\n<header><h1>Flagged comments</h1><p class=\"sub\">{} flagged of {} comments scored · model {}</p>\n<div class=\"chart\" role=\"img\" aria-label=\"flagged comments per label\">",
        flagged.comments.len(),
        flagged.comments.len(),
        total_read,
        escape(&flagged.model_id)
    );
    let max = flagged
        .labels
        .iter()
        .map(|l| count_of(flagged, l))
        .max()
        .unwrap_or(0)
        .max(1);
    for label in &flagged.labels {
        let n = count_of(flagged, label);
        let read = flagged
            .counts
            .iter()
            .find(|(l, _)| l == label)
            .map_or(0, |(_, n)| *n);
        let _ = write!(
            out,
            "<span>{}</span><div class=\"bar\"><span style=\"width:{:.1}%\"></span></div><span class=\"n\" data-label=\"{}\" title=\"{n} flagged of {read} comments labelled {}\">{n} of {read}</span>",
            escape(label),
            100.0 * n as f64 / max as f64,
            escape(label),
            escape(label)
        );
    }
    out.push_str("</div>\n<input id=\"filter\" type=\"search\" placeholder=\"Filter by word, author, thread…\" aria-label=\"filter\"><span id=\"shown\"></span></header>\n<main>\n");
    for label in &flagged.labels {
        let members: Vec<&ScoredComment> = flagged
            .comments
            .iter()
            .filter(|s| s.label.map(|l| &flagged.model_labels[l]) == Some(label))
            .collect();
        let _ = writeln!(
            out,
            "<section class=\"label\" id=\"label-{0}\" data-label=\"{0}\"><h2>{0} <span class=\"count\">{1}</span></h2>",
            escape(label),
            members.len()
        );
        let (copies, singles): (Vec<&ScoredComment>, Vec<&ScoredComment>) =
            members.into_iter().partition(|s| s.duplicate_of.is_some());
        // Copies sit together under their first copy, clusters in order of their best copy.
        let mut clusters: Vec<(&str, Vec<&ScoredComment>)> = Vec::new();
        for copy in copies {
            let head = copy.duplicate_of.as_deref().unwrap_or_default();
            match clusters.iter_mut().find(|(h, _)| *h == head) {
                Some((_, members)) => members.push(copy),
                None => clusters.push((head, vec![copy])),
            }
        }
        for (head, members) in clusters {
            out.push_str("<div class=\"cluster\">");
            if let Some((author, time, text)) = flagged.first_copies.get(head) {
                let _ = write!(
                    out,
                    "<div class=\"first\">First copy #{} · {} · {}<p class=\"text\">{}</p></div>",
                    escape(head),
                    escape(author),
                    escape(time),
                    escape(text)
                );
            }
            for s in members {
                comment_html(flagged, s, &mut out);
            }
            out.push_str("</div>\n");
        }
        for s in singles {
            comment_html(flagged, s, &mut out);
        }
        out.push_str("</section>\n");
    }
    let _ = write!(out, "</main>\n<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

fn count_of(flagged: &FlaggedComments, label: &str) -> usize {
    flagged
        .comments
        .iter()
        .filter(|s| s.label.map(|l| flagged.model_labels[l].as_str()) == Some(label))
        .count()
}

/// Writes the page atomically.
pub fn write_html(flagged: &FlaggedComments, path: &Path) -> Result<()> {
    let mut output = Output::create(Some(path))?;
    output
        .write_all(render(flagged).as_bytes())
        .map_err(|e| Error::output(path, e))?;
    output.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_character_spans_and_escapes_everything() {
        let reasons = vec![
            Reason::Term {
                text: "brûler".into(),
                start: 12,
                end: 18,
                weight: 1.0,
            },
            Reason::Term {
                text: "les brûler".into(),
                start: 8,
                end: 18,
                weight: 0.5,
            },
            Reason::Context {
                text: "x".into(),
                weight: 0.2,
            },
        ];
        assert_eq!(
            highlight("Il faut <b> les brûler & partir", &[]),
            "Il faut &lt;b&gt; les brûler &amp; partir"
        );
        assert_eq!(
            highlight("Il faut les brûler & partir", &reasons),
            "Il faut <mark title=\"+1.50\">les brûler</mark> &amp; partir"
        );
    }
}
