"""Every person named on the complaint form has a role: victim, witness, perpetrator or other
(issue 9, item 15). Complaints filed before roles existed read as "not said"."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from ombuds.intake import services
from ombuds.intake.content import ComplaintContent, PersonRole
from ombuds.intake.forms import new_form_token
from ombuds.intake.models import Complaint
from tests.conftest import fresh_form, submit_complaint

pytestmark = pytest.mark.django_db

THREE_PERSONS = {
    "person-0-name": "Magomed D.",
    "person-0-role": "victim",
    "person-1-name": "Captain Petrov",
    "person-1-age": "45",
    "person-1-role": "perpetrator",
    "person-2-name": "Aset the neighbour",
    "person-2-role": "witness",
}


def test_each_person_has_a_required_role_asked_with_radio_buttons(world) -> None:
    page = Client().get("/en/complaint/").content.decode()
    for n in range(3):
        for role in ("victim", "witness", "perpetrator", "other"):
            assert re.search(rf'type="radio" name="person-{n}-role" value="{role}"', page)
    legend = re.search(r"<legend>Who is this person\?(.*?)</legend>", page)
    assert legend and 'class="req"' in legend.group(1)


def test_a_person_named_without_a_role_is_refused_and_nothing_is_saved(world) -> None:
    client = Client()
    data = fresh_form(client, **{"person-0-role": ""})
    r = client.post("/en/complaint/", data)
    page = r.content.decode()
    assert r.status_code == 200 and "This field is required." in page
    assert 'value="Magomed D."' in page
    assert not Complaint.objects.exists()


def test_empty_person_slots_need_no_role(world) -> None:
    submit_complaint(Client())  # persons 2 and 3 left empty, with no role
    assert Complaint.objects.count() == 1


def test_the_role_of_each_person_is_kept_encrypted_and_shown_to_staff(world) -> None:
    submit_complaint(Client(), **THREE_PERSONS)
    complaint = Complaint.objects.get()
    assert b"perpetrator" not in bytes(complaint.ciphertext)
    officer = world.client_for("intake_officer")
    page = officer.get(f"/en/staff/complaints/{complaint.public_id}/").content.decode()
    assert "Magomed D., 27, Male — It happened to this person" in page
    assert "Captain Petrov, 45 — This person did it, or took part" in page
    assert "Aset the neighbour — A witness" in page


def _old_content() -> ComplaintContent:
    """What a complaint filed before persons had roles holds (no "role", no "when_estimate")."""
    old = {
        "filer_role": "relative",
        "acts": ["detention"],
        "when_kind": "month",
        "when_value": "2017-03",
        "place": "Argun",
        "persons": [{"name": "Old Person", "age": "30", "sex": "m"}],
        "perpetrators": ["police"],
        "perpetrator_details": "",
        "held_now": "no",
        "account": "Taken in 2017.",
        "contact": "",
        "language": "en",
        "other_act": "",
        "consent": ["working_group"],
        "v": 1,
    }
    return ComplaintContent.from_bytes(json.dumps(old).encode())


def test_a_complaint_from_before_roles_reads_as_role_not_said_and_still_opens_a_case(
    world,
) -> None:
    content = _old_content()
    assert content.persons[0].role == PersonRole.UNKNOWN
    assert content.when_estimate is False
    services.complaint_submit(content=content, form_token=new_form_token())
    complaint = Complaint.objects.get()
    officer = world.client_for("intake_officer")
    page = officer.get(f"/en/staff/complaints/{complaint.public_id}/").content.decode()
    assert "Old Person, 30, Male — Not said" in page
    assert "March 2017" in page
    r = officer.post(
        "/en/staff/cases/open/", {"complaint": [str(complaint.public_id)], "priority": "normal"}
    )
    assert r.status_code == 302
    case_page = officer.get(r["Location"]).content.decode()
    assert "Old Person" in case_page
