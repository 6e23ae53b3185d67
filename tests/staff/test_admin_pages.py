"""The account page and the administrator's pages, through HTTP (no JavaScript involved)."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest
from django.test import Client

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.intake.models import Complaint
from ombuds.staff import services
from ombuds.staff.models import Agency, AgencyKeyGrant, Role, StaffUser
from tests.conftest import Persona, share_complaint, submit_complaint

from .helpers import enrol_and_sign_in, latest_complaint, sign_in_refused

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "Kto-storozhit-storozhei"
NEW_PASSWORD = "Vesennii-dozhd-nad-Terekom"


@pytest.fixture
def admin(world) -> Client:
    user = services.staff_create(
        username="boss", password=ADMIN_PASSWORD, agency=None, role=Role.ADMIN,
        agency_private_key=None,
    )  # fmt: skip
    secret = pyotp.random_base32()
    services.totp_enrol(user=user, secret=secret)
    return Persona("boss", ADMIN_PASSWORD, secret, user).sign_in(Client())


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_administrator_adds_a_member_who_a_colleague_then_grants_the_key(world, admin) -> None:
    r = admin.post(
        "/en/staff/admin/staff/",
        {
            "username": "prosecutor2",
            "agency": world.agencies["prosecutor"].pk,
            "role": "investigator",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert r.status_code == 302
    member = StaffUser.objects.get(username="prosecutor2")
    assert not AgencyKeyGrant.objects.filter(user=member).exists()

    colleague = world.client_for("prosecutor")
    page = _text(colleague.get("/en/staff/account/"))
    assert "prosecutor2" in page
    r = colleague.post(f"/en/staff/account/grant/{member.pk}/")
    assert r.status_code == 302

    submit_complaint(Client(), "en", consent_prosecutor="on", account="For the new member.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    client, _secret = enrol_and_sign_in("prosecutor2", NEW_PASSWORD)
    r = client.get(f"/en/staff/complaints/{latest_complaint().public_id}/")
    assert r.status_code == 200 and "For the new member." in _text(r)


def test_a_colleague_of_another_agency_cannot_grant_a_key(world, admin) -> None:
    member = services.staff_create(
        username="prosecutor2", password=NEW_PASSWORD, agency=world.agencies["prosecutor"],
        role=Role.INVESTIGATOR, agency_private_key=None,
    )  # fmt: skip
    r = world.client_for("liaison").post(f"/en/staff/account/grant/{member.pk}/")
    assert r.status_code == 404
    assert not AgencyKeyGrant.objects.filter(user=member).exists()


def test_the_add_form_refuses_a_weak_password_and_a_taken_name(world, admin) -> None:
    r = admin.post(
        "/en/staff/admin/staff/",
        {
            "username": "prosecutor",
            "agency": world.agencies["prosecutor"].pk,
            "role": "investigator",
            "new_password": "password1234",
            "new_password_again": "password1234",
        },
    )
    page = _text(r)
    assert r.status_code == 400
    assert "already a staff member with this name" in page
    assert "too common" in page


def test_the_administrator_deactivates_a_member_who_then_cannot_sign_in(world, admin) -> None:
    target = world.personas["liaison"].user
    old_public = bytes(world.agencies["interior"].public_key)
    r = admin.post(f"/en/staff/admin/staff/{target.pk}/deactivate/")
    assert r.status_code == 302
    assert sign_in_refused("liaison", world.personas["liaison"].password)
    assert bytes(Agency.objects.get(slug="interior").public_key) != old_public
    assert "deactivated" in _text(admin.get("/en/staff/admin/staff/"))
    assert AuditEntry.objects.filter(
        action=AuditAction.STAFF_DEACTIVATED, subject="staff:liaison", actor__username="boss"
    ).exists()


def test_the_administrator_resets_a_members_password_and_second_factor(world, admin) -> None:
    target = world.personas["prosecutor"]
    r = admin.post(
        f"/en/staff/admin/staff/{target.user.pk}/reset/",
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert r.status_code == 302
    assert sign_in_refused("prosecutor", target.password)
    _client, secret = enrol_and_sign_in("prosecutor", NEW_PASSWORD)
    assert secret != target.totp_secret


def test_the_administrator_edits_an_agency_and_the_public_form_follows(world, admin) -> None:
    r = admin.post(
        "/en/staff/admin/agencies/interior/",
        {
            "name_ru": "МВД",
            "name_en": "Interior ministry",
            "retention_days": "365",
            "consent_note_ru": "",
            "consent_note_en": "",
        },
    )
    assert r.status_code == 302
    interior = Agency.objects.get(slug="interior")
    assert (interior.retention_days, interior.offered_for_consent) == (365, False)
    page = Client().get("/en/complaint/").content.decode()
    assert re.findall(r'name="(consent_[a-z_]+)"', page) == ["consent_prosecutor"]


def test_the_administrator_creates_an_agency(world, admin) -> None:
    r = admin.post(
        "/en/staff/admin/agencies/",
        {
            "slug": "court", "kind": "other", "name_ru": "Суд", "name_en": "Court",
            "retention_days": "730", "offered_for_consent": "on",
            "consent_note_ru": "", "consent_note_en": "",
        },
    )  # fmt: skip
    assert r.status_code == 302
    assert "Court may also see this complaint." in Client().get("/en/complaint/").content.decode()


def test_the_administrator_reads_no_complaint_content(world, admin) -> None:
    """Neither the install's administrator (no agency, no key) nor an administrator of the
    working group who holds its key (for the analysis pages) reads a complaint."""
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Not for the admin.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    complaint = latest_complaint()
    assert not AgencyKeyGrant.objects.filter(user__username="boss").exists()
    services.staff_create(
        username="wg-admin", password=NEW_PASSWORD, agency=world.agencies["working-group"],
        role=Role.ADMIN, agency_private_key=world.agency_keys["working-group"],
    )  # fmt: skip
    wg_admin, _secret = enrol_and_sign_in("wg-admin", NEW_PASSWORD)
    for client in (admin, wg_admin):
        assert client.get(f"/en/staff/complaints/{complaint.public_id}/").status_code == 403
        inbox = _text(client.get("/en/staff/"))
        assert "Not for the admin." not in inbox and str(complaint.public_id) not in inbox
        for url in ("/en/staff/admin/staff/", "/en/staff/admin/agencies/"):
            assert "Not for the admin." not in _text(client.get(url))


@pytest.mark.parametrize("persona", ["intake_officer", "prosecutor", "auditor"])
def test_other_roles_cannot_open_the_administrators_pages(world, persona) -> None:
    client = world.client_for(persona)
    for url in ("/en/staff/admin/staff/", "/en/staff/admin/agencies/"):
        assert client.get(url).status_code == 403


def test_a_member_changes_their_own_password_and_still_reads_their_agencys_complaints(
    world,
) -> None:
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Read me again.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    persona = world.personas["prosecutor"]
    client = world.client_for("prosecutor")
    r = client.post(
        "/en/staff/account/password/",
        {
            "current_password": persona.password,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert r.status_code == 302
    assert client.get("/en/staff/").status_code == 200, "the session stays signed in"
    assert sign_in_refused("prosecutor", persona.password)
    fresh = Client()
    fresh.post("/en/staff/sign-in/", {"username": "prosecutor", "password": NEW_PASSWORD})
    # The current code was used by the first sign-in (refused twice): the next step's code.
    code = pyotp.TOTP(persona.totp_secret).at(time.time() + 30)
    assert fresh.post("/en/staff/sign-in/code/", {"code": code}).status_code == 302
    r = fresh.get(f"/en/staff/complaints/{latest_complaint().public_id}/")
    assert r.status_code == 200 and "Read me again." in _text(r)
    assert AuditEntry.objects.filter(
        action=AuditAction.PASSWORD_CHANGED, subject="staff:prosecutor"
    ).exists()


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("not my password", NEW_PASSWORD, "not your current password"),
        (None, "password1234", "too common"),
        (None, "prosecutor12345", "too similar"),
    ],
)
def test_the_password_page_refuses_a_wrong_current_or_weak_new_password(
    world, current, new, message
) -> None:
    persona = world.personas["prosecutor"]
    r = world.client_for("prosecutor").post(
        "/en/staff/account/password/",
        {
            "current_password": current or persona.password,
            "new_password": new,
            "new_password_again": new,
        },
    )
    assert r.status_code == 400 and message in _text(r)
