"""Linkage runs in the background, with plaintext in memory only (decision 0004).

A run needs the records decrypted, and decrypting needs the agency key, which only exists in
the request of an analyst who is signed in (architecture.md, "Unlocking"). django-tasks' database
backend stores a task's arguments in the database, where neither the key nor the plaintext may
go, and its worker is another process that could get them no other way. So a run executes in a
thread of the web process that started it: the request hands the thread the unsealed agency
key (an object in memory); the thread decrypts, links, writes progress and the result (record
references, cluster numbers, probabilities: no names) to the run's row, and drops the key.

One run at a time per process (the engine uses every core), and one run waiting or running
per agency (``services.linkage_run_create``). A run survives no restart: while it waits or
works, a companion thread writes its heartbeat every :data:`HEARTBEAT_EVERY`; a queued or
running run without one for ``services.DEAD_AFTER`` died with its process and is marked failed
(by its page, by the next run's start, and by the hourly purge, :func:`runs_purge`).
With ``OMBUDS_ANALYSIS_INLINE_RUNS = True`` (tests) the run executes inside the request.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.linkage import LinkageSettings, TooManyPairs, link_records
from ombuds.staff.models import StaffUser

from .models import (
    FAILURE_INTERNAL,
    FAILURE_TOO_MANY_PAIRS,
    LinkageRun,
    Membership,
    RunStatus,
    ScoredPairRow,
)
from .selectors import REVIEW_HIGH, REVIEW_LOW, decisions_for, linkage_inputs
from .services import dead_runs, pair_order, runs_mark_dead

logger = logging.getLogger(__name__)

#: How often a waiting or working run writes its heartbeat (seconds).
HEARTBEAT_EVERY = 20.0
#: Progress is written at most this often (seconds).
_PROGRESS_EVERY = 0.5
_ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)

_one_at_a_time = threading.Semaphore(1)


def linkage_run_start(*, run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    """Execute ``run`` in the background (a thread of this process), or inline in tests.

    The thread starts once the current transaction commits, so it sees the run's row.
    """
    if getattr(settings, "OMBUDS_ANALYSIS_INLINE_RUNS", False):
        linkage_run_execute(run_pk=run.pk, user=user, agency_key=agency_key)
        return

    def launch() -> None:
        thread = threading.Thread(
            target=_in_thread,
            kwargs={"run_pk": run.pk, "user": user, "agency_key": agency_key},
            name=f"linkage-run-{run.pk}",
            daemon=True,
        )
        thread.start()

    transaction.on_commit(launch)


def _beat(run_pk: int) -> int:
    """Write the run's heartbeat if it is still waiting or running; 1 if it was written."""
    now = timezone.now()
    return LinkageRun.objects.filter(pk=run_pk, status__in=_ACTIVE).update(
        heartbeat_at=now, updated_at=now
    )


def _heartbeat(run_pk: int, stop: threading.Event) -> None:
    """Beat every :data:`HEARTBEAT_EVERY` until ``stop`` (the run thread ends): while the run
    waits behind another and while the engine works, which may not report progress for
    minutes. When the process dies, the beats stop with it."""
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            try:
                _beat(run_pk)
            except Exception as exc:  # a busy database must not end the run
                logger.warning("linkage run heartbeat failed: %s", type(exc).__name__)
    finally:
        connections.close_all()


