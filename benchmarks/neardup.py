"""Precision and recall of near-duplicate clustering on the labelled set, per containment threshold.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.neardup

Loads the labelled set (``tests/data/neardup_set.py``: syndicated copies of the
sample articles, and different stories on similar topics) through the warehouse's own
load path into a scratch database, once per threshold, and prints how the cluster
assignment scores on the labelled pairs. The row marked ``*`` is the default
(``tasks.dedupe.near.DEFAULT_THRESHOLD``).
"""

from __future__ import annotations

import argparse

from benchmarks.common import reset_schema, scratch_engine
from tasks.dedupe.near import BANDS, DEFAULT_THRESHOLD, NUM_PERM, ROWS, containment
from tasks.dedupe.shingles import SHINGLE_WORDS, shingles, story_text
from tests.data.neardup_set import build, load_labelled, score

SWEEP = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=SWEEP)
    args = parser.parse_args()
    labelled = build()
    texts = {a.key: shingles(story_text(a.lead, a.body)) for a in labelled.articles}
    dup = [containment(texts[a], texts[b]) for a, b, same in labelled.pairs if same]
    other = [containment(texts[a], texts[b]) for a, b, same in labelled.pairs if not same]
    print(f"labelled set: {len(labelled.articles)} articles, {labelled.duplicate_pairs} duplicate pairs, "
          f"{len(other)} non-duplicate pairs")
    print(f"shingles of {SHINGLE_WORDS} words; MinHash {NUM_PERM} permutations, LSH {BANDS} bands x {ROWS} rows")
    print(f"containment: duplicates min {min(dup):.3f}, non-duplicates max {max(other):.3f}")
    print(f"{'threshold':>10} {'precision':>10} {'recall':>8} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}")
    with scratch_engine("newsetl_neardup") as eng:
        for value in sorted(set(args.thresholds) | {DEFAULT_THRESHOLD}):
            reset_schema(eng)
            q = score(labelled, load_labelled(eng, labelled, value), value)
            mark = "*" if value == DEFAULT_THRESHOLD else " "
            print(f"{value:>9.2f}{mark} {q.precision:>10.3f} {q.recall:>8.3f} {q.true_pos:>4} {q.false_pos:>4} "
                  f"{q.false_neg:>4} {q.true_neg:>4}")


if __name__ == "__main__":
    main()
