"""The latent class sampler: reproducible, converged, and sensible on known populations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.special import betaln, gammaln

from ombuds.estimation import CaptureData, estimate_lcmcr
from ombuds.estimation.lcmcr import (
    effective_sample_size,
    numba_available,
    sample_lcmcr,
    split_rhat,
)

Loader = Callable[[str], CaptureData]

FAST = {"burnin": 500, "samples": 300, "thinning": 4, "chains": 2}


def simulate(n: int, capture: list[float], seed: int) -> CaptureData:
    rng = np.random.default_rng(seed)
    seen = rng.random((n, len(capture))) < np.asarray(capture)
    idx = (seen * (1 << np.arange(len(capture)))).sum(axis=1)
    cells = np.bincount(idx, minlength=1 << len(capture))
    return CaptureData.from_cells([f"l{j}" for j in range(len(capture))], cells)


def simulate_classes(
    n: int, weights: list[float], capture: list[list[float]], seed: int
) -> CaptureData:
    """A population in latent classes, lists independent within a class (LCMCR's model)."""
    rng = np.random.default_rng(seed)
    z = rng.choice(len(weights), size=n, p=weights)
    seen = rng.random((n, len(capture[0]))) < np.asarray(capture)[z]
    idx = (seen * (1 << np.arange(seen.shape[1]))).sum(axis=1)
    cells = np.bincount(idx, minlength=1 << seen.shape[1])
    return CaptureData.from_cells([f"l{j}" for j in range(seen.shape[1])], cells)


def exact_one_class_posterior(data: CaptureData, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """p(N | data) for one latent class: lambda_j ~ Beta(1, 1), p(N) ~ 1/N, in closed form.

    p(N | y) is proportional to (1/N) N!/(N - n)! prod_j B(1 + n_j, 1 + N - n_j), where n_j is
    the number list j saw; the all-zero cell's N - n people count as misses on every list.
    """
    y = data.cell_counts()
    n = int(y.sum())
    bits = (np.arange(len(y))[:, None] >> np.arange(data.k)[None, :]) & 1
    seen_by = (y[:, None] * bits).sum(axis=0)
    big_n = np.arange(n, upto, dtype=np.float64)
    logp = -np.log(big_n) + gammaln(big_n + 1) - gammaln(big_n - n + 1)
    logp += betaln(1 + seen_by[None, :], 1 + big_n[:, None] - seen_by[None, :]).sum(axis=1)
    p = np.exp(logp - logp.max())
    return big_n, p / p.sum()


BACKENDS = ["numpy"] + (["numba"] if numba_available() else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_class_sampler_matches_the_exact_posterior(backend: str) -> None:
    # With one class every full conditional can be checked against a closed form: this catches
    # a wrong negative binomial, or unobserved people left out of the lambda update.
    data = simulate(1000, [0.2, 0.25, 0.3, 0.2], seed=8)
    grid, p = exact_one_class_posterior(data, upto=6000)
    cdf = np.cumsum(p)
    exact = [grid[np.searchsorted(cdf, q)] for q in (0.025, 0.5, 0.975)]
    sd = float(np.sqrt((p * (grid - (p * grid).sum()) ** 2).sum()))
    draws = sample_lcmcr(
        data,
        classes=1,
        burnin=200,
        samples=2000,
        thinning=2,
        chains=2,
        seed=3,
        backend=backend,  # type: ignore[arg-type]
    ).n_draws
    got = np.quantile(draws, [0.025, 0.5, 0.975])
    assert abs(got[1] - exact[1]) < 0.15 * sd
    assert abs(got[0] - exact[0]) < 0.35 * sd
    assert abs(got[2] - exact[2]) < 0.35 * sd


def test_two_classes_recovers_the_population_that_one_class_misses() -> None:
    # LCMCR's own model: 60% captured ~0.5 by each list, 40% captured ~0.2. The independence
    # (one-class) posterior excludes the truth; the latent class posterior covers it.
    data = simulate_classes(
        2000, [0.6, 0.4], [[0.5, 0.45, 0.55, 0.5, 0.4], [0.2, 0.15, 0.25, 0.2, 0.2]], seed=3
    )
    result = estimate_lcmcr(data, seed=5, burnin=2000, samples=500, thinning=5, chains=2)
    assert result.lower <= 2000 <= result.upper
    assert abs(result.estimate / 2000 - 1) < 0.1
    one = estimate_lcmcr(data, seed=5, classes=1, burnin=200, samples=500, thinning=2, chains=2)
    assert one.upper < 2000 < result.upper


def test_same_seed_gives_the_same_draws() -> None:
    data = simulate(1000, [0.3, 0.4, 0.5, 0.3], seed=3)
    a = sample_lcmcr(data, seed=42, **FAST)
    b = sample_lcmcr(data, seed=42, **FAST)
    assert np.array_equal(a.n_draws, b.n_draws)


def test_independent_lists_recover_the_true_population() -> None:
    data = simulate(2000, [0.3, 0.4, 0.5, 0.35], seed=5)
    result = estimate_lcmcr(data, seed=1, burnin=1000, samples=500, thinning=4, chains=2)
    assert result.lower <= 2000 <= result.upper
    assert result.diagnostics["rhat"] < 1.1


def test_kosovo_posterior_covers_the_published_log_linear_estimate(published: Loader) -> None:
    result = estimate_lcmcr(
        published("kosovo_1999_4lists"), seed=2024, burnin=2000, samples=500, thinning=10
    )
    # The published best-BIC log-linear estimate 10,357 (Silverman, Chan & Vincent 2024).
    assert result.lower < 10357 < result.upper
    assert result.observed <= result.lower


def test_rhat_flags_chains_that_disagree_and_passes_ones_that_agree() -> None:
    rng = np.random.default_rng(0)
    agree = rng.normal(size=(4, 1000))
    apart = agree + np.arange(4)[:, None] * 3.0
    assert split_rhat(agree) < 1.01
    assert split_rhat(apart) > 1.5


def test_effective_sample_size_is_small_for_a_sticky_chain() -> None:
    rng = np.random.default_rng(0)
    white = rng.normal(size=(2, 2000))
    sticky = np.cumsum(white, axis=1)
    assert effective_sample_size(white) > 2000
    assert effective_sample_size(sticky) < 100


@pytest.mark.slow
def test_compiled_and_numpy_samplers_agree_on_kosovo(published: Loader) -> None:
    pytest.importorskip("numba", reason="Numba is optional; the NumPy sampler is the fallback")
    data = published("kosovo_1999_4lists")
    settings = {"burnin": 2000, "samples": 400, "thinning": 10, "chains": 2}
    fast = estimate_lcmcr(data, seed=11, backend="numba", **settings)  # type: ignore[arg-type]
    slow = estimate_lcmcr(data, seed=11, backend="numpy", **settings)  # type: ignore[arg-type]
    assert fast.diagnostics["backend"] == "numba"
    # Same posterior, different random streams: medians within a few percent.
    assert abs(fast.estimate / slow.estimate - 1) < 0.08
