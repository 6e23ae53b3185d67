"""Poisson log-linear models for multiple systems estimation (as in Rcapture, SparseMSE).

The 2^K - 1 observed cells are modelled as Poisson with ``log mu = X theta``; the unobserved
cell's mean is ``exp(theta_0)`` (every other column of X is zero there). A model is a
hierarchical set of interaction terms (every sub-interaction of an included term is included).

Before a model's number is trusted we check that the data support it. With sampling zeros the
maximum likelihood estimate may not exist: there can be a direction ``c`` along which the
likelihood never decreases (``X c = 0`` on positive cells, ``X c <= 0`` on zero cells). If such
a direction raises ``theta_0`` the estimate of the missing cell runs off to infinity or is not
identified, so the model is refused. Directions that leave ``theta_0`` alone only push some zero
cells to a fitted zero (the "extended" MLE); the estimate of N is still finite and unique, and we
fit on the remaining cells (the facial set).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from ombuds.estimation.data import CaptureData
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.result import EstimateResult

FloatArray = npt.NDArray[np.float64]
Term = tuple[int, ...]
Criterion = Literal["bic", "aic"]

# Exhaustive search is exact but the number of hierarchical models explodes with K (1,024 for
# five lists with pairs only, 2^28 for eight); above this many we fall back to a downhill
# search, as Silverman, Chan & Vincent (2024) do. 200 keeps 3 lists and 4 lists up to
# three-way terms (113 models) exhaustive and a bootstrap of a few hundred replicates cheap.
MAX_EXHAUSTIVE_MODELS = 200
_TOL = 1e-8


@dataclass(frozen=True)
class Fit:
    """One fitted model: its terms, deviance, parameter count and estimate of N."""

    terms: tuple[Term, ...]
    deviance: float
    n_params: int
    missing: float  # fitted mean of the unobserved cell
    observed: int

    @property
    def estimate(self) -> float:
        return self.observed + self.missing

    def criterion(self, kind: Criterion) -> float:
        penalty = 2.0 if kind == "aic" else math.log(max(self.observed, 2))
        return self.deviance + penalty * self.n_params


def model_label(terms: Sequence[Term], lists: Sequence[str]) -> str:
    """Readable name of a model, e.g. ``main + EXH*ABA + OSCE*HRW``."""
    if not terms:
        return "main effects"
    return "main + " + " + ".join("*".join(lists[j] for j in t) for t in terms)


def _selection_key(
    fit: Fit, criterion: Criterion, lists: Sequence[str]
) -> tuple[float, int, tuple[tuple[str, ...], ...]]:
    """Order of preference among fitted models: the criterion (rounded, so that equivalent
    fits that differ by rounding tie), then fewer terms, then the terms by list *name*. Ties
    are real (two models with the same criterion on small tables): breaking them by list
    position would make the estimate depend on the order the lists are given in."""
    names = tuple(sorted(tuple(sorted(lists[j] for j in t)) for t in fit.terms))
    return round(fit.criterion(criterion), 9), len(fit.terms), names


def design_matrix(k: int, terms: Sequence[Term]) -> FloatArray:
    """Design over all 2^K cells (row b = pattern with bits b): intercept, mains, terms."""
    cells = np.arange(1 << k)
    bits = ((cells[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
    cols = [np.ones(1 << k), *(bits[:, j] for j in range(k))]
    cols += [np.prod(bits[:, list(t)], axis=1) for t in terms]
    return np.column_stack(cols)


@lru_cache(maxsize=64)
def _candidate_terms(k: int, max_order: int) -> tuple[Term, ...]:
    return tuple(
        t for order in range(2, max_order + 1) for t in itertools.combinations(range(k), order)
    )


def _is_hierarchical_addition(included: set[Term], term: Term) -> bool:
    if len(term) == 2:
        return True
    return all(sub in included for sub in itertools.combinations(term, len(term) - 1))


@lru_cache(maxsize=64)
def hierarchical_models(k: int, max_order: int, limit: int) -> tuple[tuple[Term, ...], ...] | None:
    """All hierarchical models with interactions up to ``max_order``, or None if > limit."""
    terms = _candidate_terms(k, max_order)
    out: list[tuple[Term, ...]] = []

    def walk(i: int, included: list[Term]) -> bool:
        if i == len(terms):
            out.append(tuple(included))
            return len(out) <= limit
        if not walk(i + 1, included):
            return False
        if _is_hierarchical_addition(set(included), terms[i]):
            included.append(terms[i])
            ok = walk(i + 1, included)
            included.pop()
            return ok
        return True

    return tuple(out) if walk(0, []) else None


def poisson_fit(x: FloatArray, y: FloatArray, max_iter: int = 200) -> FloatArray:
    """Poisson GLM by iteratively reweighted least squares; returns the fitted means.

    ``x`` must have full column rank and the MLE must exist (callers ensure both).
    """
    theta = np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)[0]
    dev_old = poisson_deviance(y, np.exp(np.clip(x @ theta, -700, 700)))
    for _ in range(max_iter):
        eta = np.clip(x @ theta, -700, 700)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        xw = x * mu[:, None]
        try:
            theta_new = np.linalg.solve(x.T @ xw, xw.T @ z)
        except np.linalg.LinAlgError:
            theta_new = np.linalg.lstsq(x.T @ xw, xw.T @ z, rcond=None)[0]
        mu_new = np.exp(np.clip(x @ theta_new, -700, 700))
        dev = poisson_deviance(y, mu_new)
        # Step halving keeps IRLS monotone on awkward sparse tables.
        halvings = 0
        while not dev <= dev_old + 1e-9 and halvings < 60:
            theta_new = (theta + theta_new) / 2
            mu_new = np.exp(np.clip(x @ theta_new, -700, 700))
            dev = poisson_deviance(y, mu_new)
            halvings += 1
        theta = theta_new
        if abs(dev_old - dev) < 1e-10 * (abs(dev) + 1.0):
            break
        dev_old = dev
    return np.asarray(np.exp(np.clip(x @ theta, -700, 700)), dtype=np.float64)


def poisson_deviance(y: FloatArray, mu: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(2.0 * term.sum())


def _independent_columns(x: FloatArray) -> list[int]:
    """Indices of a maximal set of linearly independent columns (greedy, left to right)."""
    keep: list[int] = []
    basis: list[FloatArray] = []
    for j in range(x.shape[1]):
        v = x[:, j].astype(np.float64)
        norm0 = float(np.linalg.norm(v))
        if norm0 == 0.0:
            continue
        for q in basis:  # modified Gram-Schmidt, twice for stability
            v = v - (q @ v) * q
        for q in basis:
            v = v - (q @ v) * q
        norm = float(np.linalg.norm(v))
        if norm > 1e-9 * norm0:
            basis.append(v / norm)
            keep.append(j)
    return keep


def _facial_cells(x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
    """Cells whose fitted mean stays positive at the (extended) MLE.

    Zero cells that some likelihood-non-decreasing direction pushes to zero are dropped; the
    linear programme is repeated because one optimum need not reveal every such cell at once.
    """
    inside = np.ones(len(y), dtype=bool)
    while True:
        pos = y > 0
        zero = inside & ~pos
        if not zero.any():
            return inside
        p = x.shape[1]
        a_eq = x[pos | (~inside)]
        res = optimize.linprog(
            c=x[zero].sum(axis=0),
            A_ub=x[zero],
            b_ub=np.zeros(int(zero.sum())),
            A_eq=a_eq[pos[pos | (~inside)]],
            b_eq=np.zeros(int(pos.sum())),
            bounds=[(-1.0, 1.0)] * p,
            method="highs",
        )
        if res.status != 0:
            return inside
        pushed = zero.copy()
        pushed[zero] = (x[zero] @ res.x) < -1e-7
        if not pushed.any():
            return inside
        inside &= ~pushed


def _check_supported(x_obs: FloatArray, y: FloatArray) -> str | None:
    """Why the data cannot support this model's estimate of N, or None if they can."""
    p = x_obs.shape[1]
    rank = len(_independent_columns(x_obs))
    if rank < p:
        return f"rank-deficient design ({p} parameters, rank {rank})"
    zero = y == 0
    if not zero.any():
        return None
    # Largest rise of theta_0 along a direction that never lowers the likelihood.
    bounds = [(-1.0, 1.0)] * p
    res = optimize.linprog(
        c=-np.eye(p)[0],
        A_ub=x_obs[zero],
        b_ub=np.zeros(int(zero.sum())),
        A_eq=x_obs[~zero] if (~zero).any() else None,
        b_eq=np.zeros(int((~zero).sum())) if (~zero).any() else None,
        bounds=bounds,
        method="highs",
    )
    if res.status == 0 and -res.fun > 1e-7:
        return (
            "the maximum likelihood estimate does not exist: the sampling zeros let the "
            "estimate of the unobserved cell grow without bound"
        )
    return None


