"""Checks of a trained model against what the data say independently of it.

EM finds the parameters that best explain the candidate pairs as a mixture of matches and
non-matches; on lists unlike the ones the comparisons were designed on it can converge to a
mixture that is not "same person / different person" at all (issue 11: petitions written
"Фамилия И.О." scored 0.15 against the full name, and 35% recall). Nothing in EM notices. So
every run checks the model it is about to use against two facts that do not come from it:

- **sure pairs**: two records that agree on family name, given name and a full birth date
  (and do not contradict each other on sex or patronymic) name the same person in any
  realistic list. A model that leaves many of them below the threshold is too strict.
- **unique lists**: two records of one list declared unique (``--unique-within``) are two
  people. A model that puts many such pairs above the threshold is too lax.

Pure functions over the feature frame and the scored pairs; no Splink, no Django.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

#: At least this share of the sure pairs must reach the threshold.
SURE_PAIRS_MIN_LINKED = 0.9
#: Pairs within unique lists that reach the threshold: at most this share of their records.
UNIQUE_PAIRS_MAX_LINKED = 0.02
#: A check on fewer pairs (sure pairs) or records (unique lists) than these says nothing
#: either way: it passes, and says so.
MIN_PAIRS = 20
MIN_UNIQUE_RECORDS = 100


@dataclass(frozen=True)
class ModelCheck:
    """One check: its code, the pairs it looked at, the share linked, and the verdict."""

    code: str  # "sure_pairs" or "unique_lists"
    pairs: int  # sure pairs; for "unique_lists", the records of the unique lists
    linked: int  # pairs that reach the threshold
    limit: float
    passed: bool

    @property
    def share(self) -> float:
        return self.linked / self.pairs if self.pairs else 0.0

    @property
    def decisive(self) -> bool:
        return self.pairs >= (MIN_PAIRS if self.code == "sure_pairs" else MIN_UNIQUE_RECORDS)

    def describe(self) -> str:
        """The check in words (English, for the command line; no data quoted)."""
        if self.code == "sure_pairs":
            what = (
                f"{self.linked} of {self.pairs} pairs that agree on the full name and full "
                f"birth date reach the threshold (at least {self.limit:.0%} must)"
            )
        else:
            what = (
                f"{self.linked} pairs of records within lists declared unique reach the "
                f"threshold, for {self.pairs} records in those lists (at most "
                f"{self.limit:.0%} of the records may)"
            )
        verdict = "passed" if self.passed else "FAILED"
        if not self.decisive:
            verdict = "too few pairs to tell"
        return f"{what}: {verdict}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sure_pairs(frame: pd.DataFrame, unique_sources: frozenset[str]) -> pd.DataFrame:
    """The pairs (``unique_id_l`` < ``unique_id_r``) that agree on family and given name and a
    full birth date, and are compatible on sex and patronymic initial; pairs within one
    unique list are left out (the list says they are two people)."""
    columns = ["unique_id", "source", "name_key", "by_lo", "bm", "bd", "sex", "pat_init"]
    known = frame[columns].dropna(subset=["name_key", "by_lo", "bm", "bd"])
    known = known[known["by_lo"].notna()]
    if known.empty:
        return pd.DataFrame({"unique_id_l": [], "unique_id_r": []}, dtype=np.int64)
    keys = ["name_key", "by_lo", "bm", "bd"]
    # Only groups of two or more can give pairs: drop the rest before the self-join.
    known = known[known.duplicated(subset=keys, keep=False)]
    joined = known.merge(known, on=keys, suffixes=("_l", "_r"))
    joined = joined[joined["unique_id_l"] < joined["unique_id_r"]]

    def compatible(column: str) -> pd.Series:
        left, right = joined[f"{column}_l"], joined[f"{column}_r"]
        return (left.isna() | right.isna() | (left == right)).astype(bool)

    keep = compatible("sex") & compatible("pat_init")
    same_unique = (joined["source_l"] == joined["source_r"]) & joined["source_l"].isin(
        list(unique_sources)
    )
    joined = joined[keep & ~same_unique]
    return joined[["unique_id_l", "unique_id_r"]].astype(np.int64).reset_index(drop=True)


def _pair_codes(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    return left.astype(np.int64) * np.int64(max(n, 1)) + right.astype(np.int64)


def check_model(
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    unique_sources: frozenset[str],
) -> list[ModelCheck]:
    """Run both checks on a model's scored pairs (``unique_id_l``, ``unique_id_r``,
    ``match_probability``, with ``unique_id_l`` < ``unique_id_r``; pairs not scored count
    as below the threshold)."""
    n = len(frame)
    ids_l = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    ids_r = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    probs = pairs["match_probability"].to_numpy(dtype=np.float64)
    lo, hi = np.minimum(ids_l, ids_r), np.maximum(ids_l, ids_r)
    above = probs >= threshold
    linked_codes = np.unique(_pair_codes(lo[above], hi[above], n))

    sure = sure_pairs(frame, unique_sources)
    sure_codes = _pair_codes(
        sure["unique_id_l"].to_numpy(dtype=np.int64),
        sure["unique_id_r"].to_numpy(dtype=np.int64),
        n,
    )
    sure_linked = int(np.isin(sure_codes, linked_codes).sum())
    checks = [
        ModelCheck(
            code="sure_pairs",
            pairs=len(sure_codes),
            linked=sure_linked,
            limit=SURE_PAIRS_MIN_LINKED,
            passed=len(sure_codes) < MIN_PAIRS
            or sure_linked >= SURE_PAIRS_MIN_LINKED * len(sure_codes),
        )
    ]

    source = frame["source"].to_numpy(dtype=object)
    in_unique = np.isin(source, list(unique_sources))
    count = int(in_unique.sum())
    if count:
        within = (source[lo] == source[hi]) & in_unique[lo]
        linked = int((within & above).sum())
        checks.append(
            ModelCheck(
                code="unique_lists",
                pairs=count,
                linked=linked,
                limit=UNIQUE_PAIRS_MAX_LINKED,
                passed=count < MIN_UNIQUE_RECORDS or linked <= UNIQUE_PAIRS_MAX_LINKED * count,
            )
        )
    return checks
