"""Who may read and change which case, through HTTP, persona by persona.

Case "held" is opened by the working group and not referred; case "referred" is referred to the
prosecutor's office. Both come from a complaint with the prosecutor's consent. "add" is adding
a record; "steer" is setting the status and referring (docs/access.md). Analysts read the case
but not what was copied from the complaint (its account). Every staff route against every
persona is tested in test_authority_matrix.py.

| persona            | held: read / add / steer | referred: read / add / steer |
|--------------------|--------------------------|------------------------------|
| intake officer     | 200 / 302 / 302          | 200 / 302 / 302              |
| analyst            | 200 / 403 / 403          | 200 / 403 / 403              |
| auditor            | 403 / 403 / 403          | 403 / 403 / 403              |
| prosecutor         | 404 / 404 / 404          | 200 / 302 / 403              |
| interior liaison   | 404 / 404 / 404          | 404 / 404 / 404              |
| stranger           | sign-in                  | sign-in                      |
"""

from __future__ import annotations

import pytest
from django.test import Client

from ombuds.access import access_case, may_add_case_material, may_steer_case
from ombuds.casework import services
from ombuds.casework.models import Case
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in
from tests.conftest import share_complaint

pytestmark = pytest.mark.django_db

SECRET_ACCOUNT = "The account only consented agencies holding the case may read."

READ = {
    "intake_officer": {"held": 200, "referred": 200},
    "analyst": {"held": 200, "referred": 200},
    "auditor": {"held": 403, "referred": 403},
    "prosecutor": {"held": 404, "referred": 200},
    "liaison": {"held": 404, "referred": 404},
}
WRITE = {
    "intake_officer": {"held": 302, "referred": 302},
    "analyst": {"held": 403, "referred": 403},
    "auditor": {"held": 403, "referred": 403},
    "prosecutor": {"held": 404, "referred": 302},
    "liaison": {"held": 404, "referred": 404},
}
STEER = {
    "intake_officer": {"held": 302, "referred": 302},
    "analyst": {"held": 403, "referred": 403},
    "auditor": {"held": 403, "referred": 403},
    "prosecutor": {"held": 404, "referred": 403},
    "liaison": {"held": 404, "referred": 404},
}
#: Roles that read a case but not what was copied into it from a complaint.
COPIES_HIDDEN = {"analyst"}


def _cases(world) -> dict[str, Case]:
    officer = signed_in(world, "intake_officer")
    held = open_case(officer, file_complaint("prosecutor", account=SECRET_ACCOUNT))
    referred = open_case(officer, file_complaint("prosecutor", account=SECRET_ACCOUNT))
    r = officer.post(case_url(referred, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    return {"held": held, "referred": referred}


@pytest.mark.parametrize("persona", sorted(READ))
def test_access_matrix_for_cases(world, persona: str) -> None:
    cases = _cases(world)
    client = signed_in(world, persona)
    listing = client.get("/en/staff/cases/")
    for name, case in cases.items():
        expected = READ[persona][name]
        r = client.get(case_url(case))
        assert r.status_code == expected, (persona, name)
        assert (SECRET_ACCOUNT in r.content.decode()) == (
            expected == 200 and persona not in COPIES_HIDDEN
        )
        assert (case.short_id in listing.content.decode()) == (expected == 200)
        w = add_person(client, case, f"Person added by {persona}")
        assert w.status_code == WRITE[persona][name], (persona, name, w.content[:300])
        for tail, data in (
            ("status/", {"status": "investigating"}),
            ("refer/", {"agency": world.agencies["interior"].pk}),
        ):
            w = client.post(case_url(case, tail), data)
            assert w.status_code == STEER[persona][name], (persona, name, tail)


@pytest.mark.parametrize("persona", sorted(READ))
def test_access_case_agrees_with_the_pages(world, persona: str) -> None:
    cases = _cases(world)
    user = world.personas[persona].user
    for name, case in cases.items():
        assert access_case(user=user, case=case) == (READ[persona][name] == 200)
        assert may_add_case_material(user=user, case=case) == (WRITE[persona][name] == 302)
        assert may_steer_case(user=user, case=case) == (STEER[persona][name] == 302)


def test_auditor_sees_no_case_list(world) -> None:
    assert signed_in(world, "auditor").get("/en/staff/cases/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/en/staff/cases/",
        "/en/staff/cases/open/?complaint=00000000-0000-0000-0000-000000000000",
        "/en/staff/cases/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_stranger_is_sent_to_sign_in(world, path: str) -> None:
    r = Client().get(path)
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]


def test_stranger_cannot_post_to_a_case(world) -> None:
    case = _cases(world)["held"]
    r = add_person(Client(), case, "Intruder")
    assert r.status_code in (302, 403)
    assert "Intruder" not in signed_in(world, "intake_officer").get(case_url(case)).content.decode()


@pytest.mark.parametrize(
    ("persona", "consent", "expected"),
    [
        ("intake_officer", "none", 200),
        ("prosecutor", "prosecutor", 404),
        ("prosecutor", "none", 404),
        ("liaison", "prosecutor", 404),
        ("liaison", "interior", 404),
        ("analyst", "none", 403),
        ("auditor", "none", 403),
    ],
)
def test_only_readers_of_a_complaint_may_open_a_case_from_it(
    world, persona: str, consent: str, expected: int
) -> None:
    complaint = file_complaint(consent)
    client = signed_in(world, persona)
    url = f"/en/staff/cases/open/?complaint={complaint.public_id}"
    assert client.get(url).status_code == expected
    r = client.post(
        "/en/staff/cases/open/", {"complaint": str(complaint.public_id), "priority": "high"}
    )
    assert r.status_code == (302 if expected == 200 else expected)
    assert Case.objects.exists() == (expected == 200)


def test_a_case_opened_by_the_prosecutor_is_held_by_the_prosecutor_only(world) -> None:
    complaint = file_complaint("prosecutor", account=SECRET_ACCOUNT)
    share_complaint(world, complaint, "prosecutor")
    case = open_case(signed_in(world, "prosecutor"), complaint)
    assert case.agency == world.agencies["prosecutor"]
    assert signed_in(world, "prosecutor").get(case_url(case)).status_code == 200
    assert signed_in(world, "intake_officer").get(case_url(case)).status_code == 404


def test_services_refuse_a_reader_who_may_not_write(world) -> None:
    case = _cases(world)["held"]
    from ombuds.casework.selectors import CaseKeys

    with pytest.raises(services.CaseworkError):
        services.case_refer(
            user=world.personas["analyst"].user,
            case=case,
            keys=CaseKeys(agency=world.agencies["working-group"]),
            agency=world.agencies["interior"],
        )


def test_case_pages_work_without_javascript_and_readers_get_no_write_forms(world) -> None:
    case = _cases(world)["held"]
    officer_page = signed_in(world, "intake_officer").get(case_url(case)).content.decode()
    analyst_page = signed_in(world, "analyst").get(case_url(case)).content.decode()
    for page in (officer_page, analyst_page):
        assert "<script" not in page
    assert 'action="/en/staff/cases/' in officer_page and 'method="post"' in officer_page
    assert SECRET_ACCOUNT not in analyst_page, "analysts read no complaint's words"
    assert f"/en/staff/cases/{case.public_id}/records/" not in analyst_page
