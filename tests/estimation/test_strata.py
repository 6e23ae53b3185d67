"""The total over strata: draws of N summed stratum by stratum, or a refusal with the reason."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ombuds.estimation import (
    CaptureData,
    EstimateResult,
    EstimationRefused,
    estimate_strata,
    estimate_strata_total,
    total_of_strata,
)
from ombuds.estimation.api import Method, stratum_seed
from tests.estimation.test_lcmcr import simulate

FAST_LCMCR = {"burnin": 300, "samples": 500, "thinning": 2, "chains": 2}
BOOTSTRAP = {"interval": "bootstrap", "bootstrap_replicates": 60}
TWO_LISTS = CaptureData(("a", "b", "c"), {(1, 0, 0): 5, (0, 1, 0): 4, (1, 1, 0): 3})


def _width(r: EstimateResult) -> float:
    return (r.upper - r.lower) / r.estimate


@pytest.mark.parametrize(
    ("method", "options"),
    [("lcmcr", FAST_LCMCR), ("dga", {}), ("loglinear", BOOTSTRAP)],
)
def test_two_identical_strata_add_up_to_twice_one_with_a_relatively_narrower_interval(
    method: Method, options: dict[str, object]
) -> None:
    one = simulate(1000, [0.3, 0.4, 0.5], seed=3)
    results = estimate_strata({"a": one, "b": one}, method=method, seed=7, options=options)
    total = total_of_strata(results)
    a, b = results["a"], results["b"]
    assert isinstance(a, EstimateResult) and isinstance(b, EstimateResult)
    assert total.method == method
    assert total.observed == 2 * one.observed
    assert total.estimate == pytest.approx(2 * a.estimate, rel=0.03)
    assert total.lower <= total.estimate <= total.upper
    # Independent errors partly cancel: the relative width shrinks by about 1/sqrt(2), and the
    # interval sits inside the sum of the strata's bounds (which has a higher, unknown level).
    assert _width(total) < 0.85 * _width(a)
    assert a.lower + b.lower < total.lower and total.upper < a.upper + b.upper
    assert total.diagnostics["strata"] == ["a", "b"]
    assert set(total.diagnostics["stratum_estimates"]) == {"a", "b"}


@pytest.mark.parametrize(("method", "options"), [("dga", {}), ("lcmcr", FAST_LCMCR)])
def test_total_interval_covers_the_true_total_of_simulated_strata(
    method: Method, options: dict[str, object]
) -> None:
    # Two strata with different capture probabilities (why one stratifies), N = 600 + 400.
    hits = 0
    for rep in range(20):
        strata = {
            "north": simulate(600, [0.3, 0.4, 0.5], seed=2 * rep),
            "south": simulate(400, [0.2, 0.3, 0.25], seed=2 * rep + 1),
        }
        total = estimate_strata_total(strata, method=method, seed=rep, options=options)
        hits += total.lower <= 1000 <= total.upper
    assert hits >= 16  # nominal 95%: 19 of 20 expected


def test_bayesian_total_is_the_median_of_the_summed_draws() -> None:
    strata = {"north": simulate(600, [0.3, 0.4, 0.5], seed=1), "south": simulate(400, [0.2] * 3, 2)}
    results = estimate_strata(strata, method="dga", seed=5)
    total = total_of_strata(results)
    draws = [r.draws for r in results.values() if isinstance(r, EstimateResult)]
    assert all(d is not None and len(d) == 4000 for d in draws)
    summed = np.sum(draws, axis=0)
    assert total.estimate == float(np.median(summed))
    assert total.lower == pytest.approx(float(np.quantile(summed, 0.025)))
    assert total.upper == pytest.approx(float(np.quantile(summed, 0.975)))
    assert total.diagnostics["point_estimate"] == "posterior median of the summed draws"


def test_loglinear_bootstrap_total_sums_the_replicates() -> None:
    strata = {"north": simulate(600, [0.3, 0.4, 0.5], seed=1), "south": simulate(400, [0.3] * 3, 2)}
    results = estimate_strata(strata, method="loglinear", seed=3, options=BOOTSTRAP)
    ok = [r for r in results.values() if isinstance(r, EstimateResult)]
    assert len(ok) == 2 and all(r.draws is not None for r in ok)
    m = min(len(r.draws) for r in ok if r.draws is not None)
    assert m >= 54  # a few replicates may fail to fit; the rest are paired
    total = total_of_strata(results)
    assert total.estimate == pytest.approx(sum(r.estimate for r in ok))
    assert total.draws is not None and len(total.draws) == m
    summed = total.draws
    assert total.upper == pytest.approx(max(float(np.quantile(summed, 0.975)), total.estimate))
    assert total.lower == pytest.approx(
        max(min(float(np.quantile(summed, 0.025)), total.estimate), total.observed)
    )
    assert "bootstrap replicates" in total.diagnostics["interval_from"]


def test_loglinear_profile_total_is_refused_and_points_to_the_bootstrap() -> None:
    strata = {"north": simulate(600, [0.3, 0.4, 0.5], seed=1), "south": simulate(400, [0.3] * 3, 2)}
    results = estimate_strata(strata, method="loglinear")
    assert all(isinstance(r, EstimateResult) and r.draws is None for r in results.values())
    with pytest.raises(EstimationRefused, match="--interval bootstrap") as info:
        total_of_strata(results)
    assert "lcmcr or dga" in info.value.reason


def test_a_refused_stratum_refuses_the_total_and_is_named() -> None:
    strata = {"north": simulate(600, [0.3, 0.4, 0.5], seed=1), "south": TWO_LISTS}
    with pytest.raises(EstimationRefused) as info:
        estimate_strata_total(strata, method="dga", seed=1)
    reason = info.value.reason
    assert reason.startswith("stratum 'south': only 2 list(s) saw anyone")
    assert reason.endswith("the total would leave it out")


def _result(upper: float, draws: list[float]) -> EstimateResult:
    return EstimateResult("dga", 100, 120.0, 105.0, upper, draws=np.array(draws))


def test_an_unbounded_stratum_makes_the_total_unbounded() -> None:
    total = total_of_strata(
        {"x": _result(150.0, [110.0, 120.0, 130.0]), "y": _result(math.inf, [115.0, 125.0, 200.0])}
    )
    assert total.upper == math.inf
    assert total.estimate == 245.0 and total.observed == 200
    assert any("stratum 'y'" in w for w in total.warnings)


def test_strata_with_unequal_draws_are_cut_to_the_fewest() -> None:
    total = total_of_strata(
        {"x": _result(150.0, [100.0, 110.0, 120.0, 130.0, 140.0]), "y": _result(150.0, [1.0] * 3)}
    )
    assert total.draws is not None and list(total.draws) == [101.0, 121.0, 141.0]
    assert total.diagnostics["draws_per_stratum"] == 3


def test_mixed_methods_or_no_strata_are_programming_errors() -> None:
    other = EstimateResult("lcmcr", 100, 120.0, 105.0, 150.0, draws=np.array([120.0]))
    with pytest.raises(ValueError, match="different methods"):
        total_of_strata({"x": _result(150.0, [120.0]), "y": other})
    with pytest.raises(ValueError, match="no strata"):
        total_of_strata({})


def test_draws_stay_out_of_to_dict_repr_and_equality() -> None:
    result = estimate_strata_total(
        {"a": simulate(500, [0.3, 0.4, 0.5], seed=4), "b": simulate(300, [0.3] * 3, seed=5)},
        method="dga",
        seed=1,
    )
    assert result.draws is not None and not result.draws.flags.writeable
    assert "draws" not in result.to_dict()
    json.dumps(result.to_dict())
    assert "draws=" not in repr(result)
    assert EstimateResult("dga", 1, 1.0, 1.0, 1.0, draws=np.ones(3)) == EstimateResult(
        "dga", 1, 1.0, 1.0, 1.0, draws=np.zeros(3)
    )


def test_each_stratum_gets_its_own_reproducible_seed() -> None:
    one = simulate(800, [0.3, 0.4, 0.5], seed=6)
    first = estimate_strata({"a": one, "b": one}, method="dga", seed=9)
    again = estimate_strata({"b": one}, method="dga", seed=9)
    a, b, b2 = first["a"], first["b"], again["b"]
    assert isinstance(a, EstimateResult) and isinstance(b, EstimateResult)
    assert isinstance(b2, EstimateResult)
    assert a.draws is not None and b.draws is not None and b2.draws is not None
    assert not np.array_equal(a.draws, b.draws)  # same table, independent draws
    assert np.array_equal(b.draws, b2.draws)  # independent of the other strata
    assert stratum_seed(None, "a") is None
