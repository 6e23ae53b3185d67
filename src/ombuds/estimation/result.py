"""The result every estimator returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EstimateResult:
    """A population estimate with its interval.

    ``estimate`` is never below ``observed``; ``lower <= estimate <= upper`` at the stated
    ``level`` (``upper`` may be ``inf`` when the data bound the population only from below).
    ``diagnostics`` holds method-specific numbers (chosen model, effective sample size, ...);
    ``warnings`` holds plain-language caveats a reader of the number must see.
    """

    method: str
    observed: int
    estimate: float
    lower: float
    upper: float
    level: float = 0.95
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (infinite bounds become ``None``)."""

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
