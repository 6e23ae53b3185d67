"""The demo data: two cases with records, one referred with material withheld."""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds import crypto
from ombuds.casework.demo import demo_cases
from ombuds.casework.models import Case, CaseRecord, CaseStatus
from ombuds.casework.selectors import case_keys_for_agency, decrypt_case
from ombuds.staff.models import Agency

pytestmark = pytest.mark.django_db


def _demo_agency_keys() -> dict[str, crypto.PrivateKey]:
    from ombuds.staff.demo import demo_install, escrow_key_path

    assert demo_install().created
    escrow = crypto.PrivateKey(bytes.fromhex(Path(escrow_key_path()).read_text()))
    return {
        a.slug: crypto.unseal_private_key(escrow, bytes(a.escrow_wrapped))
        for a in Agency.objects.all()
    }


def test_demo_cases_have_records_and_withhold_what_was_not_consented(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    keys = _demo_agency_keys()
    if Case.objects.exists():  # staff/demo.py may already call demo_cases
        cases = list(Case.objects.order_by("pk"))
    else:
        cases = demo_cases(agency_keys=keys)
    assert len(cases) == 2
    assert demo_cases(agency_keys=keys) == [], "a second run changes nothing"
    first, second = cases
    assert first.status == CaseStatus.REFERRED
    for case in cases:
        kinds = set(CaseRecord.objects.filter(case=case).values_list("kind", flat=True))
        assert {"person", "event", "act", "information"} <= kinds
    prosecutor = Agency.objects.get(slug="prosecutor")
    view = decrypt_case(
        case=first,
        keys=case_keys_for_agency(
            case=first, agency=prosecutor, agency_private_key=keys["prosecutor"]
        ),
    )
    assert view.withheld_here, "the Grozny witness did not consent to the prosecutor"
    readable = [r for c in view.compartments for r in c.records]
    assert any(getattr(r.record, "name", "") == "Магомед Д." for r in readable)
    interior = Agency.objects.get(slug="interior")
    view = decrypt_case(
        case=second,
        keys=case_keys_for_agency(
            case=second, agency=interior, agency_private_key=keys["interior"]
        ),
    )
    assert not view.withheld_here


def test_demo_evidence_is_a_photo_whose_working_copy_lacks_gps(settings, tmp_path) -> None:
    import io

    from PIL import Image

    from ombuds.evidence.models import CustodyStep, EvidenceItem, FileRole
    from ombuds.evidence.services import evidence_download
    from ombuds.staff.models import StaffUser

    settings.DATA_DIR = tmp_path
    keys = _demo_agency_keys()
    if not Case.objects.exists():
        demo_cases(agency_keys=keys)
    first = Case.objects.order_by("pk").first()
    item = EvidenceItem.objects.get(case=first)
    assert item.complaint is None and item.compartment is not None
    assert EvidenceItem.objects.filter(complaint__isnull=False, by_complainant=True).count() == 1
    prosecutor = Agency.objects.get(slug="prosecutor")
    case_keys = case_keys_for_agency(
        case=first, agency=prosecutor, agency_private_key=keys["prosecutor"]
    )
    key = case_keys.get(item.compartment)
    assert key is not None, "the staff photo is shared with the prosecutor's office"
    assert item.custody.filter(step=CustodyStep.TRANSFERRED).count() == 1
    user = StaffUser.objects.get(username="prosecutor")
    working = evidence_download(user=user, item=item, data_key=key, role=FileRole.WORKING)
    original = evidence_download(user=user, item=item, data_key=key, role=FileRole.ORIGINAL)
    assert 0x8825 in Image.open(io.BytesIO(original.data)).getexif(), "the original has GPS"
    assert dict(Image.open(io.BytesIO(working.data)).getexif()) == {}
