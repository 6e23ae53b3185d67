"""How many people: a finished run's documented count and its multiple systems estimate.

Only the run's cluster memberships are read (which sources each cluster, a unique person, was
seen in): no names, no decryption, so the estimate is computed in the request. The first
computation is kept in ``LinkageRun.details["estimate"]`` (numbers and fixed codes only, never
a list's name or a record), and later views read it from there: a run never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ombuds.estimation import CaptureData, EstimationRefused, estimate
from ombuds.estimation.api import Method
from ombuds.estimation.data import MAX_LISTS, MIN_LISTS, capture_data_from_clusters

from .models import LinkageRun, RunStatus

#: The method and seed of the page's estimate. LCMCR (compiled) takes about 0.4 s on 1,200
#: clusters from 3 lists and 0.2 s on 1,450 from 5 (4 s the very first time, while Numba
#: compiles and caches the sampler); the fixed seed keeps the page's numbers the same.
METHOD: Final[Method] = "lcmcr"
SEED = 1
LEVEL = 0.95
#: Bumped when what is cached changes, so an older cached entry is computed again.
CACHE_VERSION = 2
#: The most sources (lists, and "case") the estimation handles.
MAX_SOURCES = MAX_LISTS

#: Why there is no estimate (the page says it in words).
TOO_FEW_SOURCES = "too_few_sources"
TOO_MANY_SOURCES = "too_many_sources"
NOT_SUPPORTED = "not_supported"


@dataclass(frozen=True)
class RunEstimate:
    """A run's documented count and estimate of the total, or why there is no estimate."""

    documented: int
    sources: int
    method: str
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None  # None: the data bound the total only from below
    level: float = LEVEL
    warnings: int = 0
    refused: str | None = None

    @classmethod
    def from_cache(cls, cached: dict[str, Any]) -> RunEstimate:
        return cls(
            documented=int(cached["documented"]),
            sources=int(cached["sources"]),
            method=str(cached["method"]),
            estimate=cached.get("estimate"),
            lower=cached.get("lower"),
            upper=cached.get("upper"),
            level=float(cached.get("level", LEVEL)),
            warnings=int(cached.get("warnings", 0)),
            refused=cached.get("refused"),
        )

    def to_cache(self) -> dict[str, Any]:
        return {
            "version": CACHE_VERSION,
            "documented": self.documented,
            "sources": self.sources,
            "method": self.method,
            "seed": SEED,
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "level": self.level,
            "warnings": self.warnings,
            "refused": self.refused,
        }


def run_capture_data(run: LinkageRun) -> CaptureData | None:
    """The run's capture table: each cluster's set of sources is its pattern (as
    ``ombuds estimate --from-clusters`` reads a clusters file), from the records that name
    a victim only: a person named only as a witness, reporter or perpetrator is not counted,
    and a source that names a victim only as a witness did not see them as a victim.
    ``None`` with more sources than the estimation supports."""
    victims = run.memberships.filter(victim=True)
    rows = (
        {"source": source, "cluster_id": str(cluster)}
        for cluster, source in victims.values_list("cluster", "source").iterator()
    )
    if victims.values("source").distinct().count() > MAX_SOURCES:
        return None
    return capture_data_from_clusters(rows)


def _compute(run: LinkageRun) -> RunEstimate:
    data = run_capture_data(run)
    if data is None:
        victims = run.memberships.filter(victim=True)
        sources = victims.values("source").distinct().count()
        documented = victims.values("cluster").distinct().count()
        return RunEstimate(documented, sources, METHOD, refused=TOO_MANY_SOURCES)
    documented, sources = data.observed, len(data.lists_that_saw_anyone())
    if sources < MIN_LISTS:
        return RunEstimate(documented, sources, METHOD, refused=TOO_FEW_SOURCES)
    try:
        result = estimate(data, method=METHOD, seed=SEED, level=LEVEL)
    except EstimationRefused:
        # The reason quotes the sources' ids; the page says it in its own words.
        return RunEstimate(documented, sources, METHOD, refused=NOT_SUPPORTED)
    numbers = result.to_dict()  # rounded; an infinite bound is None
    return RunEstimate(
        documented=documented,
        sources=sources,
        method=result.method,
        estimate=numbers["estimate"],
        lower=numbers["lower"],
        upper=numbers["upper"],
        level=result.level,
        warnings=len(result.warnings),
    )


def run_estimate(run: LinkageRun) -> RunEstimate | None:
    """The finished run's count and estimate, computed once and then read from its details.

    ``None`` for a run that has not finished (its memberships are not all written yet), or
    whose model failed its checks (the page says why there is no count).
    """
    if run.status != RunStatus.DONE or not run.sound:
        # A run whose model failed its checks gives no count to publish (linkage.checks).
        return None
    cached = run.details.get("estimate") if isinstance(run.details, dict) else None
    if isinstance(cached, dict) and cached.get("version") == CACHE_VERSION:
        return RunEstimate.from_cache(cached)
    found = _compute(run)
    details = {**(run.details or {}), "estimate": found.to_cache()}
    # Only the details column: the run's other fields (and ``updated_at``) stay as they were.
    LinkageRun.objects.filter(pk=run.pk).update(details=details)
    run.details = details
    return found
