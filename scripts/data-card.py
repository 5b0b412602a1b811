"""Rewrites the counted parts of data/README.md (the data card) from data/comments.csv,
data/articles.csv and data/heldout-threads.txt: the totals in the text, the "Counts" tables
and the "Threads" table. The prose around them is the team's and stays as written.

    python3 scripts/data-card.py
"""
import csv
import re
from collections import Counter

LABELS = ["substantive", "off-topic", "duplicate", "incitement"]
CARD = "data/README.md"


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def n(value):
    return f"{value:,}"


def thread_languages(comments):
    """Each thread's language: that of most of its comments (a few are in the other one)."""
    by_thread = {}
    for c in comments:
        by_thread.setdefault(c["thread_id"], Counter())[c["lang"]] += 1
    return {thread: langs.most_common(1)[0][0] for thread, langs in by_thread.items()}


def counts_section(comments):
    total = len(comments)
    thread_lang = thread_languages(comments)
    labels = Counter(c["label"] for c in comments)
    lines = ["## Counts", "", "| label | comments | share |", "|---|---|---|"]
    lines += [f"| {l} | {n(labels[l])} | {labels[l] / total:.1%} |" for l in LABELS]
    lines += [f"| all | {n(total)} | |", ""]
    lines += ["| language | comments | " + " | ".join(LABELS) + " |", "|---|---|" + "---|" * len(LABELS)]
    for lang, name in (("fr", "French"), ("en", "English")):
        rows = [c for c in comments if c["lang"] == lang]
        threads = sum(1 for l in thread_lang.values() if l == lang)
        by_label = Counter(c["label"] for c in rows)
        lines.append(
            f"| {name} ({threads} threads) | {n(len(rows))} ({len(rows) / total:.1%}) | "
            + " | ".join(n(by_label[l]) for l in LABELS)
            + " |"
        )
    return "\n".join(lines) + "\n"


def threads_section(comments, articles, held):
    titles = {a["thread_id"]: a["title"] for a in articles}
    thread_lang = thread_languages(comments)
    order = sorted({c["thread_id"] for c in comments})
    lines = [
        "## Threads",
        "",
        "| thread | lang | title | comments | " + " | ".join(LABELS) + " | held out |",
        "|---|---|---|---|" + "---|" * len(LABELS) + "---|",
    ]
    for thread in order:
        rows = [c for c in comments if c["thread_id"] == thread]
        by_label = Counter(c["label"] for c in rows)
        lines.append(
            f"| {thread} | {thread_lang[thread]} | {titles.get(thread, '')} | {len(rows)} | "
            + " | ".join(str(by_label[l]) for l in LABELS)
            + f" | {'yes' if thread in held else ''} |"
        )
    return "\n".join(lines) + "\n"


def main():
    comments = read("data/comments.csv")
    articles = read("data/articles.csv")
    held = {l.strip() for l in open("data/heldout-threads.txt", encoding="utf-8") if l.strip()}
    card = open(CARD, encoding="utf-8").read()
    replace = [
        (r"`comments.csv` \([\d,]+ comments\) and `articles.csv` \([\d,]+ articles\)",
         f"`comments.csv` ({n(len(comments))} comments) and `articles.csv` ({n(len(articles))} articles)"),
        (r"replies \(`parent_id`, [\d,]+ of them\)",
         f"replies (`parent_id`, {n(sum(1 for c in comments if c['parent_id']))} of them)"),
        (r"[\d,]+ pseudonyms", f"{n(len({c['author'] for c in comments}))} pseudonyms"),
        (r"Both hold for all [\d,]+ comments", f"Both hold for all {n(len(comments))} comments"),
        (r"## Counts\n.*?(?=\n## )", counts_section(comments)),
        (r"## Threads\n.*\Z", threads_section(comments, articles, held)),
    ]
    for pattern, text in replace:
        card, found = re.subn(pattern, lambda _: text, card, flags=re.S)
        if found != 1:
            raise SystemExit(f"{CARD}: expected one match of {pattern!r}, found {found}")
    with open(CARD, "w", encoding="utf-8") as f:
        f.write(card)


if __name__ == "__main__":
    main()
