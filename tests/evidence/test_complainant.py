"""The complainant attaches files on a return visit (public site, no JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ombuds.evidence.models import CustodyEntry, EvidenceItem

from .conftest import file_complaint, http_upload, jpeg_with_gps, mp4_nested, png_bomb

pytestmark = pytest.mark.django_db


def _return_visit(codename: str) -> Client:
    client = Client()
    r = client.post("/en/return/", {"codename": codename})
    assert r.status_code == 302
    return client


def test_complainant_attaches_a_photo_on_a_return_visit(world: Any) -> None:
    complaint, _, codename = file_complaint()
    client = _return_visit(codename)
    page = client.get("/en/return/complaint/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "up to 20 MB" in page
    r = client.post("/en/return/complaint/files/", {"file": http_upload(jpeg_with_gps(), "a.jpg")})
    assert r.status_code == 302 and r["Location"].endswith("?file=1")
    item = EvidenceItem.objects.get(complaint=complaint)
    assert item.by_complainant and item.added_by is None
    assert all(e.by_complainant and e.actor is None for e in CustodyEntry.objects.all())
    # and the consented staff see it
    staff = world.client_for("intake_officer")
    listing = staff.get(f"/en/staff/evidence/complaints/{complaint.public_id}/").content.decode()
    assert "a.jpg" in listing


def test_complainant_sees_why_a_hostile_file_is_refused(world: Any) -> None:
    _, _, codename = file_complaint()
    client = _return_visit(codename)
    r = client.post("/en/return/complaint/files/", {"file": http_upload(png_bomb(), "x.png")})
    assert r.status_code == 400
    assert "enormous size" in r.content.decode()
    assert EvidenceItem.objects.count() == 0


def test_no_file_sent_says_what_the_limit_is(world: Any) -> None:
    _, _, codename = file_complaint()
    r = _return_visit(codename).post("/en/return/complaint/files/", {})
    assert r.status_code == 400 and "larger than 20 MB" in r.content.decode()


def test_without_a_return_visit_no_file_can_be_attached(world: Any) -> None:
    file_complaint()
    r = Client().post(
        "/en/return/complaint/files/", {"file": http_upload(jpeg_with_gps(), "a.jpg")}
    )
    assert r.status_code == 302 and r["Location"].endswith("/return/")
    assert EvidenceItem.objects.count() == 0


def test_withdrawing_the_complaint_destroys_its_evidence(world: Any) -> None:
    _, _, codename = file_complaint()
    client = _return_visit(codename)
    client.post("/en/return/complaint/files/", {"file": http_upload(jpeg_with_gps(), "a.jpg")})
    assert EvidenceItem.objects.count() == 1
    client.post("/en/return/withdraw/", {"confirm": "on"})
    assert EvidenceItem.objects.count() == 0 and CustodyEntry.objects.count() == 0


def test_a_file_can_come_with_the_first_complaint(world: Any) -> None:
    from ombuds.intake.models import Complaint
    from tests.conftest import fresh_form

    client = Client()
    page = client.get("/en/complaint/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "up to 20 MB" in page
    data = fresh_form(client)
    data["file"] = http_upload(jpeg_with_gps(), "street.jpg")
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200 and 'id="codename"' in r.content.decode()
    item = EvidenceItem.objects.get()
    assert item.complaint == Complaint.objects.get() and item.by_complainant


def test_a_hostile_file_with_the_first_complaint_saves_nothing_and_says_why(world: Any) -> None:
    from ombuds.intake.models import Complaint
    from tests.conftest import fresh_form

    client = Client()
    data = fresh_form(client)
    data["file"] = http_upload(jpeg_with_gps(), "statement.pdf")
    r = client.post("/en/complaint/", data)
    page = r.content.decode()
    assert r.status_code == 200 and "content is JPEG" in page
    assert "My brother was taken" in page  # what they typed is kept
    assert Complaint.objects.count() == 0 and EvidenceItem.objects.count() == 0


def test_a_deeply_nested_video_with_the_first_complaint_is_refused_and_the_form_kept(
    world: Any,
) -> None:
    from ombuds.intake.models import Complaint
    from tests.conftest import fresh_form

    client = Client()
    data = fresh_form(client)
    data["file"] = http_upload(mp4_nested(3_000), "clip.mp4")
    r = client.post("/en/complaint/", data)
    page = r.content.decode()
    assert r.status_code == 200 and "nested too deeply" in page
    assert "My brother was taken" in page  # what they typed is kept
    assert Complaint.objects.count() == 0 and EvidenceItem.objects.count() == 0


def test_a_deeply_nested_video_on_a_return_visit_is_refused_plainly(world: Any) -> None:
    _, _, codename = file_complaint()
    r = _return_visit(codename).post(
        "/en/return/complaint/files/", {"file": http_upload(mp4_nested(3_000), "clip.mp4")}
    )
    assert r.status_code == 400 and "nested too deeply" in r.content.decode()
    assert EvidenceItem.objects.count() == 0


def test_a_file_over_the_request_limit_is_refused_with_the_limit_named(world: Any) -> None:
    _, _, codename = file_complaint()
    too_big = jpeg_with_gps() + bytes(21 * 1024 * 1024)
    r = _return_visit(codename).post(
        "/en/return/complaint/files/", {"file": http_upload(too_big, "a.jpg")}
    )
    assert r.status_code == 400 and "larger than 20 MB" in r.content.decode()
    assert EvidenceItem.objects.count() == 0
