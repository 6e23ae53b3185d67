"""Reviewers' verdicts as labels: hard constraints on the clustering, and a correction of the
model's scores (issue 11, item 2).

A reviewer says of a pair of records "same person" or "different persons". A later run over
records that include both uses the verdict twice:

1. **Constraints.** "Same person" is a *must-link*: the two records end in one cluster,
   whatever the model and the rules say. "Different persons" is a *cannot-link*: no merge
   ever joins two clusters that hold them (``cluster.constrained_clusters``). Records are
   named by their stable key, ``(source, record_id)``. Verdicts can contradict each other
   (a = b, b = c, a != c): a cannot-link between records that must-links join is a
   *conflict*; the must-links are followed (a reviewer said so of every link in the chain)
   and the conflicts are counted, so the run can say that some verdicts need another look.

2. **Correction.** The model's match probabilities are re-calibrated on the labelled pairs:
   ``logit p' = a + b * logit p``, a logistic calibration of the match weight, fitted by
   maximum a posteriori with the model as the prior (``a`` ~ Normal(0, 1.5), ``b`` ~
   Normal(1, 0.5): with no label the model stands, and each label moves it). The rule:

   - only labelled pairs the model scored count (a pair no blocking rule proposed, or one
     below the engine's floor of 0.05, has no score to calibrate);
   - at least :data:`MIN_LABELS_TO_CORRECT` of them, and at least :data:`MIN_EACH` of each
     verdict (with one kind only, the labels say which way the model errs but not how far);
   - the slope is held in :data:`SLOPE_BOUNDS`, so the correction never reverses the order
     of the pairs;
   - the corrected scores must pass the model's checks against the data
     (``checks.check_model``: sure pairs still linked, unique lists still not linked within);
     a correction that fails them is set aside and the model's scores stand.

   Why a calibration and not new m probabilities: a run stores no comparison vector of its
   pairs (nothing a record says is kept), and the scores are all a later run needs to learn
   from; a global shift of the match weight is what issue 11's failure (a model far too
   strict on lists unlike those it was built on) needs, and two parameters are estimable
   from a few dozen labels.

Pure functions over arrays and the feature frame: no Django, no Splink.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ombuds.linkage.checks import ModelCheck, check_model

RecordKey = tuple[str, str]  # (source, record_id), as ``engine.RecordKey``
IndexPair = tuple[int, int]

#: The correction needs at least this many labelled pairs that the model scored ...
MIN_LABELS_TO_CORRECT = 20
#: ... and at least this many of each verdict among them.
MIN_EACH = 5
#: Prior standard deviations of the calibration's intercept (around 0) and slope (around 1),
#: in logit units: the model's own scores are the prior.
PRIOR_SD_INTERCEPT = 1.5
PRIOR_SD_SLOPE = 0.5
#: The slope is held within these bounds: the correction keeps the order of the pairs.
SLOPE_BOUNDS = (0.25, 4.0)
#: Match weights (logits) are clipped to this magnitude: a probability of exactly 0 or 1.
_LOGIT_LIMIT = 30.0


@dataclass(frozen=True)
class Constraints:
    """Reviewers' verdicts as record-index pairs ``(i, j)``, ``i < j``, each pair once.

    ``conflicts``: cannot-links between records that the must-links join, left out (the
    must-links win).
    """

    must_link: tuple[IndexPair, ...] = ()
    cannot_link: tuple[IndexPair, ...] = ()
    conflicts: int = 0

    @property
    def labelled(self) -> dict[IndexPair, bool]:
        """Every verdict followed, pair -> same person; conflicting ones left out."""
        found = {pair: True for pair in self.must_link}
        found.update({pair: False for pair in self.cannot_link})
        return found


def constraints_from(
    decisions: Mapping[tuple[RecordKey, RecordKey], bool], index: Mapping[RecordKey, int]
) -> Constraints:
    """The verdicts ``decisions`` (record pair -> same person) as constraints on the records
    numbered by ``index``. Raises ``ValueError`` for a verdict naming an unknown record."""
    must: set[IndexPair] = set()
    cannot: set[IndexPair] = set()
    for (left, right), same in decisions.items():
        if left not in index or right not in index:
            raise ValueError(f"a decision names an unknown record: {left} / {right}")
        i, j = index[left], index[right]
        if i == j:
            continue
        pair = (min(i, j), max(i, j))
        (must if same else cannot).add(pair)
    # A pair with both verdicts (the same records keyed twice) is a conflict too.
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in must:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    kept = {(i, j) for i, j in cannot if find(i) != find(j)}
    return Constraints(
        must_link=tuple(sorted(must)),
        cannot_link=tuple(sorted(kept)),
        conflicts=len(cannot) - len(kept),
    )


def _logit(probabilities: np.ndarray) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    with np.errstate(divide="ignore"):
        weights = np.log(p) - np.log1p(-p)
    clipped: np.ndarray = np.clip(weights, -_LOGIT_LIMIT, _LOGIT_LIMIT)
    return clipped


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit_calibration(probabilities: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` of ``logit p' = a + b * logit p`` fitted on labelled pairs: the maximum a
    posteriori under the priors :data:`PRIOR_SD_INTERCEPT` and :data:`PRIOR_SD_SLOPE`
    (Newton's method on a concave objective), the slope held in :data:`SLOPE_BOUNDS`."""
    x = _logit(probabilities)
    y = np.asarray(same, dtype=np.float64)
    precision = np.array([PRIOR_SD_INTERCEPT**-2, PRIOR_SD_SLOPE**-2])
    centre = np.array([0.0, 1.0])
    theta = centre.copy()
    design = np.column_stack([np.ones_like(x), x])
    for _ in range(100):
        p = _sigmoid(design @ theta)
        gradient = design.T @ (y - p) - precision * (theta - centre)
        hessian = -(design.T * (p * (1.0 - p))) @ design - np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        theta = theta - step
        if float(np.abs(step).max()) < 1e-10:
            break
    intercept, slope = float(theta[0]), float(theta[1])
    return intercept, min(max(slope, SLOPE_BOUNDS[0]), SLOPE_BOUNDS[1])


