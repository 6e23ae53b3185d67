"""The result every estimator returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class EstimateResult:
    """A population estimate with its interval.

    ``estimate`` is never below ``observed``; ``lower <= estimate <= upper`` at the stated
    ``level`` (``upper`` may be ``inf`` when the data bound the population only from below).
    ``diagnostics`` holds method-specific numbers (chosen model, effective sample size, ...);
    ``warnings`` holds plain-language caveats a reader of the number must see.

    ``draws`` holds the draws of N behind the interval where the method has them (posterior
    draws for ``lcmcr`` and ``dga``, bootstrap replicates for ``loglinear`` with the bootstrap
    interval; ``None`` otherwise), a few thousand floats, read-only. They let independent
    strata be added up draw by draw (:func:`ombuds.estimation.total_of_strata`). They are not
    part of ``to_dict``, the ``repr`` or equality.
    """

    method: str
    observed: int
    estimate: float
    lower: float
    upper: float
    level: float = 0.95
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    draws: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.draws is not None:
            # A private read-only copy: the result is frozen, so are its draws.
            frozen = np.array(self.draws, dtype=np.float64).ravel()
            frozen.flags.writeable = False
            object.__setattr__(self, "draws", frozen)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (infinite bounds become ``None``; the draws are left out)."""

        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else round(float(x), 3)

        return {
            "method": self.method,
            "observed": self.observed,
            "estimate": num(self.estimate),
            "lower": num(self.lower),
            "upper": num(self.upper),
            "level": self.level,
            "diagnostics": self.diagnostics,
            "warnings": list(self.warnings),
        }
