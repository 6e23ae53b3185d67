"""A public-side entry's place in the chain says its day and nothing more.

What a complainant does is written with the day only; written straight into the chain, its
``seq`` would sit between two staff entries with exact times and date it to the minute. So it
waits in ``PendingAuditEntry`` until its day is over, and then enters the chain among that
day's others in random order (``audit_pending_flush``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from ombuds.audit import signing
from ombuds.audit.models import AuditAction, AuditCheckpoint, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush, audit_record
from ombuds.audit.verification import audit_verify
from ombuds.evidence import services as evidence_services
from ombuds.evidence.models import EvidenceFile, FileRole
from ombuds.evidence.verification import evidence_verify
from tests.conftest import submit_complaint
from tests.evidence.conftest import file_complaint, jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """The server's clock reads ``at``."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _verified() -> bool:
    key = signing.public_key_hex(signing.load_signing_key().verify_key)
    report = audit_verify(trusted_keys={key})
    assert report.ok, report.problems
    return True


def test_a_complaint_between_two_staff_actions_is_chained_after_the_day_at_its_start(
    world: Any,
) -> None:
    officer = world.personas["intake_officer"].user
    before = audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="case:a")
    submit_complaint(Client())
    after = audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="case:b")
    day = before.created_at.astimezone(dt.UTC).date()

    # During the day the submission is not in the chain: nothing sits between the two.
    assert after.seq == before.seq + 1
    assert not AuditEntry.objects.filter(action=AuditAction.COMPLAINT_SUBMITTED).exists()
    pending = PendingAuditEntry.objects.get()
    assert (pending.action, pending.day) == (AuditAction.COMPLAINT_SUBMITTED, day)

    # The next staff action on a later day chains it first, dated its day only.
    with _clock(_midnight(day) + dt.timedelta(days=1, hours=9, minutes=14)):
        next_day = audit_record(action=AuditAction.SIGN_IN, actor=officer)
    submitted = AuditEntry.objects.get(action=AuditAction.COMPLAINT_SUBMITTED)
    assert before.seq < after.seq < submitted.seq < next_day.seq
    assert submitted.created_at == _midnight(day)
    assert submitted.subject == pending.subject and submitted.details == pending.details
    assert submitted.actor_id is None and submitted.agency_id is None
    assert submitted.actor_username == ""
    assert not PendingAuditEntry.objects.exists()
    assert _verified()


def test_the_flush_command_on_a_later_day_chains_the_day(
    world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    officer = world.personas["intake_officer"].user
    first = audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="case:a")
    submit_complaint(Client())
    second = audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="case:b")
    day = first.created_at.astimezone(dt.UTC).date()
    capsys.readouterr()

    call_command("audit", "flush")  # today: nothing to do yet
    assert capsys.readouterr().out.startswith("0 ")
    assert PendingAuditEntry.objects.count() == 1

    with _clock(_midnight(day) + dt.timedelta(days=1, seconds=1)):
        call_command("audit", "flush")
    assert capsys.readouterr().out.startswith("1 public-side entries")
    submitted = AuditEntry.objects.get(action=AuditAction.COMPLAINT_SUBMITTED)
    assert submitted.seq > second.seq > first.seq
    assert submitted.seq == AuditEntry.objects.order_by("-seq").first().seq  # type: ignore[union-attr]
    assert submitted.created_at == _midnight(day)
    assert not PendingAuditEntry.objects.exists()
    assert _verified()


def test_twenty_entries_of_a_day_are_chained_once_each_in_a_random_order(world: Any) -> None:
    for n in range(20):
        audit_record(
            action=AuditAction.COMPLAINT_SUBMITTED,
            subject=f"complaint:{n:04d}",
            details={"n": n},
            day_only=True,
        )
    today = _today()
    assert audit_pending_flush(today=today + dt.timedelta(days=1)) == 20
    chained = list(AuditEntry.objects.filter(action=AuditAction.COMPLAINT_SUBMITTED))
    order = [entry.details["n"] for entry in chained]
    assert sorted(order) == list(range(20))  # each once
    assert order != list(range(20))  # not the order they came in (chance 1/20! of a fail)
    assert [entry.seq for entry in chained] == list(
        range(chained[0].seq, chained[0].seq + 20)
    )  # one after the other
    assert {entry.created_at for entry in chained} == {_midnight(today)}
    assert not PendingAuditEntry.objects.exists()
    assert _verified()


