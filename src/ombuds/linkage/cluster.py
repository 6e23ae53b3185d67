"""Constrained clustering of scored pairs.

Connected components at a threshold chain different people through weak links: A~B and
B~C put A and C together even when A and C are two brothers with different birth dates.
Here pairs are merged greedily from the most to the least probable, and a merge of two
clusters is refused when it would

- put two records of a list declared duplicate-free (``unique_within``) in one cluster;
- join two records that clearly contradict each other: different sex, birth years more
  than two years apart, different patronymic initials, or an act after the person's
  recorded killing (see ``contradicts``);
- join two records a reviewer has rejected as a pair.

Pairs a reviewer accepted are merged first and unconditionally: a human decision overrides
the model and the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_DEATH_MARGIN_DAYS = 60
_BIRTH_YEAR_TOLERANCE = 2


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """The fields of one record that can rule out a match, ``None`` when unknown."""

    source: str
    sex: str | None
    by_lo: int | None
    by_hi: int | None
    pat_init: str | None
    ev_lo: int | None
    ev_hi: int | None
    death_day: int | None


def contradicts(a: RecordFacts, b: RecordFacts) -> bool:
    """True if ``a`` and ``b`` cannot be the same person whatever their names say."""
    if a.sex and b.sex and a.sex != b.sex:
        return True
    if (
        a.by_lo is not None
        and b.by_lo is not None
        and a.by_hi is not None
        and b.by_hi is not None
        and (a.by_lo > b.by_hi + _BIRTH_YEAR_TOLERANCE or b.by_lo > a.by_hi + _BIRTH_YEAR_TOLERANCE)
    ):
        return True
    if a.pat_init and b.pat_init and a.pat_init != b.pat_init:
        return True
    for dead, other in ((a, b), (b, a)):
        if dead.death_day is not None and other.ev_lo is not None:
            if other.ev_lo > dead.death_day + _DEATH_MARGIN_DAYS:
                return True
            if other.death_day is not None and abs(other.death_day - dead.death_day) > (
                _DEATH_MARGIN_DAYS
            ):
                return True
    return False


def facts_from_frame(frame: pd.DataFrame) -> list[RecordFacts]:
    def col(name: str) -> list[object]:
        return [None if pd.isna(v) else v for v in frame[name].tolist()]

    columns = [col(c) for c in ("sex", "by_lo", "by_hi", "pat_init", "ev_lo", "ev_hi", "death_day")]
    sources = frame["source"].tolist()
    return [
        RecordFacts(
            source=str(sources[i]),
            sex=columns[0][i],  # type: ignore[arg-type]
            by_lo=None if columns[1][i] is None else int(columns[1][i]),  # type: ignore[call-overload]
            by_hi=None if columns[2][i] is None else int(columns[2][i]),  # type: ignore[call-overload]
            pat_init=columns[3][i],  # type: ignore[arg-type]
            ev_lo=None if columns[4][i] is None else int(columns[4][i]),  # type: ignore[call-overload]
            ev_hi=None if columns[5][i] is None else int(columns[5][i]),  # type: ignore[call-overload]
            death_day=None if columns[6][i] is None else int(columns[6][i]),  # type: ignore[call-overload]
        )
        for i in range(len(frame))
    ]


class _Clusters:
    def __init__(self, facts: Sequence[RecordFacts], unique_sources: Iterable[str]) -> None:
        self.facts = facts
        self.parent = list(range(len(facts)))
        self.members: dict[int, list[int]] = {}
        unique = frozenset(unique_sources)
        self.unique_seen: dict[int, set[str]] = {
            i: {f.source} for i, f in enumerate(facts) if f.source in unique
        }
        self.cannot: dict[int, set[int]] = {}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def forbid(self, i: int, j: int) -> None:
        self.cannot.setdefault(i, set()).add(j)
        self.cannot.setdefault(j, set()).add(i)

    def allowed(self, ra: int, rb: int) -> bool:
        ua, ub = self.unique_seen.get(ra), self.unique_seen.get(rb)
        if ua and ub and not ua.isdisjoint(ub):
            return False
        ga, gb = self.group(ra), self.group(rb)
        if self.cannot:
            gb_set = set(gb)
            for i in ga:
                forbidden = self.cannot.get(i)
                if forbidden and not forbidden.isdisjoint(gb_set):
                    return False
        facts = self.facts
        return not any(contradicts(facts[i], facts[j]) for i in ga for j in gb)

    def union(self, ra: int, rb: int) -> None:
        ga, gb = self.group(ra), self.group(rb)
        if len(ga) < len(gb):
            ra, rb, ga, gb = rb, ra, gb, ga
        self.parent[rb] = ra
        self.members[ra] = ga + gb
        self.members.pop(rb, None)
        ub = self.unique_seen.pop(rb, None)
        if ub:
            self.unique_seen.setdefault(ra, set()).update(ub)


def constrained_clusters(
    facts: Sequence[RecordFacts],
    ids_l: np.ndarray,
    ids_r: np.ndarray,
    probabilities: np.ndarray,
    *,
    threshold: float,
    unique_sources: Iterable[str] = (),
    accepted: Iterable[tuple[int, int]] = (),
    rejected: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """Cluster records 0..n-1; returns one cluster label (the smallest member) per record.

    ``ids_l``, ``ids_r`` and ``probabilities`` are the scored pairs; only pairs with
    probability >= ``threshold`` can merge clusters.
    """
    clusters = _Clusters(facts, unique_sources)
    for i, j in rejected:
        clusters.forbid(i, j)
    for i, j in accepted:
        ri, rj = clusters.find(i), clusters.find(j)
        if ri != rj:
            clusters.union(ri, rj)
    keep = probabilities >= threshold
    order = np.argsort(-probabilities[keep], kind="stable")
    left = ids_l[keep][order].tolist()
    right = ids_r[keep][order].tolist()
    for i, j in zip(left, right, strict=True):
        ri, rj = clusters.find(i), clusters.find(j)
        if ri != rj and clusters.allowed(ri, rj):
            clusters.union(ri, rj)
    labels = np.empty(len(facts), dtype=np.int64)
    smallest: dict[int, int] = {}
    for i in range(len(facts)):
        root = clusters.find(i)
        smallest.setdefault(root, i)
        labels[i] = smallest[root]
    return labels


def connected_components(n: int, ids_l: np.ndarray, ids_r: np.ndarray) -> np.ndarray:
    """Plain connected components (for comparison in benchmarks)."""
    clusters = _Clusters([RecordFacts("", None, None, None, None, None, None, None)] * n, ())
    for i, j in zip(ids_l.tolist(), ids_r.tolist(), strict=True):
        ri, rj = clusters.find(i), clusters.find(j)
        if ri != rj:
            clusters.union(ri, rj)
    return np.array([clusters.find(i) for i in range(n)], dtype=np.int64)
