"""The latent class sampler: reproducible, converged, and sensible on known populations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ombuds.estimation import CaptureData, estimate_lcmcr
from ombuds.estimation.lcmcr import effective_sample_size, sample_lcmcr, split_rhat

Loader = Callable[[str], CaptureData]

FAST = {"burnin": 500, "samples": 300, "thinning": 4, "chains": 2}


def simulate(n: int, capture: list[float], seed: int) -> CaptureData:
    rng = np.random.default_rng(seed)
    seen = rng.random((n, len(capture))) < np.asarray(capture)
    idx = (seen * (1 << np.arange(len(capture)))).sum(axis=1)
    cells = np.bincount(idx, minlength=1 << len(capture))
    return CaptureData.from_cells([f"l{j}" for j in range(len(capture))], cells)


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
