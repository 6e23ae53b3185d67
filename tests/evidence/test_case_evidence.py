"""Evidence attached to a case: exactly who can read the compartment can read the file.

A case opened by the working group from two complaints: one shared with the prosecutor, one
whose witness consented to nobody else. A staff photo goes in the compartment every holding
agency reads; a witness photo in the withheld complaint's compartment. Then the case is
referred to the prosecutor's office.

| persona                               | list | shared item | withheld item | attach | export |
|---------------------------------------|------|-------------|---------------|--------|--------|
| intake officer (working group)        | 200  | 200         | 200           | 302    | 200    |
| prosecutor (referred)                 | 200  | 200         | 404           | 302    | 200    |
| analyst (working group)               | 200  | 200         | 404           | 403    | 403    |
| interior liaison (does not hold it)   | 404  | 404         | 404           | 404    | 404    |
| auditor                               | 403  | 403         | 403           | 403    | 403    |
| stranger                              | sign-in everywhere                                     |
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from ombuds import crypto
from ombuds.casework.models import Case, CaseKeyGrant
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.evidence import services
from ombuds.evidence.models import CustodyEntry, CustodyStep, EvidenceItem
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in

from .conftest import http_upload, jpeg_with_gps, pdf, upload

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    case: Case
    shared: EvidenceItem
    withheld: EvidenceItem


def _keys(world: Any, case: Case, slug: str = "working-group") -> Any:
    return case_keys_for_agency(
        case=case, agency=world.agencies[slug], agency_private_key=world.agency_keys[slug]
    )


@pytest.fixture
def setup(world: Any) -> Setup:
    officer = signed_in(world, "intake_officer")
    consented = file_complaint("prosecutor")
    private = file_complaint("none")
    case = open_case(officer, consented, private)
    r = officer.post(
        f"/en/staff/evidence/cases/{case.public_id}/",
        {"file": http_upload(jpeg_with_gps(), "checkpoint.jpg")},
    )
    assert r.status_code == 302, r.content[:2000]
    shared = EvidenceItem.objects.get(case=case)
    withheld = services.evidence_attach_to_case(
        user=world.personas["intake_officer"].user,
        case=case,
        keys=_keys(world, case),
        upload=upload(jpeg_with_gps(), "witness-yard.jpg"),
        sources=[private],
    )
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    return Setup(case=case, shared=shared, withheld=withheld)


def _list(case: Case) -> str:
    return f"/en/staff/evidence/cases/{case.public_id}/"


def _detail(item: EvidenceItem) -> str:
    return f"/en/staff/evidence/items/{item.public_id}/"


def _download(item: EvidenceItem) -> str:
    return f"/en/staff/evidence/items/{item.public_id}/working/"


EXPECTED = {
    # persona: (list, shared item, withheld item, attach, export)
    "intake_officer": (200, 200, 200, 302, 200),
    "prosecutor": (200, 200, 404, 302, 200),
    # Analysts read staff material only, never a complaint's compartment (docs/access.md).
    "analyst": (200, 200, 404, 403, 403),
    "liaison": (404, 404, 404, 404, 404),
    "auditor": (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_access_to_case_evidence_by_persona(world: Any, setup: Setup, persona: str) -> None:
    listing, shared, withheld, attach, export = EXPECTED[persona]
    client = signed_in(world, persona)
    r = client.get(_list(setup.case))
    assert r.status_code == listing, persona
    if listing == 200:
        page = r.content.decode()
        assert "checkpoint.jpg" in page
        assert ("witness-yard.jpg" in page) == (withheld == 200), persona
    for item, expected in ((setup.shared, shared), (setup.withheld, withheld)):
        assert client.get(_detail(item)).status_code == expected, (persona, item)
        assert client.get(_download(item)).status_code == expected, (persona, item)
    r = client.post(_list(setup.case), {"file": http_upload(pdf(), "statement.pdf")})
    assert r.status_code == attach, persona
    r = client.post(f"/en/staff/evidence/cases/{setup.case.public_id}/export/", {})
    assert r.status_code == export, persona


def test_stranger_is_sent_to_sign_in(setup: Setup) -> None:
    client = Client()
    for url in (_list(setup.case), _detail(setup.shared), _download(setup.shared)):
        r = client.get(url)
        assert r.status_code == 302 and "/staff/sign-in/" in r["Location"], url


def test_the_referred_agency_is_told_that_files_are_withheld_but_not_how_many(
    world: Any, setup: Setup
) -> None:
    page = signed_in(world, "prosecutor").get(_list(setup.case)).content.decode()
    assert "Some files of this case are withheld from your agency" in page
    assert "1 file" not in page
    assert "witness-yard.jpg" not in page


def test_no_key_of_the_withheld_file_is_sealed_to_the_referred_agency(
    world: Any, setup: Setup
) -> None:
    prosecutor = world.agencies["prosecutor"]
    assert not CaseKeyGrant.objects.filter(
        compartment=setup.withheld.compartment, agency=prosecutor
    ).exists()
    keys = _keys(world, setup.case, "prosecutor")
    assert keys.get(setup.shared.compartment) is not None
    assert keys.get(setup.withheld.compartment) is None
    # The shared compartment's key cannot open the withheld file's key either.
    shared_key = keys.get(setup.shared.compartment)
    assert shared_key is not None
    with pytest.raises(crypto.DecryptionFailed):
        services.file_key_of(item=setup.withheld, data_key=shared_key)


def test_referral_records_transferred_only_for_granted_compartments(setup: Setup) -> None:
    shared = CustodyEntry.objects.filter(item=setup.shared, step=CustodyStep.TRANSFERRED)
    assert [(e.note, e.actor_username) for e in shared] == [
        ("readable by prosecutor (case referred)", "intake_officer")
    ]
    assert not CustodyEntry.objects.filter(
        item=setup.withheld, step=CustodyStep.TRANSFERRED
    ).exists()


def test_a_file_attached_after_referral_is_readable_by_the_referred_agency(
    world: Any, setup: Setup
) -> None:
    r = signed_in(world, "intake_officer").post(
        _list(setup.case), {"file": http_upload(pdf(), "later.pdf")}
    )
    assert r.status_code == 302
    later = EvidenceItem.objects.get(case=setup.case, pk__gt=setup.withheld.pk)
    assert later.compartment == setup.shared.compartment
    r = signed_in(world, "prosecutor").get(_download(later))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert not CustodyEntry.objects.filter(item=later, step=CustodyStep.TRANSFERRED).exists()


def test_download_of_case_evidence_is_the_working_copy_without_gps(
    world: Any, setup: Setup
) -> None:
    from PIL import Image

    r = signed_in(world, "prosecutor").get(_download(setup.shared))
    assert r["Content-Disposition"] == 'attachment; filename="checkpoint-working.jpg"'
    assert dict(Image.open(io.BytesIO(r.content)).getexif()) == {}
    last = CustodyEntry.objects.filter(item=setup.shared).last()
    assert last is not None and last.step == CustodyStep.DOWNLOADED
    assert last.actor_username == "prosecutor"


def test_export_of_case_evidence_holds_only_what_the_exporter_can_read(
    world: Any, setup: Setup
) -> None:
    r = signed_in(world, "prosecutor").post(
        f"/en/staff/evidence/cases/{setup.case.public_id}/export/", {"include_originals": "on"}
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["case"] == str(setup.case.public_id)
    assert [i["name"] for i in manifest["items"]] == ["checkpoint.jpg"]
    assert CustodyEntry.objects.filter(item=setup.shared, step=CustodyStep.EXPORTED).exists()
    assert not CustodyEntry.objects.filter(item=setup.withheld, step=CustodyStep.EXPORTED).exists()


def test_the_case_page_links_to_its_evidence(world: Any, setup: Setup) -> None:
    page = signed_in(world, "prosecutor").get(case_url(setup.case)).content.decode()
    assert f'href="/en/staff/evidence/cases/{setup.case.public_id}/"' in page


def test_case_evidence_passes_the_keyless_and_escrow_verification(world: Any, setup: Setup) -> None:
    from ombuds.evidence.verification import evidence_verify

    report = evidence_verify(escrow_key=world.escrow_private_key)
    assert report.problems == []
    assert report.plaintext_checked == 4
