"""A file too large for the request limit, sent with the first complaint (threat model 8).

Uploads are kept in memory only, so a request body over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` reaches
no upload handler: Django drops the file without a word. The complaint form must then refuse,
not save the complaint and tell its author it was received, as if the file had come with it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ombuds.evidence.models import EvidenceItem
from ombuds.intake.models import Complaint
from tests.conftest import fresh_form

from .conftest import http_upload, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_a_file_over_the_request_limit_with_the_first_complaint_is_refused_not_dropped(
    world: Any,
) -> None:
    client = Client()
    data = fresh_form(client, account="My brother was taken from the market. " * 3)
    data["file"] = http_upload(jpeg_with_gps() + bytes(21 * 1024 * 1024), "street.jpg")
    r = client.post("/en/complaint/", data)
    page = r.content.decode()
    assert 'id="codename"' not in page
    assert r.status_code == 200 and "larger than 20 MB" in page
    assert "My brother was taken" in page  # what they typed is kept
    assert Complaint.objects.count() == 0 and EvidenceItem.objects.count() == 0
