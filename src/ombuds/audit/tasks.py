"""Background task of the audit log: chain the public-side entries of earlier days
(``ombuds audit flush``), so they do not wait for the next staff action to be chained."""

from __future__ import annotations

from django_tasks import task

from .services import audit_pending_flush


@task()
def audit_flush_task() -> int:
    """Chain waiting public-side entries of days before today; return how many."""
    return audit_pending_flush()
