"""Staff sign-in: password, mandatory second factor, slowing down, expiry."""

from __future__ import annotations

import time

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
    assert b"Sign-in failed" in r.content
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
    assert r.status_code == 200 and b"already used" in r.content
    assert b"not valid" not in r.content  # the member is told why, not that the code is wrong
    assert "_auth_user_id" not in client.session


SIGN_IN = "/en/staff/sign-in/"


def _try(persona, password: str, code: str | None = None, client: Client | None = None):
    data = {"username": persona.username, "password": password}
    if code is not None:
        data["code"] = code
    return (client or Client()).post(SIGN_IN, data)


def _wrong_code(persona) -> str:
    """A code that is not valid now, nor one step before or after."""
    totp = pyotp.TOTP(persona.totp_secret)
    now = time.time()
    near = {totp.at(now + 30 * d) for d in (-2, -1, 0, 1, 2)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near
    )


def test_the_right_password_and_code_get_in_however_many_wrong_passwords_came_before(
    world,
) -> None:
    persona = world.personas["analyst"]
    for i in range(25):  # a guesser, with and without codes
        r = _try(persona, f"guess number {i}", code=None if i % 2 else "123456")
        assert r.status_code == 200 and b"Sign-in failed" in r.content
    # The owner: the password alone is not enough now; the page asks for the code as well
    client = Client()
    r = _try(persona, persona.password, client=client)
    assert r.status_code == 200 and b'name="code"' in r.content
    r = _try(persona, persona.password, pyotp.TOTP(persona.totp_secret).now(), client=client)
    assert r.status_code == 302 and r["Location"].endswith("/staff/")
    assert client.get("/en/staff/").status_code == 200
    # and the next sign-in is the usual two steps again
    r = _try(persona, persona.password)
    assert r.status_code == 302 and r["Location"].endswith("/sign-in/code/")


def test_an_account_under_attack_does_not_tell_a_guesser_whether_the_password_is_right(
    world,
) -> None:
    persona = world.personas["liaison"]
    for i in range(3):
        _try(persona, f"guess number {i}")
    wrong = _page(_try(persona, "another wrong guess"), persona)
    right = _page(_try(persona, persona.password), persona)
    assert right == wrong
    assert right == client_page_for_unknown_user()
    # with a code: a right password with a wrong code reads as a wrong password
    code = _wrong_code(persona)
    with_right_password = _page(_try(persona, persona.password, code), persona)
    assert with_right_password == _page(_try(persona, "a wrong guess again", code), persona)
    assert code not in with_right_password  # the code tried is not shown back


def test_before_any_failure_the_password_step_still_leads_to_the_code_page(world) -> None:
    persona = world.personas["prosecutor"]
    r = _try(persona, persona.password)
    assert r.status_code == 302 and r["Location"].endswith("/sign-in/code/")


def test_wrong_codes_with_the_right_password_pause_code_checks_doubling(world) -> None:
    persona = world.personas["intake_officer"]
    code = _wrong_code(persona)
    for _ in range(3):  # someone holds the password and guesses codes
        assert _try(persona, persona.password, code).status_code == 200
    r = _try(persona, persona.password, pyotp.TOTP(persona.totp_secret).now())
    assert r.status_code == 200 and b"Sign-in failed" in r.content
    stages = [
        e.details["stage"]
        for e in AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("seq")
    ]
    assert stages == ["second_factor"] * 3 + ["locked"]
    assert [services.sign_in_lock_seconds(n) for n in (2, 3, 4, 5, 8, 40)] == [
        0,
        30,
        60,
        120,
        900,
        900,
    ]


def _page(response, persona) -> str:
    return _without_tokens(response.content.decode().replace(persona.username, ""))


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
