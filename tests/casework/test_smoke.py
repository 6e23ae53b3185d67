from __future__ import annotations

import pytest

from tests.casework.helpers import add_person, case_url, file_complaint, open_case

pytestmark = pytest.mark.django_db


def test_open_case_and_add_person(world) -> None:
    complaint = file_complaint("prosecutor", account="Taken at night from Argun.")
    client = world.client_for("intake_officer")
    r = client.get(f"/en/staff/cases/open/?complaint={complaint.public_id}")
    assert r.status_code == 200
    case = open_case(client, complaint)
    page = client.get(case_url(case)).content.decode()
    assert "Taken at night from Argun." in page
    r = add_person(client, case, "Ruslan Kh.")
    assert r.status_code == 302, r.content.decode()[:5000]
    page = client.get(case_url(case)).content.decode()
    assert "Ruslan Kh." in page
    assert client.get("/en/staff/cases/").status_code == 200
