"""`ombuds demo` builds a usable demo install, and running it twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ombuds.audit.models import AuditEntry
from ombuds.evidence.models import CustodyEntry, EvidenceItem
from ombuds.intake.models import Complaint
from ombuds.staff.demo import STAFF, demo_code
from ombuds.staff.models import Agency, StaffUser

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_install_is_complete_and_idempotent() -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "demo complaint codename" in out.getvalue()
    counts = (
        Agency.objects.count(),
        StaffUser.objects.count(),
        Complaint.objects.count(),
        AuditEntry.objects.count(),
        EvidenceItem.objects.count(),
        CustodyEntry.objects.count(),
    )
    assert counts[:3] == (3, len(STAFF), 3)
    assert EvidenceItem.objects.filter(complaint__isnull=False).count() == 1
    assert EvidenceItem.objects.filter(case__isnull=False).count() == 1
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert counts == (
        Agency.objects.count(),
        StaffUser.objects.count(),
        Complaint.objects.count(),
        AuditEntry.objects.count(),
        EvidenceItem.objects.count(),
        CustodyEntry.objects.count(),
    )
    assert demo_code("intake").isdigit()
    from ombuds.casework.models import Case

    assert Case.objects.count() >= 2
