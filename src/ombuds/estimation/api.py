"""One entry point over the three methods, with a cross-check between them, and strata."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ombuds.estimation.data import CaptureData
from ombuds.estimation.dga import MAX_LISTS as DGA_MAX_LISTS
from ombuds.estimation.dga import estimate_dga
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.lcmcr import estimate_lcmcr
from ombuds.estimation.loglinear import estimate_loglinear
from ombuds.estimation.result import EstimateResult

Method = Literal["lcmcr", "loglinear", "dga"]
METHODS: tuple[Method, ...] = ("lcmcr", "loglinear", "dga")


def estimate(
    data: CaptureData,
    *,
    method: Method = "lcmcr",
    seed: int | None = None,
    level: float = 0.95,
    cross_check: bool = False,
    options: Mapping[str, Any] | None = None,
) -> EstimateResult:
    """Estimate the population size behind ``data`` with one method.

    ``options`` are passed to the method's function (``estimate_lcmcr``,
    ``estimate_loglinear``, ``estimate_dga``). With ``cross_check`` the other applicable
    methods run too (with their defaults, the log-linear one with its profile interval); their
    results go in ``diagnostics["cross_check"]`` and a warning is added for each whose
    interval does not overlap this one, so nobody reads one confident number where the
    methods disagree.

    Raises ``EstimationRefused`` when the data cannot support this method's estimate (fewer
    than 3 lists that saw anyone, no supported model, ...), ``ValueError`` for an unknown method.
    """
    result = _run(data, method, seed=seed, level=level, options=options or {})
    if not cross_check:
        return result
    checks: dict[str, Any] = {}
    warnings = list(result.warnings)
    for other in METHODS:
        if other == method:
            continue
        try:
            r = _run(data, other, seed=seed, level=level, options={})
        except EstimationRefused as exc:
            checks[other] = {"refused": exc.reason}
            continue
        checks[other] = {"estimate": r.estimate, "lower": r.lower, "upper": r.upper}
        if r.upper < result.lower or r.lower > result.upper:
            warnings.append(
                f"methods disagree: {other} gives {r.estimate:,.0f} "
                f"[{r.lower:,.0f}, {r.upper:,.0f}], outside this interval; the list "
                "dependence or heterogeneity in these data is not settled by any one model"
            )
    diagnostics = {**result.diagnostics, "cross_check": checks}
    return replace(result, diagnostics=diagnostics, warnings=tuple(warnings))


def _run(
    data: CaptureData, method: str, *, seed: int | None, level: float, options: Mapping[str, Any]
) -> EstimateResult:
    if method == "lcmcr":
        return estimate_lcmcr(data, seed=seed, level=level, **options)
    if method == "loglinear":
        opts = dict(options)
        if "interval" in opts and opts["interval"] == "bootstrap":
            opts.setdefault("seed", seed)
        return estimate_loglinear(data, level=level, **opts)
    if method == "dga":
        trimmed = data.without_empty_lists()
        if trimmed.k > DGA_MAX_LISTS:
            raise EstimationRefused(
                f"dga handles 3 to {DGA_MAX_LISTS} lists; these data have {trimmed.k}"
            )
        return estimate_dga(data, level=level, seed=seed, **options)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def stratum_seed(seed: int | None, name: str) -> int | None:
    """The seed a stratum runs with: derived from ``seed`` and the stratum's name.

    Different strata get unrelated random streams (the same stream for every stratum would
    correlate their draws, and the total's interval would be too wide), and a stratum's result
    does not depend on which other strata there are. ``None`` stays ``None`` (fresh entropy).
    """
    if seed is None:
        return None
    name_key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:16], "big")
    return int(np.random.SeedSequence([seed, name_key]).generate_state(1, dtype=np.uint32)[0])


def estimate_strata(
    strata: Mapping[str, CaptureData],
    *,
    method: Method = "lcmcr",
    seed: int | None = None,
    level: float = 0.95,
    options: Mapping[str, Any] | None = None,
) -> dict[str, EstimateResult | EstimationRefused]:
    """Estimate each stratum on its own; a stratum that cannot be estimated gets the reason.

    Strata are independent, so one refusal never stops the others. Each stratum runs with its
    own seed derived from ``seed`` and its name (:func:`stratum_seed`), so the strata's draws
    are independent and reproducible. Add the results up with :func:`total_of_strata`.
    """
    out: dict[str, EstimateResult | EstimationRefused] = {}
    for name, table in strata.items():
        try:
            out[name] = estimate(
                table,
                method=method,
                seed=stratum_seed(seed, name),
                level=level,
                options=options,
            )
        except EstimationRefused as exc:
            out[name] = exc
    return out


_COMBINED_FROM = {
    "lcmcr": "posterior draws of N, summed draw by draw over the strata",
    "dga": "posterior draws of N, summed draw by draw over the strata",
    "loglinear": "bootstrap replicates of N, summed replicate by replicate over the strata",
}


def _evenly(draws: npt.NDArray[np.float64], m: int) -> npt.NDArray[np.float64]:
    """``m`` of ``draws`` spread evenly over them (all of them when there are ``m``)."""
    if len(draws) == m:
        return draws
    return draws[np.linspace(0, len(draws) - 1, m).round().astype(np.int64)]


def total_of_strata(results: Mapping[str, EstimateResult | EstimationRefused]) -> EstimateResult:
    """The total over independent strata, with an interval from the distribution of the sum.

    Strata are independent, so draw ``i`` of every stratum together is a draw of the total:
    posterior draws of N for ``lcmcr`` and ``dga``, bootstrap replicates for ``loglinear``
    with the bootstrap interval. The interval is the equal-tailed quantiles of the summed
    draws (adding the strata's bounds would give a wider interval at an unknown level). The
    point estimate is the method's own estimator applied to the total: for the Bayesian
    methods the posterior median of the summed draws (not the sum of the strata's medians),
    for ``loglinear`` the sum of the strata's estimates (the maximum likelihood estimate of
    the total). Strata with unequal numbers of draws are cut to the smallest number, spread
    evenly over each stratum's draws. ``observed`` is the sum of the strata's; the diagnostics
    list the strata and their estimates, and the strata's warnings are carried over.

    Raises ``EstimationRefused`` when a stratum was refused (naming it: the total would leave
    it out) or a stratum has no draws (log-linear with the profile interval: use the
    bootstrap interval or a Bayesian method). Raises ``ValueError`` when there are no strata
    or they mix methods or levels.
    """
    if not results:
        raise ValueError("no strata to add up")
    refused = [(n, r) for n, r in results.items() if isinstance(r, EstimationRefused)]
    if refused:
        raise EstimationRefused(
            "; ".join(f"stratum {n!r}: {r.reason}" for n, r in refused)
            + f"; the total would leave {'it' if len(refused) == 1 else 'them'} out"
        )
    ok = {n: r for n, r in results.items() if isinstance(r, EstimateResult)}
    methods = {r.method for r in ok.values()}
    levels = {r.level for r in ok.values()}
    if len(methods) != 1 or len(levels) != 1:
        raise ValueError("strata estimated with different methods or levels cannot be added up")
    method, level = methods.pop(), levels.pop()
    no_draws = [n for n, r in ok.items() if r.draws is None]
    if no_draws:
        if method == "loglinear":
            raise EstimationRefused(
                "the strata's log-linear profile-likelihood intervals cannot be added up into "
                "an interval for the total (the interval of a sum is not the sum of the "
                "intervals, and there are no replicates to sum); use the "
                'bootstrap interval (interval="bootstrap"; on the command line '
                "--interval bootstrap) or a Bayesian method (lcmcr or dga), whose replicates "
                "or posterior draws are summed stratum by stratum"
            )
        raise EstimationRefused(
            "no draws of N to add up for "
            + ", ".join(f"stratum {n!r}" for n in no_draws)
            + f" ({method})"
        )
    draws = {n: r.draws for n, r in ok.items() if r.draws is not None}
    empty = [n for n, d in draws.items() if len(d) == 0]
    if empty:
        raise EstimationRefused(
            ", ".join(f"stratum {n!r}" for n in empty)
            + ": none of the replicates could be fitted, so the total has no interval"
        )
    m = min(len(d) for d in draws.values())
    summed = np.sum([_evenly(d, m) for d in draws.values()], axis=0)
    a = (1 - level) / 2
    q_lo, q_mid, q_hi = (float(q) for q in np.quantile(summed, [a, 0.5, 1 - a]))
    observed = sum(r.observed for r in ok.values())
    sum_of_estimates = float(sum(r.estimate for r in ok.values()))
    point = sum_of_estimates if method == "loglinear" else q_mid
    lower = max(min(q_lo, point), float(observed))
    upper = max(q_hi, point)
    warnings = [f"stratum {n!r}: {w}" for n, r in ok.items() for w in r.warnings]
    unbounded = [n for n, r in ok.items() if not math.isfinite(r.upper)]
    if unbounded:
        upper = math.inf
        warnings.append(
            "the data do not bound "
            + ", ".join(f"stratum {n!r}" for n in unbounded)
            + " from above, so they do not bound the total either"
        )
    return EstimateResult(
        method=method,
        observed=observed,
        estimate=point,
        lower=lower,
        upper=upper,
        level=level,
        diagnostics={
            "strata": list(ok),
            "stratum_estimates": {n: round(r.estimate, 3) for n, r in ok.items()},
            "sum_of_stratum_estimates": round(sum_of_estimates, 3),
            "point_estimate": (
                "sum of the strata's estimates"
                if method == "loglinear"
                else "posterior median of the summed draws"
            ),
            "interval_from": _COMBINED_FROM.get(method, "draws summed over the strata"),
            "draws_per_stratum": m,
        },
        warnings=tuple(warnings),
        draws=summed,
    )


def estimate_strata_total(
    strata: Mapping[str, CaptureData],
    *,
    method: Method = "lcmcr",
    seed: int | None = None,
    level: float = 0.95,
    options: Mapping[str, Any] | None = None,
) -> EstimateResult:
    """Estimate every stratum (:func:`estimate_strata`) and return their total
    (:func:`total_of_strata`); raises ``EstimationRefused`` as the latter does."""
    return total_of_strata(
        estimate_strata(strata, method=method, seed=seed, level=level, options=options)
    )
