"""Withdrawal by the complainant and retention by crypto-shredding (threat model 9)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush
from ombuds.intake.models import Complaint, ComplaintKeyGrant, Message
from ombuds.intake.services import retention_apply
from tests.conftest import share_complaint, submit_complaint

pytestmark = pytest.mark.django_db


def test_complainant_withdraws_and_nothing_of_the_complaint_remains(world) -> None:
    codename = submit_complaint(Client())
    visitor = Client()
    visitor.post("/en/return/", {"codename": codename})
    visitor.post("/en/return/complaint/", {"text": "more"})
    r = visitor.post("/en/return/withdraw/", {})
    assert r.status_code == 400 and Complaint.objects.count() == 1, "needs the confirmation"
    r = visitor.post("/en/return/withdraw/", {"confirm": "on"})
    assert r.status_code == 200 and b"withdrawn" in r.content
    assert not Complaint.objects.exists()
    assert not ComplaintKeyGrant.objects.exists() and not Message.objects.exists()
    # The complainant's entry waits outside the chain until the day is over (its place there
    # would date it), then enters it dated the day only.
    assert not AuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED).exists()
    pending = PendingAuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED).get()
    assert pending.details["reason"] == "withdrawn by the complainant"
    audit_pending_flush(today=pending.day + datetime.timedelta(days=1))
    entry = AuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED).get()
    assert entry.details["reason"] == "withdrawn by the complainant"
    assert entry.actor_id is None and entry.created_at.time() == datetime.time(0, 0)
    r = Client().post("/en/return/", {"codename": codename})
    assert b"could not find" in r.content


def test_retention_destroys_each_agency_key_after_its_period_then_the_complaint(world) -> None:
    submit_complaint(Client(), consent_prosecutor="on")
    complaint = Complaint.objects.get()
    share_complaint(world, complaint, "prosecutor")
    wg, prosecutor = world.agencies["working-group"], world.agencies["prosecutor"]
    wg.retention_days, prosecutor.retention_days = 365, 30
    wg.save()
    prosecutor.save()
    today = timezone.localdate()

    report = retention_apply(today=today + datetime.timedelta(days=31))
    assert report.grants_destroyed == 1 and report.complaints_deleted == 0
    assert set(complaint.key_grants.values_list("agency__slug", flat=True)) == {"working-group"}
    prosecutor_client = world.client_for("prosecutor")
    assert prosecutor_client.get(f"/en/staff/complaints/{complaint.public_id}/").status_code == 404

    report = retention_apply(today=today + datetime.timedelta(days=366))
    assert report.complaints_deleted == 1
    assert not Complaint.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.KEY_REVOKED).count() == 2


def test_retention_leaves_recent_complaints_alone(world) -> None:
    submit_complaint(Client())
    assert retention_apply() == retention_apply()
    assert Complaint.objects.count() == 1
