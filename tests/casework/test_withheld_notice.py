"""What an agency without consent learns of a case's withheld material (issue 9, item 8):
that some is withheld, and why; never which complaints it comes from nor how much."""

from __future__ import annotations

import re

import pytest

from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in

pytestmark = pytest.mark.django_db


def test_the_liaison_is_told_material_is_withheld_without_ids_or_counts(world) -> None:
    officer = signed_in(world, "intake_officer")
    shared = file_complaint("interior")
    private = file_complaint("none")
    also_private = file_complaint("prosecutor")
    case = open_case(officer, shared, private, also_private)
    assert add_person(officer, case, "Staff record", sources=[private]).status_code == 302
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["interior"].pk})
    assert r.status_code == 302

    page = signed_in(world, "liaison").get(case_url(case)).content.decode()
    assert 'id="withheld"' in page
    assert "Some material in this case is withheld from you." in page
    assert "The complainant did not consent to share with" in page
    for hidden in (private, also_private):
        assert str(hidden.public_id) not in page
        assert str(hidden.public_id)[:8] not in page
    assert str(shared.public_id) in page, "the complaint it was given is still listed"
    # No count of what is withheld, per complaint or at all.
    withheld = page[page.index('id="withheld"') : page.index('<h2 id="records"')]
    words = re.sub(r"<[^>]*>", " ", withheld)
    assert not re.search(r"\d", words), words
