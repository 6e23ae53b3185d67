"""Alerts without content (issue 12, item 5), against a real SMTP server on this machine.

A complaint saying someone is held now makes the task worker mail the on-duty members of the
working group: that an urgent complaint arrived and where to sign in, nothing else. Mails are
spaced (at most one of a kind per ``OMBUDS_ALERT_MINUTES``, "one or more"); a refusal by the
intake budget sends a different, equally empty mail.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ombuds.intake.models import Complaint
from ombuds.staff.alerts import _message
from ombuds.staff.models import AlertKind, AlertState
from tests.conftest import fresh_form, submit_complaint

from .helpers import run

STAFF_URL = "https://wg.example.org/ru/staff/"
ON_DUTY = "duty-officer@wg.example.org"

# Words of the complaint that no alert may carry.
CANARIES = {
    "place": "Qhazvinoye",
    "person-0-name": "Zelimkhan Yarkhoroyev",
    "account": "Taken by the Vostokgruppa patrol from the Zulkharnayev house",
    "perpetrator_details": "Major Tsentoroyev of unit 4471",
}


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every mail as it arrived: (recipients, raw bytes)."""

    mails: list[tuple[list[str], bytes]] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.OMBUDS_SMTP_HOST = settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.OMBUDS_STAFF_URL = STAFF_URL
    settings.OMBUDS_ALERT_MINUTES = 15
    try:
        yield inbox
    finally:
        controller.stop()


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay")


def _on_duty(monkeypatch) -> None:
    """The intake officer (working group) on duty; the analyst has an address but is off duty;
    a prosecutor is on duty too, but an urgent complaint is the working group's to read."""
    run(monkeypatch, "staff", "duty", "intake_officer", "--on", "--email", ON_DUTY)
    run(monkeypatch, "staff", "duty", "analyst", "--off", "--email", "analyst@wg.example.org")
    run(monkeypatch, "staff", "duty", "prosecutor", "--on", "--email", "pros@prok.example.org")


def _parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.django_db(transaction=True)
def test_an_urgent_complaint_mails_the_on_duty_member_and_nothing_of_the_complaint(
    tx_world, smtp, monkeypatch
) -> None:
    _on_duty(monkeypatch)
    codename = submit_complaint(Client(), held_now="yes", **CANARIES)
    complaint = Complaint.objects.get()
    assert complaint.urgent
    assert smtp.mails == [], "the web request sends nothing: the worker does"

    _worker()

    assert len(smtp.mails) == 1
    recipients, raw = smtp.mails[0]
    assert recipients == [ON_DUTY]
    message = _parsed(raw)
    subject, body = _message(AlertKind.URGENT)
    assert _words(str(message["Subject"])) == _words(subject)
    assert _words(message.get_body().get_content()) == _words(body)
    assert STAFF_URL in body and "Urgent complaint received" in subject
    # The whole mail, raw and decoded, holds nothing the complainant wrote or was given.
    text = raw.decode("ascii", "replace") + str(message) + message.get_body().get_content()
    for value in CANARIES.values():
        for word in value.split():
            if len(word) > 4:
                assert word not in text, word
    assert codename not in text
    # Single codename words are common words; none may appear beyond the fixed wording.
    fixed = subject + body
    for word in codename.split():
        assert word in fixed or word not in text, word
    assert str(complaint.public_id) not in text
    assert complaint.public_id.hex not in text
    assert complaint.received_on.isoformat() not in body
    # The task row holds no argument, and the worker's earlier rows go as the next runs.
    assert all(r.args_kwargs == {"args": [], "kwargs": {}} for r in DBTaskResult.objects.all())


@pytest.mark.django_db(transaction=True)
def test_urgent_complaints_within_the_interval_make_one_mail_then_one_more_after_it(
    tx_world, smtp, monkeypatch
) -> None:
    _on_duty(monkeypatch)
    client = Client()
    submit_complaint(client, held_now="yes")
    submit_complaint(client, held_now="yes")
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    _worker()
    assert len(smtp.mails) == 1, "two urgent complaints, one mail: 'one or more'"
    assert "One or more urgent complaints" in _parsed(smtp.mails[0][1]).get_body().get_content()

    # A third, five minutes later: told at the end of the interval, not at once.
    submit_complaint(client, held_now="yes")
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now() + datetime.timedelta(minutes=10)
    _worker()
    assert len(smtp.mails) == 1
    # The interval passes: the waiting task sends the second mail, and only one.
    AlertState.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=16))
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    _worker()
    assert len(smtp.mails) == 2
    assert DBTaskResult.objects.count() == 1, "finished alert rows of earlier runs are deleted"
    _worker()
    assert len(smtp.mails) == 2


