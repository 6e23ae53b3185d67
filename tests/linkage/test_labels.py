"""Reviewers' verdicts as labels (``ombuds.linkage.labels``): constraints on the clustering
and a correction of the model's scores, with its rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ombuds.linkage import PersonRecord, link_records, pairwise_scores
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.labels import (
    MIN_EACH,
    MIN_LABELS_TO_CORRECT,
    SLOPE_BOUNDS,
    calibrate,
    constraints_from,
    correct_scores,
    fit_calibration,
)
from ombuds.linkage.synthetic import SyntheticLists

KEYS = [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("c", "1")]
INDEX = {key: i for i, key in enumerate(KEYS)}


def test_verdicts_become_must_and_cannot_links_by_record_key() -> None:
    found = constraints_from(
        {
            (("b", "1"), ("a", "1")): True,  # any order: one canonical index pair
            (("a", "2"), ("b", "2")): False,
        },
        INDEX,
    )
    assert found.must_link == ((0, 2),)
    assert found.cannot_link == ((1, 3),)
    assert found.conflicts == 0
    assert found.labelled == {(0, 2): True, (1, 3): False}


def test_a_verdict_on_an_unknown_record_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown record"):
        constraints_from({(("a", "1"), ("z", "9")): True}, INDEX)


def test_a_cannot_link_that_must_links_contradict_is_a_counted_conflict() -> None:
    # a1 = b1, b1 = c1 (so a1 = c1), but a1 != c1: the chain of "same" verdicts wins.
    found = constraints_from(
        {
            (("a", "1"), ("b", "1")): True,
            (("b", "1"), ("c", "1")): True,
            (("a", "1"), ("c", "1")): False,
            (("a", "2"), ("b", "2")): False,
        },
        INDEX,
    )
    assert found.must_link == ((0, 2), (2, 4))
    assert found.cannot_link == ((1, 3),)
    assert found.conflicts == 1


def _labels_from(
    true_shift: float, n: int, seed: int = 1, slope: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pairs scored by a model whose match weight is ``true_shift`` below the truth
    (too strict for a positive shift), labelled by the truth."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0.05, 0.95, n)
    weight = np.log(scores / (1 - scores))
    truth = 1 / (1 + np.exp(-(true_shift + slope * weight)))
    return scores, rng.random(n) < truth


def test_the_calibration_recovers_how_far_a_model_errs() -> None:
    scores, same = _labels_from(true_shift=2.0, n=4000)
    intercept, slope = fit_calibration(scores, same)
    assert intercept == pytest.approx(2.0, abs=0.2)
    assert slope == pytest.approx(1.0, abs=0.15)
    # A calibrated model is left nearly as it is.
    scores, same = _labels_from(true_shift=0.0, n=4000, seed=2)
    intercept, slope = fit_calibration(scores, same)
    assert abs(intercept) < 0.15 and slope == pytest.approx(1.0, abs=0.15)


def test_a_few_dozen_labels_move_the_model_the_way_they_say_and_the_prior_holds_it() -> None:
    strict_scores, strict_same = _labels_from(true_shift=2.0, n=40, seed=3)
    lax_scores, lax_same = _labels_from(true_shift=-2.0, n=40, seed=3)
    up, _ = fit_calibration(strict_scores, strict_same)
    down, _ = fit_calibration(lax_scores, lax_same)
    assert 0.5 < up < 2.5 and -2.5 < down < -0.5
    # One kind of label only: the prior keeps the correction finite.
    intercept, slope = fit_calibration(np.full(40, 0.3), np.ones(40, dtype=bool))
    assert 0 < intercept < 10 and SLOPE_BOUNDS[0] <= slope <= SLOPE_BOUNDS[1]


def test_the_correction_keeps_the_order_of_the_pairs() -> None:
    probabilities = np.array([0.0, 1e-9, 0.1, 0.4, 0.5, 0.9, 1 - 1e-9, 1.0])
    for intercept, slope in ((2.0, 1.0), (-3.0, 0.25), (0.5, 4.0)):
        corrected = calibrate(probabilities, intercept, slope)
        assert np.all(np.diff(corrected) >= 0) and np.all((corrected >= 0) & (corrected <= 1))
    assert calibrate(probabilities, 0.0, 1.0) == pytest.approx(probabilities, abs=1e-9)


def _frame(n: int, source: str = "ngo") -> pd.DataFrame:
    """Records with nothing in common: no sure pairs; ``n`` of them in one list."""
    return records_to_frame(
        [PersonRecord(str(i), source, given_name=f"G{i}", family_name=f"F{i}") for i in range(n)]
    )


def _pairs(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def _decisions(pairs: list[tuple[int, int]], same: list[bool], source: str = "ngo") -> dict:
    return {((source, str(i)), (source, str(j))): s for (i, j), s in zip(pairs, same, strict=True)}


def test_the_scores_are_corrected_only_from_enough_labels_of_both_kinds() -> None:
    frame = _frame(100, "complaint")
    index = {("complaint", str(i)): i for i in range(100)}
    labelled = [(2 * k, 2 * k + 1) for k in range(30)]
    pairs = _pairs([(i, j, 0.3) for i, j in labelled] + [(60, 61, 0.4)])
    # 30 labelled pairs at 0.3: 25 of them one person. The model is too strict.
    same = [True] * 25 + [False] * 5
    few = constraints_from(_decisions(labelled[:19], same[:19], "complaint"), index)
    out, use = correct_scores(frame, pairs, few, threshold=0.5, unique_sources=frozenset())
    assert use.correction.status == "too_few_labels" and use.correction.scored == 19
    assert out is pairs
    one_kind = constraints_from(_decisions(labelled[:25], same[:25], "complaint"), index)
    _, use = correct_scores(frame, pairs, one_kind, threshold=0.5, unique_sources=frozenset())
    assert use.correction.status == "too_few_labels" and MIN_EACH > 0

    enough = constraints_from(_decisions(labelled, same, "complaint"), index)
    out, use = correct_scores(frame, pairs, enough, threshold=0.5, unique_sources=frozenset())
    correction = use.correction
    assert correction.status == "corrected" and correction.applied
    assert (correction.scored, correction.same) == (MIN_LABELS_TO_CORRECT + 10, 25)
    assert (use.must_link, use.cannot_link) == (25, 5)
    assert correction.intercept > 0
    # Every pair moves up, the unlabelled one too, and the labelled pairs now sit on the
    # side of the threshold most of their verdicts say.
    assert (out["match_probability"] > pairs["match_probability"]).all()
    assert out["match_probability"].iloc[-1] >= 0.5
    assert (correction.before.right, correction.after.right) == (5, 25)
    assert correction.before.recall == 0 and correction.after.recall == 1
    assert correction.after.precision == 25 / 30


def test_a_correction_that_fails_the_models_checks_is_set_aside() -> None:
    # 200 records of a list that names each person once; 30 pairs within it at 0.3 that the
    # labels would lift above the threshold: the corrected model would link them, which the
    # unique-lists check forbids.
    frame = pd.concat([_frame(200), _frame(60, "complaint")], ignore_index=True)
    frame["unique_id"] = np.arange(len(frame))
    index = {("ngo", str(i)): i for i in range(200)}
    index |= {("complaint", str(i)): 200 + i for i in range(60)}
    labelled = [(200 + 2 * k, 201 + 2 * k) for k in range(30)]
    within = [(2 * k, 2 * k + 1) for k in range(30)]
    pairs = _pairs([(i, j, 0.3) for i, j in labelled + within])
    decisions = {
        (("complaint", str(i - 200)), ("complaint", str(j - 200))): k < 25
        for k, (i, j) in enumerate(labelled)
    }
    constraints = constraints_from(decisions, index)
    out, use = correct_scores(
        frame, pairs, constraints, threshold=0.5, unique_sources=frozenset({"ngo"})
    )
    assert use.correction.status == "failed_checks" and not use.correction.applied
    assert [c.code for c in use.correction.checks if not c.passed] == ["unique_lists"]
    assert out is pairs


def _truth_labels(
    lists: SyntheticLists, result_pairs: list, threshold: float, how_many: int
) -> dict:
    """A reviewer who knows the truth labels the ``how_many`` pairs nearest the threshold."""
    nearest = sorted(result_pairs, key=lambda p: abs(p.probability - threshold))[:how_many]
    return {(p.left, p.right): lists.truth[p.left] == lists.truth[p.right] for p in nearest}


def test_verdicts_split_a_rejected_pair_link_an_accepted_one_and_correct_the_model(
    synthetic_lists: SyntheticLists,
) -> None:
    records = synthetic_lists.records[:600]
    truth = [synthetic_lists.truth[r.key] for r in records]
    first = link_records(records)
    assert first.labels.used == 0 and first.labels.correction.status == "no_labels"
    truthful = _truth_labels(synthetic_lists, first.pairs, 0.5, 50)
    # Pairs that no truthful verdict touches: a verdict on them then contradicts no chain of
    # verdicts (that would be a conflict, not followed).
    labelled = {key for pair in truthful for key in pair}
    linked = next(
        p
        for p in first.pairs
        if first.clusters[p.left] == first.clusters[p.right] and not {p.left, p.right} & labelled
    )
    # The reviewer joins two records the run kept apart: the lowest-scored such pair, or (when
    # every scored pair was linked) two records of different clusters that no pair scored.
    apart_pairs = [
        p
        for p in first.pairs
        if first.clusters[p.left] != first.clusters[p.right] and not {p.left, p.right} & labelled
    ]
    if apart_pairs:
        apart_keys = min(apart_pairs, key=lambda p: p.probability)
        apart = (apart_keys.left, apart_keys.right)
    else:
        a = records[0].key
        apart = (a, next(r.key for r in records if first.clusters[r.key] != first.clusters[a]))
    decisions = truthful | {(linked.left, linked.right): False, apart: True}
    second = link_records(records, decisions=decisions)
    assert second.clusters[linked.left] != second.clusters[linked.right]
    assert second.clusters[apart[0]] == second.clusters[apart[1]]
    use = second.labels
    assert use.used == len(decisions) and (use.must_link, use.cannot_link) == (
        sum(decisions.values()),
        len(decisions) - sum(decisions.values()),
    )

    # A reviewer who tells the truth on the 50 most uncertain pairs: the model is corrected
    # (or the rule says why not), and the run is no worse for it.
    third = link_records(records, decisions=truthful)
    assert third.labels.correction.scored >= MIN_LABELS_TO_CORRECT
    assert third.labels.correction.status in {"corrected", "too_few_labels", "failed_checks"}
    before = pairwise_scores([first.clusters[r.key] for r in records], truth).f1
    after = pairwise_scores([third.clusters[r.key] for r in records], truth).f1
    assert after >= before - 0.005
