"""A trained model is checked against what the data say independently of it (issue 11, item 1)."""

from __future__ import annotations

import pandas as pd
import pytest

from ombuds.linkage import LinkageSettings, PersonRecord, link_records
from ombuds.linkage.checks import check_model
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.model import M_BOUND_FACTOR, bound_m_probabilities, comparisons
from ombuds.linkage.synthetic import SyntheticLists

FAMILIES = ["Исаев", "Умаров", "Хасанов", "Юсупов", "Мусаев", "Ахмадов", "Закриев", "Вахаев"]
GIVEN = ["Руслан", "Адам", "Шамиль", "Ислам", "Тимур"]


def _twins(n: int) -> list[PersonRecord]:
    """``n`` persons, each named by a complaint and an NGO list with the same full name and
    birth date (sure pairs)."""
    records = []
    for i in range(n):
        family, given = FAMILIES[i % len(FAMILIES)], GIVEN[i // len(FAMILIES) % len(GIVEN)]
        birth = f"{1960 + i % 30}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        records.append(PersonRecord(f"c{i}", "complaint", given, "", family, birth_date=birth))
        records.append(PersonRecord(f"n{i}", "ngo", given, "", family, birth_date=birth))
    return records


def _pairs(frame: pd.DataFrame, probability: float) -> pd.DataFrame:
    ids = frame["unique_id"].tolist()
    return pd.DataFrame(
        {
            "unique_id_l": ids[0::2],
            "unique_id_r": ids[1::2],
            "match_probability": [probability] * (len(ids) // 2),
        }
    )


def test_a_model_that_leaves_sure_pairs_below_the_threshold_fails_its_check() -> None:
    frame = records_to_frame(_twins(40))
    strict = check_model(frame, _pairs(frame, 0.2), threshold=0.5, unique_sources=frozenset())
    sound = check_model(frame, _pairs(frame, 0.97), threshold=0.5, unique_sources=frozenset())
    assert [(c.code, c.pairs, c.linked, c.passed) for c in strict] == [("sure_pairs", 40, 0, False)]
    assert [(c.code, c.pairs, c.linked, c.passed) for c in sound] == [("sure_pairs", 40, 40, True)]
    assert "0 of 40 pairs" in strict[0].describe() and "FAILED" in strict[0].describe()


def test_a_model_that_merges_records_of_a_list_declared_unique_fails_its_check() -> None:
    # 120 records of one unique list; the "model" puts every other pair above the threshold.
    records = [PersonRecord(str(i), "ngo", GIVEN[i % 5], "", FAMILIES[i % 8]) for i in range(120)]
    frame = records_to_frame(records)
    lax = check_model(frame, _pairs(frame, 0.9), threshold=0.5, unique_sources=frozenset({"ngo"}))
    unique = next(c for c in lax if c.code == "unique_lists")
    assert (unique.pairs, unique.linked, unique.passed) == (120, 60, False)
    fine = check_model(frame, _pairs(frame, 0.3), threshold=0.5, unique_sources=frozenset({"ngo"}))
    assert all(c.passed for c in fine)


def test_em_cannot_move_an_m_probability_far_from_its_prior() -> None:
    model = {"comparisons": comparisons("duckdb")}
    place = next(c for c in model["comparisons"] if c["output_column_name"] == "place")
    for level in place["comparison_levels"]:
        if level["label_for_charts"] == "else":
            level["m_probability"] = 5e-11  # what EM learnt on the built-in lists
        elif level["label_for_charts"] == "same place":
            level["m_probability"] = 1.0 - 5e-11
    bounded, names = bound_m_probabilities(model, "duckdb")
    levels = {
        lv["label_for_charts"]: lv["m_probability"]
        for c in bounded["comparisons"]
        if c["output_column_name"] == "place"
        for lv in c["comparison_levels"]
        if not lv.get("is_null_level")
    }
    assert names == ["place: else"]
    # Prior 0.1, held at 0.1 / 4, then renormalised with the other levels (by less than 1.2).
    assert levels["else"] >= 0.1 / M_BOUND_FACTOR / 1.2
    assert sum(levels.values()) == pytest.approx(1.0)


def test_a_trained_run_on_the_built_in_lists_passes_its_checks(
    synthetic_lists: SyntheticLists,
) -> None:
    settings = LinkageSettings(unique_within=frozenset(synthetic_lists.unique_sources))
    result = link_records(synthetic_lists.records, settings)
    assert result.model_status == "trained" and result.sound
    assert {c.code for c in result.checks} == {"sure_pairs", "unique_lists"}
    assert all(c.passed and c.decisive for c in result.checks)
    assert "passed its checks" in result.model_summary()


def test_a_run_whose_model_fails_its_checks_is_never_called_sound(
    synthetic_lists: SyntheticLists,
) -> None:
    # The prior parameters with Splink's default u probabilities are too lax on these lists:
    # records of the duplicate-free NGO list end up in one cluster's pairs.
    settings = LinkageSettings(unique_within=frozenset(synthetic_lists.unique_sources), train=False)
    result = link_records(synthetic_lists.records, settings)
    assert result.model_status == "failed_checks" and not result.sound
    failed = [c for c in result.checks if not c.passed]
    assert [c.code for c in failed] == ["unique_lists"]
    assert "NO MODEL PASSED ITS CHECKS" in result.model_summary()
