"""Heartbeats: ``ombuds scheduler`` beats every round (a minute) and enqueues
``worker_heartbeat_task``, whose run by the worker (``ombuds db_worker``) is the worker's
beat. A fresh worker beat therefore says both run; a fresh scheduler beat with a stale worker
beat says the worker is down or stuck."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Heartbeat

#: Finished heartbeat task rows older than this are deleted by the next heartbeat, so the
#: task table does not grow by one row a minute.
KEEP_RESULTS = datetime.timedelta(hours=1)


def heartbeat_write(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def heartbeat_ages(now: datetime.datetime | None = None) -> dict[str, float | None]:
    """Seconds since each process's last beat (None: never)."""
    now = now or timezone.now()
    beats = dict(Heartbeat.objects.values_list("name", "at"))
    return {
        name: (now - beats[name]).total_seconds() if name in beats else None
        for name in (Heartbeat.WORKER, Heartbeat.SCHEDULER)
    }


def heartbeat_enqueue() -> bool:
    """Enqueue the worker's heartbeat task unless one waits or runs; True if enqueued."""
    from .tasks import worker_heartbeat_task

    waiting = DBTaskResult.objects.filter(
        task_path=worker_heartbeat_task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if waiting:
        return False
    worker_heartbeat_task.enqueue()
    return True


def heartbeat_results_prune(task_path: str) -> int:
    """Delete the finished runs of a heartbeat task older than :data:`KEEP_RESULTS`."""
    deleted, _ = DBTaskResult.objects.filter(
        task_path=task_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - KEEP_RESULTS,
    ).delete()
    return deleted
