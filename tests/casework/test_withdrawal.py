"""Withdrawal reaches into cases (threat model 9: deletion that means it).

When a complaint is added to a case its content is copied in, under a compartment key the
complaint's own keys do not reach. Withdrawing the complaint must delete those copies too:
what was copied from it goes, what staff wrote themselves stays, other complaints' material
stays readable, and the case says (without content) that a source was withdrawn.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush
from ombuds.audit.verification import audit_verify
from ombuds.casework import services
from ombuds.casework.models import (
    Case,
    CaseComplaint,
    CaseKeyGrant,
    CaseRecord,
    CaseRecordVersion,
    Compartment,
    CompartmentSource,
)
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import complaint_get_for_user
from ombuds.intake.services import retention_apply
from tests.casework.helpers import CONSENTS, add_person, case_url, open_case, signed_in
from tests.conftest import submit_complaint
from tests.intake.test_canary import database_text

pytestmark = pytest.mark.django_db

NOTICE = 'id="sources-withdrawn"'


def _file(consent: str, canary: str) -> tuple[Complaint, str]:
    """A complaint whose account and first person carry ``canary``, and its codename."""
    codename = submit_complaint(
        Client(),
        account=f"Account {canary}",
        **CONSENTS[consent],
        **{"person-0-name": f"Person {canary}"},
    )
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint is not None
    return complaint, codename


def _withdraw(codename: str) -> None:
    """The complainant withdraws through the public pages, as a person would."""
    visitor = Client()
    assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    page = visitor.get("/en/return/complaint/").content.decode()
    assert "what was copied from it into the investigation is deleted too" in page
    r = visitor.post("/en/return/withdraw/", {"confirm": "on"})
    assert r.status_code == 200
    assert "so has what was copied from it into an investigation" in r.content.decode()
    # The complainant's audit entries wait outside the chain until their day is over
    # (tests/audit/test_pending.py); then the day ends and they are chained.
    waiting = PendingAuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED)
    assert waiting.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.COMPLAINT_DELETED).exists()
    audit_pending_flush(today=timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1))
    assert not PendingAuditEntry.objects.exists()


def _plaintexts(world: Any, case: Case, agency: str) -> str:
    """Everything in the case that ``agency``'s private key can decrypt, database-wide."""
    keys = case_keys_for_agency(
        case=case,
        agency=world.agencies[agency],
        agency_private_key=world.agency_keys[agency],
    )
    texts = []
    for row in CaseRecord.objects.filter(case=case).select_related("case", "compartment"):
        key = keys.get(row.compartment)
        if key is not None:
            texts.append(crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad).decode())
    return "\n".join(texts)


