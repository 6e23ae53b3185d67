"""Diagnostics of a run people can read (issue 11, item 3)."""

from __future__ import annotations

import numpy as np

from ombuds.linkage import LinkageSettings, link_records
from ombuds.linkage.diagnostics import Diagnostics, diagnose
from ombuds.linkage.synthetic import SyntheticLists


def _clusters(overlaps: dict[tuple[str, ...], int]) -> tuple[list[int], list[str]]:
    labels, sources = [], []
    cluster = 0
    for named_by, count in overlaps.items():
        for _ in range(count):
            cluster += 1
            for source in named_by:
                labels.append(cluster)
                sources.append(source)
    return labels, sources


def test_a_pair_of_sources_that_shares_far_fewer_persons_than_the_others_is_flagged() -> None:
    # a, b and c each name about half of 400 persons and share about a quarter pairwise,
    # except b and c, which share only two: their records were not matched.
    labels, sources = _clusters(
        {("a",): 100, ("b",): 60, ("c",): 60, ("a", "b"): 90, ("a", "c"): 88, ("b", "c"): 2}
    )
    found = diagnose(np.array([0.1, 0.3, 0.97, 0.999]), np.array(labels), sources)
    by_pair = {(p.left, p.right): p for p in found.source_pairs}
    assert by_pair[("b", "c")].low and by_pair[("b", "c")].shared == 2
    assert not by_pair[("a", "b")].low and not by_pair[("a", "c")].low
    assert by_pair[("a", "b")].expected == 278 * 152 / 400
    assert [n for _lo, _hi, n in found.bands] == [1, 1, 0, 0, 1, 1]
    text = "\n".join(found.lines())
    assert "warning: b and c share 2 persons" in text
    assert Diagnostics.from_dict(found.as_dict()) == found


def test_every_run_carries_its_diagnostics(synthetic_lists: SyntheticLists) -> None:
    records = synthetic_lists.records[:600]
    result = link_records(records, LinkageSettings())
    pairs = result.diagnostics.source_pairs
    assert sum(n for _lo, _hi, n in result.diagnostics.bands) == result.pairs_scored
    assert {(p.left, p.right) for p in pairs} >= {("complaint", "ngo")}
    assert not result.diagnostics.low_pairs  # the built-in lists link evenly
