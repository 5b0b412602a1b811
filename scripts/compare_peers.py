"""Side-by-side quality and speed of moderate and its peers, on identical splits.

Quality: every corpus in ../shared/corpora, an 80/20 split grouped by thread when the corpus
has threads (at least 5) and stratified by label otherwise, fixed seed. moderate is trained
with its defaults (`--cv 0`: the split is the evaluation) and scored with `evaluate --json`;
scikit-learn runs TfidfVectorizer(word 1-2, sublinear_tf) + LogisticRegression on the same
rows. Speed: training time on N synthetic comments for both, measured in the same run.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline

SEED = 42
CORPORA = "../shared/corpora"


def read_corpus(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["text"].strip() and r["label"].strip()]
    return rows


def split(rows):
    """80/20 by thread when there are threads, stratified otherwise."""
    threads = sorted({r["thread_id"] for r in rows if r["thread_id"]})
    if len(threads) >= 5 and all(r["thread_id"] for r in rows):
        rng = random.Random(SEED)
        rng.shuffle(threads)
        test_threads, test_rows = set(), 0
        for t in threads:
            if test_rows >= 0.2 * len(rows):
                break
            test_threads.add(t)
            test_rows += sum(1 for r in rows if r["thread_id"] == t)
        train = [r for r in rows if r["thread_id"] not in test_threads]
        test = [r for r in rows if r["thread_id"] in test_threads]
        return train, test, "thread"
    labels = [r["label"] for r in rows]
    counts = Counter(labels)
    # Labels too rare to stratify go to training.
    keep = [i for i, l in enumerate(labels) if counts[l] >= 2]
    rare = [i for i, l in enumerate(labels) if counts[l] < 2]
    sss = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=SEED)
    tr, te = next(sss.split(np.zeros(len(keep)), [labels[i] for i in keep]))
    train = [rows[keep[i]] for i in tr] + [rows[i] for i in rare]
    test = [rows[keep[i]] for i in te]
    return train, test, "stratified"


def write(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["thread_id", "comment_id", "text", "label"])
        for i, r in enumerate(rows):
            w.writerow([r["thread_id"] or f"row{i}", r.get("id", i), r["text"], r["label"]])


def moderate(binary, train, test, workdir, extra=()):
    tr, te, model = (os.path.join(workdir, n) for n in ("train.csv", "test.csv", "m.model"))
    write(train, tr)
    write(test, te)
    start = time.perf_counter()
    subprocess.run([binary, "train", tr, "-o", model, "--cv", "0", "--quiet", *extra], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fit = time.perf_counter() - start
    out = subprocess.run([binary, "evaluate", te, "--model", model, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["macro_f1"], fit


def moderate_timed(binary, rows, workdir, extra):
    """Training time and peak resident memory (KB, from /usr/bin/time) of one run."""
    path, model = os.path.join(workdir, "train.csv"), os.path.join(workdir, "m.model")
    write(rows, path)
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "train", path, "-o", model, "--cv", "0", "--quiet", *extra],
                          check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.strip().splitlines()[-1])


def sklearn(train, test):
    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                         LogisticRegression(max_iter=1000))
    start = time.perf_counter()
    pipe.fit([r["text"] for r in train], [r["label"] for r in train])
    fit = time.perf_counter() - start
    predicted = pipe.predict([r["text"] for r in test])
    labels = sorted({r["label"] for r in test})
    return f1_score([r["label"] for r in test], predicted, labels=labels, average="macro", zero_division=0), fit


def synthetic(n, seed=SEED):
    """Comments of four classes with overlapping French-like vocabularies (timing only)."""
    rng = random.Random(seed)
    common = [f"mot{i}" for i in range(3000)]
    topical = {c: [f"{c[:3]}{i}" for i in range(400)] for c in ("duplicate", "incitement", "off-topic", "substantive")}
    rows = []
    for i in range(n):
        label = rng.choices(list(topical), weights=[12, 8, 15, 65])[0]
        words = rng.choices(common, k=rng.randint(5, 40)) + rng.choices(topical[label], k=rng.randint(1, 6))
        rng.shuffle(words)
        rows.append({"thread_id": f"t{i // 50}", "id": str(i), "text": " ".join(words), "label": label})
    return rows


TEAM_COMMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "comments.csv")


def realistic(n, seed=SEED):
    """Comments that read like the team's corpus (data/comments.csv), for timing: per label,
    which word follows which there; each new comment starts like a corpus comment of its label
    and takes its length in words, then walks from word to word (timing only)."""
    rng = random.Random(seed)
    with open(TEAM_COMMENTS, newline="", encoding="utf-8") as f:
        corpus = [(r["label"], r["text"].split()) for r in csv.DictReader(f) if r["text"].split()]
    comments, follows = defaultdict(list), defaultdict(lambda: defaultdict(list))
    for label, words in corpus:
        comments[label].append(words)
        for a, b in zip(words, words[1:]):
            follows[label][a].append(b)
    labels = sorted(comments)
    weights = [len(comments[label]) for label in labels]
    rows = []
    for i in range(n):
        label = rng.choices(labels, weights)[0]
        model = rng.choice(comments[label])
        words = [model[0]]
        while len(words) < len(model):
            after = follows[label].get(words[-1])
            # A word that ends every comment it is in: start again from any word of the label.
            words.append(rng.choice(after) if after else rng.choice(rng.choice(comments[label])))
        rows.append({"thread_id": f"t{i // 50}", "id": str(i), "text": " ".join(words), "label": label})
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--speed-rows", type=int, default=100_000)
    args = parser.parse_args()
    if not os.path.isdir(CORPORA):
        print(f"{CORPORA} is absent: nothing to compare", file=sys.stderr)
        return
    print("| corpus | split | train / test rows | moderate macro-F1 | scikit-learn macro-F1 | difference |")
    print("|---|---|---|---|---|---|")
    for name in sorted(os.listdir(CORPORA)):
        if not name.endswith(".csv"):
            continue
        rows = read_corpus(os.path.join(CORPORA, name))
        train, test, how = split(rows)
        with tempfile.TemporaryDirectory() as workdir:
            ours, _ = moderate(args.binary, train, test, workdir)
        theirs, _ = sklearn(train, test)
        print(f"| {name[:-4]} | {how} | {len(train)} / {len(test)} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} |",
              flush=True)
    if args.quick:
        return
    rows = synthetic(args.speed_rows)
    _, theirs = sklearn(rows, rows[:1000])
    print()
    print(f"| training on {len(rows)} synthetic comments | seconds | peak memory | scikit-learn time / ours |\n|---|---|---|---|")
    for name, extra in (("moderate, word 1-2 only (scikit-learn's features)", ["--char-ngrams", "none", "--no-context"]),
                        ("moderate, defaults (word 1-2 + char 2-5 + context)", [])):
        with tempfile.TemporaryDirectory() as workdir:
            seconds, peak = moderate_timed(args.binary, rows, workdir, extra)
        print(f"| {name} | {seconds:.1f} | {peak / 1024:.0f} MB | {theirs / seconds:.2f}× |", flush=True)
    print(f"| scikit-learn TfidfVectorizer(word 1-2, sublinear) + LogisticRegression | {theirs:.1f} | | 1.00× |")


if __name__ == "__main__":
    main()