def calibrate(probabilities: np.ndarray, intercept: float, slope: float) -> np.ndarray:
    """The probabilities after the correction ``logit p' = intercept + slope * logit p``."""
    return _sigmoid(intercept + slope * _logit(probabilities))


@dataclass(frozen=True)
class Agreement:
    """Labelled pairs by what the scores say (linked: at or above the threshold) and what
    the reviewer said (same person)."""

    linked_same: int
    linked_other: int
    apart_same: int
    apart_other: int

    @classmethod
    def of(cls, linked: np.ndarray, same: np.ndarray) -> Agreement:
        linked, same = np.asarray(linked, dtype=bool), np.asarray(same, dtype=bool)
        return cls(
            int((linked & same).sum()),
            int((linked & ~same).sum()),
            int((~linked & same).sum()),
            int((~linked & ~same).sum()),
        )

    @property
    def right(self) -> int:
        """Pairs on the side of the threshold that the verdict says."""
        return self.linked_same + self.apart_other

    @property
    def precision(self) -> float | None:
        linked = self.linked_same + self.linked_other
        return self.linked_same / linked if linked else None

    @property
    def recall(self) -> float | None:
        same = self.linked_same + self.apart_same
        return self.linked_same / same if same else None


@dataclass(frozen=True)
class Correction:
    """What the labels did to the model's scores.

    ``status``: ``"corrected"`` (the scores were re-calibrated), ``"too_few_labels"`` (fewer
    than :data:`MIN_LABELS_TO_CORRECT` scored labelled pairs, or fewer than :data:`MIN_EACH`
    of a verdict), ``"failed_checks"`` (the corrected scores failed the model's checks and
    were set aside) or ``"no_labels"``. ``scored``: the labelled pairs the model scored,
    ``same`` of them one person. ``before`` / ``after``: how the scores alone (at or above
    the threshold, before clustering) classify those pairs, before and after the correction,
    as :class:`Agreement` (on the very pairs it was fitted on: a sign of the direction, not
    a measure of quality; equal when the scores were not corrected). ``checks``: those of
    the corrected scores.
    """

    status: str = "no_labels"
    scored: int = 0
    same: int = 0
    intercept: float = 0.0
    slope: float = 1.0
    before: Agreement = field(default_factory=lambda: Agreement(0, 0, 0, 0))
    after: Agreement = field(default_factory=lambda: Agreement(0, 0, 0, 0))
    checks: list[ModelCheck] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return self.status == "corrected"

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["intercept"] = round(self.intercept, 4)
        found["slope"] = round(self.slope, 4)
        return found


