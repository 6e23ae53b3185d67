"""A complaint's page links the cases that hold it, those the reader may open (issue 9, 17)."""

from __future__ import annotations

from tests.casework.helpers import case_url, file_complaint, open_case, signed_in
from tests.conftest import share_complaint


def test_a_complaints_page_links_its_case_for_agencies_that_hold_the_case(world) -> None:
    complaint = file_complaint("prosecutor")
    share_complaint(world, complaint, "prosecutor")
    officer = signed_in(world, "intake_officer")
    prosecutor = signed_in(world, "prosecutor")
    url = f"/en/staff/complaints/{complaint.public_id}/"
    assert 'class="cases"' not in officer.get(url).content.decode()
    case = open_case(officer, complaint)
    link = f'<a href="{case_url(case)}">{case.short_id}</a> (Open)'
    assert link in officer.get(url).content.decode()
    # the prosecutor reads the complaint but does not hold the case: no link to it
    page = prosecutor.get(url)
    assert page.status_code == 200 and case_url(case) not in page.content.decode()
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert case_url(case) in prosecutor.get(url).content.decode()
