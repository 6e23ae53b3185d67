"""The free-disk guard (issue 13, item 1): a file is refused well before the disk fills.

``OMBUDS_MIN_FREE_BYTES`` is the space that must stay free on the data disk after a file is
kept; a file that would eat into it is refused with a plain "try again later" and the complaint
is not saved, so the complainant can send it again later.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ombuds.intake.models import Complaint
from tests.conftest import fresh_form


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, format="PNG")
    return SimpleUploadedFile("yard.png", out.getvalue(), content_type="image/png")


def test_a_file_is_refused_and_nothing_kept_when_the_disk_would_drop_below_the_minimum_free(
    world, settings
) -> None:
    settings.OMBUDS_MIN_FREE_BYTES = 10**18
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, file=_photo()))
    assert r.status_code == 200
    assert not Complaint.objects.exists()
    assert "cannot be received right now" in r.content.decode()


def test_a_file_is_kept_while_the_disk_has_more_than_the_minimum_free(world, settings) -> None:
    settings.OMBUDS_MIN_FREE_BYTES = 1
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, file=_photo()))
    assert r.status_code == 200
    assert Complaint.objects.count() == 1
    assert "cannot be received right now" not in r.content.decode()
