"""Linkage runs in the background, with plaintext in memory only (decision 0004).

A run needs the records decrypted, and decrypting needs the agency key, which only exists in
the request of an analyst who is signed in (architecture.md, "Unlocking"). django-tasks' database
backend stores a task's arguments in the database, where neither the key nor the plaintext may
go, and its worker is another process that could get them no other way. So a run executes in a
thread of the web process that started it: the request hands the thread the unsealed agency
key (an object in memory); the thread decrypts, links, writes progress and the result (record
references, cluster numbers, probabilities: no names) to the run's row, and drops the key.

One run at a time per process (the engine uses every core). A run survives no restart: a run
whose row has not moved for :data:`STALE_AFTER` is shown as failed and can be started again.
With ``OMBUDS_ANALYSIS_INLINE_RUNS = True`` (tests) the run executes inside the request.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.linkage import LinkageSettings, link_records
from ombuds.staff.models import StaffUser

from .models import LinkageRun, Membership, RunStatus, ScoredPairRow
from .selectors import REVIEW_LOW, decisions_for, linkage_inputs
from .services import pair_order

logger = logging.getLogger(__name__)

#: A queued or running run whose row has not been updated for this long was lost to a restart.
STALE_AFTER = datetime.timedelta(minutes=30)
#: Progress is written at most this often (seconds).
_PROGRESS_EVERY = 0.5

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


def _in_thread(*, run_pk: int, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    try:
        # Waiting behind another run: keep the row fresh so it is not taken for a lost run.
        while not _one_at_a_time.acquire(timeout=60):
            LinkageRun.objects.filter(pk=run_pk).update(updated_at=timezone.now())
        try:
            linkage_run_execute(run_pk=run_pk, user=user, agency_key=agency_key)
        finally:
            _one_at_a_time.release()
    finally:
        connections.close_all()


def _fail(run_pk: int, reason: str) -> None:
    LinkageRun.objects.filter(pk=run_pk).update(
        status=RunStatus.FAILED, failure=reason[:300], finished_at=timezone.now(),
        updated_at=timezone.now(),
    )  # fmt: skip


def linkage_run_execute(*, run_pk: int, user: StaffUser, agency_key: crypto.PrivateKey) -> None:
    """Decrypt a run's inputs, link them with the agency's verdicts, store the result.

    Never raises: a failure is written to the run, with the error's type only, because an
    exception's message may quote the data.
    """
    run = LinkageRun.objects.select_related("agency").get(pk=run_pk)
    LinkageRun.objects.filter(pk=run_pk).update(
        status=RunStatus.RUNNING, stage="decrypt", progress=0.0, updated_at=timezone.now()
    )
    try:
        _execute(run, user, agency_key)
    except Exception as exc:
        logger.warning("linkage run %s failed: %s", run.public_id, type(exc).__name__)
        _fail(run_pk, f"the run stopped with an internal error ({type(exc).__name__})")


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
            LinkageRun.objects.filter(pk=run.pk).update(
                stage=stage[:40], progress=max(0.0, min(1.0, fraction)), updated_at=timezone.now()
            )

    result = link_records(
        records,
        LinkageSettings(threshold=run.threshold, unique_within=unique),
        progress=progress,
        decisions=decisions,
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
            if pair.probability < REVIEW_LOW:
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
        LinkageRun.objects.filter(pk=run.pk).update(
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
            },
        )
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
    """A queued or running run that has not moved for :data:`STALE_AFTER` was lost (a restart
    ends the thread): mark it failed so the page stops waiting."""
    if run.active and timezone.now() - run.updated_at > STALE_AFTER:
        _fail(run.pk, "the run was interrupted (the server restarted); start it again")
        run.refresh_from_db()
    return run
