"""Background tasks of the audit log, enqueued by ``ombuds scheduler``: chain the public-side
entries of earlier days (``ombuds audit flush``), so they do not wait for the next staff action,
and anchor the log with a signed checkpoint at least twice a day (``audit_anchor``)."""

from __future__ import annotations

from django_tasks import task

from .services import audit_anchor, audit_pending_flush


@task()
def audit_flush_task() -> int:
    """Chain waiting public-side entries of days before today; return how many."""
    return audit_pending_flush()


@task()
def audit_anchor_task() -> int | None:
    """Sign a checkpoint if entries lie past an old one; return its entry number, or None."""
    checkpoint = audit_anchor()
    return checkpoint.seq if checkpoint is not None else None
