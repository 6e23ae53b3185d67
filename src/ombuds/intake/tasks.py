"""Background tasks of intake (django-tasks; run by ``ombuds db_worker``). They take no
arguments and return counts only: nothing a complainant sent passes through the task table."""

from __future__ import annotations

from django_tasks import task

from .budget import budget_clear_past
from .services import retention_apply


@task()
def retention_task() -> dict[str, int]:
    """Apply the agencies' retention periods (``ombuds retention``)."""
    report = retention_apply()
    return {
        "grants_destroyed": report.grants_destroyed,
        "complaints_deleted": report.complaints_deleted,
    }


@task()
def intake_counts_clear_task() -> int:
    """Delete the intake budget's counts of past hours and old refusal days (hourly)."""
    return budget_clear_past()
