"""Scoring throughput of moderate, scikit-learn and fastText on the same comments.

Each system is trained on the same 50,000 comments, then scores the same N comments from a
CSV file to a CSV file (reading, predicting and writing included). The systems take turns,
round after round, so a slow spell of a shared machine falls on all of them alike; times are
medians over the rounds, and comments/s and the ratios are printed as a Markdown table.

scikit-learn runs twice: with word 1-2 grams (the model size of moderate's word-only model,
the reference of the speed goal) and with word 1-2 plus character 2-5 grams within words
(char_wb), the text features of moderate's default model.

Two kinds of comments, a table each: synthetic ones ("mot1083 sub289 …", a small vocabulary
whose character shingles overlap far more than real text's), and comments that read like the
team's corpus (words chained as in data/comments.csv: accents, elisions, punctuation, French
and English, a vocabulary of real size).
"""
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time

from compare_peers import realistic, synthetic  # the generators of the training comparison

BINARY, ROWS = sys.argv[1], int(sys.argv[2])


ROUNDS = 5


def median_times(runs):
    """Times each (name, run) once per round, in turn; the median per name."""
    times = {name: [] for name, _ in runs}
    for _ in range(ROUNDS):
        for name, run in runs:
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return [(name, statistics.median(times[name])) for name, _ in runs]


def write(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["thread_id", "comment_id", "text", "label"])
        for r in rows:
            w.writerow([r["thread_id"], r["id"], r["text"], r["label"]])


# The moderate models timed, and the scikit-learn pipeline with the same text features.
WORD, WORD_CHAR = "word 1-2", "word 1-2 + char 2-5"
MODERATE = (
    ("moderate, word 1-2 only (scikit-learn's model size)", WORD, ["--char-ngrams", "none", "--no-context"]),
    ("moderate, defaults (word 1-2 + char 2-5 within words + context)", WORD_CHAR, []),
)


def sklearn_pipeline(features):
    """TF-IDF (sublinear, as moderate's) over the named features, then LogisticRegression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    if features == WORD_CHAR:
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        return make_pipeline(make_union(words, chars), LogisticRegression(max_iter=1000))
    return make_pipeline(words, LogisticRegression(max_iter=1000))


def bench(kind, generate):
    """Trains each system on 50,000 comments of a kind and times it scoring ROWS more."""
    train = generate(50_000, seed=1)
    score = generate(ROWS, seed=2)
    runs = []  # (name, the text features it uses, run)
    with tempfile.TemporaryDirectory() as work:
        train_csv, score_csv = os.path.join(work, "train.csv"), os.path.join(work, "score.csv")
        write(train, train_csv)
        write(score, score_csv)
        out = os.path.join(work, "out.csv")
        for name, features, extra in MODERATE:
            model = os.path.join(work, f"m{len(runs)}.model")
            subprocess.run([BINARY, "train", train_csv, "-o", model, "--cv", "0", "--quiet", *extra], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            runs.append((name, features, lambda model=model: subprocess.run(
                [BINARY, "score", score_csv, "--model", model, "-o", out, "--quiet"],
                check=True, stderr=subprocess.DEVNULL)))

        for features in (WORD, WORD_CHAR):
            pipe = sklearn_pipeline(features)
            pipe.fit([r["text"] for r in train], [r["label"] for r in train])

            def sklearn_file_to_file(pipe=pipe):
                with open(score_csv, newline="", encoding="utf-8") as f:
                    rows = list(csv.DictReader(f))
                labels = pipe.predict([r["text"] for r in rows])
                with open(out, "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(["comment_id", "label"])
                    w.writerows(zip((r["comment_id"] for r in rows), labels))
            runs.append((f"scikit-learn pipeline.predict ({features})", features, sklearn_file_to_file))

        try:
            import fasttext
            ft_train = os.path.join(work, "ft.txt")
            with open(ft_train, "w", encoding="utf-8") as f:
                for r in train:
                    f.write(f"__label__{r['label']} {r['text']}\n")
            model = fasttext.train_supervised(ft_train, wordNgrams=2, verbose=0, thread=2)

            def fasttext_file_to_file():
                with open(score_csv, newline="", encoding="utf-8") as f:
                    rows = list(csv.DictReader(f))
                labels, _ = model.predict([r["text"] for r in rows])
                with open(out, "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(["comment_id", "label"])
                    w.writerows(zip((r["comment_id"] for r in rows), (l[0] for l in labels)))
            runs.append(("fastText predict (words + word bigrams)", WORD, fasttext_file_to_file))
            missing = []
        except ImportError:
            missing = [("fastText predict (not installed)", WORD, float("nan"))]
        timed = median_times([(name, run) for name, _, run in runs])
        results = [(name, features, t) for (name, features, _), (_, t) in zip(runs, timed)] + missing

    sklearn = {features: t for name, features, t in results if name.startswith("scikit-learn")}
    ft = next(t for name, _, t in results if name.startswith("fastText"))
    print(f"| scoring {ROWS} {kind} comments, file to file (median of {ROUNDS} rounds) | seconds | comments/s "
          f"| × scikit-learn ({WORD}) | × scikit-learn with the same text features | × fastText |")
    print("|---|---|---|---|---|---|")
    for name, features, t in results:
        print(f"| {name} | {t:.2f} | {ROWS / t:,.0f} | {sklearn[WORD] / t:.2f}× | {sklearn[features] / t:.2f}× "
              f"| {ft / t:.2f}× |")
    print(flush=True)


def main():
    bench("synthetic", synthetic)
    bench("realistic", realistic)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
