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


_NA = np.iinfo(np.int64).min  # an unknown number in ``FactArrays``


@dataclass(frozen=True)
class FactArrays:
    """The ``RecordFacts`` of n records as columns: numbers with ``_NA`` for unknown,
    strings as codes with -1 for unknown (``source`` codes index ``sources``)."""

    source: np.ndarray
    sources: tuple[str, ...]
    sex: np.ndarray
    by_lo: np.ndarray
    by_hi: np.ndarray
    pat_init: np.ndarray
    ev_lo: np.ndarray
    ev_hi: np.ndarray
    death_day: np.ndarray

    def __len__(self) -> int:
        return len(self.source)

    def record(self, i: int) -> RecordFacts:
        def number(column: np.ndarray) -> int | None:
            value = int(column[i])
            return None if value == _NA else value

        return RecordFacts(
            source=self.sources[int(self.source[i])],
            sex=str(self.sex[i]) if self.sex[i] >= 0 else None,
            by_lo=number(self.by_lo),
            by_hi=number(self.by_hi),
            pat_init=str(self.pat_init[i]) if self.pat_init[i] >= 0 else None,
            ev_lo=number(self.ev_lo),
            ev_hi=number(self.ev_hi),
            death_day=number(self.death_day),
        )


def _codes(values: Sequence[object]) -> tuple[np.ndarray, tuple[str, ...]]:
    series = pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series.where(series.astype(bool), None), use_na_sentinel=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def _numbers(values: object) -> np.ndarray:
    floats = pd.Series(values, dtype="Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isnan(floats), _NA, np.nan_to_num(floats)).astype(np.int64)


def _arrays(columns: dict[str, Sequence[object]]) -> FactArrays:
    source, sources = _codes(columns["source"])
    return FactArrays(
        source=source,
        sources=sources,
        sex=_codes(columns["sex"])[0],
        by_lo=_numbers(columns["by_lo"]),
        by_hi=_numbers(columns["by_hi"]),
        pat_init=_codes(columns["pat_init"])[0],
        ev_lo=_numbers(columns["ev_lo"]),
        ev_hi=_numbers(columns["ev_hi"]),
        death_day=_numbers(columns["death_day"]),
    )


_FACT_FIELDS = ("source", "sex", "by_lo", "by_hi", "pat_init", "ev_lo", "ev_hi", "death_day")


def facts_from_frame(frame: pd.DataFrame) -> FactArrays:
    """The facts of the rows of a feature frame (``features.records_to_frame``)."""
    return _arrays({c: frame[c].astype(object).where(frame[c].notna(), None) for c in _FACT_FIELDS})


def facts_to_arrays(facts: Sequence[RecordFacts]) -> FactArrays:
    return _arrays({c: [getattr(f, c) for f in facts] for c in _FACT_FIELDS})


def component_labels(n: int, ids_l: np.ndarray, ids_r: np.ndarray) -> np.ndarray:
    """Connected components of the graph on 0..n-1, labelled by their smallest member.

    Vectorised union by minimum label with pointer jumping: a handful of passes over the
    edge arrays, even on millions of records.
    """
    label = np.arange(n, dtype=np.int64)
    left = np.asarray(ids_l, dtype=np.int64)
    right = np.asarray(ids_r, dtype=np.int64)
    while len(left):
        ll, lr = label[left], label[right]
        low = np.minimum(ll, lr)
        np.minimum.at(label, ll, low)
        np.minimum.at(label, lr, low)
        while True:  # pointer jumping: every record straight to its root
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        differ = label[left] != label[right]
        left, right = left[differ], right[differ]
    return label


_FAR_LOW = -(2**62)
_FAR_HIGH = 2**62


class _Summary:
    """What the members of a cluster say, enough to test a merge against all of them.

    Two consistent clusters hold a contradicting pair (``contradicts``) exactly when an
    aggregate of their union does: two sexes, two patronymic initials, the largest birth
    year more than the tolerance above the smallest, an act more than the margin after the
    earliest killing, two killings more than the margin apart. So a merge is checked in
    constant time. A cluster made inconsistent by a reviewer's accepted pair is checked
    member by member (``exact``), as the aggregates would then refuse everything.
    """

    __slots__ = ("death_hi", "death_lo", "ev_max", "exact", "hi_min", "lo_max", "pat", "sex",
                 "unique")  # fmt: skip

    def __init__(self, facts: FactArrays, i: int, unique_codes: frozenset[int]) -> None:
        self.sex = int(facts.sex[i])
        self.pat = int(facts.pat_init[i])
        lo, hi = int(facts.by_lo[i]), int(facts.by_hi[i])
        known = lo != _NA and hi != _NA
        self.lo_max = lo if known else _FAR_LOW
        self.hi_min = hi if known else _FAR_HIGH
        ev, death = int(facts.ev_lo[i]), int(facts.death_day[i])
        self.ev_max = ev if ev != _NA else _FAR_LOW
        self.death_lo = death if death != _NA else _FAR_HIGH
        self.death_hi = death if death != _NA else _FAR_LOW
        source = int(facts.source[i])
        self.unique = 1 << source if source in unique_codes else 0
        self.exact = False

    def compatible(self, other: _Summary) -> bool:
        if self.sex >= 0 and other.sex >= 0 and self.sex != other.sex:
            return False
        if self.pat >= 0 and other.pat >= 0 and self.pat != other.pat:
            return False
        lo_max, hi_min = max(self.lo_max, other.lo_max), min(self.hi_min, other.hi_min)
        if lo_max > hi_min + _BIRTH_YEAR_TOLERANCE:
            return False
        death_lo = min(self.death_lo, other.death_lo)
        if max(self.ev_max, other.ev_max) > death_lo + _DEATH_MARGIN_DAYS:
            return False
        return max(self.death_hi, other.death_hi) - death_lo <= _DEATH_MARGIN_DAYS

    def absorb(self, other: _Summary, consistent: bool) -> None:
        self.exact = self.exact or other.exact or not consistent
        if self.sex < 0:
            self.sex = other.sex
        if self.pat < 0:
            self.pat = other.pat
        self.lo_max = max(self.lo_max, other.lo_max)
        self.hi_min = min(self.hi_min, other.hi_min)
        self.ev_max = max(self.ev_max, other.ev_max)
        self.death_lo = min(self.death_lo, other.death_lo)
        self.death_hi = max(self.death_hi, other.death_hi)
        self.unique |= other.unique


def _consistent_components(
    facts: FactArrays, comp: np.ndarray, unique_codes: frozenset[int]
) -> np.ndarray:
    """Per component root: True if no two records of the component contradict each other
    and no duplicate-free list names two of them."""
    na = np.nan
    frame = pd.DataFrame(
        {
            "c": comp,
            "sex": np.where(facts.sex >= 0, facts.sex, na),
            "pat": np.where(facts.pat_init >= 0, facts.pat_init, na),
            "lo": np.where((facts.by_lo != _NA) & (facts.by_hi != _NA), facts.by_lo, na),
            "hi": np.where((facts.by_lo != _NA) & (facts.by_hi != _NA), facts.by_hi, na),
            "ev": np.where(facts.ev_lo != _NA, facts.ev_lo, na),
            "death": np.where(facts.death_day != _NA, facts.death_day, na),
            "uniq": np.where(np.isin(facts.source, list(unique_codes)), facts.source, na),
        }
    )
    agg = frame.groupby("c").agg(
        sex=("sex", "nunique"),
        pat=("pat", "nunique"),
        lo=("lo", "max"),
        hi=("hi", "min"),
        ev=("ev", "max"),
        death_lo=("death", "min"),
        death_hi=("death", "max"),
        uniq_n=("uniq", "count"),
        uniq_d=("uniq", "nunique"),
    )
    bad = (
        (agg["sex"] > 1)
        | (agg["pat"] > 1)
        | (agg["lo"] > agg["hi"] + _BIRTH_YEAR_TOLERANCE)
        | (agg["ev"] > agg["death_lo"] + _DEATH_MARGIN_DAYS)
        | (agg["death_hi"] - agg["death_lo"] > _DEATH_MARGIN_DAYS)
        | (agg["uniq_n"] > agg["uniq_d"])
    )
    ok = np.ones(len(comp), dtype=bool)
    ok[agg.index.to_numpy()[bad.to_numpy()]] = False
    return ok


def constrained_clusters(
    facts: Sequence[RecordFacts] | FactArrays,
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

    The greedy merge runs only where it can make a difference. A connected component of the
    pairs at or above the threshold in which no two records contradict each other, no
    duplicate-free list appears twice and no reviewer decision applies ends as one cluster
    whatever the order of merges; such components (most of them) are labelled with array
    operations. The others are merged pair by pair, most probable first, each merge checked
    in constant time against summaries of the two clusters.
    """
    if not isinstance(facts, FactArrays):
        facts = facts_to_arrays(facts)
    n = len(facts)
    unique = frozenset(unique_sources)
    unique_codes = frozenset(i for i, s in enumerate(facts.sources) if s in unique)
    accepted = [(int(i), int(j)) for i, j in accepted]
    rejected = [(int(i), int(j)) for i, j in rejected]
    keep = np.asarray(probabilities) >= threshold
    left = np.asarray(ids_l, dtype=np.int64)[keep]
    right = np.asarray(ids_r, dtype=np.int64)[keep]
    probs = np.asarray(probabilities, dtype=np.float64)[keep]
    comp = component_labels(
        n,
        np.concatenate([left, np.array([a for a, _ in accepted], dtype=np.int64)]),
        np.concatenate([right, np.array([b for _, b in accepted], dtype=np.int64)]),
    )
    easy_root = _consistent_components(facts, comp, unique_codes)
    for i, j in accepted + rejected:
        easy_root[comp[i]] = easy_root[comp[j]] = False
    easy = easy_root[comp]
    labels = np.where(easy, comp, np.arange(n, dtype=np.int64))
    hard = ~easy[left]
    if hard.any() or accepted:
        _greedy(facts, labels, left[hard], right[hard], probs[hard], unique_codes,
                accepted, rejected)  # fmt: skip
    return labels


def _greedy(
    facts: FactArrays,
    labels: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    probs: np.ndarray,
    unique_codes: frozenset[int],
    accepted: Sequence[tuple[int, int]],
    rejected: Sequence[tuple[int, int]],
) -> None:
    """Merge greedily, most probable pair first; writes the labels of the records met."""
    order = np.argsort(-probs, kind="stable")
    left_list, right_list = left[order].tolist(), right[order].tolist()
    nodes = set(left_list) | set(right_list) | {x for pair in accepted for x in pair}
    parent = {i: i for i in nodes}
    members = {i: [i] for i in nodes}
    summary = {i: _Summary(facts, i, unique_codes) for i in nodes}
    cannot: dict[int, set[int]] = {}
    for i, j in rejected:
        cannot.setdefault(i, set()).add(j)
        cannot.setdefault(j, set()).add(i)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(ra: int, rb: int, consistent: bool = True) -> None:
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra].extend(members.pop(rb))
        summary[ra].absorb(summary.pop(rb), consistent)

    def allowed(ra: int, rb: int) -> bool:
        sa, sb = summary[ra], summary[rb]
        if sa.unique & sb.unique:
            return False
        if sa.exact or sb.exact:
            records = {i: facts.record(i) for i in members[ra] + members[rb]}
            if any(contradicts(records[i], records[j]) for i in members[ra] for j in members[rb]):
                return False
        elif not sa.compatible(sb):
            return False
        return not (
            cannot
            and any(cannot.get(a) and not cannot[a].isdisjoint(members[rb]) for a in members[ra])
        )

    for i, j in accepted:
        ri, rj = find(i), find(j)
        if ri != rj:
            union(ri, rj, summary[ri].compatible(summary[rj]) and not (
                summary[ri].exact or summary[rj].exact))  # fmt: skip
    for i, j in zip(left_list, right_list, strict=True):
        ri, rj = find(i), find(j)
        if ri != rj and allowed(ri, rj):
            union(ri, rj)
    for group in members.values():
        labels[group] = min(group)


def connected_components(n: int, ids_l: np.ndarray, ids_r: np.ndarray) -> np.ndarray:
    """Plain connected components (for comparison in benchmarks)."""
    return component_labels(n, ids_l, ids_r)
