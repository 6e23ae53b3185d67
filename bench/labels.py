"""Reviewers' verdicts as labels: F1 before and after a reviewer labels the most uncertain
pairs (issue 11, item 2; ``ombuds.linkage.labels``).

    .venv/bin/python bench/labels.py --dataset synthetic --people 1500 5000 --labels 50
    .venv/bin/python bench/labels.py --dataset independent --people 3000 --labels 50 100

A simulated reviewer who knows the truth labels the ``--labels`` pairs of the first run that
the review page offers first (the pairs with probability in [0.2, 0.95) nearest the
threshold, as ``analysis.selectors.review_pairs`` orders them); the lists are then linked
again with those verdicts. Three runs are reported, all in one process on the same records:

- ``none``: no labels (the first run);
- ``constraints``: the labels as must-/cannot-links only, the model's scores left as they are
  (the correction switched off for this ablation);
- ``both``: constraints and the correction of the model (what a run does).

Datasets: ``synthetic`` (``ombuds.linkage.synthetic``, seed 7, ``--people`` persons, the NGO
list unique within) and ``independent`` (``bench/independent_lists.py``, seed 1, ``--people``
persons, press, NGO and petitions unique within: lists the engine was not built on; only run
here, nothing tuned on them).
"""

from __future__ import annotations

import argparse
import csv
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _synthetic(people: int) -> tuple[list[Any], dict[tuple[str, str], object], frozenset[str]]:
    from ombuds.linkage.synthetic import generate_lists

    lists = generate_lists(people, seed=7)
    return lists.records, dict(lists.truth), frozenset(lists.unique_sources)


def _independent(people: int) -> tuple[list[Any], dict[tuple[str, str], object], frozenset[str]]:
    from ombuds.linkage import read_person_list

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, str(HERE / "independent_lists.py"), "--people", str(people),
             "--seed", "1", "--out", folder],
            check=True, capture_output=True,
        )  # fmt: skip
        records = []
        for name in ("complaints", "press", "ngo", "petitions"):
            found, errors = read_person_list(Path(folder) / f"{name}.csv")
            assert not errors, errors[:3]
            records += found
        with open(Path(folder) / "truth.csv", encoding="utf-8") as f:
            truth = {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}
    return records, truth, frozenset({"press", "ngo", "petitions"})


def _uncertain(result: Any, threshold: float, how_many: int) -> list[Any]:
    band = [p for p in result.pairs if 0.2 <= p.probability < 0.95]
    return sorted(band, key=lambda p: abs(p.probability - threshold))[:how_many]


def _score(result: Any, records: list[Any], truth: dict[Any, object]) -> dict[str, float]:
    from ombuds.linkage import pairwise_scores

    scores = pairwise_scores(
        [result.clusters[r.key] for r in records], [truth[r.key] for r in records]
    )
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def run(dataset: str, people: int, label_counts: list[int]) -> list[dict[str, Any]]:
    from ombuds.linkage import LinkageSettings, engine, link_records
    from ombuds.linkage.labels import LabelUse

    records, truth, unique = _synthetic(people) if dataset == "synthetic" else _independent(people)
    settings = LinkageSettings(unique_within=unique)
    start = time.perf_counter()
    first = link_records(records, settings)
    rows = [{"labels": 0, "mode": "none", "seconds": time.perf_counter() - start,
             "records": len(records), **_score(first, records, truth)}]  # fmt: skip
    real = engine.correct_scores

    def constraints_only(frame: Any, pairs: Any, constraints: Any, **_: Any) -> Any:
        return pairs, LabelUse(len(constraints.must_link), len(constraints.cannot_link))

    for count in label_counts:
        chosen = _uncertain(first, settings.threshold, count)
        decisions = {(p.left, p.right): truth[p.left] == truth[p.right] for p in chosen}
        for mode in ("constraints", "both"):
            engine.correct_scores = constraints_only if mode == "constraints" else real  # type: ignore[assignment]
            try:
                start = time.perf_counter()
                result = link_records(records, settings, decisions=decisions)
            finally:
                engine.correct_scores = real
            correction = result.labels.correction
            rows.append({
                "labels": len(decisions), "mode": mode, "same": sum(decisions.values()),
                "seconds": time.perf_counter() - start, "records": len(records),
                "correction": correction.status, "intercept": correction.intercept,
                "slope": correction.slope, **_score(result, records, truth),
            })  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", choices=["synthetic", "independent"], default="synthetic")
    parser.add_argument("--people", type=int, nargs="+", default=[1500])
    parser.add_argument("--labels", type=int, nargs="+", default=[50])
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # Splink's notes on levels it could not train
    print("| dataset | people | records | labels (same) | mode | precision | recall | F1 | "
          "ΔF1 | correction | time (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for people in args.people:
        rows = run(args.dataset, people, args.labels)
        base = rows[0]["f1"]
        for row in rows:
            correction = "—"
            if row["mode"] == "both":
                correction = row["correction"]
                if row["correction"] == "corrected":
                    correction += f" (a {row['intercept']:+.2f}, b {row['slope']:.2f})"
            labels = f"{row['labels']} ({row['same']})" if row["labels"] else "0"
            print(
                f"| {args.dataset} | {people:,} | {row['records']:,} | {labels} | {row['mode']} "
                f"| {row['precision']:.4f} | {row['recall']:.4f} | **{row['f1']:.4f}** "
                f"| {row['f1'] - base:+.4f} | {correction} | {row['seconds']:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
