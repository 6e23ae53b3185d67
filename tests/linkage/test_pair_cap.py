"""The cap on candidate pairs (issue 13): counted per blocking rule before anything is scored,
and a run over it stops with the rule named."""

from __future__ import annotations

import random

import duckdb
import pytest

from ombuds.linkage import LinkageSettings, PersonRecord, TooManyPairs, link_records
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.limits import (
    CANDIDATES_TABLE,
    CandidateCounts,
    build_candidates,
    rule_columns,
)
from ombuds.linkage.model import PREDICTION_BLOCKING_RULES, candidate_pairs_sql
from ombuds.linkage.synthetic import SyntheticLists


def one_common_name(n: int, seed: int = 1) -> list[PersonRecord]:
    """``n`` men of one name, born within three years: every pair is a candidate."""
    rng = random.Random(seed)
    return [
        PersonRecord(
            record_id=str(i),
            source="list",
            family_name="Джабраилов",
            given_name="Магомед",
            sex="m",
            birth_date=str(1990 + rng.randrange(3)),
        )
        for i in range(n)
    ]


def _build(
    records: list[PersonRecord], max_pairs: int | None
) -> tuple[CandidateCounts, set[tuple[int, int]]]:
    con = duckdb.connect()
    con.register("t", records_to_frame(records))
    counts = build_candidates(
        con,
        candidate_pairs_sql("t", streaming=max_pairs is not None),
        PREDICTION_BLOCKING_RULES,
        max_pairs=max_pairs,
    )
    pairs = set(con.execute(f"SELECT join_key_l, join_key_r FROM {CANDIDATES_TABLE}").fetchall())
    con.close()
    return counts, pairs


def test_under_the_cap_the_candidates_are_exactly_the_uncapped_ones(
    synthetic_lists: SyntheticLists,
) -> None:
    records = synthetic_lists.records
    free, free_pairs = _build(records, None)
    capped, capped_pairs = _build(records, free.total)
    assert capped_pairs == free_pairs and len(free_pairs) > len(records)
    assert capped.per_rule == free.per_rule
    assert sum(capped.per_rule.values()) == capped.total == len(free_pairs)
    with pytest.raises(TooManyPairs):
        _build(records, free.total - 1)


def test_a_common_name_over_the_cap_names_the_rule_and_counts_its_pairs() -> None:
    records = one_common_name(300)  # 44,850 pairs, all on the first rule (family + given)
    with pytest.raises(TooManyPairs) as caught:
        _build(records, 5000)
    refusal = caught.value
    assert refusal.rule_index == 0
    assert refusal.rule == PREDICTION_BLOCKING_RULES[0]
    assert set(refusal.columns) >= {"fam_key", "given_skel"}
    assert (refusal.pairs, refusal.total, refusal.limit) == (44_850, 44_850, 5000)
    assert "44,850 candidate pairs" in str(refusal) and "over the limit of 5,000" in str(refusal)
    # The count is exact however far over the cap.
    with pytest.raises(TooManyPairs) as caught:
        _build(records, 10)
    assert (caught.value.pairs, caught.value.total) == (44_850, 44_850)


def test_link_records_stops_before_scoring() -> None:
    calls: list[str] = []
    with pytest.raises(TooManyPairs):
        link_records(
            one_common_name(300),
            LinkageSettings(),
            progress=lambda stage, _f: calls.append(stage),
            max_pairs=1000,
        )
    # Refused after normalising, before any training or prediction stage.
    assert calls == ["normalise"]
    # At the cap exactly (60 records: 1,770 pairs), the run goes on.
    stages: list[str] = []
    result = link_records(
        one_common_name(60),
        LinkageSettings(train=False),
        progress=lambda stage, _f: stages.append(stage),
        max_pairs=60 * 59 // 2,
    )
    assert result.records == 60 and "predict" in stages and stages[-1] == "done"


def test_rule_columns_are_the_joined_feature_columns() -> None:
    assert rule_columns("l.fam_key = r.fam_key AND l.by_lo = r.by_lo") == ("fam_key", "by_lo")
    assert rule_columns("l.fam_key = r.given_key AND l.given_key = r.fam_key") == (
        "fam_key",
        "given_key",
    )
