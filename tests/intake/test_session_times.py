"""Session rows keep no time of a visit: the day only (issue 9, item 7).

A complainant's session row once held ``complainant.seen`` (seconds) and an exact
``expire_date`` (last request plus the session age), and nothing ever deleted it: a seized
server then dated each return visit to the second. Now the row holds no time in its data,
expires at a day boundary, and expired rows are deleted hourly; the idle limit is kept in the
complainant's own cookie.
"""

from __future__ import annotations

import datetime
import json
import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import submit_complaint

NOW_WINDOW = range(-120, 121)


def decoded(row: Session) -> dict:
    """A row's data as the configured session engine reads it."""
    engine = import_module(django_settings.SESSION_ENGINE)
    return engine.SessionStore().decode(row.session_data)


def _returned(world) -> Client:
    codename = submit_complaint(Client())
    visitor = Client()
    assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    assert visitor.get("/en/return/complaint/").status_code == 200
    return visitor


def test_a_complainants_session_row_holds_the_day_only(world, settings) -> None:
    _returned(world)
    visitor_rows = [s for s in Session.objects.all() if "complainant.key" in decoded(s)]
    assert len(visitor_rows) == 1
    row = visitor_rows[0]
    now = time.time()
    # expire_date: a day boundary, no earlier than the session age from now
    expiry = row.expire_date.astimezone(datetime.UTC)
    assert (expiry.hour, expiry.minute, expiry.second, expiry.microsecond) == (0, 0, 0, 0)
    assert expiry.timestamp() >= now + settings.SESSION_COOKIE_AGE - 5
    # the data: no number near the present, and no signing timestamp of the save
    data = decoded(row)
    numbers = [v for v in data.values() if isinstance(v, int | float)]
    assert all(abs(v - now) > 86400 for v in numbers), data
    assert "seen" not in json.dumps(data)
    stamps = {signing.b62_encode(int(now) + d) for d in NOW_WINDOW}
    assert not any(stamp in row.session_data.split(":") for stamp in stamps)


def test_a_staff_session_still_ends_at_its_exact_time(world, settings) -> None:
    world.client_for("intake_officer")
    staff_rows = [s for s in Session.objects.all() if "_auth_user_id" in decoded(s)]
    assert staff_rows
    for row in staff_rows:
        left = (row.expire_date - timezone.now()).total_seconds()
        assert settings.SESSION_COOKIE_AGE - 60 < left <= settings.SESSION_COOKIE_AGE


def test_a_complainant_idle_past_the_limit_must_enter_the_codename_again(world, settings) -> None:
    settings.OMBUDS_COMPLAINANT_IDLE_SECONDS = 4
    visitor = _returned(world)
    time.sleep(2.5)
    assert visitor.get("/en/return/complaint/").status_code == 200  # restarts the clock
    time.sleep(2.5)
    assert visitor.get("/en/return/complaint/").status_code == 200
    settings.OMBUDS_COMPLAINANT_IDLE_SECONDS = 1
    time.sleep(2.1)
    r = visitor.get("/en/return/complaint/")
    assert r.status_code == 302 and r["Location"].endswith("/return/")
    assert not [s for s in Session.objects.all() if "complainant.key" in decoded(s)]


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_clears_expired_sessions_every_round(tx_world) -> None:
    _returned(tx_world)
    live = set(Session.objects.values_list("session_key", flat=True))
    past = timezone.now() - datetime.timedelta(hours=1)
    Session.objects.create(session_key="e" * 32, session_data="x:y", expire_date=past)
    call_command("scheduler", "--once")
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert set(Session.objects.values_list("session_key", flat=True)) == live