def test_withdrawal_removes_the_copies_and_keeps_other_complaints_and_staff_work(world) -> None:
    gone, kept = f"GONE-{uuid.uuid4().hex}", f"KEPT-{uuid.uuid4().hex}"
    withdrawn, codename = _file("prosecutor", gone)
    other, _codename = _file("prosecutor", kept)  # same consent: the same compartment
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, withdrawn, other)
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    assert add_person(officer, case, "Staff-coded everyone").status_code == 302
    assert add_person(officer, case, "Staff-coded from it", sources=[withdrawn]).status_code == 302
    shared = Compartment.objects.get(case=case, sources__complaint=withdrawn)
    assert set(shared.sources.values_list("complaint", flat=True)) == {withdrawn.pk, other.pk}
    copied = list(CaseRecord.objects.filter(source_complaint=withdrawn))
    assert sorted(r.kind for r in copied) == ["information", "person"]
    assert CaseRecord.objects.filter(source_complaint=other).count() == 2
    before = CaseRecord.objects.filter(case=case).count()
    for agency in ("working-group", "prosecutor"):
        assert gone in _plaintexts(world, case, agency)

    _withdraw(codename)

    # The copies are gone from the database, ciphertext and all.
    assert not Complaint.objects.filter(pk=withdrawn.pk).exists()
    assert CaseRecord.objects.filter(case=case).count() == before - 2
    assert not CaseRecord.objects.filter(public_id__in=[r.public_id for r in copied]).exists()
    dump = database_text()
    for row in copied:
        assert bytes(row.ciphertext) not in dump
    assert gone.encode() not in dump and kept.encode() not in dump  # never in the clear
    # No holding agency can decrypt any of it; the rest still decrypts.
    for agency in ("working-group", "prosecutor"):
        text = _plaintexts(world, case, agency)
        assert gone not in text
        assert f"Account {kept}" in text and f"Person {kept}" in text
        assert "Staff-coded from it" in text
    assert "Staff-coded everyone" in _plaintexts(world, case, "working-group")
    # The shared compartment stays, with its keys, for the other complaint.
    shared.refresh_from_db()
    assert list(shared.sources.values_list("complaint", flat=True)) == [other.pk]
    assert set(
        CaseKeyGrant.objects.filter(compartment=shared).values_list("agency__slug", flat=True)
    ) == {"working-group", "prosecutor"}
    assert list(CaseComplaint.objects.filter(case=case).values_list("complaint", flat=True)) == [
        other.pk
    ]
    # The case page says a source was withdrawn, and shows nothing of it.
    for persona in ("intake_officer", "prosecutor"):
        page = signed_in(world, persona).get(case_url(case)).content.decode()
        assert NOTICE in page and "1 complaint this case came from was withdrawn" in page
        assert gone not in page and str(withdrawn.public_id)[:8] not in page
        assert f"Account {kept}" in page and "Staff-coded from it" in page
    case.refresh_from_db()
    assert case.sources_withdrawn == 1
    # The case's audit entry: counts, no content, the day only (the complainant acted).
    entry = AuditEntry.objects.get(
        subject=f"case:{case.public_id}", details__change="source_withdrawn"
    )
    assert entry.action == AuditAction.CASE_CHANGED and entry.actor_id is None
    assert entry.details == {
        "change": "source_withdrawn",
        "reason": "withdrawn by the complainant",
        "records_removed": 2,
        "compartments_removed": 0,
    }
    assert entry.created_at.astimezone(dt.UTC).time() == dt.time(0, 0)
    deleted = AuditEntry.objects.get(action=AuditAction.COMPLAINT_DELETED)
    assert deleted.created_at.astimezone(dt.UTC).time() == dt.time(0, 0)
    assert gone not in str(list(AuditEntry.objects.values_list("subject", "details")))
    report = audit_verify(trusted_keys=None)
    assert report.ok, report.problems


def test_a_compartment_left_empty_goes_with_its_keys_in_every_case(world) -> None:
    gone = f"GONE-{uuid.uuid4().hex}"
    withdrawn, codename = _file("prosecutor", gone)
    other, _codename = _file("none", f"KEPT-{uuid.uuid4().hex}")
    officer = signed_in(world, "intake_officer")
    first = open_case(officer, withdrawn, other)
    second = open_case(officer, withdrawn)
    emptied = [
        Compartment.objects.get(case=c, sources__complaint=withdrawn) for c in (first, second)
    ]
    assert all(CaseKeyGrant.objects.filter(compartment=c).exists() for c in emptied)

    _withdraw(codename)

    assert not Compartment.objects.filter(pk__in=[c.pk for c in emptied]).exists()
    assert not CaseKeyGrant.objects.filter(compartment_id__in=[c.pk for c in emptied]).exists()
    assert not CompartmentSource.objects.filter(compartment_id__in=[c.pk for c in emptied]).exists()
    for case in (first, second):
        case.refresh_from_db()
        assert case.sources_withdrawn == 1
        # The compartment of staff material stays, empty or not.
        assert Compartment.objects.filter(case=case, everyone=True).exists()
        page = officer.get(case_url(case)).content.decode()
        assert NOTICE in page and gone not in page
        entry = AuditEntry.objects.get(
            subject=f"case:{case.public_id}", details__change="source_withdrawn"
        )
        assert entry.details["compartments_removed"] == 1
    assert Compartment.objects.filter(case=first, sources__complaint=other).exists()
    assert audit_verify(trusted_keys=None).ok


