"""Where linkage loses pairs, on a tuning dataset: recall and precision by pair of sources,
and a sample of missed true pairs with their match probability (or "not a candidate").

    .venv/bin/python bench/linkage_misses.py --dataset hard --records 5000 [--show 20]

For tuning on data we control (``bench/linkage.py``'s datasets); never point it at the
held-out lists of issue 11 (``bench/third_lists.py``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from linkage import DATASETS, _lists


def main() -> int:
    from ombuds.linkage import LinkageSettings, link_records, pairwise_scores

    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="hard", choices=DATASETS)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--show", type=int, default=15)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--scored", action="store_true", help="show only scored missed pairs")
    parser.add_argument("--source", help="show only missed pairs with a record of this source")
    args = parser.parse_args()
    lists = _lists(args.records, args.seed, args.dataset)
    start = time.perf_counter()
    result = link_records(
        lists.records,
        LinkageSettings(threshold=args.threshold, unique_within=frozenset(lists.unique_sources)),
    )
    seconds = time.perf_counter() - start
    keys = [r.key for r in lists.records]
    scores = pairwise_scores([result.clusters[k] for k in keys], [lists.truth[k] for k in keys])
    print(
        f"{args.dataset} {len(keys)} records: precision {scores.precision:.4f} recall "
        f"{scores.recall:.4f} F1 {scores.f1:.4f}, {seconds:.1f} s, model {result.model_status}"
    )
    print(result.model_summary())
    by_person: dict[object, list[tuple[str, str]]] = {}
    for key in keys:
        by_person.setdefault(lists.truth[key], []).append(key)
    prob = {}
    for pair in result.pairs:
        prob[(pair.left, pair.right)] = prob[(pair.right, pair.left)] = pair.probability
    true_n: Counter[tuple[str, str]] = Counter()
    found: Counter[tuple[str, str]] = Counter()
    missed = []
    for members in by_person.values():
        for a, b in combinations(members, 2):
            sources = tuple(sorted((a[0], b[0])))
            true_n[sources] += 1
            if result.clusters[a] == result.clusters[b]:
                found[sources] += 1
            else:
                missed.append((a, b))
    by_cluster: dict[int, list[tuple[str, str]]] = {}
    for key in keys:
        by_cluster.setdefault(result.clusters[key], []).append(key)
    pred_n: Counter[tuple[str, str]] = Counter()
    wrong = []
    for members in by_cluster.values():
        for a, b in combinations(members, 2):
            pred_n[tuple(sorted((a[0], b[0])))] += 1
            if lists.truth[a] != lists.truth[b]:
                wrong.append((a, b))
    for sources in sorted(true_n):
        good = found[sources]
        print(
            f"  {sources[0]}-{sources[1]}: recall {good / true_n[sources]:.3f} of "
            f"{true_n[sources]}, precision {good / max(pred_n[sources], 1):.3f}"
        )
    record = {r.key: r for r in lists.records}

    def show(a: tuple[str, str], b: tuple[str, str]) -> str:
        p = prob.get((a, b))
        text = "below 0.05 or not a candidate" if p is None else f"p={p:.3f}"
        return f"{text}\n    {record[a]}\n    {record[b]}"

    rng = random.Random(1)
    kinds = Counter(
        "below 0.05 or not a candidate"
        if (a, b) not in prob
        else ("scored below the threshold" if prob[(a, b)] < args.threshold else "kept apart")
        for a, b in missed
    )
    print(f"missed {len(missed)}: {dict(kinds)}")
    if args.source:
        missed = [(a, b) for a, b in missed if args.source in (a[0], b[0])]
    if args.scored:
        missed = [(a, b) for a, b in missed if (a, b) in prob]
    for a, b in rng.sample(missed, min(args.show, len(missed))):
        print("  " + show(a, b))
    print(f"wrong {len(wrong)}:")
    for a, b in rng.sample(wrong, min(args.show // 2, len(wrong))):
        print("  " + show(a, b))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
