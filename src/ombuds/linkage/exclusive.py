"""A list that names each person once: scores of pairs into it, read together.

The model scores each pair on its own. But a record names one person, and a list declared
unique (``unique_within``) names that person at most once: if a petition's "Магомадов А.З."
scores 0.3 against one man of the NGO list and against no one else there, it is likelier him
than 0.3 says; if it scores 0.3 against each of three men of that list, it is at most one of
them. On the independent tuning lists at 20,000 people, pairs scored 0.2–0.35 were one person
in 77% of cases when no other candidate competed and in 17% when others did.

For a record ``a`` of list A and its candidates ``k`` in a unique list S, the one-to-one
model says that ``a`` names none of S's records with probability ``1 - π`` and each of them
alike otherwise, so that

    P(a is k) = β·o_k / (1 + β·Σ_j o_j),    β = π / ((1 - π) · N_S · λ),

where ``o_k`` is the pair's odds under the model (which carry its match rate ``λ``), N_S is
the number of S's records and π the share of A's records that name someone of S. π is found
from the scores themselves, as EM would: the mean over A's records of the probability that
each names someone of S, to the fixed point (β is held at 1 or more: see ``_beta``). A pair
between two unique lists is read both ways and keeps the lower odds. Lists not declared
unique are never the S: two of their records that both fit ``a`` may be one man reported
twice, not rivals. Pairs within one list are left as scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The posterior needs the pairs down to this fraction of the lowest probability kept after
#: it: a pair's rivals, and the pairs it lifts above the floor.
REACH = 5.0
_PI_BOUNDS = (1e-4, 0.99)


def one_to_one(
    sources: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    probabilities: np.ndarray,
    match_rate: float,
    unique: frozenset[str],
) -> np.ndarray:
    """The pairs' probabilities under the one-to-one model (see the module's text).

    ``sources``: the list of each record; ``left``, ``right``: the records of each scored pair
    (indices into ``sources``); ``match_rate``: the model's λ, the probability that two
    records drawn at random match; ``unique``: the lists declared to name each person once.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    codes, names = pd.factorize(pd.Series(sources, dtype=object))
    codes = codes.astype(np.int64)
    is_unique = np.array([str(name) in unique for name in names], dtype=bool)
    cross = codes[left] != codes[right]
    into = [cross & is_unique[codes[right]], cross & is_unique[codes[left]]]
    if not (into[0].any() or into[1].any()) or not 0.0 < match_rate < 1.0:
        return probabilities
    p = np.clip(probabilities, 1e-12, 1.0 - 1e-12)
    odds = p / (1.0 - p)
    records_in = np.bincount(codes, minlength=len(names))
    readings = []
    for a_side, s_side, mask in ((left, right, into[0]), (right, left, into[1])):
        read = np.full(len(odds), np.nan)
        idx = np.nonzero(mask)[0]
        if len(idx):
            read[idx] = _directed(codes, a_side[idx], s_side[idx], odds[idx], records_in,
                                  match_rate)  # fmt: skip
        readings.append(read)
    # np.fmin keeps the number where the other is NaN: a pair read one way takes that reading,
    # a pair between two unique lists the lower, a pair read neither way stays as scored.
    new_odds = np.fmin(readings[0], readings[1])
    read_probability = new_odds / (1.0 + new_odds)
    result: np.ndarray = np.where(np.isnan(new_odds), probabilities, read_probability)
    return result


def _directed(
    codes: np.ndarray,
    a: np.ndarray,
    s: np.ndarray,
    odds: np.ndarray,
    records_in: np.ndarray,
    match_rate: float,
) -> np.ndarray:
    """The odds of each pair as record ``a`` among the records of ``s``'s (unique) list."""
    s_list = codes[s]
    frame = pd.DataFrame({"a": a, "s": s_list, "o": odds})
    totals = frame.groupby(["a", "s"], sort=False)["o"].sum()
    rival_sum = totals.reindex(pd.MultiIndex.from_arrays([a, s_list])).to_numpy()
    per_record = totals.reset_index()
    per_record["al"] = codes[per_record["a"].to_numpy()]
    a_list = codes[a]
    beta = np.ones(len(odds))
    for (al, sl), group in per_record.groupby(["al", "s"], sort=False):
        b = _beta(group["o"].to_numpy(), int(records_in[al]), int(records_in[sl]), match_rate)
        beta[(a_list == al) & (s_list == sl)] = b
    # P / (1 - P) with P = β·o / (1 + β·Σ): the pair's own odds leave the denominator.
    read: np.ndarray = beta * odds / (1.0 + beta * (rival_sum - odds))
    return read


def _beta(sums: np.ndarray, records: int, people: int, match_rate: float) -> float:
    """β for one ordered pair of lists, at the fixed point of π (see the module's text).

    ``sums``: Σ_j o_j of each record of the first list that has a candidate in the second;
    ``records``: all records of the first list; ``people``: the second list's records.

    β is held at 1 or more: a lone candidate is never made less likely than the model scored
    it. A fixed point below 1 says that fewer records have a candidate than the model's match
    rate implies, and on lists with many duplicates that is the scores' doing, not the
    lists': a record whose match is linked only through a duplicate of its own has no
    candidate there (tuning lists "hard": π 0.21 for complaints among the NGO's records where
    0.44 of the complaints name one of them; without the bound each pair across lists came
    out 2–3 times less likely, and recall fell from 0.956 to 0.938).
    """
    lo, hi = _PI_BOUNDS
    pi = 0.5
    for _ in range(200):
        beta = pi / ((1.0 - pi) * people * match_rate)
        new = float(np.sum(beta * sums / (1.0 + beta * sums)) / records)
        new = min(max(new, lo), hi)
        if abs(new - pi) < 1e-7:
            pi = new
            break
        pi = new
    return max(1.0, pi / ((1.0 - pi) * people * match_rate))