@pytest.mark.django_db(transaction=True)
def test_a_complaint_not_urgent_or_nobody_on_duty_sends_nothing(
    tx_world, smtp, monkeypatch
) -> None:
    submit_complaint(Client(), held_now="yes")  # nobody on duty yet
    assert not DBTaskResult.objects.exists()
    _on_duty(monkeypatch)
    submit_complaint(Client(), held_now="no")
    submit_complaint(Client(), held_now="unknown")
    assert not DBTaskResult.objects.exists()
    _worker()
    assert smtp.mails == []
    assert Complaint.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_without_an_smtp_server_configured_no_alert_is_queued(
    tx_world, smtp, settings, monkeypatch
) -> None:
    _on_duty(monkeypatch)
    settings.OMBUDS_SMTP_HOST = ""
    submit_complaint(Client(), held_now="yes")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refusal_by_the_intake_budget_sends_its_own_empty_mail_to_the_group_and_admins(
    tx_world, smtp, settings, monkeypatch
) -> None:
    _on_duty(monkeypatch)
    run(monkeypatch, "staff", "add", "boss", "--role", "admin", stdin="Kto-storozhit-storozhei\n")
    run(monkeypatch, "staff", "duty", "boss", "--on", "--email", "boss@wg.example.org")
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 0
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, held_now="no", **CANARIES))
    assert r.status_code == 503
    _worker()
    # The working group's and the administrator's on-duty members; not the prosecutor's.
    assert sorted(rcpt[0] for rcpt, _ in smtp.mails) == sorted([ON_DUTY, "boss@wg.example.org"])
    subject, body = _message(AlertKind.REFUSED)
    assert subject != _message(AlertKind.URGENT)[0]
    for _, raw in smtp.mails:
        message = _parsed(raw)
        assert _words(str(message["Subject"])) == _words(subject)
        assert _words(message.get_body().get_content()) == _words(body)
        assert "Vostokgruppa" not in raw.decode("ascii", "replace")


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_away_loses_no_alert_and_fails_no_complaint(
    tx_world, smtp, settings, monkeypatch
) -> None:
    _on_duty(monkeypatch)
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    submit_complaint(Client(), held_now="yes")
    _worker()
    assert Complaint.objects.count() == 1
    state = AlertState.objects.get(kind=AlertKind.URGENT)
    assert state.pending and state.sent_at is None
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after > timezone.now()
    # The server is back; the retry comes due and tells of it.
    settings.EMAIL_PORT = smtp.port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    _worker()
    assert [rcpt for rcpt, _ in smtp.mails] == [[ON_DUTY]]


@pytest.mark.django_db(transaction=True)
def test_the_hourly_housekeeping_forgets_when_the_last_alert_went(
    tx_world, smtp, monkeypatch
) -> None:
    from ombuds.staff.alerts import alerts_tidy

    _on_duty(monkeypatch)
    submit_complaint(Client(), held_now="yes")
    _worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists()
    AlertState.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=16))
    alerts_tidy()
    assert not DBTaskResult.objects.exists()
    assert AlertState.objects.get(kind=AlertKind.URGENT).sent_at is None


@pytest.mark.django_db
def test_the_administrator_puts_a_member_on_duty_on_the_member_page(world, monkeypatch) -> None:
    import html
    import json

    import pyotp

    from ombuds.audit.models import AuditEntry
    from ombuds.staff import services
    from ombuds.staff.models import Role, StaffUser
    from tests.conftest import Persona

    boss = services.staff_create(
        username="boss", password="Kto-storozhit-storozhei", agency=None, role=Role.ADMIN,
        agency_private_key=None,
    )  # fmt: skip
    secret = pyotp.random_base32()
    services.totp_enrol(user=boss, secret=secret)
    admin = Persona("boss", "Kto-storozhit-storozhei", secret, boss).sign_in(Client())
    officer = world.personas["intake_officer"].user
    url = f"/en/staff/admin/staff/{officer.pk}/duty/"

    r = admin.post(url, {"on_duty": "on", "email": ""})
    assert r.status_code == 400
    assert "needs an email address" in html.unescape(r.content.decode())
    r = admin.post(url, {"on_duty": "on", "email": "not an address"})
    assert r.status_code == 400
    assert not StaffUser.objects.get(pk=officer.pk).on_duty

    r = admin.post(url, {"on_duty": "on", "email": ON_DUTY})
    assert r.status_code == 302
    member = StaffUser.objects.get(pk=officer.pk)
    assert member.on_duty and member.email == ON_DUTY
    page = admin.get(f"/en/staff/admin/staff/{officer.pk}/").content.decode()
    assert "on duty" in page and ON_DUTY in page
    assert "on duty" in admin.get("/en/staff/admin/staff/").content.decode()
    line = next(
        x for x in run(monkeypatch, "staff", "list").splitlines() if x.startswith("intake_officer")
    )
    assert f"on duty ({ON_DUTY})" in line
    entry = AuditEntry.objects.filter(subject="staff:intake_officer").order_by("-seq").first()
    assert entry is not None and ON_DUTY not in json.dumps(entry.details)

    # Off duty: the address may stay; no alert goes to it.
    assert admin.post(url, {"email": ON_DUTY}).status_code == 302
    assert not StaffUser.objects.get(pk=officer.pk).on_duty
    assert "is not on duty" in run(monkeypatch, "staff", "duty", "intake_officer", "--off")


@pytest.mark.django_db(transaction=True)
def test_an_alert_whose_task_was_lost_is_queued_again_by_the_housekeeping(
    tx_world, smtp, monkeypatch
) -> None:
    from ombuds.staff.alerts import alerts_tidy

    _on_duty(monkeypatch)
    submit_complaint(Client(), held_now="yes")
    DBTaskResult.objects.all().delete()  # the queue lost it
    submit_complaint(Client(), held_now="yes")
    assert not DBTaskResult.objects.exists(), "pending already: no second task"
    alerts_tidy()
    _worker()
    assert [rcpt for rcpt, _ in smtp.mails] == [[ON_DUTY]]
