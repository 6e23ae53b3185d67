"""Background task of the analysis app (django-tasks; run by ``ombuds db_worker``). It takes no
arguments and returns counts only."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from .jobs import runs_purge


@task()
def runs_purge_task() -> dict[str, int]:
    """Mark dead linkage runs failed and delete runs past ``OMBUDS_RUN_RETENTION_DAYS``
    (``jobs.runs_purge``); enqueued hourly by ``ombuds scheduler``."""
    return asdict(runs_purge())
