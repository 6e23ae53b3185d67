"""The worker's heartbeat (django-tasks; enqueued by ``ombuds scheduler`` every minute)."""

from __future__ import annotations

from django_tasks import task

from .heartbeat import heartbeat_results_prune, heartbeat_write
from .models import Heartbeat


@task()
def worker_heartbeat_task() -> int:
    """Record that the worker runs tasks; drop older finished heartbeat runs (return how many)."""
    heartbeat_write(Heartbeat.WORKER)
    return heartbeat_results_prune(worker_heartbeat_task.module_path)
