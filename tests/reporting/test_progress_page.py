"""The public progress page shows counts from metadata and hides small ones."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db


def test_progress_page_hides_a_count_that_could_point_at_someone(world, settings) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 3
    for _ in range(3):
        submit_complaint(Client())
    page = Client().get("/en/progress/").content.decode()
    assert "<td>3</td>" in page, "three new complaints this month are published"
    submit_complaint(Client())
    from ombuds.intake.models import Complaint, ComplaintStatus

    Complaint.objects.filter(pk=Complaint.objects.order_by("pk").first().pk).update(
        status=ComplaintStatus.CLOSED
    )
    page = Client().get("/en/progress/").content.decode()
    assert "<td>1</td>" not in page, "a single closed complaint is hidden"
    assert "—" in page
    assert "<script" not in page
