"""Model averaging over decomposable graphs reproduces Madigan & York (1997)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from scipy.special import gammaln

from ombuds.estimation import CaptureData, EstimationRefused, estimate_dga
from ombuds.estimation.dga import decomposable_graphs

Loader = Callable[[str], CaptureData]


def test_there_are_8_61_and_822_decomposable_graphs_on_3_4_5_lists() -> None:
    assert [len(decomposable_graphs(k)) for k in (3, 4, 5)] == [8, 61, 822]


def test_madigan_york_three_list_example_gives_731_and_mode_728(published: Loader) -> None:
    # dga's own test "3 lists example against Madigan and York": delta = 1, an informative
    # negative-binomial-like prior on N, n0 in 1..300.
    a, b = 13.14, 55.17

    def log_prior(n: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out = n * np.log(b) - (n + a) * np.log1p(b) + gammaln(n + a) - gammaln(n + 1)
        return np.asarray(out - gammaln(a), dtype=np.float64)

    result = estimate_dga(
        published("madigan_york_3lists"),
        delta=1.0,
        log_prior=log_prior,
        missing_grid=np.arange(1, 301),
    )
    assert round(result.diagnostics["bayes_estimator_relative_loss"]) == 731
    assert result.diagnostics["posterior_mode"] == 728
    assert result.diagnostics["top_graphs"][0]["posterior"] == pytest.approx(0.37, abs=0.005)


def test_kosovo_dga_interval_overlaps_the_published_log_linear_interval(
    published: Loader,
) -> None:
    result = estimate_dga(published("kosovo_1999_4lists"))
    # Published all-model 95% interval [6,947, 18,010] (Silverman, Chan & Vincent 2024).
    assert result.lower < 18010 and result.upper > 6947
    assert result.observed <= result.lower <= result.estimate <= result.upper


def test_dga_refuses_more_than_five_lists(published: Loader) -> None:
    with pytest.raises(EstimationRefused, match="3 to 5 lists"):
        estimate_dga(published("uk_2013_6lists"))
