"""Staff sign-in: password, mandatory second factor, slowing down, expiry."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.staff import services
from ombuds.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db


def test_first_sign_in_enrols_the_second_factor(world) -> None:
    services.staff_create(
        username="newcomer",
        password="a long new password",
        agency=world.agencies["working-group"],
        role=Role.INTAKE_OFFICER,
        agency_private_key=world.agency_keys["working-group"],
    )
    client = Client()
    r = client.post(
        "/en/staff/sign-in/", {"username": "newcomer", "password": "a long new password"}
    )
    assert r.status_code == 302
    page = client.get("/en/staff/sign-in/code/").content.decode()
    assert "<svg" in page
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    assert client.get("/en/staff/").status_code == 302, "no access before the second factor"
    r = client.post("/en/staff/sign-in/code/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"].endswith("/staff/")
    user = StaffUser.objects.get(username="newcomer")
    assert user.totp_confirmed and secret.encode() not in bytes(user.totp_sealed)
    assert client.get("/en/staff/").status_code == 200


def test_wrong_password_and_wrong_code_are_refused_and_audited(world) -> None:
    persona = world.personas["intake_officer"]
    client = Client()
    r = client.post(
        "/en/staff/sign-in/", {"username": persona.username, "password": "nope nope nope"}
    )
    assert b"Wrong user name or password" in r.content
    client.post("/en/staff/sign-in/", {"username": persona.username, "password": persona.password})
    r = client.post("/en/staff/sign-in/code/", {"code": "000000"})
    assert b"not valid" in r.content
    assert client.get("/en/staff/").status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 2


def test_a_used_code_cannot_be_replayed(world) -> None:
    persona = world.personas["prosecutor"]
    persona.sign_in(Client())
    client = Client()
    client.post("/en/staff/sign-in/", {"username": persona.username, "password": persona.password})
    r = client.post("/en/staff/sign-in/code/", {"code": pyotp.TOTP(persona.totp_secret).now()})
    assert r.status_code == 200 and b"not valid" in r.content


def test_repeated_failures_slow_sign_in_down(world) -> None:
    persona = world.personas["analyst"]
    for _ in range(5):
        Client().post(
            "/en/staff/sign-in/", {"username": persona.username, "password": "bad password!"}
        )
    r = Client().post(
        "/en/staff/sign-in/", {"username": persona.username, "password": persona.password}
    )
    assert r.status_code == 200 and b"too many failed attempts" in r.content
    assert client_page_for_unknown_user() == _without_tokens(
        r.content.decode().replace(persona.username, "")
    )
    assert services.sign_in_lock_seconds(3) == 2 and services.sign_in_lock_seconds(40) == 900


def test_sign_out_ends_the_session(world) -> None:
    client = world.client_for("intake_officer")
    assert client.get("/en/staff/").status_code == 200
    client.post("/en/staff/sign-out/")
    assert client.get("/en/staff/").status_code == 302


def test_sessions_expire(world, settings) -> None:
    client = world.client_for("intake_officer")
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now())
    assert client.get("/en/staff/").status_code == 302


def test_a_mistyped_user_name_is_not_written_to_the_audit_log(world) -> None:
    Client().post("/en/staff/sign-in/", {"username": "my-secret-password", "password": "x" * 12})
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).get()
    assert "my-secret-password" not in f"{entry.subject} {entry.details}"
    assert entry.details["known"] is False


def client_page_for_unknown_user() -> str:
    """The sign-in refusal for a name that is no account, with the name removed."""
    r = Client().post("/en/staff/sign-in/", {"username": "nobody-here", "password": "x" * 12})
    return _without_tokens(r.content.decode().replace("nobody-here", ""))


def _without_tokens(page: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
