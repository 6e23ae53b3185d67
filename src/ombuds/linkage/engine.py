"""``link_records``: person records in, clusters of the same person out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ombuds.linkage.checks import ModelCheck
from ombuds.linkage.cluster import constrained_clusters, facts_from_frame
from ombuds.linkage.diagnostics import Diagnostics, diagnose
from ombuds.linkage.features import records_to_frame
from ombuds.linkage.labels import LabelUse, constraints_from, correct_scores
from ombuds.linkage.model import Backend, run_model
from ombuds.linkage.records import PersonRecord

RecordKey = tuple[str, str]  # (source, record_id)
Progress = Callable[[str, float], None]

DEFAULT_THRESHOLD = 0.5
# Pairs below this probability are not kept in the result at all.
_KEEP_PAIRS_FROM = 0.05


@dataclass(frozen=True)
class LinkageSettings:
    """What the user chooses for one linkage run.

    ``threshold``: pairs at or above this match probability may merge clusters.
    ``unique_within``: sources that name each person at most once (a curated list).
    ``backend``: ``"duckdb"`` (embedded, the default) or ``"spark"`` (pyspark, local mode).
    ``train``: estimate the model by EM; ``False`` uses the prior parameters.
    """

    threshold: float = DEFAULT_THRESHOLD
    unique_within: frozenset[str] = frozenset()
    backend: Backend = "duckdb"
    train: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.backend not in ("duckdb", "spark"):
            raise ValueError(f"unknown backend {self.backend!r}")


@dataclass(frozen=True)
class ScoredPair:
    left: RecordKey
    right: RecordKey
    probability: float


@dataclass
class LinkageResult:
    """Clusters, the scored pairs behind them, counts and timings (seconds)."""

    clusters: dict[RecordKey, int]
    pairs: list[ScoredPair]
    records: int
    cluster_count: int
    pairs_scored: int
    timings: dict[str, float] = field(default_factory=dict)
    trained: list[str] = field(default_factory=list)
    training_skipped: list[str] = field(default_factory=list)
    #: Which model scored the pairs and whether it passed its checks (``model.ModelRun``):
    #: "trained", "fell_back", "prior" or "failed_checks".
    model_status: str = "prior"
    checks: list[ModelCheck] = field(default_factory=list)
    #: The checks a trained model failed before the run fell back (empty if it passed).
    rejected_checks: list[ModelCheck] = field(default_factory=list)
    #: Levels whose m probability EM pushed out of bounds ("comparison: level").
    bounded: list[str] = field(default_factory=list)
    #: Persons that some record names as a victim (clusters with a victim record): the count.
    victims: int = 0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: How reviewers' verdicts were used: constraints followed, model corrected or not.
    labels: LabelUse = field(default_factory=LabelUse)

    @property
    def sound(self) -> bool:
        """False when no model passed the checks: the clusters are not to be published."""
        return self.model_status != "failed_checks"

    def model_summary(self) -> str:
        """The model used and its checks, in words (English, for the command line)."""
        words = {
            "trained": "trained on these lists; it passed its checks",
            "prior": "the prior parameters (not trained); they passed the checks",
            "fell_back": (
                "the trained model FAILED its checks and was set aside; the pairs were scored "
                "with the prior parameters, which passed"
            ),
            "failed_checks": (
                "NO MODEL PASSED ITS CHECKS: these clusters are not sound; do not publish "
                "counts or estimates from them"
            ),
        }
        lines = [f"model: {words.get(self.model_status, self.model_status)}"]
        lines += [f"  trained model: {c.describe()}" for c in self.rejected_checks]
        lines += [f"  check: {c.describe()}" for c in self.checks]
        if self.bounded:
            lines.append(f"  m probabilities held within bounds: {', '.join(self.bounded)}")
        return "\n".join(lines)


def link_records(
    records: Sequence[PersonRecord],
    settings: LinkageSettings | None = None,
    progress: Progress | None = None,
    decisions: Mapping[tuple[RecordKey, RecordKey], bool] | None = None,
    max_pairs: int | None = None,
) -> LinkageResult:
    """Find which records name the same person.

    ``decisions`` maps record pairs to a reviewer's verdict (labels): ``True`` merges them
    whatever the model says, ``False`` keeps them apart, and enough of them correct the
    model's scores (``labels.correct_scores``). ``progress(stage, fraction)`` is called as
    the run goes on. Raises ``ValueError`` on duplicate record keys or a decision naming an
    unknown record, and ``limits.TooManyPairs`` when blocking finds more than ``max_pairs``
    candidate pairs (counted before anything is scored; DuckDB backend).
    """
    settings = settings or LinkageSettings()
    timings: dict[str, float] = {}
    start = time.perf_counter()

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    # One order whatever the order of the lists: training samples pairs by position, and the
    # same lists given in another order on the command line gave other clusters.
    records = sorted(records, key=lambda r: r.key)
    keys = [r.key for r in records]
    index = {key: i for i, key in enumerate(keys)}
    if len(index) != len(keys):
        raise ValueError("two records share a (source, record_id)")
    constraints = constraints_from(decisions or {}, index)

    report("normalise", 0.0)
    frame = records_to_frame(records)
    timings["normalise"] = time.perf_counter() - start

    if len(records) >= 2:
        run = run_model(
            frame,
            backend=settings.backend,
            threshold=min(_KEEP_PAIRS_FROM, settings.threshold),
            train=settings.train,
            progress=report,
            link_threshold=settings.threshold,
            unique_sources=settings.unique_within,
            max_pairs=max_pairs,
        )
        pairs_frame, trained, skipped = run.pairs, run.trained, run.failed
        status, checks, set_aside, bounded = run.status, run.checks, run.rejected, run.bounded
    else:
        pairs_frame = pd.DataFrame({"unique_id_l": [], "unique_id_r": [], "match_probability": []})
        trained, skipped = [], []
        status, checks, set_aside, bounded = "prior", [], [], []
    timings["model"] = time.perf_counter() - start - timings["normalise"]
    pairs_frame, label_use = correct_scores(
        frame, pairs_frame, constraints,
        threshold=settings.threshold, unique_sources=settings.unique_within,
    )  # fmt: skip

    report("cluster", 0.9)
    t_cluster = time.perf_counter()
    ids_l = pairs_frame["unique_id_l"].to_numpy(dtype=np.int64)
    ids_r = pairs_frame["unique_id_r"].to_numpy(dtype=np.int64)
    probs = pairs_frame["match_probability"].to_numpy(dtype=np.float64)
    labels = constrained_clusters(
        facts_from_frame(frame),
        ids_l,
        ids_r,
        probs,
        threshold=settings.threshold,
        unique_sources=settings.unique_within,
        accepted=constraints.must_link,
        rejected=constraints.cannot_link,
    )
    timings["cluster"] = time.perf_counter() - t_cluster
    sources = [key[0] for key in keys]
    diagnostics = diagnose(probs, labels, sources)
    victim = np.array([r.is_victim for r in records], dtype=bool)
    timings["total"] = time.perf_counter() - start
    report("done", 1.0)
    return LinkageResult(
        clusters={key: int(labels[i]) for i, key in enumerate(keys)},
        pairs=[
            ScoredPair(keys[a], keys[b], float(p))
            for a, b, p in zip(ids_l.tolist(), ids_r.tolist(), probs.tolist(), strict=True)
        ],
        records=len(records),
        cluster_count=len(set(labels.tolist())),
        pairs_scored=len(pairs_frame),
        timings=timings,
        trained=trained,
        training_skipped=skipped,
        model_status=status,
        checks=checks,
        rejected_checks=set_aside,
        bounded=bounded,
        victims=len(np.unique(labels[victim])) if len(labels) else 0,
        diagnostics=diagnostics,
        labels=label_use,
    )


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def pairwise_scores(predicted: Iterable[object], truth: Iterable[object]) -> Scores:
    """Pairwise precision, recall and F1 of a clustering against the true one.

    Both arguments give one label per record, in the same order. Counts pairs through the
    contingency table, so it runs in linear time on millions of records.
    """
    frame = pd.DataFrame({"p": list(predicted), "t": list(truth)})

    def pairs(counts: pd.Series) -> int:
        values = counts.to_numpy(dtype=np.int64)
        return int((values * (values - 1) // 2).sum())

    both = pairs(frame.groupby(["p", "t"]).size())
    predicted_pairs = pairs(frame.groupby("p").size())
    true_pairs = pairs(frame.groupby("t").size())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)
