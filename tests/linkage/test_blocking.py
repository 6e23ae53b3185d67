"""ombuds' own blocking SQL finds exactly the pairs Splink's blocking rules would."""

from __future__ import annotations

import logging
import random

import duckdb
import pandas as pd
import pytest
from splink import DuckDBAPI, Linker

from ombuds.linkage import PersonRecord
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.model import candidate_pairs_sqls, settings_dict
from ombuds.linkage.synthetic import SyntheticLists, generate_lists


def _pairs_both_ways(
    frame: pd.DataFrame, *, streaming: bool = False
) -> tuple[set[tuple[int, int]], list[tuple[int, int]]]:
    """(Splink's candidate pairs, ombuds' candidate pairs as a list, duplicates kept)."""
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    table = db_api.register(frame)
    linker = Linker(table, settings_dict("duckdb", 0.001), log_level=logging.WARNING)
    splink_pairs = linker.inference.compute_blocked_pairs_for_predict().as_pandas_dataframe()  # type: ignore[no-untyped-call]
    theirs = set(
        zip(splink_pairs["join_key_l"].tolist(), splink_pairs["join_key_r"].tolist(), strict=True)
    )
    ours = [
        row
        for sql in candidate_pairs_sqls(table.physical_name, streaming=streaming)
        for row in con.execute(f"SELECT join_key_l, join_key_r FROM ({sql})").fetchall()
    ]
    con.close()
    return theirs, [(int(a), int(b)) for a, b in ours]


@pytest.mark.parametrize("streaming", [False, True], ids=["aggregated-in-passes", "streaming"])
def test_the_same_candidate_pairs_as_splinks_blocking(
    synthetic_lists: SyntheticLists, streaming: bool
) -> None:
    """Both forms of ombuds' blocking SQL find Splink's pairs, each once."""
    frame = records_to_frame(synthetic_lists.records)
    theirs, ours = _pairs_both_ways(frame, streaming=streaming)
    assert len(ours) == len(set(ours)), "a pair was kept by two rules"
    assert set(ours) == theirs
    assert len(theirs) > len(frame)  # the check compared something


def test_the_birth_year_buckets_lose_no_compatible_pair_of_a_common_name() -> None:
    """One name, birth years and ages all over the place, some missing: the bucketed joins
    must find every pair the plain name rule does (the buckets' edge cases included)."""
    rng = random.Random(5)
    records = []
    for i in range(400):
        kind = rng.random()
        birth, age, event = "", None, ""
        if kind < 0.4:
            birth = str(rng.randrange(1950, 1990))
        elif kind < 0.8:
            age, event = rng.randrange(16, 60), f"{rng.randrange(2000, 2010)}-05-01"
        records.append(
            PersonRecord(
                record_id=str(i),
                source="s",
                given_name="Magomed",
                family_name="Dzhabrailov",
                birth_date=birth,
                age=age,
                event_date=event,
            )
        )
    theirs, ours = _pairs_both_ways(records_to_frame(records))
    assert len(ours) == len(set(ours))
    assert set(ours) == theirs
    assert 0 < len(theirs) < 400 * 399 // 2  # some pairs are compatible, not all


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_pairs_on_other_lists(seed: int) -> None:
    lists = generate_lists(700, seed=seed)
    theirs, ours = _pairs_both_ways(records_to_frame(lists.records))
    assert set(ours) == theirs and len(ours) == len(theirs)
