"""The name frequency adjustment (``model.adjust_for_family_frequency``): the same family (or
given) name is strong evidence when it is rare and weak when it is common."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ombuds.linkage import LinkageResult, LinkageSettings, link_records
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.model import (
    FAMILY_TF_MAX_FACTOR,
    PERSON_TF_FLOOR,
    adjust_for_family_frequency,
    person_term_frequencies,
)
from ombuds.linkage.synthetic import SyntheticLists


def _frame(families: list[str | None], givens: list[str | None]) -> pd.DataFrame:
    names = [f"{f}|{g}" if f and g else None for f, g in zip(families, givens, strict=True)]
    return pd.DataFrame(
        {
            "unique_id": np.arange(len(families), dtype=np.int64),
            "fam_key": pd.array(families, dtype="string"),
            "given_key": pd.array(givens, dtype="string"),
            "name_key": pd.array(names, dtype="string"),
        }
    )


def _odds(p: float) -> float:
    return p / (1 - p)


def test_rare_family_raised_common_lowered_full_names_untouched() -> None:
    # 60 records of one common family, then a rare family twice, then one-offs.
    families = ["dzhabrailov"] * 60 + ["visitov", "visitov"] + [f"f{i}" for i in range(38)]
    givens: list[str | None] = [None] * 100
    givens[0], givens[1] = "magomed", "magomed"  # a full-name match in the common family
    givens[2] = "musa"
    frame = _frame(families, givens)
    pairs = pd.DataFrame(
        {
            "unique_id_l": [0, 2, 60, 62],
            "unique_id_r": [1, 3, 61, 63],
            "match_probability": [0.4, 0.4, 0.4, 0.4],
        }
    )
    out = adjust_for_family_frequency(frame, pairs)["match_probability"].to_numpy()
    assert out[0] == pytest.approx(0.4)  # same full name: Splink adjusts those itself
    assert out[1] < 0.4  # common family, given names not both known
    assert out[2] > 0.4  # rare family
    assert out[3] == pytest.approx(0.4)  # family names differ: nothing to adjust
    freq = {"dzhabrailov": 0.6, "visitov": 0.02}
    mean = 0.6**2 + 0.02**2 + 38 * 0.01**2
    for p, family in ((out[1], "dzhabrailov"), (out[2], "visitov")):
        expected = np.clip(mean / freq[family], 1 / FAMILY_TF_MAX_FACTOR, FAMILY_TF_MAX_FACTOR)
        assert _odds(p) / _odds(0.4) == pytest.approx(expected, rel=1e-6)


def test_adjustment_is_bounded_and_ignores_missing_families() -> None:
    families: list[str | None] = ["common"] * 500 + ["rare", "rare", None, None]
    frame = _frame(families, [None] * len(families))
    pairs = pd.DataFrame(
        {"unique_id_l": [500, 502], "unique_id_r": [501, 503], "match_probability": [0.01, 0.3]}
    )
    out = adjust_for_family_frequency(frame, pairs)["match_probability"].to_numpy()
    assert _odds(out[0]) / _odds(0.01) == pytest.approx(FAMILY_TF_MAX_FACTOR, rel=1e-6)
    assert out[1] == pytest.approx(0.3)  # no family name on either side


def test_given_names_are_weighed_too_and_the_shifts_share_one_bound() -> None:
    families = [f"f{i}" for i in range(100)]
    givens: list[str | None] = ["magomed"] * 50 + ["zelimkhan", "zelimkhan"] + [None] * 48
    families[1] = families[0]  # a common given name, family names agree
    frame = _frame(families, givens)
    frame.loc[1, "name_key"] = "typo|magomed"  # full names differ (a typo in one)
    pairs = pd.DataFrame(
        {"unique_id_l": [2, 50], "unique_id_r": [3, 51], "match_probability": [0.4, 0.4]}
    )
    out = adjust_for_family_frequency(frame, pairs)["match_probability"].to_numpy()
    assert out[0] < 0.4  # Магомед and Магомед, different families: weaker evidence
    assert out[1] > 0.4  # a rare given name
    pair = pd.DataFrame({"unique_id_l": [0], "unique_id_r": [1], "match_probability": [0.4]})
    both = adjust_for_family_frequency(frame, pair)["match_probability"].to_numpy()[0]
    assert 1 / FAMILY_TF_MAX_FACTOR - 1e-9 <= _odds(both) / _odds(0.4) <= FAMILY_TF_MAX_FACTOR


def test_a_names_frequency_is_counted_among_other_peoples_records() -> None:
    names = pd.Series(["rare"] * 3 + ["common"] * 40 + ["once"] + [None] * 6, name="name_key")
    table = person_term_frequencies(names, same_person=1.2).set_index("name_key")["tf_name_key"]
    total = 44  # records with a name
    # Three records of a rare name: without the record itself and the 1.2 records expected to
    # be the same man's, 0.8 records of other people hold it (Splink would count 3).
    assert table["rare"] == pytest.approx(0.8 / total)
    assert table["common"] == pytest.approx(37.8 / total)
    assert table["once"] == pytest.approx(PERSON_TF_FLOOR / total)  # never below the floor
    assert set(table.index) == {"rare", "common", "once"}


def test_a_trained_run_weighs_a_rare_name_by_people_not_records(
    synthetic_lists: SyntheticLists, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frequency table counted as people is the one the prediction uses: with Splink's
    frequency among records put back, the pairs of records of one man that agree on a name
    that only his records hold score lower."""
    from ombuds.linkage import model

    records = synthetic_lists.records[:1500]
    frame = records_to_frame(records)
    counts = frame["name_key"].value_counts()
    index = {r.key: i for i, r in enumerate(records)}
    by_person: dict[object, list[int]] = {}
    for r in records:
        by_person.setdefault(synthetic_lists.truth[r.key], []).append(index[r.key])
    names = frame["name_key"].astype(object).to_numpy()

    def rare_true_pairs(result: LinkageResult) -> dict[frozenset[tuple[str, str]], float]:
        out = {}
        for pair in result.pairs:
            i, j = index[pair.left], index[pair.right]
            same = synthetic_lists.truth[pair.left] == synthetic_lists.truth[pair.right]
            name = names[i]
            if same and name is not None and name == names[j]:
                held = by_person[synthetic_lists.truth[pair.left]]
                if counts[name] == sum(1 for k in held if names[k] == name):
                    out[frozenset((pair.left, pair.right))] = pair.probability
        return out

    settings = LinkageSettings(unique_within=frozenset(synthetic_lists.unique_sources))
    as_people = rare_true_pairs(link_records(records, settings))

    def as_records(values: pd.Series, same_person: float) -> pd.DataFrame:
        counts = values.dropna().value_counts()
        column = str(values.name)
        return pd.DataFrame(
            {column: counts.index.astype(str), f"tf_{column}": (counts / counts.sum()).to_numpy()}
        )

    monkeypatch.setattr(model, "person_term_frequencies", as_records)
    as_splink = rare_true_pairs(link_records(records, settings))
    both = [k for k in as_people if k in as_splink and as_splink[k] < 0.99]
    assert len(both) >= 10
    assert all(as_people[k] >= as_splink[k] - 1e-9 for k in both)
    assert sum(as_people[k] > as_splink[k] + 0.01 for k in both) >= len(both) // 2
