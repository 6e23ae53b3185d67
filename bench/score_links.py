"""Pairwise precision, recall and F1 of a clustering of person lists against the truth.

Run: ``python bench/score_links.py TRUTH.csv CLUSTERS.csv [--json]``.

``TRUTH.csv`` has ``source,record_id,person_id`` (as ``bench/independent_lists.py`` writes it);
``CLUSTERS.csv`` has ``source,record_id,cluster_id`` (as ``ombuds link --out`` writes it).
A pair is two records; it is a true pair when both name the same person and a predicted pair
when both are in the same cluster. Precision is true predicted pairs over predicted pairs
(1.0 when no pair is predicted: nothing claimed, nothing wrong), recall is true predicted pairs
over true pairs (1.0 when there is no true pair), F1 their harmonic mean. Recall (and precision)
are also given for each pair of sources, a source with itself included. A record of the truth
that the clustering lacks counts as a cluster of its own (and is reported); a record of the
clustering that the truth lacks is an error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str, str]  # (source, record_id)


@dataclass
class PairCounts:
    true_pairs: int = 0
    predicted_pairs: int = 0
    true_predicted: int = 0

    @property
    def precision(self) -> float:
        return self.true_predicted / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_predicted / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    records: int
    people: int
    clusters: int
    missing: int  # records of the truth absent from the clustering
    overall: PairCounts
    by_sources: dict[tuple[str, str], PairCounts] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def counts(c: PairCounts) -> dict[str, float | int]:
            return {
                "true_pairs": c.true_pairs,
                "predicted_pairs": c.predicted_pairs,
                "true_predicted": c.true_predicted,
                "precision": c.precision,
                "recall": c.recall,
                "f1": c.f1,
            }

        return {
            "records": self.records,
            "people": self.people,
            "clusters": self.clusters,
            "missing": self.missing,
            **counts(self.overall),
            "by_sources": {f"{a}-{b}": counts(c) for (a, b), c in self.by_sources.items()},
        }


class ScoreError(ValueError):
    """The truth or the clustering is not usable (a duplicate or unknown record)."""


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _source_pairs(counts: Counter[str]) -> Iterable[tuple[tuple[str, str], int]]:
    """Pairs of records between each pair of sources in one group with these source counts."""
    sources = sorted(counts)
    for i, a in enumerate(sources):
        if counts[a] > 1:
            yield (a, a), _pairs(counts[a])
        for b in sources[i + 1 :]:
            yield (a, b), counts[a] * counts[b]


def score(truth: Iterable[tuple[str, str, str]], clusters: Iterable[tuple[str, str, str]]) -> Score:
    """Score ``clusters`` (source, record_id, cluster_id) against ``truth`` (..., person_id).

    Raises ScoreError when a record appears twice in either, or the clustering has a record
    the truth lacks.
    """
    person: dict[Key, str] = {}
    for source, record_id, person_id in truth:
        if (source, record_id) in person:
            raise ScoreError(f"truth: record {source}/{record_id} appears twice")
        person[(source, record_id)] = person_id
    cluster: dict[Key, str] = {}
    for source, record_id, cluster_id in clusters:
        key = (source, record_id)
        if key in cluster:
            raise ScoreError(f"clusters: record {source}/{record_id} appears twice")
        if key not in person:
            raise ScoreError(f"clusters: record {source}/{record_id} is not in the truth")
        cluster[key] = cluster_id
    missing = 0
    for key in person:
        if key not in cluster:
            missing += 1
            cluster[key] = f"\0missing:{key[0]}:{key[1]}"  # a cluster of its own

    by_person: dict[str, Counter[str]] = defaultdict(Counter)
    by_cluster: dict[str, Counter[str]] = defaultdict(Counter)
    by_cell: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for key, person_id in person.items():
        source = key[0]
        by_person[person_id][source] += 1
        by_cluster[cluster[key]][source] += 1
        by_cell[(person_id, cluster[key])][source] += 1

    overall = PairCounts()
    by_sources: dict[tuple[str, str], PairCounts] = defaultdict(PairCounts)
    for counts in by_person.values():
        for pair, n in _source_pairs(counts):
            by_sources[pair].true_pairs += n
            overall.true_pairs += n
    for counts in by_cluster.values():
        for pair, n in _source_pairs(counts):
            by_sources[pair].predicted_pairs += n
            overall.predicted_pairs += n
    for counts in by_cell.values():
        for pair, n in _source_pairs(counts):
            by_sources[pair].true_predicted += n
            overall.true_predicted += n
    return Score(
        records=len(person),
        people=len(by_person),
        clusters=len(by_cluster),
        missing=missing,
        overall=overall,
        by_sources=dict(sorted(by_sources.items())),
    )


def _read(path: Path, columns: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        lacking = [c for c in columns if c not in (reader.fieldnames or [])]
        if lacking:
            raise ScoreError(f"{path}: no column {', '.join(lacking)}")
        return [(row[columns[0]], row[columns[1]], row[columns[2]]) for row in reader]


def report(s: Score) -> str:
    """The score as lines of text: the totals, then one line per pair of sources."""
    o = s.overall
    lines = [
        f"records: {s.records}  true people: {s.people}  clusters: {s.clusters}"
        + (f"  (records missing from the clustering: {s.missing})" if s.missing else ""),
        f"pairs: true {o.true_pairs}, predicted {o.predicted_pairs}, correct {o.true_predicted}",
        f"precision {o.precision:.3f}  recall {o.recall:.3f}  F1 {o.f1:.3f}",
        "by pair of sources:           true pairs  recall  precision",
    ]
    for (a, b), c in s.by_sources.items():
        lines.append(f"  {a + '–' + b:<26} {c.true_pairs:>10}  {c.recall:6.3f}  {c.precision:9.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("truth", type=Path, help="source,record_id,person_id")
    parser.add_argument("clusters", type=Path, help="source,record_id,cluster_id")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    try:
        s = score(
            _read(args.truth, ("source", "record_id", "person_id")),
            _read(args.clusters, ("source", "record_id", "cluster_id")),
        )
    except ScoreError as e:
        print(f"score_links: {e}", file=sys.stderr)
        return 2
    print(json.dumps(s.as_dict(), indent=2) if args.json else report(s))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
