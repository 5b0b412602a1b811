"""Writes a large comments table for the memory check of scripts/large-input.

Comments are recombined from the sentences of the team's corpus (data/comments.csv): every
few comments a thread changes, about one comment in ten copies an earlier one (so the
near-duplicate index does real work), and lengths vary from a word to several sentences.

    python3 scripts/large_input.py OUT.csv SIZE_MB [SEED]
"""
import csv
import random
import re
import sys


def sentences(path):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for s in re.split(r"(?<=[.!?])\s+", row["text"]):
                if s.strip():
                    yield s.strip()


def main():
    out, size_mb = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    pool = list(sentences("data/comments.csv"))
    recent = []
    target = size_mb * 1024 * 1024
    written, n = 0, 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["thread_id", "comment_id", "author", "text"])
        while written < target:
            if recent and rng.random() < 0.1:
                text = rng.choice(recent)
            else:
                text = " ".join(rng.choice(pool) for _ in range(rng.choice((1, 1, 2, 2, 3, 5))))
                recent.append(text)
                if len(recent) > 5000:
                    recent.pop(rng.randrange(len(recent)))
            row = [f"t{n // 60}", f"c{n}", f"reader{rng.randrange(50000)}", text]
            w.writerow(row)
            written += sum(len(x.encode()) for x in row) + 8
            n += 1
    print(n)


if __name__ == "__main__":
    main()
