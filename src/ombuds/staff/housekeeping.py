"""Housekeeping that must happen without anyone asking: retention (crypto-shredding past each
agency's period), chaining the complainants' audit entries of earlier days, anchoring the audit
log with a signed checkpoint twice a day, the week's public figures, deleting expired sessions,
and forgetting the intake budget's past hours and when alerts went. ``ombuds scheduler``
enqueues these tasks
every hour for the django-tasks worker (``ombuds db_worker``); each is idempotent, so running
them hourly rather than daily or weekly only makes them happen sooner after the day turns.

A task is not enqueued again while an earlier one is still waiting or running, so a stopped
worker does not let the queue pile up.
"""

from __future__ import annotations

from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ombuds.analysis.tasks import runs_purge_task
from ombuds.audit.tasks import audit_anchor_task, audit_flush_task
from ombuds.intake.tasks import intake_counts_clear_task, retention_task
from ombuds.monitoring.tasks import worker_heartbeat_task
from ombuds.reporting.tasks import publish_task

from .tasks import alerts_tidy_task, sessions_clear_task

HOUSEKEEPING_TASKS: tuple[Task[[], object], ...] = (  # type: ignore[assignment]
    retention_task,
    audit_flush_task,
    audit_anchor_task,
    publish_task,
    sessions_clear_task,
    intake_counts_clear_task,
    alerts_tidy_task,
    worker_heartbeat_task,  # also every minute between rounds (monitoring/heartbeat.py)
    runs_purge_task,  # old linkage runs deleted, dead ones marked failed (docs/analysis.md)
)


def housekeeping_enqueue() -> list[str]:
    """Enqueue each housekeeping task not already waiting or running; return their paths."""
    pending = set(
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).values_list("task_path", flat=True)
    )
    enqueued = []
    for task in HOUSEKEEPING_TASKS:
        if task.module_path in pending:
            continue
        task.enqueue()
        enqueued.append(task.module_path)
    return enqueued
