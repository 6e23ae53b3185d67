"""The operator's journey, by the README's production steps (runs on SQLite and PostgreSQL).

migrate → init → agencies → an administrator and members → a complaint → a member leaves →
they cannot sign in, and with their old password and a copy of the database open nothing
filed afterwards → another member's password and second factor are reset → the audit log
has every step and verifies.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.intake.models import ComplaintKeyGrant
from ombuds.staff.models import Agency, AgencyKeyGrant, AgencyPastKeyGrant, StaffUser
from tests.casework.helpers import case_url, open_case
from tests.conftest import submit_complaint

from .helpers import enrol_and_sign_in, latest_complaint, run, sign_in_refused

pytestmark = pytest.mark.django_db

PASSWORDS = {
    "admin": "Kto-storozhit-storozhei",
    "intake": "Gory-Kavkaza-v-tumane",
    "pros1": "Reka-Argun-techet-bystro",
    "pros2": "Vesennii-dozhd-nad-Terekom",
}


@pytest.fixture(autouse=True)
def own_signing_key(settings: Any, tmp_path: Path) -> None:
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")


def test_the_operators_journey_from_a_fresh_install(monkeypatch, tmp_path) -> None:
    # Production steps (README): migrate, init; the escrow key goes offline (here, a file).
    call_command("migrate", verbosity=0)
    escrow_file = tmp_path / "escrow.key"
    call_command("init", escrow_key_out=str(escrow_file), stdout=io.StringIO())
    assert "prosecutor" in run(monkeypatch, "agency", "list")

    # An administrator, and members: the first of each agency with the escrow key, the next
    # granted by a colleague.
    run(monkeypatch, "staff", "add", "admin", "--role", "admin", stdin=PASSWORDS["admin"] + "\n")
    for name, agency, role in (("intake", "working-group", "intake_officer"),
                               ("pros1", "prosecutor", "investigator")):  # fmt: skip
        run(
            monkeypatch, "staff", "add", name, "--agency", agency, "--role", role,
            "--escrow-key-file", str(escrow_file), stdin=PASSWORDS[name] + "\n",
        )  # fmt: skip
    run(
        monkeypatch, "staff", "add", "pros2", "--agency", "prosecutor", "--role", "investigator",
        "--granted-by", "pros1", stdin=f"{PASSWORDS['pros2']}\n{PASSWORDS['pros1']}\n",
    )  # fmt: skip
    pros1_client, _ = enrol_and_sign_in("pros1", PASSWORDS["pros1"])

    # A complaint its complainant allowed the prosecutor's office to see; the working group
    # opens a case from it and refers the case there, and only then does the office read it.
    submit_complaint(Client(), "ru", consent_prosecutor="on", account="Забрали брата ночью.")
    before = latest_complaint()
    assert pros1_client.get(f"/en/staff/complaints/{before.public_id}/").status_code == 404
    intake_client, _ = enrol_and_sign_in("intake", PASSWORDS["intake"])
    prosecutor_pk = Agency.objects.get(slug="prosecutor").pk

    def refer(complaint: Any) -> None:
        case = open_case(intake_client, complaint)
        r = intake_client.post(case_url(case, "refer/"), {"agency": prosecutor_pk})
        assert r.status_code == 302

    refer(before)
    assert pros1_client.get(f"/en/staff/complaints/{before.public_id}/").status_code == 200

    # What pros1 takes with them: their password, and the agency key as it was.
    pros1 = StaffUser.objects.get(username="pros1")
    pros1_key = crypto.unlock_private_key(pros1.protected_key(), PASSWORDS["pros1"])
    old_agency_key = crypto.unseal_private_key(
        pros1_key, bytes(AgencyKeyGrant.objects.get(user=pros1).sealed_private_key)
    )

    # pros1 leaves, on the administrator's page.
    admin_client, _ = enrol_and_sign_in("admin", PASSWORDS["admin"])
    r = admin_client.post(f"/en/staff/admin/staff/{pros1.pk}/deactivate/")
    assert r.status_code == 302
    assert "DEACTIVATED" in next(
        line for line in run(monkeypatch, "staff", "list").splitlines() if line.startswith("pros1")
    )
    assert sign_in_refused("pros1", PASSWORDS["pros1"])
    assert pros1_client.get(f"/en/staff/complaints/{before.public_id}/").status_code == 302

    # A complaint filed afterwards; then a copy of the database.
    submit_complaint(Client(), "ru", consent_prosecutor="on", account="Угрожали семье.")
    after = latest_complaint()
    refer(after)
    copy = {
        "agency_grants": [bytes(g.sealed_private_key) for g in AgencyKeyGrant.objects.all()],
        "past_grants": [bytes(g.sealed_private_key) for g in AgencyPastKeyGrant.objects.all()],
        "complaint_grants": [
            bytes(g.sealed_data_key) for g in ComplaintKeyGrant.objects.filter(complaint=after)
        ],
    }
    for sealed in copy["agency_grants"] + copy["past_grants"]:
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal(pros1_key, sealed)
    for sealed in copy["complaint_grants"]:
        for key in (pros1_key, old_agency_key):
            with pytest.raises(crypto.DecryptionFailed):
                crypto.unseal(key, sealed)

    # pros2 forgot their password: a reset with the escrow key keeps their keys; a fresh
    # second factor is enrolled at the next sign-in.
    run(
        monkeypatch, "staff", "reset", "pros2", "--escrow-key-file", str(escrow_file),
        stdin="Novyi-parol-posle-sbrosa\n",
    )  # fmt: skip
    assert sign_in_refused("pros2", PASSWORDS["pros2"])
    pros2_client, _ = enrol_and_sign_in("pros2", "Novyi-parol-posle-sbrosa")
    for complaint, text in ((before, "Забрали брата ночью."), (after, "Угрожали семье.")):
        r = pros2_client.get(f"/en/staff/complaints/{complaint.public_id}/")
        assert r.status_code == 200 and text in r.content.decode()

    # Every step is in the audit log, and the log verifies.
    steps = [
        (AuditAction.INSTALL_INITIALISED, ""),
        (AuditAction.KEY_CREATED, "agency:prosecutor"),
        (AuditAction.STAFF_CREATED, "staff:admin"),
        (AuditAction.STAFF_CREATED, "staff:pros2"),
        (AuditAction.KEY_GRANTED, "staff:pros2"),
        (AuditAction.STAFF_DEACTIVATED, "staff:pros1"),
        (AuditAction.KEY_REVOKED, "staff:pros1"),
        (AuditAction.KEY_RECOVERED, "staff:pros2"),
        (AuditAction.PASSWORD_CHANGED, "staff:pros2"),
        (AuditAction.TOTP_ENROLLED, ""),
    ]
    for action, subject in steps:
        entries = AuditEntry.objects.filter(action=action)
        if subject:
            entries = entries.filter(subject=subject)
        assert entries.exists(), (action, subject)
    rotations = AuditEntry.objects.filter(
        action=AuditAction.KEY_CREATED, subject="agency:prosecutor"
    )
    assert rotations.count() == 2, "created, then rotated when pros1 left"
    call_command("audit", "flush", stdout=io.StringIO())
    call_command("audit", "verify", stdout=io.StringIO())
    assert re.search(r"ok|verified|intact", _verify_output(), re.I)


def _verify_output() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()
