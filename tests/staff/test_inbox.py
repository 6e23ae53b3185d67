"""The complaint inbox: a reference per complaint, the day (and why no time), a marker for
complaints nobody at the reader's agency has opened, and a search (issue 9, item 17)."""

from __future__ import annotations

import re

from ombuds.intake.models import Complaint
from tests.casework.helpers import file_complaint, signed_in
from tests.conftest import share_complaint


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body, "the inbox has a table"
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)


def _references(page: str, *, new_only: bool = False) -> list[str]:
    found = [re.search(r'<td class="ref">([0-9a-f]{8})', row) for row in _rows(page)]
    return [
        m.group(1)
        for m, row in zip(found, _rows(page), strict=True)
        if m and (not new_only or 'class="new"' in row)
    ]


def _reference(complaint: Complaint) -> str:
    return str(complaint.public_id)[:8]


def test_each_complaint_shows_its_reference_and_day_and_the_page_says_why_no_time(world) -> None:
    complaint = file_complaint()
    page = signed_in(world, "intake_officer").get("/en/staff/").content.decode()
    (row,) = _rows(page)
    assert _reference(complaint) in row
    assert f"{complaint.received_on:%Y-%m-%d}" in row
    assert not re.search(r"\d{2}:\d{2}", row), "no time of day"
    assert "dated by the day only" in page


def test_complaints_nobody_at_the_agency_opened_are_marked_new_until_one_is_opened(world) -> None:
    first, second = file_complaint("prosecutor"), file_complaint("prosecutor")
    share_complaint(world, first, "prosecutor")
    share_complaint(world, second, "prosecutor")
    officer = signed_in(world, "intake_officer")
    prosecutor = signed_in(world, "prosecutor")

    def marked(client) -> set[str]:
        return set(_references(client.get("/en/staff/").content.decode(), new_only=True))

    assert marked(officer) == {_reference(first), _reference(second)}
    assert officer.get(f"/en/staff/complaints/{first.public_id}/").status_code == 200
    assert marked(officer) == {_reference(second)}
    # opened by the working group: still new to the prosecutor's office
    assert marked(prosecutor) == {_reference(first), _reference(second)}


def test_the_inbox_finds_a_complaint_by_its_reference_or_status(world) -> None:
    first, second = file_complaint(), file_complaint()
    officer = signed_in(world, "intake_officer")
    r = officer.post(f"/en/staff/complaints/{second.public_id}/status/", {"status": "closed"})
    assert r.status_code == 302

    def found(query: dict[str, str]) -> list[str]:
        r = officer.get("/en/staff/", query)
        assert r.status_code == 200
        return _references(r.content.decode())

    assert set(found({})) == {_reference(first), _reference(second)}
    assert found({"reference": _reference(first)}) == [_reference(first)]
    assert found({"reference": str(first.public_id).upper()}) == [_reference(first)]
    assert _reference(first) in found({"reference": _reference(first)[:4]})
    assert found({"status": "closed"}) == [_reference(second)]
    assert found({"status": "closed", "reference": _reference(first)}) == []
    page = officer.get("/en/staff/", {"reference": "not-a-ref"}).content.decode()
    assert "A reference is the 8 digits" in page
