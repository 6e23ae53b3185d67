"""Capture histories: which lists saw how many people with each pattern.

Everything downstream works on the table of *pattern counts*: for K lists there are 2^K - 1
observable patterns (the all-zero pattern is exactly what we are trying to estimate). A pattern
is stored as an integer whose bit ``k`` says whether list ``k`` saw the person.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np
import numpy.typing as npt

from ombuds.estimation.errors import EstimationRefused

MAX_LISTS = 8
MIN_LISTS = 3


@dataclass(frozen=True)
class CaptureData:
    """Immutable capture-recapture table.

    ``lists`` names the K lists; ``counts`` maps each observed pattern (a tuple of K zeros and
    ones) to the number of people with exactly that pattern. Zero counts are allowed; the
    all-zero pattern is not (nobody can be observed on no list).

    Raises ``ValueError`` on malformed input (wrong pattern length, negative counts, duplicate
    list names, an all-zero pattern, more than ``MAX_LISTS`` lists).
    """

    lists: tuple[str, ...]
    counts: Mapping[tuple[int, ...], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        k = len(self.lists)
        if len(set(self.lists)) != k:
            raise ValueError(f"duplicate list names: {self.lists}")
        if k > MAX_LISTS:
            raise ValueError(f"at most {MAX_LISTS} lists are supported, got {k}")
        clean: dict[tuple[int, ...], int] = {}
        for pattern, count in self.counts.items():
            p = tuple(int(v) for v in pattern)
            if len(p) != k or any(v not in (0, 1) for v in p):
                raise ValueError(f"pattern {pattern!r} is not {k} zeros and ones")
            if not any(p):
                raise ValueError("the all-zero pattern cannot be observed")
            c = int(count)
            if c < 0 or c != count:
                raise ValueError(f"count for {pattern!r} must be a non-negative integer")
            clean[p] = clean.get(p, 0) + c
        # Freeze: a plain dict sorted for a stable repr, wrapped so nobody mutates it.
        object.__setattr__(self, "counts", _FrozenCounts(sorted(clean.items())))

    @property
    def k(self) -> int:
        """Number of lists."""
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of distinct people seen on at least one list."""
        return sum(self.counts.values())

    def cell_counts(self) -> npt.NDArray[np.int64]:
        """Counts indexed by pattern bits: entry ``b`` (1 <= b < 2^K) has bit ``j`` = list ``j``.

        Entry 0 (the unobserved cell) is always 0.
        """
        y = np.zeros(1 << self.k, dtype=np.int64)
        for pattern, count in self.counts.items():
            y[pattern_index(pattern)] += count
        return y

    def lists_that_saw_anyone(self) -> tuple[str, ...]:
        """Names of the lists with at least one person on them."""
        seen = [False] * self.k
        for pattern, count in self.counts.items():
            if count > 0:
                for j, v in enumerate(pattern):
                    seen[j] = seen[j] or bool(v)
        return tuple(name for name, s in zip(self.lists, seen, strict=True) if s)

    def without_empty_lists(self) -> CaptureData:
        """The same table without lists that saw nobody (they carry no information)."""
        keep = [j for j, name in enumerate(self.lists) if name in self.lists_that_saw_anyone()]
        if len(keep) == self.k:
            return self
        counts: dict[tuple[int, ...], int] = {}
        for pattern, count in self.counts.items():
            p = tuple(pattern[j] for j in keep)
            if any(p):
                counts[p] = counts.get(p, 0) + count
        return CaptureData(tuple(self.lists[j] for j in keep), counts)

    def permuted(self, order: Sequence[int]) -> CaptureData:
        """The same table with its lists reordered: new list ``i`` is old list ``order[i]``."""
        if sorted(order) != list(range(self.k)):
            raise ValueError(f"{order!r} is not a permutation of 0..{self.k - 1}")
        return CaptureData(
            tuple(self.lists[j] for j in order),
            {tuple(p[j] for j in order): c for p, c in self.counts.items()},
        )

    def require_estimable(self) -> None:
        """Raise ``EstimationRefused`` unless at least 3 lists saw someone."""
        seen = self.lists_that_saw_anyone()
        if len(seen) < MIN_LISTS:
            raise EstimationRefused(
                f"only {len(seen)} list(s) saw anyone ({', '.join(seen) or 'none'}); multiple "
                f"systems estimation needs at least {MIN_LISTS} lists, because with two lists "
                "the estimate rests entirely on the untestable assumption that they are "
                "independent"
            )

    @classmethod
    def from_cells(cls, lists: Sequence[str], cells: npt.ArrayLike) -> CaptureData:
        """Build from a vector of 2^K counts indexed by pattern bits (entry 0 is ignored)."""
        arr = np.asarray(cells, dtype=np.int64)
        k = len(lists)
        if arr.shape != (1 << k,):
            raise ValueError(f"expected {1 << k} cells, got shape {arr.shape}")
        counts = {index_pattern(b, k): int(arr[b]) for b in range(1, 1 << k) if arr[b] > 0}
        return cls(tuple(lists), counts)


