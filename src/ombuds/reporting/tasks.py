"""Background task of reporting: make this week's public figures (``ombuds publish``)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .selectors import figures_make, week_of


@task()
def publish_task() -> str:
    """Make this week's figures if not made yet; return the Monday they are as of."""
    today = timezone.localdate()
    return figures_make(week=week_of(today), today=today).week.isoformat()