def test_staff_records_filed_under_a_withdrawn_complaint_stay_readable(world) -> None:
    withdrawn, codename = _file("prosecutor", f"GONE-{uuid.uuid4().hex}")
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, withdrawn)
    assert add_person(officer, case, "Staff-coded from it", sources=[withdrawn]).status_code == 302
    compartment = Compartment.objects.get(case=case, sources__complaint=withdrawn)

    _withdraw(codename)

    # It still holds staff work, so it stays, with its keys, though it has no source now.
    assert Compartment.objects.filter(pk=compartment.pk).exists()
    assert not CompartmentSource.objects.filter(compartment=compartment).exists()
    assert CaseKeyGrant.objects.filter(compartment=compartment).exists()
    assert list(CaseRecord.objects.filter(case=case).values_list("kind", "source_complaint")) == [
        ("person", None)
    ]
    assert "Staff-coded from it" in _plaintexts(world, case, "working-group")
    page = officer.get(case_url(case)).content.decode()
    assert NOTICE in page and "Staff-coded from it" in page


def test_a_complaint_withdrawn_while_being_added_to_a_case_is_refused_plainly(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, _file("none", "first")[0])
    withdrawn, codename = _file("none", f"GONE-{uuid.uuid4().hex}")
    user = world.personas["intake_officer"].user
    # The staff member read it just before the complainant withdrew it.
    complaint, view, _key = complaint_get_for_user(
        user=user,
        public_id=withdrawn.public_id,
        agency_private_key=world.agency_keys["working-group"],
    )
    keys = case_keys_for_agency(
        case=case,
        agency=user.agency,
        agency_private_key=world.agency_keys["working-group"],
    )
    _withdraw(codename)
    with pytest.raises(services.CaseworkError, match="withdrawn by its complainant"):
        services.case_add_complaint(user=user, case=case, keys=keys, complaint=complaint, view=view)
    assert CaseRecord.objects.filter(case=case).count() == 2


def test_retention_never_deletes_a_complaint_a_case_holds(world) -> None:
    complaint, _codename = _file("none", "held")
    open_case(signed_in(world, "intake_officer"), complaint)
    later = dt.date.today() + dt.timedelta(days=20 * 365)
    report = retention_apply(today=later)
    assert report.complaints_deleted == 0
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    assert CaseRecord.objects.filter(source_complaint=complaint).count() == 2


def test_withdrawal_deletes_the_earlier_versions_of_edited_copies_too(world) -> None:
    """An edit keeps the earlier text (docs/access.md); withdrawal still deletes everything
    copied from the complaint, each earlier version included, ciphertext and all."""
    gone = f"GONE-{uuid.uuid4().hex}"
    withdrawn, codename = _file("prosecutor", gone)
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, withdrawn)
    copy = CaseRecord.objects.get(source_complaint=withdrawn, kind="person")
    r = officer.post(
        case_url(case, f"records/{copy.public_id}/edit/"),
        {
            "person-name": f"Corrected {gone}",
            "person-sex": "m",
            "person-birth_precision": "unknown",
            "person-age": "28",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    versions = list(CaseRecordVersion.objects.filter(record=copy))
    assert len(versions) == 1
    history = officer.get(case_url(case, f"records/{copy.public_id}/history/")).content.decode()
    assert f"Person {gone}" in history and f"Corrected {gone}" in history

    _withdraw(codename)

    assert not CaseRecord.objects.filter(pk=copy.pk).exists()
    assert not CaseRecordVersion.objects.exists()
    dump = database_text()
    for version in versions:
        assert bytes(version.ciphertext) not in dump
    assert gone.encode() not in dump
