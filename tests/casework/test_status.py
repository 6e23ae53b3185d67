"""The complainant's plain-language status, and the workflow that drives it."""

from __future__ import annotations

import pytest

from ombuds.casework.models import CaseStatus
from ombuds.casework.selectors import complaint_public_status
from tests.casework.helpers import case_url, file_complaint, file_many, open_case, signed_in

pytestmark = pytest.mark.django_db


def test_the_complainant_status_follows_the_case(world) -> None:
    complaint = file_complaint("prosecutor")
    assert complaint_public_status(complaint) is None
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, complaint)
    assert complaint_public_status(complaint) == "Your complaint is part of an investigation."
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert complaint_public_status(complaint) == "Your complaint has been referred to: Prosecutor."
    r = officer.post(case_url(case, "status/"), {"status": "closed", "outcome": "charges_brought"})
    assert r.status_code == 302
    assert "closed" in complaint_public_status(complaint)


def test_the_status_says_nothing_of_who_or_what_was_found(world) -> None:
    complaint = file_complaint("interior")
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, complaint)
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["interior"].pk})
    officer.post(case_url(case, "status/"), {"status": "closed", "outcome": "victim_found_dead"})
    text = complaint_public_status(complaint)
    assert text is not None
    for word in ("interior", "Interior", "dead", "found", "intake_officer"):
        assert word not in text


def test_closing_needs_an_outcome(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    r = officer.post(case_url(case, "status/"), {"status": "closed", "outcome": ""})
    assert r.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_assigning_an_investigator_of_a_holding_agency(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    prosecutor = world.agencies["prosecutor"]
    investigator = world.personas["prosecutor"].user
    r = officer.post(
        case_url(case, "assign/"), {"agency": prosecutor.pk, "investigator": investigator.pk}
    )
    assert r.status_code == 400, "not before the case is referred to the prosecutor's office"
    officer.post(case_url(case, "refer/"), {"agency": prosecutor.pk})
    r = officer.post(
        case_url(case, "assign/"), {"agency": prosecutor.pk, "investigator": investigator.pk}
    )
    assert r.status_code == 400, "an agency assigns its own people, not another's"
    r = officer.post(case_url(case, "assign/"), {"agency": prosecutor.pk, "investigator": ""})
    assert r.status_code == 302
    r = signed_in(world, "prosecutor").post(
        case_url(case, "assign/"), {"agency": prosecutor.pk, "investigator": investigator.pk}
    )
    assert r.status_code == 302, "the responsible agency assigns its own investigator"
    case.refresh_from_db()
    assert case.agency == prosecutor and case.investigator == investigator
    listing = signed_in(world, "prosecutor").get("/en/staff/cases/").content.decode()
    assert case.short_id in listing and "prosecutor" in listing


def test_every_change_is_in_the_audit_log(world) -> None:
    from ombuds.audit.models import AuditAction, AuditEntry

    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    officer.get(case_url(case))
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    subject = f"case:{case.public_id}"
    actions = set(AuditEntry.objects.filter(subject=subject).values_list("action", flat=True))
    assert {AuditAction.CASE_CREATED, AuditAction.CASE_READ, AuditAction.CASE_CHANGED} <= actions


def test_the_russian_case_page_shows_the_status_as_an_adjective_not_the_verb(world) -> None:
    """ "Open" is a verb on links ("Открыть") and a case's status ("Открыто"): two msgids."""
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    url = f"/ru/staff/cases/{case.public_id}/"
    page = officer.get(url).content.decode()
    assert "Статус: <strong>Открыто</strong>" in page
    assert "Открыть" not in page.split("<h2", 1)[0]
    listing = officer.get("/ru/staff/cases/").content.decode()
    assert "<td>Открыто</td>" in listing and ">Открыть</a>" in listing
    officer.post(case_url(case, "status/"), {"status": "closed", "outcome": "other"})
    page = officer.get(url).content.decode()
    assert "Статус: <strong>Закрыто</strong>" in page, "дело is neuter; a complaint is Закрыта"


def test_russian_reliability_agrees_with_its_noun_not_with_priority(world) -> None:
    """ "High" is a priority (приоритет: Высокий) and a reliability (надёжность: высокая)."""
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"), priority="high")
    file_many(world, case, 1)  # its information has medium reliability
    page = officer.get(f"/ru/staff/cases/{case.public_id}/").content.decode()
    assert "Приоритет: Высокий" in page
    assert "надёжность: Средняя" in page


def test_a_case_opened_from_a_complaint_saying_someone_is_held_now_starts_urgent(world) -> None:
    """Issue 9, item 17: the priority offered follows the complaint's "held now"."""
    import re

    from tests.casework.helpers import file_complaint

    officer = world.client_for("intake_officer")
    held = file_complaint("none", held_now="yes")
    not_held = file_complaint("none", held_now="no")

    def selected(complaint) -> str:
        page = officer.get(f"/en/staff/cases/open/?complaint={complaint.public_id}").content
        match = re.search(r'<option value="(\w+)" selected>', page.decode())
        assert match, "a priority is preselected"
        return match.group(1)

    assert selected(held) == "urgent"
    assert selected(not_held) == "normal"
