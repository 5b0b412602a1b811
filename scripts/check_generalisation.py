"""Scores the public corpora with the default model and prints the issue's table."""
import csv
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

BINARY = sys.argv[1]
# Further arguments go to every `moderate score` (e.g. `--model other.model`).
EXTRA = sys.argv[2:]
CORPORA = "../shared/corpora"


def score(rows):
    """Scores rows (dicts with thread_id, comment_id, author, posted_at, text) in order."""
    with tempfile.TemporaryDirectory() as work:
        table, out = os.path.join(work, "in.csv"), os.path.join(work, "out.csv")
        with open(table, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["thread_id", "comment_id", "author", "posted_at", "text"])
            w.writeheader()
            w.writerows(rows)
        subprocess.run([BINARY, "score", table, "-o", out, "--quiet", *EXTRA], check=True, stderr=subprocess.DEVNULL)
        with open(out, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


def score_each(texts):
    """Scores every text as its own one-comment input (HateCheck is template-generated: scored
    together, its cases would be near-copies of each other), two processes at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item):
        i, text = item
        return score([{"thread_id": f"case{i}", "comment_id": f"case{i}", "author": "", "posted_at": "", "text": text}])[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, enumerate(texts)))


def read(name):
    with open(os.path.join(CORPORA, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rate(flags):
    flags = list(flags)
    return sum(flags) / len(flags) if flags else float("nan"), len(flags)


def main():
    if not os.path.isdir(CORPORA):
        print(f"{CORPORA} is absent: nothing to check", file=sys.stderr)
        return
    results = []
    hatecheck = [r for r in read("hatecheck_en.csv") if r["functionality"].startswith("threat_") or r["label"] == "non-hateful"]
    scored = score_each([r["text"] for r in hatecheck])
    threats = [s["label"] == "incitement" for r, s in zip(hatecheck, scored) if r["functionality"].startswith("threat_")]
    calm = [s["label"] == "incitement" for r, s in zip(hatecheck, scored) if r["label"] == "non-hateful"]
    results.append(("HateCheck threat_* → incitement (recall)", *rate(threats), "≥ 0.80"))
    results.append(("HateCheck non-hateful → incitement (false alarms)", *rate(calm), "≤ 0.10"))
    trade_off = incitement_trade_off(hatecheck, scored)
    # The labels of each HateCheck functionality, to see where the errors are.
    by_functionality = defaultdict(lambda: defaultdict(int))
    for r, s in zip(hatecheck, scored):
        by_functionality[r["functionality"]][s["label"]] += 1

    youtube = read("youtube_spam.csv")
    rows = [{"thread_id": r["thread_id"], "comment_id": r["id"], "author": r.get("author", ""), "posted_at": r.get("date", ""), "text": r["text"]} for r in youtube]
    scored = score(rows)
    # Spam/ham judged on first copies only, so duplicates do not count twice.
    norm = lambda t: re.sub(r"\s+", " ", t.lower()).strip()
    seen, first = set(), []
    for r in youtube:
        key = norm(r["text"])
        first.append(key not in seen)
        seen.add(key)
    spam = [s["label"] == "off-topic" for r, s, f in zip(youtube, scored, first) if r["label"] == "spam" and f]
    ham = [s["label"] == "off-topic" for r, s, f in zip(youtube, scored, first) if r["label"] == "ham" and f]
    copies = [s["label"] == "duplicate" for s, f in zip(scored, first) if not f]
    results.append(("YouTube spam → off-topic (recall, first copies)", *rate(spam), "≥ 0.70"))
    results.append(("YouTube ham → off-topic (false alarms, first copies)", *rate(ham), "—"))
    results.append(("YouTube exact copies after the first → duplicate (recall)", *rate(copies), "≥ 0.95"))

    print("| check | rate | cases | goal |\n|---|---|---|---|")
    for name, value, n, goal in results:
        print(f"| {name} | {value:.3f} | {n} | {goal} |")
    labels = ["incitement", "substantive", "off-topic", "duplicate"]
    print("\nHateCheck cases by functionality, share given each label:\n")
    print("| functionality | cases | " + " | ".join(labels) + " |\n|---|---|" + "---|" * len(labels))
    for functionality, counts in sorted(by_functionality.items()):
        n = sum(counts.values())
        print(f"| {functionality} | {n} | " + " | ".join(f"{counts[l] / n:.2f}" for l in labels) + " |")
    print("\nThe same HateCheck cases if incitement's probability were scaled by a factor before the"
          "\nlabel is chosen (1 is the model as it is): whether a threshold alone could reach both goals.\n")
    print("| incitement × | threat recall | non-hateful false alarms |\n|---|---|---|")
    for factor, recall, alarms in trade_off:
        print(f"| {factor:g} | {recall:.3f} | {alarms:.3f} |")


def incitement_trade_off(hatecheck, scored):
    """(factor, threat recall, non-hateful false-alarm rate) when p_incitement is multiplied by
    the factor before the most probable label is taken."""
    labels = ("duplicate", "incitement", "off-topic", "substantive")
    points = []
    for factor in (math.exp(-2), math.exp(-1), math.exp(-0.5), 1, math.exp(0.5), math.exp(1), math.exp(2)):
        hits = defaultdict(list)
        for r, s in zip(hatecheck, scored):
            p = {l: float(s[f"p_{l}"] or 0) * (factor if l == "incitement" else 1) for l in labels}
            kind = "threat" if r["functionality"].startswith("threat_") else "calm"
            hits[kind].append(max(labels, key=p.get) == "incitement")
        points.append((round(factor, 2), rate(hits["threat"])[0], rate(hits["calm"])[0]))
    return points


if __name__ == "__main__":
    main()
