"""Background task of the site's sessions (django-tasks; run by ``ombuds db_worker``)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task


@task()
def sessions_clear_task() -> int:
    """Delete expired session rows (Django's ``clearsessions``); return how many went.

    Run hourly by ``ombuds scheduler``: a row that outlives its session only keeps the day a
    visit happened (ombuds/intake/sessions.py) for longer than it has to.
    """
    before = Session.objects.filter(expire_date__lt=timezone.now()).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return before