@dataclass(frozen=True)
class LabelUse:
    """How a run used reviewers' verdicts: the constraints followed and the correction."""

    must_link: int = 0
    cannot_link: int = 0
    conflicts: int = 0
    correction: Correction = field(default_factory=Correction)

    @property
    def used(self) -> int:
        return self.must_link + self.cannot_link

    def as_dict(self) -> dict[str, Any]:
        return {
            "must_link": self.must_link,
            "cannot_link": self.cannot_link,
            "conflicts": self.conflicts,
            "correction": self.correction.as_dict(),
        }

    def describe(self) -> str:
        """In words (English, for the command line)."""
        if not self.used and not self.conflicts:
            return "reviewers' decisions: none"
        words = {
            "corrected": (
                f"model corrected with {self.correction.scored} labelled pairs "
                f"(logit p' = {self.correction.intercept:+.2f} + "
                f"{self.correction.slope:.2f} logit p)"
            ),
            "too_few_labels": (
                f"model not corrected: {self.correction.scored} labelled pairs scored, "
                f"{self.correction.same} of them one person (at least "
                f"{MIN_LABELS_TO_CORRECT}, {MIN_EACH} of each verdict, needed)"
            ),
            "failed_checks": "model not corrected: the corrected scores failed the checks",
            "no_labels": "model not corrected",
        }
        line = (
            f"reviewers' decisions used: {self.used} ({self.must_link} same person, "
            f"{self.cannot_link} different persons); {words[self.correction.status]}"
        )
        if self.conflicts:
            line += (
                f"; {self.conflicts} 'different persons' decisions contradict 'same person' "
                "decisions and were not followed"
            )
        return line


def correct_scores(
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    constraints: Constraints,
    *,
    threshold: float,
    unique_sources: frozenset[str],
) -> tuple[pd.DataFrame, LabelUse]:
    """The scored ``pairs`` (``unique_id_l``, ``unique_id_r``, ``match_probability``)
    corrected by the labels of ``constraints`` when the rule allows (see the module's
    docstring), and how the labels were used. ``frame`` is the feature frame the pairs were
    scored from (for the checks). ``pairs`` is returned unchanged when not corrected."""
    use = LabelUse(
        must_link=len(constraints.must_link),
        cannot_link=len(constraints.cannot_link),
        conflicts=constraints.conflicts,
    )
    labelled = constraints.labelled
    if not labelled:
        return pairs, use
    ids_l = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    ids_r = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    lo, hi = np.minimum(ids_l, ids_r), np.maximum(ids_l, ids_r)
    row = {(a, b): k for k, (a, b) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True))}
    found = [(row[pair], same) for pair, same in labelled.items() if pair in row]
    rows = np.array([k for k, _ in found], dtype=np.int64)
    same = np.array([s for _, s in found], dtype=bool)
    probs = pairs["match_probability"].to_numpy(dtype=np.float64)
    scored, ones = len(found), int(same.sum())
    before = Agreement.of(probs[rows] >= threshold, same)
    if scored < MIN_LABELS_TO_CORRECT or min(ones, scored - ones) < MIN_EACH:
        correction = Correction("too_few_labels", scored, ones, before=before, after=before)
        return pairs, _with(use, correction)
    intercept, slope = fit_calibration(probs[rows], same)
    corrected = calibrate(probs, intercept, slope)
    after = Agreement.of(corrected[rows] >= threshold, same)
    out = pairs.assign(match_probability=corrected)
    checks = check_model(frame, out, threshold=threshold, unique_sources=unique_sources)
    status = "corrected" if all(c.passed for c in checks) else "failed_checks"
    correction = Correction(status, scored, ones, intercept, slope, before, after, checks)
    return (out if status == "corrected" else pairs), _with(use, correction)


