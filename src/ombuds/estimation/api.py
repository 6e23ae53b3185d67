"""One entry point over the three methods, with a cross-check between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

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
        return estimate_dga(data, level=level, **options)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def estimate_strata(
    strata: Mapping[str, CaptureData],
    *,
    method: Method = "lcmcr",
    seed: int | None = None,
    level: float = 0.95,
    options: Mapping[str, Any] | None = None,
) -> dict[str, EstimateResult | EstimationRefused]:
    """Estimate each stratum on its own; a stratum that cannot be estimated gets the reason.

    Strata are independent, so one refusal never stops the others.
    """
    out: dict[str, EstimateResult | EstimationRefused] = {}
    for name, table in strata.items():
        try:
            out[name] = estimate(table, method=method, seed=seed, level=level, options=options)
        except EstimationRefused as exc:
            out[name] = exc
    return out