def fit_model(data: CaptureData, terms: Sequence[Term]) -> Fit:
    """Fit one hierarchical model; raises ``EstimationRefused`` if the data cannot support it."""
    k = data.k
    x_all = design_matrix(k, terms)
    y = data.cell_counts().astype(np.float64)[1:]
    x_obs = x_all[1:]
    why = _check_supported(x_obs, y)
    if why is not None:
        raise EstimationRefused(f"model {model_label(terms, data.lists)}: {why}")
    inside = _facial_cells(x_obs, y)
    xf = x_obs[inside]
    cols = _independent_columns(xf)
    mu_f = poisson_fit(xf[:, cols], y[inside])
    # log mu_0 = theta_0 is the linear functional w . log mu_F with X_F^T w = e_0 (identified).
    e0 = np.eye(x_all.shape[1])[0]
    w = np.linalg.lstsq(xf.T, e0, rcond=None)[0]
    if np.linalg.norm(xf.T @ w - e0) > 1e-6:
        # theta_0 can drift (here downwards, to a fitted zero) without changing the fit.
        raise EstimationRefused(
            f"model {model_label(terms, data.lists)}: the estimate of the unobserved cell is "
            "not identifiable from the cells with positive fitted counts"
        )
    log_m0 = float(w @ np.log(mu_f))
    mu = np.zeros_like(y)
    mu[inside] = mu_f
    return Fit(
        terms=tuple(terms),
        deviance=poisson_deviance(y, mu),
        n_params=x_all.shape[1],
        missing=math.exp(min(log_m0, 700.0)),
        observed=data.observed,
    )