def _with(use: LabelUse, correction: Correction) -> LabelUse:
    return LabelUse(use.must_link, use.cannot_link, use.conflicts, correction)


#: The columns of a labels file (``ombuds link --labels``): two records, each by its source and
#: record id as in the person lists, and the reviewer's verdict.
LABEL_COLUMNS = ("left_source", "left_record_id", "right_source", "right_record_id", "verdict")
#: Verdicts a labels file may give, and what each means.
VERDICTS = {"same": True, "different": False}


def parse_label_file(
    text: str, name: str, known: set[RecordKey]
) -> tuple[dict[tuple[RecordKey, RecordKey], bool], list[Any]]:
    """Reviewers' verdicts from a labels CSV (:data:`LABEL_COLUMNS`; verdict ``same`` or
    ``different``), for records in ``known``.

    Returns the verdicts and the rejected rows (``records.RowError``, naming the row and the
    column). A row naming a record that no list holds, a pair of one record with itself, an
    unknown verdict and a pair given both verdicts are rejected; nothing else is lost.
    """
    import csv
    import io

    from ombuds.linkage.records import RowError

    decisions: dict[tuple[RecordKey, RecordKey], bool] = {}
    errors: list[RowError] = []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in LABEL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        errors.append(RowError(name, 1, missing[0], f"the header has no column {missing[0]}"))
        return decisions, errors
    first_row: dict[tuple[RecordKey, RecordKey], int] = {}
    for row_number, row in enumerate(reader, start=2):
        values = {c: (row.get(c) or "").strip() for c in LABEL_COLUMNS}
        empty = [c for c in LABEL_COLUMNS if not values[c]]
        if empty:
            errors.append(RowError(name, row_number, empty[0], "empty"))
            continue
        verdict = VERDICTS.get(values["verdict"].lower())
        if verdict is None:
            errors.append(
                RowError(
                    name, row_number, "verdict",
                    f"{values['verdict']!r} is not a verdict: write 'same' or 'different'",
                )
            )  # fmt: skip
            continue
        left = (values["left_source"], values["left_record_id"])
        right = (values["right_source"], values["right_record_id"])
        unknown = [
            (side, key) for side, key in (("left", left), ("right", right)) if key not in known
        ]
        if unknown:
            side, key = unknown[0]
            errors.append(
                RowError(
                    name, row_number, f"{side}_record_id",
                    f"no list holds record {key[1]} of source {key[0]}",
                )
            )  # fmt: skip
            continue
        if left == right:
            errors.append(
                RowError(name, row_number, "right_record_id", "a record paired with itself")
            )
            continue
        pair = (left, right) if left <= right else (right, left)
        if pair in decisions and decisions[pair] != verdict:
            errors.append(
                RowError(
                    name, row_number, "verdict",
                    f"row {first_row[pair]} gives this pair the other verdict; both left out",
                )
            )  # fmt: skip
            del decisions[pair]
            continue
        first_row.setdefault(pair, row_number)
        decisions[pair] = verdict
    return decisions, errors
