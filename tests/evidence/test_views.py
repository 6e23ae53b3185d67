"""Evidence through HTTP: the access matrix, downloads and uploads on the staff pages.

| persona                           | list | detail | download | attach | export |
|-----------------------------------|------|--------|----------|--------|--------|
| intake officer                    | 200  | 200    | 200      | 302    | 200    |
| prosecutor (consented, shared)    | 200  | 200    | 200      | 302    | 200    |
| interior liaison, no consent      | 404  | 404    | 404      | 404    | 404    |
| analyst, auditor                  | 403  | 403    | 403      | 403    | 403    |
| stranger                          | sign-in for all                                 |
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from ombuds.evidence import services
from ombuds.evidence.models import CustodyEntry, CustodyStep, EvidenceItem
from tests.conftest import share_complaint

from .conftest import file_complaint, http_upload, jpeg_with_gps, pdf

pytestmark = pytest.mark.django_db

EXPECTED = {
    "intake_officer": 200,
    "prosecutor": 200,
    "liaison": 404,
    "analyst": 403,
    "auditor": 403,
}


@pytest.fixture
def evidence(world: Any) -> EvidenceItem:
    """A complaint shared with the prosecutor (not the interior ministry), with one photo."""
    complaint, data_key, _ = file_complaint(consent_prosecutor="on")
    share_complaint(world, complaint, "prosecutor")
    return services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=http_upload(jpeg_with_gps(), "night-raid.jpg"),
        by_complainant=True,
    )


def _urls(item: EvidenceItem) -> dict[str, str]:
    assert item.complaint is not None
    c, i = item.complaint.public_id, item.public_id
    return {
        "list": f"/en/staff/evidence/complaints/{c}/",
        "detail": f"/en/staff/evidence/items/{i}/",
        "download": f"/en/staff/evidence/items/{i}/working/",
        "attach": f"/en/staff/evidence/complaints/{c}/",
        "export": f"/en/staff/evidence/complaints/{c}/export/",
    }


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_access_matrix_for_evidence_and_exports(
    world: Any, evidence: EvidenceItem, persona: str
) -> None:
    client = world.client_for(persona)
    expected = EXPECTED[persona]
    urls = _urls(evidence)
    for page in ("list", "detail", "download"):
        r = client.get(urls[page])
        assert r.status_code == expected, (persona, page)
        if page == "list":
            assert (b"night-raid.jpg" in r.content) == (expected == 200)
    r = client.post(urls["attach"], {"file": http_upload(pdf(), "more.pdf")})
    assert r.status_code == (302 if expected == 200 else expected), persona
    r = client.post(urls["export"], {})
    assert r.status_code == expected, persona
    if expected == 200:
        assert r["Content-Type"] == "application/zip"
    exports = CustodyEntry.objects.filter(step=CustodyStep.EXPORTED).count()
    assert exports == (2 if expected == 200 else 0)


def test_stranger_is_sent_to_sign_in_everywhere(evidence: EvidenceItem) -> None:
    client = Client()
    for name, url in _urls(evidence).items():
        r = client.post(url, {}) if name in ("attach", "export") else client.get(url)
        assert r.status_code == 302 and "/staff/sign-in/" in r["Location"], name


def test_download_is_the_working_copy_as_an_attachment_with_safe_headers(
    world: Any, evidence: EvidenceItem
) -> None:
    client = world.client_for("intake_officer")
    r = client.get(_urls(evidence)["download"])
    assert r.status_code == 200
    assert r["Content-Type"] == "image/jpeg"
    assert r["Content-Disposition"] == 'attachment; filename="night-raid-working.jpg"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r["Content-Security-Policy"]
    assert dict(Image.open(io.BytesIO(r.content)).getexif()) == {}
    steps = list(CustodyEntry.objects.filter(item=evidence).values_list("step", flat=True))
    assert steps[-1] == CustodyStep.DOWNLOADED
    assert CustodyEntry.objects.filter(item=evidence).last().actor_username == "intake_officer"


def test_detail_page_shows_both_hashes_and_records_the_view(
    world: Any, evidence: EvidenceItem
) -> None:
    r = world.client_for("intake_officer").get(_urls(evidence)["detail"])
    page = r.content.decode()
    assert services.sha256_hex(jpeg_with_gps()) in page
    assert "Working copy made" in page and "Received" in page
    assert CustodyEntry.objects.filter(item=evidence, step=CustodyStep.VIEWED).count() == 1


def test_staff_upload_of_a_hostile_file_shows_the_reason_and_keeps_nothing(
    world: Any, evidence: EvidenceItem
) -> None:
    client = world.client_for("intake_officer")
    r = client.post(_urls(evidence)["attach"], {"file": http_upload(pdf(javascript=True), "x.pdf")})
    assert r.status_code == 400
    assert "scripts, automatic actions or embedded files" in r.content.decode()
    assert EvidenceItem.objects.count() == 1


def test_upload_page_states_the_size_limits(world: Any, evidence: EvidenceItem) -> None:
    r = world.client_for("intake_officer").get(_urls(evidence)["list"])
    assert "up to 20 MB" in r.content.decode()
    assert 'enctype="multipart/form-data"' in r.content.decode()


def test_a_traversal_name_sent_over_http_is_reduced_to_its_last_part_and_never_a_path(
    world: Any, evidence: EvidenceItem, tmp_path: Any
) -> None:
    client = world.client_for("intake_officer")
    upload = http_upload(jpeg_with_gps(), "x.jpg")
    upload.name = "../../../../tmp/owned.jpg"  # Django strips the path on the way in
    r = client.post(_urls(evidence)["attach"], {"file": upload})
    assert r.status_code == 302
    page = client.get(_urls(evidence)["list"]).content.decode()
    assert "owned.jpg" in page and "../" not in page
