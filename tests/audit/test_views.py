"""The auditor browses and filters the log; nobody else may; looking is itself logged."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import audit_record

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]

URL = "/en/staff/audit/"


def _entries(world: Any) -> None:
    officer = world.personas["intake_officer"].user
    audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="complaint:aaaa")
    audit_record(action=AuditAction.EXPORT, actor=officer, subject="report:2025")
    audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject="complaint:bbbb")


def test_auditor_sees_the_log(world: Any) -> None:
    _entries(world)
    r = world.client_for("auditor").get(URL)
    assert r.status_code == 200
    page = r.content.decode()
    assert "complaint:aaaa" in page and "report:2025" in page and "complaint:bbbb" in page
    assert "<html" in page  # rendered inside the staff site's frame


@pytest.mark.parametrize("persona", ["intake_officer", "analyst", "prosecutor", "liaison"])
def test_other_staff_may_not_see_the_log(world: Any, persona: str) -> None:
    _entries(world)
    before = AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEWED).count()
    r = world.client_for(persona).get(URL)
    assert r.status_code == 403
    assert "complaint:aaaa" not in r.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEWED).count() == before


def test_stranger_is_sent_to_sign_in(world: Any) -> None:
    r = Client().get(URL)
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": "export"}, ["report:2025"], ["complaint:aaaa", "complaint:bbbb"]),
        ({"actor": "intake_officer"}, ["complaint:aaaa", "report:2025"], ["complaint:bbbb"]),
        ({"subject": "complaint:"}, ["complaint:aaaa", "complaint:bbbb"], ["report:2025"]),
        ({"subject": "complaint:bbbb"}, ["complaint:bbbb"], ["complaint:aaaa"]),
        ({"since": "2000-01-01", "until": "2000-12-31"}, [], ["complaint:aaaa"]),
        ({"since": "2000-01-01"}, ["complaint:aaaa", "report:2025"], []),
    ],
)
def test_auditor_filters_the_log(
    world: Any, query: dict[str, str], shown: list[str], hidden: list[str]
) -> None:
    _entries(world)
    page = world.client_for("auditor").get(URL, query).content.decode()
    for subject in shown:
        assert subject in page, (query, subject)
    for subject in hidden:
        assert subject not in page, (query, subject)


def test_viewing_the_log_is_itself_logged(world: Any) -> None:
    _entries(world)
    auditor = world.personas["auditor"]
    world.client_for("auditor").get(URL, {"action": "export", "subject": "report:"})
    viewed = AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEWED).get()
    assert viewed.actor_id == auditor.user.pk
    assert viewed.actor_username == "auditor"
    assert viewed.details == {"action": "export", "subject": "report:", "page": 1}


def test_an_invalid_filter_shows_the_error_and_the_unfiltered_log(world: Any) -> None:
    _entries(world)
    r = world.client_for("auditor").get(URL, {"since": "2025-02-01", "until": "2025-01-01"})
    assert r.status_code == 200
    assert "complaint:aaaa" in r.content.decode()


def test_administrator_sees_the_log(world: Any) -> None:
    from ombuds.staff import services
    from ombuds.staff.models import Role
    from tests.conftest import Persona

    password = "admin-correct-horse"
    user = services.staff_create(
        username="admin", password=password, agency=world.agencies["working-group"],
        role=Role.ADMIN, agency_private_key=world.agency_keys["working-group"],
    )  # fmt: skip
    secret = pyotp.random_base32()
    services.totp_enrol(user=user, secret=secret)
    client = Persona("admin", password, secret, user).sign_in(Client())
    _entries(world)
    r = client.get(URL)
    assert r.status_code == 200 and "complaint:aaaa" in r.content.decode()


def test_auditor_downloads_the_log_and_it_verifies(world: Any) -> None:
    from ombuds.audit.export import read_checkpoints, read_entries
    from ombuds.audit.verification import verify_records

    _entries(world)
    r = world.client_for("auditor").post(URL + "export/")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    lines = b"".join(r.streaming_content).decode().splitlines()
    report = verify_records(
        entries=read_entries(lines), checkpoints=read_checkpoints(lines), trusted_keys=None
    )
    assert report.ok, report.problems
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and (last.action, last.actor_username) == ("export", "auditor")
    assert report.last_seq == last.seq


@pytest.mark.parametrize("persona", ["intake_officer", "analyst"])
def test_other_staff_may_not_download_the_log(world: Any, persona: str) -> None:
    assert world.client_for(persona).post(URL + "export/").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_download_is_a_post(world: Any) -> None:
    assert world.client_for("auditor").get(URL + "export/").status_code == 405
