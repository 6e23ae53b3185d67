"""Tampered form counts and stale sessions get a clear answer, never a 500 (issue 9, item 5)."""

from __future__ import annotations

import re

from django.test import Client

from ombuds.intake.models import Complaint
from tests.conftest import fresh_form, submit_complaint


def _person_slots(page: str) -> int:
    return len(re.findall(r'name="person-\d+-name"', page))


def test_a_form_claiming_no_person_slots_is_refused_with_a_clear_message(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, **{"person-TOTAL_FORMS": "0"}))
    assert r.status_code == 200
    page = r.content.decode()
    assert "Please tell us about at least one person" in page
    assert not Complaint.objects.exists()


def test_a_form_claiming_a_hundred_million_person_slots_builds_three(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, **{"person-TOTAL_FORMS": "100000000"}))
    assert r.status_code == 200
    page = r.content.decode()
    assert "at most 3 people" in page
    assert _person_slots(page) == 3
    assert len(r.content) < 100_000
    assert not Complaint.objects.exists()


def test_a_form_with_every_person_slot_empty_asks_for_one_person(world) -> None:
    client = Client()
    data = fresh_form(client, **{"person-0-name": "", "person-0-age": "", "person-0-sex": ""})
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Please tell us about at least one person" in page
    assert _person_slots(page) == 3
    assert not Complaint.objects.exists()


def test_another_open_session_after_withdrawal_goes_back_to_the_codename_page(world) -> None:
    codename = submit_complaint(Client())
    first, second = Client(), Client()
    for visitor in (first, second):
        assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    assert first.post("/en/return/withdraw/", {"confirm": "on"}).status_code == 200
    assert not Complaint.objects.exists()
    for method, path, data in (
        ("get", "/en/return/complaint/", {}),
        ("post", "/en/return/complaint/", {"text": "More news."}),
        ("post", "/en/return/complaint/files/", {}),
        ("post", "/en/return/withdraw/", {"confirm": "on"}),
    ):
        r = getattr(second, method)(path, data)
        assert r.status_code == 302 and r["Location"].endswith("/return/"), path
    # the stale session was forgotten: the page now asks for a codename again
    assert second.get("/en/return/complaint/").status_code == 302


def test_the_first_person_is_marked_as_required_and_the_others_are_not(world) -> None:
    page = Client().get("/en/complaint/").content.decode()
    subheads = re.findall(r'<p class="subhead">(.*?)</p>', page)
    assert len(subheads) == 3
    assert 'class="req"' in subheads[0]
    assert all('class="req"' not in s for s in subheads[1:])
