"""Background tasks of the staff side: deleting expired sessions, and alerts without content
(django-tasks; run by ``ombuds db_worker``). They take no arguments."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from .alerts import alert_send, alerts_tidy
from .models import AlertKind


@task()
def sessions_clear_task() -> int:
    """Delete expired session rows (Django's ``clearsessions``); return how many went.

    Run hourly by ``ombuds scheduler``: a row that outlives its session only keeps the day a
    visit happened (ombuds/intake/sessions.py) for longer than it has to.
    """
    before = Session.objects.filter(expire_date__lt=timezone.now()).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return before


@task()
def alert_urgent_task() -> int:
    """Tell the on-duty members that one or more urgent complaints arrived (staff/alerts.py)."""
    return alert_send(AlertKind.URGENT)


@task()
def alert_refused_task() -> int:
    """Tell the on-duty members that intake refused one or more submissions."""
    return alert_send(AlertKind.REFUSED)


@task()
def alerts_tidy_task() -> int:
    """Forget when alerts went (hourly; staff/alerts.py, ``alerts_tidy``)."""
    return alerts_tidy()