def _try_fit(
    data: CaptureData, terms: tuple[Term, ...], cache: dict[tuple[Term, ...], Fit | None]
) -> Fit | None:
    if terms not in cache:
        try:
            cache[terms] = fit_model(data, terms)
        except EstimationRefused:
            cache[terms] = None
    return cache[terms]


def select_model(
    data: CaptureData,
    *,
    max_order: int,
    criterion: Criterion,
    exhaustive_limit: int = MAX_EXHAUSTIVE_MODELS,
) -> tuple[Fit, int, str]:
    """Best model by the criterion: exhaustive when feasible, else a downhill search.

    Returns the fit, the number of models that the data supported, and the search used.
    Raises ``EstimationRefused`` when no model is supported.
    """
    models = hierarchical_models(data.k, max_order, exhaustive_limit)
    cache: dict[tuple[Term, ...], Fit | None] = {}
    if models is not None:
        fits = [f for m in models if (f := _try_fit(data, m, cache)) is not None]
        search = "exhaustive"
    else:
        fits = _downhill(data, max_order, criterion, cache)
        search = "downhill"
    if not fits:
        raise EstimationRefused(
            "no log-linear model is supported by these data (every candidate has a "
            "non-existent maximum likelihood estimate or a rank-deficient design)"
        )
    best = min(fits, key=lambda f: _selection_key(f, criterion, data.lists))
    return best, len(fits), search


def _downhill(
    data: CaptureData,
    max_order: int,
    criterion: Criterion,
    cache: dict[tuple[Term, ...], Fit | None],
) -> list[Fit]:
    """Greedy search from main effects: add or drop the term that most lowers the criterion."""
    candidates = _candidate_terms(data.k, max_order)
    current: tuple[Term, ...] = ()
    best = _try_fit(data, current, cache)
    if best is None:
        return []
    while True:
        included = set(current)
        moves: list[tuple[Term, ...]] = []
        for t in candidates:
            if t not in included and _is_hierarchical_addition(included, t):
                moves.append(tuple(sorted([*current, t], key=lambda u: (len(u), u))))
            elif t in included and not any(set(t) < set(u) for u in included):
                moves.append(tuple(u for u in current if u != t))
        fits = [f for m in moves if (f := _try_fit(data, m, cache)) is not None]
        improving = [f for f in fits if f.criterion(criterion) < best.criterion(criterion) - 1e-9]
        if not improving:
            break
        best = min(improving, key=lambda f: _selection_key(f, criterion, data.lists))
        current = best.terms
    return [f for f in cache.values() if f is not None]


