"""The audit log keeps no exact time of what a complainant did (threat model 1, A2 with A1).

Complaints carry their day of arrival only, and the complainant's custody steps the day only
(docs/evidence.md): an exact time, with a network operator's records of who connected when,
would name the sender. The audit entries of the same actions must not give that time back,
neither in their stamp nor by their place in the chain (tests/audit/test_pending.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush
from ombuds.audit.verification import audit_verify
from tests.conftest import fresh_form
from tests.evidence.conftest import http_upload, jpeg_with_gps

pytestmark = pytest.mark.django_db

PUBLIC_ACTIONS = {
    AuditAction.COMPLAINT_SUBMITTED,
    AuditAction.COMPLAINANT_FOLLOWED_UP,
    AuditAction.EVIDENCE_ADDED,
    AuditAction.COMPLAINT_DELETED,
}


def test_audit_entries_of_the_public_side_carry_the_day_only(world) -> None:
    client = Client()
    data = fresh_form(client)
    data["file"] = http_upload(jpeg_with_gps(), "street.jpg")
    page = client.post("/en/complaint/", data).content.decode()
    codename = " ".join(
        w.split("</span>")[0] for w in page.split('id="codename">')[1].split("<span>")[1:]
    )
    assert client.post("/en/return/", {"codename": codename}).status_code == 302
    assert client.post("/en/return/complaint/", {"text": "More news."}).status_code == 302
    files = {"file": http_upload(jpeg_with_gps(), "second.jpg")}
    assert client.post("/en/return/complaint/files/", files).status_code == 302
    assert client.post("/en/return/withdraw/", {"confirm": "on"}).status_code == 200
    # Until the day is over they wait outside the chain, with their day and no actor.
    assert not AuditEntry.objects.filter(action__in=PUBLIC_ACTIONS).exists()
    today = timezone.now().astimezone(dt.UTC).date()
    waiting = list(PendingAuditEntry.objects.all())
    assert {e.action for e in waiting} == PUBLIC_ACTIONS
    assert {e.day for e in waiting} == {today}

    audit_pending_flush(today=today + dt.timedelta(days=1))
    public = [e for e in AuditEntry.objects.filter(actor_id=None, action__in=PUBLIC_ACTIONS)]
    assert {e.action for e in public} == PUBLIC_ACTIONS
    assert len(public) == len(waiting)
    for entry in public:
        assert entry.created_at.astimezone(dt.UTC).time() == dt.time(0, 0), entry.action
        assert entry.created_at.astimezone(dt.UTC).date() == today
        assert entry.actor_username == "" and entry.agency_id is None
    assert not PendingAuditEntry.objects.exists()
    assert audit_verify().ok
