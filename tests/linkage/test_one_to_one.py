"""A list that names each person once: pairs into it read together (``linkage.exclusive``)."""

from __future__ import annotations

import numpy as np
import pytest

from ombuds.linkage.exclusive import one_to_one

N = 200  # records in each of two lists, A and S
S = frozenset({"s"})  # S names each person once


def _lists(extra: list[tuple[int, int, float]]) -> tuple[np.ndarray, ...]:
    """Lists A (records 0..N-1) and S (N..2N-1): half of A's records name someone of S
    without doubt (a pair at 0.99 each), and ``extra`` pairs (A index, S index, p)."""
    sources = np.array(["a"] * N + ["s"] * N, dtype=object)
    pairs = [(i, N + i, 0.99) for i in range(N // 2)] + [(a, N + s, p) for a, s, p in extra]
    left, right, p = (np.array(x) for x in zip(*pairs, strict=True))
    return sources, left, right, p


#: A match rate under which a record of A names each record of S with prior odds 1/N, so
#: that half of A naming someone of S (π = 1/2) is twice what the rate alone says.
RATE = 0.5 / N


def test_a_lone_candidate_is_likelier_when_the_lists_overlap_more_than_the_rate_says() -> None:
    sources, left, right, p = _lists([(150, 150, 0.3)])
    q = one_to_one(sources, left, right, p, RATE, S)
    assert q[-1] > 0.3
    # The sure pairs stay sure.
    assert (q[: N // 2] > 0.99).all()


def test_rivals_share_one_person() -> None:
    lone = one_to_one(*_lists([(150, 150, 0.3)]), RATE, S)[-1]
    sources, left, right, p = _lists([(150, 150, 0.3), (150, 151, 0.3), (150, 152, 0.3)])
    q = one_to_one(sources, left, right, p, RATE, S)[-3:]
    assert np.allclose(q, q[0]) and q[0] < lone and q[0] < 0.3
    assert q.sum() < 1.0  # a record names one person at most


def test_candidates_in_a_list_not_declared_unique_are_not_rivals() -> None:
    """Two records of a list that may name a man twice (complaints) are not rivals: both may
    be him. Nothing is read into such a list; pairs within one list are left as scored."""
    sources, left, right, p = _lists([(150, 150, 0.3), (150, 151, 0.3)])
    left, right, p = np.append(left, N + 150), np.append(right, N + 151), np.append(p, 0.6)
    q = one_to_one(sources, left, right, p, RATE, frozenset({"a"}))
    # Read only the other way, as a record of S among A's records: each alone there.
    lone = one_to_one(*_lists([(150, 150, 0.3)]), RATE, frozenset({"a"}))[-1]
    # (Within a hundredth: one more record of S has a candidate, and π moves a little.)
    assert q[-3] == pytest.approx(lone, rel=0.01) and q[-2] == pytest.approx(lone, rel=0.01)
    assert q[-1] == 0.6
    assert np.array_equal(one_to_one(sources, left, right, p, RATE, frozenset()), p)


def test_a_lone_candidate_is_never_made_less_likely() -> None:
    """Few of A's records have a candidate in S (a match rate that says more): β stays 1."""
    sources = np.array(["a"] * N + ["s"] * N, dtype=object)
    left, right, p = np.array([0]), np.array([N]), np.array([0.3])
    assert one_to_one(sources, left, right, p, 0.01, S)[0] == pytest.approx(0.3)
    # ... and a record with rivals is still shared among them.
    left, right, p = np.array([0, 0]), np.array([N, N + 1]), np.array([0.3, 0.3])
    q = one_to_one(sources, left, right, p, 0.01, S)
    assert q[0] == pytest.approx(q[1]) and q[0] < 0.3


def test_nothing_changes_without_pairs_across_lists() -> None:
    sources = np.array(["a"] * 4, dtype=object)
    p = np.array([0.3, 0.7])
    q = one_to_one(sources, np.array([0, 1]), np.array([1, 2]), p, RATE, frozenset({"a"}))
    assert np.array_equal(q, p)
