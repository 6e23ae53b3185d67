"""Administrators see recent failed sign-ins per account: time, account, step; never the
address or browser of whoever tried (issue 9, item 4)."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from ombuds.staff import services
from ombuds.staff.models import Role
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

URL = "/en/staff/sign-in-failures/"
ADDRESS = "203.0.113.77"
AGENT = "CanaryBrowser/1.0"


def _admin(world) -> Persona:
    password = "administrator-correct-horse"
    user = services.staff_create(
        username="administrator",
        password=password,
        agency=world.agencies["working-group"],
        role=Role.ADMIN,
        agency_private_key=world.agency_keys["working-group"],
    )
    secret = pyotp.random_base32()
    services.totp_enrol(user=user, secret=secret)
    return Persona("administrator", password, secret, user)


def _fail(username: str, password: str, code: str | None = None) -> None:
    data = {"username": username, "password": password}
    if code is not None:
        data["code"] = code
    Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT).post("/en/staff/sign-in/", data)


def test_an_administrator_sees_failed_sign_ins_per_account_with_the_step(world) -> None:
    analyst = world.personas["analyst"]
    _fail("analyst", "a wrong password")
    _fail("analyst", "another wrong one")
    _fail("no-such-person", "whatever typed")
    client = Client()
    client.post("/en/staff/sign-in/", {"username": "auditor", "password": "auditor-correct-horse"})
    client.post("/en/staff/sign-in/code/", {"code": "000000"})
    admin = _admin(world)
    page = admin.sign_in(Client()).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert analyst.username in html and "auditor" in html
    assert "a name that is no account" in html and "no-such-person" not in html
    assert "Password" in html and "Second factor" in html
    rows = html.split("<h2>One by one</h2>")[1]
    assert rows.count("<tr><td>") == 4
    assert ADDRESS not in html and AGENT not in html
    assert "whatever typed" not in html and "a wrong password" not in html


def test_the_staff_menu_links_the_page_for_administrators_only(world) -> None:
    admin = _admin(world)
    assert URL.encode() in admin.sign_in(Client()).get("/en/staff/").content
    assert URL.encode() not in world.client_for("auditor").get("/en/staff/").content


@pytest.mark.parametrize(
    "persona", ["intake_officer", "analyst", "auditor", "prosecutor", "liaison"]
)
def test_no_one_but_an_administrator_may_see_failed_sign_ins(world, persona: str) -> None:
    _fail("analyst", "a wrong password")
    r = world.client_for(persona).get(URL)
    assert r.status_code == 403
    assert b"analyst" not in r.content.split(b"</header>")[-1]


def test_a_stranger_is_sent_to_sign_in(world) -> None:
    r = Client().get(URL)
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]