class _FrozenCounts(dict[tuple[int, ...], int]):
    """A dict that refuses mutation, so ``CaptureData`` is immutable in fact."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("CaptureData counts are immutable")

    __setitem__ = _refuse
    __delitem__ = _refuse
    update = _refuse
    pop = _refuse  # type: ignore[assignment]
    popitem = _refuse  # type: ignore[assignment]
    clear = _refuse
    setdefault = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def pattern_index(pattern: Sequence[int]) -> int:
    """Bit index of a pattern: list ``j`` sets bit ``j``."""
    return sum(1 << j for j, v in enumerate(pattern) if v)


def index_pattern(index: int, k: int) -> tuple[int, ...]:
    """Inverse of :func:`pattern_index`."""
    return tuple((index >> j) & 1 for j in range(k))


def read_patterns_csv(path: Path | str) -> CaptureData:
    """Read a CSV with one 0/1 column per list and a ``count`` column.

    Rows with the all-zero pattern are rejected, repeated patterns are summed. Raises
    ``ValueError`` with the line number on malformed content.
    """
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "count" not in reader.fieldnames:
            raise ValueError(f"{path}: needs a header with list columns and a 'count' column")
        lists = tuple(f for f in reader.fieldnames if f != "count")
        counts: dict[tuple[int, ...], int] = defaultdict(int)
        for line, row in enumerate(reader, start=2):
            try:
                pattern = tuple(int(row[name]) for name in lists)
                count = int(row["count"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{line}: not integers: {row}") from exc
            if not any(pattern):
                raise ValueError(f"{path}:{line}: the all-zero pattern cannot be observed")
            counts[pattern] += count
    return CaptureData(lists, dict(counts))


@overload
def capture_data_from_clusters(
    rows: Iterable[Mapping[str, str]], strata: None = None
) -> CaptureData: ...
@overload
def capture_data_from_clusters(
    rows: Iterable[Mapping[str, str]], strata: str
) -> dict[str, CaptureData]: ...
def capture_data_from_clusters(
    rows: Iterable[Mapping[str, str]], strata: str | None = None
) -> CaptureData | dict[str, CaptureData]:
    """Capture histories from the clusters written by ``ombuds link``.

    Each row has ``source``, ``record_id`` and ``cluster_id``; a cluster is one person and the
    set of its sources is its capture pattern. Only victims are counted: a row whose ``role``
    column (when there is one) is not empty or ``victim`` is left out, so a source that names
    a person only as a witness, reporter or perpetrator did not "see" them as a victim.
    Without ``strata`` the result is one table.
    With ``strata`` (a column name) the result maps each stratum value to a table; every
    stratum table has the same lists (all sources in the file) so strata can be compared and
    merged; a list that saw nobody in a stratum shows as empty there. A cluster whose records
    disagree on the stratum is put in its most frequent value (ties: the smallest).

    Raises ``ValueError`` when a needed column is missing, or there are more than
    ``MAX_LISTS`` sources.
    """
    sources_of: dict[str, set[str]] = defaultdict(set)
    strata_of: dict[str, Counter[str]] = defaultdict(Counter)
    for line, row in enumerate(rows, start=2):
        for col in ("source", "cluster_id"):
            if col not in row or row[col] in (None, ""):
                raise ValueError(f"row {line}: missing '{col}'")
        if (row.get("role") or "victim") != "victim":
            continue  # a witness, reporter or perpetrator: not counted (victims only)
        cid = row["cluster_id"]
        sources_of[cid].add(row["source"])
        if strata is not None:
            if strata not in row:
                raise ValueError(f"row {line}: missing strata column '{strata}'")
            strata_of[cid][row[strata]] += 1
    lists = tuple(sorted({s for ss in sources_of.values() for s in ss}))
    position = {name: j for j, name in enumerate(lists)}

    def pattern_of(sources: set[str]) -> tuple[int, ...]:
        p = [0] * len(lists)
        for s in sources:
            p[position[s]] = 1
        return tuple(p)

    if strata is None:
        return CaptureData(lists, dict(Counter(pattern_of(s) for s in sources_of.values())))
    by_stratum: dict[str, Counter[tuple[int, ...]]] = defaultdict(Counter)
    for cid, sources in sources_of.items():
        votes = strata_of[cid]
        top = max(votes.values())
        stratum = min(v for v, n in votes.items() if n == top)
        by_stratum[stratum][pattern_of(sources)] += 1
    return {s: CaptureData(lists, dict(c)) for s, c in sorted(by_stratum.items())}


def read_clusters_csv(
    path: Path | str, strata: str | None = None
) -> CaptureData | dict[str, CaptureData]:
    """Read ``clusters.csv`` (source, record_id, cluster_id, ...) and build capture data."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if strata is None:
        return capture_data_from_clusters(rows)
    return capture_data_from_clusters(rows, strata)


def merge_strata(tables: Iterable[CaptureData]) -> CaptureData:
    """Pool stratum tables that share the same lists into one table."""
    tables = list(tables)
    if not tables:
        raise ValueError("nothing to merge")
    lists = tables[0].lists
    total: Counter[tuple[int, ...]] = Counter()
    for t in tables:
        if t.lists != lists:
            raise ValueError("strata must have the same lists to be merged")
        total.update(t.counts)
    return CaptureData(lists, dict(total))
