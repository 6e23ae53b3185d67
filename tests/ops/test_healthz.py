"""``GET /healthz`` and ``ombuds status`` (issue 12, item 4): database, heartbeats, free disk,
the audit anchor; nothing about complaints; 200 when healthy, 503 when degraded."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_anchor, audit_record
from ombuds.monitoring.models import Heartbeat
from ombuds.monitoring.tasks import worker_heartbeat_task
from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db

KEYS = {
    "database",
    "worker_heartbeat_age_s",
    "scheduler_heartbeat_age_s",
    "free_disk_bytes",
    "last_checkpoint_age_s",
    "problems",
    "status",
}
CANARY = "CANARY-5f1d3a"


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Any) -> None:
    from ombuds.audit import signing

    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    signing.ensure_signing_key()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    now = [dt.datetime.now(dt.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    yield now


#: The worker closes database connections between tasks: tests that run it commit for real.
with_worker = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def healthz(client: Client | None = None, **extra: Any) -> tuple[int, dict[str, Any]]:
    r = (client or Client()).get("/healthz", **extra)
    assert r["Content-Type"] == "application/json"
    assert r["Cache-Control"] == "no-store"
    assert not r.cookies, "no session, no cookie"
    return r.status_code, json.loads(r.content)


def test_a_fresh_install_without_a_worker_is_degraded() -> None:
    status, body = healthz()
    assert status == 503
    assert set(body) == KEYS
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["worker_heartbeat_age_s"] is None
    assert "worker_heartbeat_missing" in body["problems"]
    assert body["free_disk_bytes"] > 0


@with_worker
def test_with_the_scheduler_and_the_worker_running_it_is_ok(tx_world: Any) -> None:
    submit_complaint(Client())
    call_command("scheduler", "--once", stdout=io.StringIO())
    run_worker()
    status, body = healthz()
    assert (status, body["status"], body["problems"]) == (200, "ok", [])
    assert 0 <= body["worker_heartbeat_age_s"] < 60
    assert 0 <= body["scheduler_heartbeat_age_s"] < 60
    # Nothing about complaints: the same keys as on an empty install, and no counts at all.
    assert set(body) == KEYS
    assert all(not isinstance(v, int) or k.endswith(("_s", "_bytes")) for k, v in body.items())
    assert "complaint" not in json.dumps(body)


@with_worker
def test_a_stopped_worker_makes_it_degraded_after_ten_minutes(clock: list[dt.datetime]) -> None:
    call_command("scheduler", "--once", stdout=io.StringIO())
    run_worker()
    audit_anchor()
    clock[0] += dt.timedelta(minutes=9)
    assert healthz()[0] == 200
    clock[0] += dt.timedelta(minutes=2)
    status, body = healthz()
    assert status == 503 and body["problems"] == ["worker_heartbeat_stale"]
    assert body["worker_heartbeat_age_s"] == 11 * 60
    # The scheduler goes on beating; the worker is still away: its task waits.
    call_command("scheduler", "--once", stdout=io.StringIO())
    assert healthz()[1]["scheduler_heartbeat_age_s"] == 0
    assert healthz()[0] == 503
    run_worker()
    assert healthz()[0] == 200


def test_an_overdue_audit_anchor_makes_it_degraded(clock: list[dt.datetime]) -> None:
    Heartbeat.objects.create(name=Heartbeat.WORKER, at=clock[0])
    audit_record(action=AuditAction.CONFIG_CHANGED, subject="audit:test")
    assert healthz()[1]["last_checkpoint_age_s"] is None
    clock[0] += dt.timedelta(days=1, minutes=1)
    Heartbeat.objects.filter(name=Heartbeat.WORKER).update(at=clock[0])
    status, body = healthz()
    assert status == 503 and body["problems"] == ["audit_anchor_overdue"]
    audit_anchor()  # the scheduler's checkpoint
    clock[0] += dt.timedelta(hours=2)
    Heartbeat.objects.filter(name=Heartbeat.WORKER).update(at=clock[0])
    status, body = healthz()
    assert status == 200 and body["last_checkpoint_age_s"] == 2 * 3600


def test_low_disk_makes_it_degraded(settings: Any) -> None:
    Heartbeat.objects.create(name=Heartbeat.WORKER, at=timezone.now())
    settings.OMBUDS_MIN_FREE_BYTES = 10**18  # more than any disk has
    status, body = healthz()
    assert status == 503 and body["problems"] == ["disk_low"]


def test_an_unreachable_database_is_reported_not_raised(settings: Any) -> None:
    from django.db import connections

    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    try:
        connection.settings_dict["NAME"] = "/nonexistent/folder/ombuds.sqlite3"
        if connection.vendor == "postgresql":
            connection.settings_dict["NAME"] = "ombuds_no_such_database"
        status, body = healthz()
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert status == 503
    assert body["database"] == "unreachable"
    assert body["problems"][0] == "database_unreachable"
    assert body["worker_heartbeat_age_s"] is None


def test_healthz_behind_https_on_loopback_gets_the_json_not_a_redirect(settings: Any) -> None:
    """As deployed (OMBUDS_HTTPS=1, only the public names allowed): a local probe over plain
    HTTP with Host 127.0.0.1 still gets the JSON."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["ombuds.example.org"]
    status, body = healthz(Client(HTTP_HOST="127.0.0.1:8000"))
    assert status == 503 and body["database"] == "ok"
    # Every other page still goes to HTTPS (or is refused for its host).
    assert Client(HTTP_HOST="ombuds.example.org").get("/ru/").status_code == 301
    assert Client(HTTP_HOST="127.0.0.1:8000").get("/ru/").status_code == 400


def test_healthz_takes_no_language_prefix_and_only_get() -> None:
    assert Client().get("/ru/healthz").status_code == 404
    assert Client().get("/en/healthz").status_code == 404
    assert Client().post("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 503


def test_healthz_logs_nothing_of_the_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    healthz(
        Client(HTTP_USER_AGENT=f"agent-{CANARY}", HTTP_X_FORWARDED_FOR="203.0.113.7"),
        QUERY_STRING=f"q={CANARY}",
    )
    assert CANARY not in caplog.text
    assert "203.0.113.7" not in caplog.text


@with_worker
def test_the_heartbeat_task_keeps_the_task_table_small(clock: list[dt.datetime]) -> None:
    for _ in range(5):
        worker_heartbeat_task.enqueue()
        run_worker()
        clock[0] += dt.timedelta(minutes=30)
    done = DBTaskResult.objects.filter(
        task_path=worker_heartbeat_task.module_path, status=TaskResultStatus.SUCCESSFUL
    )
    # Runs finished over an hour before the newest are gone.
    assert done.count() <= 3


@with_worker
def test_status_prints_the_same_and_fails_when_degraded(tx_world: Any) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="degraded: worker_heartbeat_missing") as caught:
        call_command("status", stdout=out)
    assert caught.value.returncode == 1
    assert "worker heartbeat:      never" in out.getvalue()
    assert "the task worker has never run" in out.getvalue()

    call_command("scheduler", "--once", stdout=io.StringIO())
    run_worker()
    out = io.StringIO()
    call_command("status", stdout=out)
    text = out.getvalue()
    assert "database:              ok" in text and "status:                ok" in text
    assert "problem" not in text

    out = io.StringIO()
    call_command("status", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert set(body) == KEYS and body["status"] == "ok" and body["problems"] == []