def profile_interval(
    data: CaptureData, terms: Sequence[Term], level: float = 0.95
) -> tuple[float, float]:
    """Profile-likelihood interval for N under one model (as Rcapture's closedpCI).

    The unobserved count n0 = N - n is treated as a cell of a complete table; for each N the
    multinomial log-likelihood is maximised over the model and compared with its maximum.
    Returns ``(lower, upper)``; ``upper`` is ``inf`` if the likelihood stays high for all N.
    """
    k = data.k
    x_all = design_matrix(k, terms)
    y_full = data.cell_counts().astype(np.float64)
    n = float(data.observed)
    y_obs = y_full[1:]
    inside = np.concatenate([[True], _facial_cells(x_all[1:], y_obs)])
    x = x_all[inside]
    x = x[:, _independent_columns(x)]
    y_in = y_full[inside]
    const = -float(special.gammaln(y_in[1:] + 1).sum())

    def loglik(big_n: float) -> float:
        z = y_in.copy()
        z[0] = big_n - n
        mu = poisson_fit(x, z)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = float(np.where(z > 0, z * np.log(mu / mu.sum()), 0.0).sum())
        return float(special.gammaln(big_n + 1) - special.gammaln(big_n - n + 1)) + const + s

    crit = 0.5 * float(special.chdtri(1, 1 - level))
    # Maximise over N on a log scale between n and a generous ceiling.
    fit = fit_model(data, terms)
    hi_cap = max(fit.estimate * 1000.0, n * 1000.0)
    res = optimize.minimize_scalar(
        lambda t: -loglik(n + math.exp(t)),
        bounds=(math.log(1e-6), math.log(hi_cap)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    t_hat = float(res.x)
    l_max = -float(res.fun)

    def g(t: float) -> float:
        return loglik(n + math.exp(t)) - (l_max - crit)

    lo_t = math.log(1e-6)
    lower = n if g(lo_t) > 0 else n + math.exp(optimize.brentq(g, lo_t, t_hat, xtol=1e-6))
    hi_t = math.log(hi_cap)
    upper = math.inf if g(hi_t) > 0 else n + math.exp(optimize.brentq(g, t_hat, hi_t, xtol=1e-6))
    return lower, upper


def estimate_loglinear(
    data: CaptureData,
    *,
    max_order: int | None = None,
    criterion: Criterion = "bic",
    interval: Literal["bootstrap", "profile"] = "profile",
    bootstrap_replicates: int = 200,
    level: float = 0.95,
    seed: int | None = None,
) -> EstimateResult:
    """Best hierarchical log-linear model by AIC/BIC, with a profile or bootstrap interval.

    ``max_order`` (default ``min(3, K - 1)``) caps the order of interactions. The bootstrap
    redraws each observed cell as Poisson(observed count) and redoes the model selection in
    every replicate, so the interval reflects model uncertainty; the profile interval is
    conditional on the chosen model. Both intervals are in the diagnostics; ``interval`` picks
    which one is reported as ``lower``/``upper``. With the bootstrap the replicates' estimates
    of N (those that could be fitted) are kept in ``draws``.

    Raises ``EstimationRefused`` when fewer than 3 lists saw anyone or no model is supported.
    """
    data.require_estimable()
    data = data.without_empty_lists()
    order = min(3, data.k - 1) if max_order is None else max_order
    best, n_supported, search = select_model(data, max_order=order, criterion=criterion)
    warnings: list[str] = []
    prof_lo, prof_hi = profile_interval(data, best.terms, level)
    diagnostics: dict[str, object] = {
        "model": model_label(best.terms, data.lists),
        "criterion": criterion,
        "criterion_value": round(best.criterion(criterion), 4),
        "max_order": order,
        "search": search,
        "models_supported": n_supported,
        "deviance": round(best.deviance, 4),
        "parameters": best.n_params,
        "profile_lower": prof_lo,
        "profile_upper": prof_hi if math.isfinite(prof_hi) else None,
    }
    lower, upper = prof_lo, prof_hi
    replicates: list[float] | None = None
    if interval == "bootstrap":
        rng = np.random.default_rng(seed)
        y = data.cell_counts()
        boots: list[float] = []
        refused = 0
        for _ in range(bootstrap_replicates):
            y_star = rng.poisson(y)
            y_star[0] = 0
            star = CaptureData.from_cells(data.lists, y_star)
            try:
                f, _, _ = select_model(star, max_order=order, criterion=criterion)
                boots.append(f.estimate)
            except (EstimationRefused, ValueError):
                refused += 1
        if len(boots) < 0.9 * bootstrap_replicates:
            warnings.append(
                f"{refused} of {bootstrap_replicates} bootstrap replicates could not be fitted"
            )
        if boots:
            a = (1 - level) / 2
            lower = float(np.quantile(boots, a))
            upper = float(np.quantile(boots, 1 - a))
        diagnostics.update(
            bootstrap_replicates=bootstrap_replicates,
            bootstrap_refused=refused,
            bootstrap_lower=lower,
            bootstrap_upper=upper,
        )
        replicates = boots
    diagnostics["interval"] = interval
    if not math.isfinite(upper):
        warnings.append("the data do not bound the population from above at this level")
    lower = min(lower, best.estimate)
    upper = max(upper, best.estimate)
    return EstimateResult(
        method="loglinear",
        observed=data.observed,
        estimate=best.estimate,
        lower=max(lower, float(data.observed)),
        upper=upper,
        level=level,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        draws=None if replicates is None else np.asarray(replicates, dtype=np.float64),
    )