def test_earlier_days_come_first_and_todays_entries_wait(world: Any) -> None:
    today = _today()
    for back, count in ((1, 3), (3, 4)):
        PendingAuditEntry.objects.bulk_create(
            PendingAuditEntry(
                day=today - dt.timedelta(days=back),
                action=AuditAction.COMPLAINANT_FOLLOWED_UP,
                subject=f"complaint:{back}-{i}",
            )
            for i in range(count)
        )
    audit_record(action=AuditAction.COMPLAINANT_FOLLOWED_UP, subject="complaint:now", day_only=True)

    assert audit_pending_flush() == 7
    chained = list(AuditEntry.objects.filter(action=AuditAction.COMPLAINANT_FOLLOWED_UP))
    assert [e.created_at for e in chained] == [_midnight(today - dt.timedelta(days=3))] * 4 + [
        _midnight(today - dt.timedelta(days=1))
    ] * 3
    assert list(PendingAuditEntry.objects.values_list("subject", "day")) == [
        ("complaint:now", today)
    ]
    # Idempotent: nothing more is due today, and the chain does not move.
    count, head = AuditEntry.objects.count(), AuditEntry.objects.order_by("-seq").first()
    assert audit_pending_flush() == 0
    audit_record(action=AuditAction.SIGN_IN, actor=world.personas["auditor"].user)
    assert AuditEntry.objects.count() == count + 1
    assert AuditEntry.objects.filter(seq__lte=head.seq).count() == count  # type: ignore[union-attr]
    assert PendingAuditEntry.objects.count() == 1
    assert audit_pending_flush(today=today + dt.timedelta(days=1)) == 1
    assert audit_pending_flush(today=today + dt.timedelta(days=1)) == 0
    assert _verified()


def test_checkpoints_cover_the_chained_entries(world: Any, settings: Any) -> None:
    settings.OMBUDS_AUDIT_CHECKPOINT_EVERY = 5
    for n in range(12):
        audit_record(action=AuditAction.EVIDENCE_ADDED, subject=f"evidence:{n}", day_only=True)
    start = AuditEntry.objects.count()
    assert audit_pending_flush(today=_today() + dt.timedelta(days=1)) == 12
    signed = set(AuditCheckpoint.objects.values_list("seq", flat=True))
    assert {s for s in range(start + 1, start + 13) if s % 5 == 0} <= signed
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert _verified()


def test_verify_chains_the_earlier_days_first(
    world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    PendingAuditEntry.objects.create(
        day=_today() - dt.timedelta(days=1), action=AuditAction.COMPLAINT_SUBMITTED, subject="c:1"
    )
    audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject="c:2", day_only=True)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "audit log intact" in out
    assert "1 public-side entries of today wait to be chained" in out
    assert AuditEntry.objects.filter(subject="c:1").exists()
    assert list(PendingAuditEntry.objects.values_list("subject", flat=True)) == ["c:2"]


def test_a_public_side_entry_carries_no_actor_and_no_time(world: Any) -> None:
    officer = world.personas["intake_officer"].user
    with pytest.raises(ValueError, match="no actor"):
        audit_record(action=AuditAction.COMPLAINT_SUBMITTED, actor=officer, day_only=True)
    with pytest.raises(ValueError):
        audit_record(action=AuditAction.COMPLAINT_SUBMITTED, details={"ip": "x"}, day_only=True)
    assert not PendingAuditEntry.objects.exists()
    columns = {f.name for f in PendingAuditEntry._meta.get_fields()}
    assert columns == {"id", "day", "action", "subject", "details"}


def test_a_staff_append_still_costs_three_statements_while_todays_entries_wait(
    world: Any, django_assert_num_queries: Any
) -> None:
    audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject="complaint:x", day_only=True)
    officer = world.personas["intake_officer"].user
    audit_record(action=AuditAction.SIGN_IN, actor=officer)
    with transaction.atomic(), django_assert_num_queries(3):
        audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="complaint:x")


def test_a_complainants_file_verifies_before_and_after_its_day_and_tampering_shows(
    world: Any,
) -> None:
    complaint, data_key, _ = file_complaint()
    item = evidence_services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=upload(jpeg_with_gps(), "IMG_0002.jpg"),
        by_complainant=True,
    )
    assert evidence_verify().ok  # its recorded hashes are found among the pending entries
    assert audit_pending_flush(today=_today() + dt.timedelta(days=1)) > 0
    assert evidence_verify().ok  # and then in the chain
    original = EvidenceFile.objects.get(item=item, role=FileRole.ORIGINAL)
    data = bytearray(bytes(original.ciphertext))
    data[len(data) // 2] ^= 0x01
    EvidenceFile.objects.filter(pk=original.pk).update(
        ciphertext=bytes(data), ciphertext_sha256=evidence_services.sha256_hex(bytes(data))
    )
    assert evidence_verify().problems == [
        f"evidence {item.public_id} original: recorded hash differs from the audit log"
    ]


@pytest.mark.urls("tests.audit.urls")
def test_the_auditor_sees_how_many_entries_wait_by_day_only(world: Any) -> None:
    for n in range(3):
        audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject=f"c:{n}", day_only=True)
    auditor = world.client_for("auditor")
    page = auditor.get("/en/staff/audit/").content.decode()
    assert "Not yet chained (today's public-side entries)" in page
    assert f"{_today():%Y-%m-%d}</time>: 3 entries" in page
    assert "c:1" not in page  # counts only: the pending rows' order is not shown
    ru = auditor.get("/ru/staff/audit/").content.decode()
    assert "Ещё не в цепочке" in ru and "Not yet chained" not in ru