def _in_thread(*, run_pk: int, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    stop = threading.Event()
    beating = threading.Thread(
        target=_heartbeat, args=(run_pk, stop), name=f"linkage-beat-{run_pk}", daemon=True
    )
    try:
        _beat(run_pk)
        beating.start()
        _one_at_a_time.acquire()  # behind another agency's run in this process, if any
        try:
            linkage_run_execute(run_pk=run_pk, user=user, agency_key=agency_key)
        finally:
            _one_at_a_time.release()
    finally:
        stop.set()
        connections.close_all()


def _fail(run_pk: int, reason: str, failure: dict[str, object]) -> int:
    """Mark a run failed with ``reason`` (English, for logs and old pages) and ``failure``
    (a fixed code and numbers, shown in the page's language); return 1 if it was marked."""
    now = timezone.now()
    runs = LinkageRun.objects.filter(pk=run_pk, status__in=_ACTIVE)
    return runs.update(
        status=RunStatus.FAILED, failure=reason[:300], finished_at=now, updated_at=now,
        details={"failure": failure},
    )  # fmt: skip


def linkage_run_execute(*, run_pk: int, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    """Decrypt a run's inputs, link them with the agency's verdicts, store the result.

    Never raises: a failure is written to the run, with the error's type only, because an
    exception's message may quote the data.
    """
    run = LinkageRun.objects.select_related("agency").get(pk=run_pk)
    now = timezone.now()
    started = LinkageRun.objects.filter(pk=run_pk, status__in=_ACTIVE).update(
        status=RunStatus.RUNNING, stage="decrypt", progress=0.0, updated_at=now, heartbeat_at=now
    )
    if not started:
        return  # marked failed (dead) while it waited: nothing to do
    try:
        _execute(run, user, agency_key)
    except TooManyPairs as refusal:
        # Names fixed feature columns and counts, never a value.
        logger.info("linkage run %s refused: too many candidate pairs", run.public_id)
        _fail(
            run_pk,
            str(refusal),
            {
                "code": FAILURE_TOO_MANY_PAIRS,
                "columns": list(refusal.columns),
                "rule": refusal.rule_index,
                "pairs": refusal.pairs,
                "total": refusal.total,
                "limit": refusal.limit,
            },
        )
    except _Superseded:
        logger.warning("linkage run %s was marked failed while it worked", run.public_id)
    except Exception as exc:
        logger.warning("linkage run %s failed: %s", run.public_id, type(exc).__name__)
        _fail(
            run_pk,
            f"the run stopped with an internal error ({type(exc).__name__})",
            {"code": FAILURE_INTERNAL, "error": type(exc).__name__},
        )


class _Superseded(Exception):
    """The run was marked failed (taken for dead) while it worked: its result is dropped."""


def _execute(run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    inputs = linkage_inputs(run=run, user=user, agency_key=agency_key)
    del agency_key  # not needed from here on
    records = [shown.for_engine() for shown in inputs]
    known = {r.key for r in records}
    decisions = {
        pair: same
        for pair, same in decisions_for(run=run).items()
        if pair[0] in known and pair[1] in known
    }
    unique = frozenset(pl.source for pl in run.unique_lists.all())
    last_write = 0.0

    def progress(stage: str, fraction: float) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= _PROGRESS_EVERY or fraction >= 1.0:
            last_write = now
            LinkageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                stage=stage[:40],
                progress=max(0.0, min(1.0, fraction)),
                updated_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )

    result = link_records(
        records,
        LinkageSettings(threshold=run.threshold, unique_within=unique),
        progress=progress,
        decisions=decisions,
        max_pairs=settings.OMBUDS_RUN_MAX_PAIRS,
    )
    victims = {r.key for r in records if r.is_victim}
    del records, inputs
    with transaction.atomic():
        Membership.objects.filter(run=run).delete()
        ScoredPairRow.objects.filter(run=run).delete()
        Membership.objects.bulk_create(
            [
                Membership(
                    run=run,
                    source=source,
                    record_id=record_id,
                    cluster=cluster,
                    victim=(source, record_id) in victims,
                )
                for (source, record_id), cluster in result.clusters.items()
            ],
            batch_size=2000,
        )
        pairs = []
        for pair in result.pairs:
            # Only the review band is kept: the review page shows nothing else, and the
            # clusters (memberships) and the diagnostics (details) hold the rest.
            if not REVIEW_LOW <= pair.probability < REVIEW_HIGH:
                continue
            left, right = pair_order(pair.left, pair.right)
            pairs.append(
                ScoredPairRow(
                    run=run,
                    left_source=left[0],
                    left_id=left[1],
                    right_source=right[0],
                    right_id=right[1],
                    probability=pair.probability,
                    linked=result.clusters[left] == result.clusters[right],
                )
            )
        ScoredPairRow.objects.bulk_create(pairs, batch_size=2000)
        finished = LinkageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.DONE,
            stage="done",
            progress=1.0,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            record_count=result.records,
            cluster_count=result.cluster_count,
            pairs_scored=result.pairs_scored,
            decisions_applied=len(decisions),
            victim_count=result.victims,
            sound=result.sound,
            # Numbers, fixed codes, comparison labels and source codes ("list:<id>", "case")
            # only: nothing a record says.
            details={
                "timings": {k: round(v, 3) for k, v in result.timings.items()},
                "trained": result.trained,
                "training_skipped": result.training_skipped,
                "model_status": result.model_status,
                "checks": [c.as_dict() for c in result.checks],
                "rejected_checks": [c.as_dict() for c in result.rejected_checks],
                "bounded": result.bounded,
                "diagnostics": result.diagnostics.as_dict(),
                "labels": result.labels.as_dict(),
                "pairs_stored": len(pairs),
            },
        )
        if not finished:
            raise _Superseded  # rolls back the memberships and pairs just written
        labels = result.labels
        if labels.used or labels.conflicts:
            correction = labels.correction
            audit_record(
                action=AuditAction.LINKAGE_LABELS_USED,
                actor=user,
                subject=f"linkage-run:{run.public_id}",
                details={
                    "must_link": labels.must_link,
                    "cannot_link": labels.cannot_link,
                    "conflicts": labels.conflicts,
                    "correction": correction.status,
                    "labelled_pairs_scored": correction.scored,
                    "intercept": f"{correction.intercept:.4f}",
                    "slope": f"{correction.slope:.4f}",
                },
            )


def run_mark_stale(run: LinkageRun) -> LinkageRun:
    """The run, marked failed first if it died (no heartbeat for ``services.DEAD_AFTER``), so its
    page stops waiting."""
    if run.active and LinkageRun.objects.filter(dead_runs(), pk=run.pk).exists():
        runs_mark_dead(agency_id=run.agency_id)
        run.refresh_from_db()
    return run


@dataclass(frozen=True)
class PurgeReport:
    """What :func:`runs_purge` did: counts only."""

    marked_failed: int
    deleted: int
    kept_latest: int
    kept_referenced: int


def runs_purge(*, now: datetime.datetime | None = None) -> PurgeReport:
    """Mark dead runs failed, then delete the runs older than ``OMBUDS_RUN_RETENTION_DAYS``
    with their memberships and pairs; audited once, with counts (``linkage_runs_purged``).

    Kept whatever their age: a run still waiting or running; each agency's newest finished
    run (its current answer); and a run that another record must keep (a foreign key with
    ``on_delete=PROTECT``: nothing does today; a case or a publication that cites a run is
    to reference it so). Reviewers' decisions outlive their run (their ``run`` becomes
    empty); audit entries name a deleted run by its id, as they name any deleted subject.
    """
    now = now or timezone.now()
    marked = runs_mark_dead()
    cutoff = now - datetime.timedelta(days=settings.OMBUDS_RUN_RETENTION_DAYS)
    latest = {
        agency_id: number
        for agency_id, number in LinkageRun.objects.filter(status=RunStatus.DONE)
        .values("agency_id")
        .annotate(n=Max("number"))
        .values_list("agency_id", "n")
    }
    old = LinkageRun.objects.filter(created_at__lt=cutoff).exclude(status__in=_ACTIVE)
    deleted = kept_latest = kept_referenced = 0
    for run_pk, agency_id, number in old.values_list("pk", "agency_id", "number"):
        if latest.get(agency_id) == number:
            kept_latest += 1
            continue
        try:
            with transaction.atomic():
                LinkageRun.objects.filter(pk=run_pk).delete()
        except ProtectedError:
            kept_referenced += 1
            continue
        deleted += 1
    report = PurgeReport(marked, deleted, kept_latest, kept_referenced)
    if marked or deleted:
        audit_record(
            action=AuditAction.LINKAGE_RUNS_PURGED,
            subject="linkage-runs",
            details={
                "deleted": deleted,
                "marked_failed": marked,
                "kept_latest": kept_latest,
                "kept_referenced": kept_referenced,
                "retention_days": settings.OMBUDS_RUN_RETENTION_DAYS,
            },
        )
    return report
