"""Bayesian nonparametric latent class model (Manrique-Vallier 2016; R package LCMCR).

People belong to latent classes (a truncated stick-breaking prior, up to ``classes`` of them);
within a class the lists capture independently, list ``j`` with probability ``lambda[k, j]``.
Heterogeneity between classes induces the dependence between lists that breaks the naive
independence estimate. Priors are the published defaults: ``lambda ~ Beta(1, 1)``, stick
concentration ``alpha ~ Gamma(0.25, 0.25)``, and ``p(N) proportional to 1/N``.

Speed: people with the same capture pattern are exchangeable, so the Gibbs step that assigns
them to classes draws one multinomial per *pattern* rather than one class per person; the
cost of an iteration does not grow with the number of people. Several chains run side by side
in the same NumPy arrays, which amortises NumPy's per-call overhead and gives the
between-chain convergence check for free. The compiled sampler (``_lcmcr_numba``) runs one
chain per thread.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ombuds.estimation.data import CaptureData
from ombuds.estimation.result import EstimateResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_TINY = 1e-300
Backend = Literal["auto", "numpy", "numba"]


def numba_available() -> bool:
    """Whether the compiled sampler can be used (Numba is an optional dependency)."""
    try:
        import ombuds.estimation._lcmcr_numba  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class LcmcrSamples:
    """Posterior draws of N (shape chains x samples) and sampler statistics."""

    n_draws: IntArray
    iterations: int
    seconds: float
    backend: str = "numpy"

    @property
    def chain_iterations_per_second(self) -> float:
        """Chain-iterations per second of wall clock (compiled chains run in parallel threads)."""
        return float(self.n_draws.shape[0] * self.iterations) / max(self.seconds, 1e-12)


def sample_lcmcr(
    data: CaptureData,
    *,
    classes: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 5000,
    samples: int = 1000,
    thinning: int = 10,
    chains: int = 4,
    seed: int | None = None,
    backend: Backend = "auto",
) -> LcmcrSamples:
    """Run the Gibbs sampler; returns ``samples`` draws of N per chain after ``burnin``.

    ``backend="auto"`` uses the compiled sampler when Numba is installed, else NumPy. Draws are
    deterministic for a given ``seed`` and backend. Raises ``ValueError`` on nonsensical
    settings or ``backend="numba"`` without Numba.
    """
    if classes < 1 or chains < 1 or samples < 1 or thinning < 1 or burnin < 0:
        raise ValueError("classes, chains, samples and thinning must be positive")
    rng = np.random.default_rng(seed)
    y = data.cell_counts()
    cells = np.flatnonzero(y > 0)
    x = ((cells[:, None] >> np.arange(data.k)[None, :]) & 1).astype(np.float64)  # (P, J)
    counts = y[cells]
    use_numba = backend == "numba" or (backend == "auto" and numba_available())
    if use_numba:
        from ombuds.estimation._lcmcr_numba import run_chain

        # One independent seed per chain, derived from the caller's seed. The compiled chains
        # release the GIL and run on threads; each seeds its own (thread-local) generators at
        # its start, so the draws do not depend on how chains are spread over threads.
        seeds = rng.integers(0, 2**31 - 1, size=chains)
        xi = x.astype(np.int64)

        def chain(s: int) -> IntArray:
            out: IntArray = run_chain(
                xi, counts, classes, a_alpha, b_alpha, burnin, samples, thinning, s
            )
            return out

        start = time.perf_counter()
        workers = max(1, min(chains, os.cpu_count() or 1))
        if workers == 1:
            runs = [chain(int(s)) for s in seeds]
        else:
            with ThreadPoolExecutor(workers) as pool:
                runs = list(pool.map(chain, [int(s) for s in seeds]))
        draws = np.vstack(runs)
        seconds = time.perf_counter() - start
        total = burnin + samples * thinning
        return LcmcrSamples(draws.astype(np.int64), total, seconds, backend="numba")
    n_obs = int(counts.sum())
    c, kk, j = chains, classes, data.k
    counts_b = np.broadcast_to(counts, (c, len(cells)))

    # Start from the prior's neighbourhood, different for every chain.
    lam = rng.beta(1.0, 1.0, size=(c, kk, j))
    alpha = np.ones(c)
    v = rng.beta(1.0, alpha[:, None], size=(c, kk))
    v[:, -1] = 1.0
    out = np.empty((c, samples), dtype=np.int64)
    total = burnin + samples * thinning
    start = time.perf_counter()
    for it in range(total):
        log1m_v = np.log1p(-np.minimum(v[:, :-1], 1 - 1e-16))
        log_pi = np.log(np.maximum(v, _TINY))
        log_pi[:, 1:] += np.cumsum(log1m_v, axis=1)
        log_lam = np.log(np.maximum(lam, _TINY))
        log1m_lam = np.log1p(-np.minimum(lam, 1 - 1e-16))
        miss = log1m_lam.sum(axis=2) + log_pi  # (C, K): log P(class k, unobserved)
        # Class of each observed person, one multinomial per (chain, pattern).
        logp = np.matmul(x, (log_lam - log1m_lam).transpose(0, 2, 1)) + miss[:, None, :]
        logp -= logp.max(axis=2, keepdims=True)
        p = np.exp(logp)
        p /= p.sum(axis=2, keepdims=True)
        z = rng.multinomial(counts_b, p)  # (C, P, K)
        # Unobserved people: how many (negative binomial under the 1/N prior), then classes.
        m0 = miss.max(axis=1, keepdims=True)
        w = np.exp(miss - m0)
        pi0 = np.minimum(np.exp(m0[:, 0]) * w.sum(axis=1), 1 - 1e-12)
        # NegBin(n, 1 - pi0) drawn as a gamma-Poisson mixture: same law, half the time of
        # NumPy's negative_binomial for arrays.
        n0 = rng.poisson(rng.standard_gamma(float(n_obs), size=c) * pi0 / (1.0 - pi0))
        z0 = rng.multinomial(n0, w / w.sum(axis=1, keepdims=True))  # (C, K)
        size = z.sum(axis=1) + z0
        ones = np.matmul(z.transpose(0, 2, 1), x)  # (C, K, J) captures per class and list
        lam = rng.beta(1.0 + ones, 1.0 + size[:, :, None] - ones)
        # Stick-breaking weights and their concentration.
        tail = np.cumsum(size[:, ::-1], axis=1)[:, ::-1]
        v = np.empty((c, kk))
        v[:, :-1] = rng.beta(1.0 + size[:, :-1], alpha[:, None] + tail[:, 1:])
        v[:, -1] = 1.0
        rate = b_alpha - np.log1p(-np.minimum(v[:, :-1], 1 - 1e-16)).sum(axis=1)
        alpha = rng.gamma(a_alpha + kk - 1, 1.0 / rate)
        if it >= burnin and (it - burnin) % thinning == thinning - 1:
            out[:, (it - burnin) // thinning] = n_obs + n0
    seconds = time.perf_counter() - start
    return LcmcrSamples(n_draws=out, iterations=total, seconds=seconds, backend="numpy")


def split_rhat(draws: FloatArray) -> float:
    """Split-chain potential scale reduction (Gelman et al., BDA3); ~1 when chains agree."""
    half = draws.shape[1] // 2
    if half < 2:
        return math.nan
    parts = np.concatenate([draws[:, :half], draws[:, half : 2 * half]], axis=0)
    n = parts.shape[1]
    within = float(parts.var(axis=1, ddof=1).mean())
    between = float(n * parts.mean(axis=1).var(ddof=1))
    if within == 0.0:
        return 1.0 if between == 0.0 else math.inf
    var_plus = (n - 1) / n * within + between / n
    return math.sqrt(var_plus / within)


def effective_sample_size(draws: FloatArray) -> float:
    """Multi-chain effective sample size (Geyer's initial positive sequence, as in Stan)."""
    m, n = draws.shape
    if n < 4:
        return float(m * n)
    centred = draws - draws.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(f * np.conj(f), n=size, axis=1)[:, :n] / n
    chain_var = acov[:, 0] * n / (n - 1)
    within = float(chain_var.mean())
    var_plus = within * (n - 1) / n
    if m > 1:
        var_plus += float(draws.mean(axis=1).var(ddof=1))
    if var_plus == 0.0:
        return float(m * n)
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    tau = -1.0
    prev = math.inf
    for t in range(0, n - 1, 2):
        pair = float(rho[t] + rho[t + 1])
        if pair < 0:
            break
        pair = min(pair, prev)  # initial monotone sequence
        tau += 2.0 * pair
        prev = pair
    return float(m * n / max(tau, 1e-12))


def estimate_lcmcr(
    data: CaptureData,
    *,
    seed: int | None = None,
    classes: int = 10,
    burnin: int = 5000,
    samples: int = 1000,
    thinning: int = 10,
    chains: int = 4,
    level: float = 0.95,
    backend: Backend = "auto",
) -> EstimateResult:
    """Posterior median of N and an equal-tailed credible interval from the LCMCR sampler.

    Diagnostics include the posterior mean, the effective sample size and split R-hat of N
    over ``chains`` chains; a warning is added when R-hat > 1.05 or the ESS is below 100.
    The ``chains * samples`` draws of N (chain after chain) are kept in ``draws``.
    Raises ``EstimationRefused`` when fewer than 3 lists saw anyone.
    """
    data.require_estimable()
    data = data.without_empty_lists()
    s = sample_lcmcr(
        data,
        classes=classes,
        burnin=burnin,
        samples=samples,
        thinning=thinning,
        chains=chains,
        seed=seed,
        backend=backend,
    )
    draws = s.n_draws.astype(np.float64)
    a = (1 - level) / 2
    lower, median, upper = (float(q) for q in np.quantile(draws, [a, 0.5, 1 - a]))
    rhat = split_rhat(draws)
    ess = effective_sample_size(draws)
    warnings: list[str] = []
    if not rhat <= 1.05:
        warnings.append(f"chains disagree (R-hat {rhat:.3f} > 1.05): run longer")
    if ess < 100:
        warnings.append(f"effective sample size {ess:.0f} is small: run longer")
    return EstimateResult(
        method="lcmcr",
        observed=data.observed,
        estimate=median,
        lower=lower,
        upper=upper,
        level=level,
        diagnostics={
            "posterior_mean": round(float(draws.mean()), 3),
            "rhat": round(rhat, 4),
            "ess": round(ess, 1),
            "chains": chains,
            "classes": classes,
            "burnin": burnin,
            "samples_per_chain": samples,
            "thinning": thinning,
            "seed": seed,
            "chain_iterations_per_second": round(s.chain_iterations_per_second),
            "backend": s.backend,
        },
        warnings=tuple(warnings),
        draws=draws.ravel(),
    )
