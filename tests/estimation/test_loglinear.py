"""Log-linear models reproduce published estimates and refuse unsupported data."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ombuds.estimation import CaptureData, EstimationRefused, estimate_loglinear
from ombuds.estimation.loglinear import fit_model, hierarchical_models, select_model

Loader = Callable[[str], CaptureData]


def test_kosovo_best_bic_model_reproduces_10357(published: Loader) -> None:
    # Silverman, Chan & Vincent (2024) Table 6: 10,357, best-BIC model up to order 3.
    data = published("kosovo_1999_4lists")
    result = estimate_loglinear(data, max_order=3, criterion="bic")
    assert round(result.estimate) == 10357
    assert result.diagnostics["models_supported"] == 113
    assert result.lower < 10357 < result.upper


def test_kosovo_two_way_model_reproduces_14342(published: Loader) -> None:
    result = estimate_loglinear(published("kosovo_1999_4lists"), max_order=2)
    assert round(result.estimate) == 14342


@pytest.mark.parametrize(
    ("name", "terms", "expected"),
    [
        # Chan, Silverman & Vincent (2021) JASA: stepwise selections and their estimates.
        ("western_us_5lists", ((0, 4),), 2483),
        ("new_orleans_8lists_n185", ((3, 4),), 1184),
        ("new_orleans_8lists_n185", (), 997),
        ("new_orleans_5lists_n185", (), 1034),
        # Silverman, Chan & Vincent (2024) Table 6.
        ("new_orleans_5lists_n186", (), 981),
        ("new_orleans_8lists_n186", ((3, 4),), 1110),
        ("korea_palembang_3lists", ((0, 1), (1, 2)), 157),
    ],
)
def test_published_model_gives_published_estimate(
    published: Loader, name: str, terms: tuple[tuple[int, ...], ...], expected: int
) -> None:
    assert round(fit_model(published(name), terms).estimate) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("korea_palembang_3lists", 157),
        ("new_orleans_5lists_n186", 981),
        ("new_orleans_8lists_n186", 1110),
        ("uk_2013_6lists", 12350),
        ("western_us_5lists", 2483),
    ],
)
def test_bic_selection_finds_published_estimate(
    published: Loader, name: str, expected: int
) -> None:
    best, _, _ = select_model(published(name), max_order=2, criterion="bic")
    assert round(best.estimate) == expected


@pytest.mark.slow
def test_exhaustive_search_over_1024_five_list_models_agrees_with_downhill(
    published: Loader,
) -> None:
    data = published("new_orleans_5lists_n186")
    best, n_models, search = select_model(data, max_order=2, criterion="bic", exhaustive_limit=2000)
    assert search == "exhaustive" and n_models > 100
    assert round(best.estimate) == 981


def test_published_interval_contains_profile_interval_midpoint_for_korea(
    published: Loader,
) -> None:
    # Published 95% [128, 349] (model-averaged bootstrap); our profile interval sits inside it.
    result = estimate_loglinear(published("korea_palembang_3lists"))
    assert 128 <= result.lower <= 157 <= result.upper <= 349


@pytest.mark.parametrize(
    ("terms", "supported"),
    [
        ((), True),
        (((0, 2),), True),
        (((1, 2),), True),
        (((0, 2), (1, 2)), True),
        (((0, 1),), False),
        (((0, 1), (0, 2)), False),
        (((0, 1), (1, 2)), False),
        (((0, 1), (0, 2), (1, 2)), False),
    ],
)
def test_artificial_sparse_table_refuses_exactly_the_published_unsupported_models(
    published: Loader, terms: tuple[tuple[int, ...], ...], supported: bool
) -> None:
    # Chan, Silverman & Vincent (2021) Table 3: any model with A*B fails the checks.
    data = published("artificial_3lists")
    if supported:
        assert fit_model(data, terms).estimate >= data.observed
    else:
        with pytest.raises(EstimationRefused):
            fit_model(data, terms)


def test_saturated_model_is_refused_as_rank_deficient() -> None:
    data = CaptureData(("a", "b", "c"), {(1, 0, 0): 5, (0, 1, 0): 4, (0, 0, 1): 3, (1, 1, 1): 2})
    with pytest.raises(EstimationRefused, match="rank-deficient"):
        fit_model(data, ((0, 1), (0, 2), (1, 2), (0, 1, 2)))


def test_two_lists_get_no_estimate_and_the_reason() -> None:
    data = CaptureData(("a", "b", "c"), {(1, 0, 0): 5, (0, 1, 0): 4, (1, 1, 0): 3})
    with pytest.raises(EstimationRefused, match="at least 3 lists"):
        estimate_loglinear(data)


def test_hierarchical_model_counts_match_known_totals() -> None:
    models = hierarchical_models(4, 3, 10_000)
    assert models is not None
    assert len(models) == 113
    five = hierarchical_models(5, 2, 10_000)
    assert five is not None and len(five) == 1024


def test_bootstrap_interval_redoes_selection_and_brackets_the_estimate(
    published: Loader,
) -> None:
    result = estimate_loglinear(
        published("korea_palembang_3lists"), interval="bootstrap", bootstrap_replicates=30, seed=1
    )
    assert result.lower <= result.estimate <= result.upper
    assert result.diagnostics["bootstrap_replicates"] == 30
