"""Case evidence that comes from complainants: the attach form's "sources" choice.

A case opened by the working group from three complaints: one whose complainant consented to
the prosecutor only, one to the prosecutor and the interior ministry, one to nobody else. The
officer attaches a relative's photo marked as coming from the first complaint, and a site plan
with no source (staff material). Then the case is referred to the prosecutor's office and to
the interior ministry.

| persona                   | staff file | photo from the prosecutor-only complaint |
|---------------------------|------------|------------------------------------------|
| intake officer            | 200        | 200                                      |
| prosecutor (consented)    | 200        | 200                                      |
| interior liaison (not)    | 200        | 404, counted as withheld                 |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from ombuds import crypto
from ombuds.casework.models import Case, CaseKeyGrant
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.casework.services import CaseworkError
from ombuds.evidence import services
from ombuds.evidence.models import CustodyEntry, CustodyStep, EvidenceItem
from ombuds.intake.models import Complaint
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in

from .conftest import http_upload, jpeg_with_gps, pdf, upload

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    case: Case
    prosecutor_only: Complaint
    both: Complaint
    private: Complaint
    outside: Complaint
    staff: EvidenceItem
    bound: EvidenceItem


def _list(case: Case) -> str:
    return f"/en/staff/evidence/cases/{case.public_id}/"


def _detail(item: EvidenceItem) -> str:
    return f"/en/staff/evidence/items/{item.public_id}/"


def _download(item: EvidenceItem) -> str:
    return f"/en/staff/evidence/items/{item.public_id}/working/"


def _keys(world: Any, case: Case, slug: str) -> Any:
    return case_keys_for_agency(
        case=case, agency=world.agencies[slug], agency_private_key=world.agency_keys[slug]
    )


@pytest.fixture
def setup(world: Any) -> Setup:
    officer = signed_in(world, "intake_officer")
    prosecutor_only = file_complaint("prosecutor")
    both = file_complaint("both")
    private = file_complaint("none")
    outside = file_complaint("both")  # of no case
    case = open_case(officer, prosecutor_only, both, private)
    r = officer.post(
        _list(case),
        {
            "file": http_upload(jpeg_with_gps(), "relative-photo.jpg"),
            "sources": [str(prosecutor_only.public_id)],
        },
    )
    assert r.status_code == 302, r.content[:3000]
    bound = EvidenceItem.objects.get(case=case)
    r = officer.post(_list(case), {"file": http_upload(pdf(), "site-plan.pdf")})
    assert r.status_code == 302, r.content[:3000]
    staff = EvidenceItem.objects.get(case=case, pk__gt=bound.pk)
    for slug in ("prosecutor", "interior"):
        r = officer.post(case_url(case, "refer/"), {"agency": world.agencies[slug].pk})
        assert r.status_code == 302
    return Setup(case, prosecutor_only, both, private, outside, staff, bound)


def test_a_file_from_a_complaint_is_bound_by_its_consent_after_referral(
    world: Any, setup: Setup
) -> None:
    liaison = signed_in(world, "liaison")
    page = liaison.get(_list(setup.case)).content.decode()
    assert "site-plan.pdf" in page
    assert "relative-photo.jpg" not in page
    assert "Some files of this case are withheld from your agency" in page
    assert liaison.get(_detail(setup.bound)).status_code == 404
    assert liaison.get(_download(setup.bound)).status_code == 404

    prosecutor = signed_in(world, "prosecutor")
    assert "relative-photo.jpg" in prosecutor.get(_list(setup.case)).content.decode()
    assert prosecutor.get(_detail(setup.bound)).status_code == 200
    r = prosecutor.get(_download(setup.bound))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"


def test_a_file_without_sources_stays_readable_by_every_holding_agency(
    world: Any, setup: Setup
) -> None:
    assert setup.staff.compartment is not None and setup.staff.compartment.everyone
    for persona in ("intake_officer", "prosecutor", "liaison"):
        client = signed_in(world, persona)
        assert client.get(_detail(setup.staff)).status_code == 200, persona
        assert client.get(_download(setup.staff)).status_code == 200, persona


def test_no_key_of_the_bound_compartment_is_sealed_to_the_non_consented_agency(
    world: Any, setup: Setup
) -> None:
    compartment = setup.bound.compartment
    assert compartment is not None and not compartment.everyone
    granted = set(
        CaseKeyGrant.objects.filter(compartment=compartment).values_list("agency__slug", flat=True)
    )
    assert granted == {"working-group", "prosecutor"}
    keys = _keys(world, setup.case, "interior")
    assert keys.get(compartment) is None
    staff_key = keys.get(setup.staff.compartment)
    assert staff_key is not None
    with pytest.raises(crypto.DecryptionFailed):
        services.file_key_of(item=setup.bound, data_key=staff_key)
    # Referral recorded the transfer to the prosecutor only.
    notes = [
        e.note for e in CustodyEntry.objects.filter(item=setup.bound, step=CustodyStep.TRANSFERRED)
    ]
    assert notes == ["readable by prosecutor (case referred)"]


def test_custody_entries_of_a_bound_file_are_as_for_any_file_and_hold_no_content(
    setup: Setup,
) -> None:
    steps = [e.step for e in CustodyEntry.objects.filter(item=setup.bound).order_by("pk")][:3]
    assert steps == [CustodyStep.RECEIVED, CustodyStep.HASHED, CustodyStep.WORKING_COPY_MADE]
    for entry in CustodyEntry.objects.filter(item=setup.bound):
        assert "relative-photo" not in entry.note
        assert str(setup.prosecutor_only.public_id) not in entry.note


def test_a_source_complaint_not_of_this_case_is_refused(world: Any, setup: Setup) -> None:
    before = EvidenceItem.objects.filter(case=setup.case).count()
    r = signed_in(world, "intake_officer").post(
        _list(setup.case),
        {"file": http_upload(pdf(), "other.pdf"), "sources": [str(setup.outside.public_id)]},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "choose the file again" in page
    assert "is not one of the available choices" in page
    with pytest.raises(CaseworkError, match="not a complaint of this case"):
        services.evidence_attach_to_case(
            user=world.personas["intake_officer"].user,
            case=setup.case,
            keys=_keys(world, setup.case, "working-group"),
            upload=upload(pdf(), "other.pdf"),
            sources=[setup.outside],
        )
    assert EvidenceItem.objects.filter(case=setup.case).count() == before


def test_a_source_the_agency_may_not_read_is_refused(world: Any, setup: Setup) -> None:
    before = EvidenceItem.objects.filter(case=setup.case).count()
    r = signed_in(world, "prosecutor").post(
        _list(setup.case),
        {"file": http_upload(pdf(), "other.pdf"), "sources": [str(setup.private.public_id)]},
    )
    assert r.status_code == 400
    assert "is not one of the available choices" in r.content.decode()
    with pytest.raises(CaseworkError, match="your agency may not read"):
        services.evidence_attach_to_case(
            user=world.personas["prosecutor"].user,
            case=setup.case,
            keys=_keys(world, setup.case, "prosecutor"),
            upload=upload(pdf(), "other.pdf"),
            sources=[setup.private],
        )
    assert EvidenceItem.objects.filter(case=setup.case).count() == before


def _offered(page: str) -> set[str]:
    return set(re.findall(r'name="sources" value="([^"]+)"', page))


def test_the_form_offers_only_the_case_complaints_the_agency_may_read(
    world: Any, setup: Setup
) -> None:
    page = signed_in(world, "intake_officer").get(_list(setup.case)).content.decode()
    ids = {str(c.public_id) for c in (setup.prosecutor_only, setup.both, setup.private)}
    assert _offered(page) == ids
    for complaint in (setup.prosecutor_only, setup.both, setup.private):
        short = str(complaint.public_id)[:8]
        assert f"{short}, received {complaint.received_on.isoformat()}" in page
    assert str(setup.outside.public_id)[:8] not in page
    # Never a complaint's content.
    assert "My brother was taken" not in page and "Magomed" not in page
    prosecutor = signed_in(world, "prosecutor").get(_list(setup.case)).content.decode()
    assert _offered(prosecutor) == {str(setup.prosecutor_only.public_id), str(setup.both.public_id)}
    liaison = signed_in(world, "liaison").get(_list(setup.case)).content.decode()
    assert _offered(liaison) == {str(setup.both.public_id)}


def test_a_refused_form_keeps_the_chosen_sources(world: Any, setup: Setup) -> None:
    chosen = str(setup.both.public_id)
    r = signed_in(world, "intake_officer").post(
        _list(setup.case),
        {"file": http_upload(pdf(javascript=True), "scan.pdf"), "sources": [chosen]},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "choose the file again" in page
    assert re.search(rf'name="sources" value="{chosen}"[^>]*checked', page), page
    other = str(setup.prosecutor_only.public_id)
    assert not re.search(rf'name="sources" value="{other}"[^>]*checked', page)


def test_the_pages_say_who_can_read_each_file(world: Any, setup: Setup) -> None:
    client = signed_in(world, "intake_officer")
    listing = client.get(_list(setup.case)).content.decode()
    cells = re.findall(r'<td class="readable-by">(.*?)</td>', listing, re.S)
    assert len(cells) == 2
    assert any("Every agency holding the case" in c for c in cells)
    short = str(setup.prosecutor_only.public_id)[:8]
    assert any("Prosecutor" in c and "Interior" not in c and short in c for c in cells)
    item = client.get(_detail(setup.bound)).content.decode()
    dd = re.search(r'<dd class="readable-by">(.*?)</dd>', item, re.S)
    assert dd and "Prosecutor" in dd.group(1) and "Interior" not in dd.group(1)
    assert short in dd.group(1)
    staff = client.get(_detail(setup.staff)).content.decode()
    assert "Every agency holding the case" in staff


def test_every_source_is_ticked_at_first(world: Any, setup: Setup) -> None:
    """As on the record forms: a file whose sources nobody chose is bound by all of them, so
    forgetting to choose never lets more agencies read it."""
    page = signed_in(world, "intake_officer").get(_list(setup.case)).content.decode()
    for complaint in (setup.prosecutor_only, setup.both, setup.private):
        assert re.search(rf'name="sources" value="{complaint.public_id}"[^>]*checked', page)
