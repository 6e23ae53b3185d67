"""What a run's numbers say about the run: diagnostics people can read (issue 11, item 3).

- how the match probabilities of the scored pairs are spread (a good model puts most pairs
  near 0 or near 1; a wide middle means many uncertain pairs);
- for each pair of sources, how many persons both name, against what their sizes suggest:
  were the two lists independent samples of the persons found, a list naming ``a`` of them
  and one naming ``b`` would share about ``a * b / N`` of the ``N`` persons. Lists are rarely
  independent, but they are dependent in similar ways; a pair of sources that shares far
  fewer persons than the other pairs do (relative to this expectation) is most often a pair
  whose records the engine fails to match (a name format, a transliteration, a date
  written differently), and the run says so.

Pure functions over arrays; no Splink, no Django.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

#: Edges of the probability bands of the distribution (pairs below 0.05 are not kept).
PROBABILITY_EDGES: tuple[float, ...] = (0.05, 0.2, 0.5, 0.8, 0.95, 0.99)
#: A pair of sources is flagged when its ratio of shared persons to the expected number is
#: below this share of the median ratio over all pairs of sources (at least three pairs)...
LOW_LINK_FACTOR = 1 / 3
#: ... and the expected number is at least this (a handful says nothing).
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class SourcePair:
    """Two sources: persons each names, persons both name, and the independence figure."""

    left: str
    right: str
    left_persons: int
    right_persons: int
    shared: int
    expected: float  # left_persons * right_persons / all persons
    low: bool = False  # far below the other pairs of sources

    @property
    def ratio(self) -> float:
        return self.shared / self.expected if self.expected else 0.0


@dataclass
class Diagnostics:
    """Probability bands (low edge, high edge, pairs), pairs of sources, warnings."""

    bands: list[tuple[float, float, int]] = field(default_factory=list)
    source_pairs: list[SourcePair] = field(default_factory=list)
    median_ratio: float | None = None

    @property
    def low_pairs(self) -> list[SourcePair]:
        return [p for p in self.source_pairs if p.low]

    def as_dict(self) -> dict[str, Any]:
        """Numbers and source codes only (no record, no name): safe to store with a run."""
        return {
            "bands": [list(b) for b in self.bands],
            "source_pairs": [asdict(p) for p in self.source_pairs],
            "median_ratio": self.median_ratio,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostics:
        return cls(
            bands=[(float(a), float(b), int(c)) for a, b, c in data.get("bands", [])],
            source_pairs=[SourcePair(**p) for p in data.get("source_pairs", [])],
            median_ratio=data.get("median_ratio"),
        )

    def lines(self, name: dict[str, str] | None = None) -> list[str]:
        """The diagnostics as lines of text (English, for the command line)."""
        name = name or {}
        out = ["match probabilities of the scored pairs:"]
        for lo, hi, count in self.bands:
            upper = f"{hi:.2f}" if hi <= 1.0 else "1"
            out.append(f"  {lo:.2f} to {upper}: {count}")
        if self.source_pairs:
            out.append("persons named by two sources (expected: if they were independent):")
            for p in self.source_pairs:
                flag = "  <- far fewer than the other pairs" if p.low else ""
                out.append(
                    f"  {name.get(p.left, p.left)} ({p.left_persons}) and "
                    f"{name.get(p.right, p.right)} ({p.right_persons}): {p.shared}, "
                    f"expected {p.expected:.0f}, ratio {p.ratio:.2f}{flag}"
                )
        for p in self.low_pairs:
            out.append(
                f"warning: {name.get(p.left, p.left)} and {name.get(p.right, p.right)} share "
                f"{p.shared} persons where their sizes suggest about {p.expected:.0f} and the "
                f"other pairs of sources share {self.median_ratio or 0:.2f} times what theirs "
                "suggest: check that their names, dates and places are written in a way the "
                "engine reads (docs/linkage.md), and review their pairs"
            )
        return out


def diagnose(
    probabilities: np.ndarray, labels: np.ndarray, sources: np.ndarray | list[str]
) -> Diagnostics:
    """Diagnostics of a run: the scored pairs' probabilities, each record's cluster label and
    each record's source (both in record order)."""
    edges = np.array((*PROBABILITY_EDGES, np.inf))
    counts, _ = np.histogram(np.asarray(probabilities, dtype=np.float64), bins=edges)
    bands = [
        (float(edges[i]), float(min(edges[i + 1], 1.0)), int(counts[i])) for i in range(len(counts))
    ]
    found = pd.DataFrame(
        {"cluster": np.asarray(labels), "source": np.asarray(sources, dtype=object)}
    )
    found = found.drop_duplicates()
    persons = int(found["cluster"].nunique())
    per_source = found.groupby("source").size().to_dict()
    names = sorted(per_source)
    shared: dict[tuple[str, str], int] = {}
    if len(names) >= 2:
        multi = found[found["cluster"].duplicated(keep=False)]
        both = multi.merge(multi, on="cluster")
        both = both[both["source_x"] < both["source_y"]]
        shared = both.groupby(["source_x", "source_y"]).size().to_dict()
    pairs = [
        SourcePair(
            left=a,
            right=b,
            left_persons=int(per_source[a]),
            right_persons=int(per_source[b]),
            shared=int(shared.get((a, b), 0)),
            expected=per_source[a] * per_source[b] / persons if persons else 0.0,
        )
        for a, b in combinations(names, 2)
    ]
    median = None
    ratios = [p.ratio for p in pairs if p.expected >= MIN_EXPECTED]
    if len(ratios) >= 3:
        median = float(np.median(ratios))
        pairs = [
            SourcePair(**{**asdict(p), "low": p.ratio < LOW_LINK_FACTOR * median})
            if p.expected >= MIN_EXPECTED
            else p
            for p in pairs
        ]
    return Diagnostics(bands=bands, source_pairs=pairs, median_ratio=median)
