"""A file chosen on a complaint form that comes back with an error (issue 9, item 13).

Files are never written unencrypted, and the form cannot carry a file back to the browser, so
the page says plainly, next to the file field, that the file must be chosen again; the banner
no longer says everything was kept.
"""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ombuds.intake.models import Complaint
from tests.conftest import fresh_form


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, format="PNG")
    return SimpleUploadedFile("yard.png", out.getvalue(), content_type="image/png")


def _file_field(page: str) -> str:
    found = re.search(r'<div class="field[^"]*">\s*<label for="id_file">.*?</div>', page, re.S)
    assert found, "the page has the file field"
    return found.group(0)


def test_a_form_sent_back_with_an_error_says_next_to_the_file_field_to_choose_it_again(
    world,
) -> None:
    client = Client()
    data = fresh_form(client, when_value="last spring", file=_photo())
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200 and not Complaint.objects.exists()
    page = r.content.decode()
    assert "We could not read this date." in page
    assert "was not kept: please choose it again" in _file_field(page)
    assert "everything you typed is kept" not in page
    assert "choose the file again" in page


def test_a_form_sent_back_without_a_file_chosen_says_nothing_about_files(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, when_value="last spring"))
    page = r.content.decode()
    assert "everything you typed is kept" in page
    assert "choose it again" not in page
