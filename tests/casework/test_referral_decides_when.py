"""Consent bounds what may be shared with an assisting agency; the working group's referral
decides when (threat model 4, docs/access.md). Checked with the agencies' private keys against
every sealed copy of the complaint's data key, and through HTTP."""

from __future__ import annotations

import pytest
from django.db import transaction

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.intake.models import Complaint, ComplaintConsent, ComplaintKeyGrant
from ombuds.intake.services import complaint_shred
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in

pytestmark = pytest.mark.django_db

ACCOUNT = "Detained at the checkpoint; the prosecutor may read this once it is referred."


def _opens(world, agency: str, complaint: Complaint) -> bool:
    """Whether ``agency``'s private key opens any sealed copy of the complaint's data key."""
    private_key = world.agency_keys[agency]
    for grant in ComplaintKeyGrant.objects.filter(complaint=complaint):
        try:
            data_key = crypto.unseal_data_key(private_key, bytes(grant.sealed_data_key))
        except crypto.DecryptionFailed:
            continue
        plain = crypto.decrypt(data_key, bytes(complaint.ciphertext), aad=complaint.aad)
        assert ACCOUNT.encode() in plain
        return True
    return False


def _refer(world, complaint: Complaint, agency: str) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, complaint)
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies[agency].pk})
    assert r.status_code == 302


def test_before_referral_the_prosecutors_key_opens_nothing_of_a_consented_complaint(world) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    assert _opens(world, "working-group", complaint)
    assert not _opens(world, "prosecutor", complaint)


def test_before_referral_the_prosecutors_inbox_does_not_list_a_consented_complaint(world) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    prosecutor = signed_in(world, "prosecutor")
    assert str(complaint.public_id) not in prosecutor.get("/en/staff/").content.decode()
    assert prosecutor.get(f"/en/staff/complaints/{complaint.public_id}/").status_code == 404


def test_after_referral_the_prosecutor_reads_a_consented_complaint(world) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    _refer(world, complaint, "prosecutor")
    assert _opens(world, "prosecutor", complaint)
    prosecutor = signed_in(world, "prosecutor")
    assert str(complaint.public_id) in prosecutor.get("/en/staff/").content.decode()
    page = prosecutor.get(f"/en/staff/complaints/{complaint.public_id}/")
    assert page.status_code == 200 and ACCOUNT in page.content.decode()


def test_the_share_on_referral_is_audited(world) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    _refer(world, complaint, "prosecutor")
    entry = AuditEntry.objects.get(
        action=AuditAction.KEY_GRANTED, subject=f"complaint:{complaint.public_id}"
    )
    assert entry.details["agency"] == "prosecutor"


@pytest.mark.parametrize("referred_to", ["prosecutor", "interior"])
def test_an_agency_without_consent_never_opens_the_complaint_whatever_the_referral(
    world, referred_to: str
) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    _refer(world, complaint, referred_to)
    assert not _opens(world, "interior", complaint)
    liaison = signed_in(world, "liaison")
    assert liaison.get(f"/en/staff/complaints/{complaint.public_id}/").status_code == 404


def test_withdrawal_after_referral_destroys_every_copy_of_the_key(world) -> None:
    complaint = file_complaint("prosecutor", account=ACCOUNT)
    _refer(world, complaint, "prosecutor")
    assert _opens(world, "prosecutor", complaint)
    with transaction.atomic():
        complaint_shred(complaint=complaint, reason="withdrawn by the complainant")
    assert not ComplaintKeyGrant.objects.filter(complaint_id=complaint.pk).exists()
    assert not ComplaintConsent.objects.filter(complaint_id=complaint.pk).exists()
    assert not Complaint.objects.filter(pk=complaint.pk).exists()
