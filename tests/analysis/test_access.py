"""Who may use the linkage pages: analysts and administrators of the agency, nobody else."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from ombuds.staff.models import Role
from tests.analysis.helpers import NGO, PRESS, import_list, start_run
from tests.conftest import Persona, World


def _member(world: World, name: str, agency: str, role: Role) -> Client:
    from ombuds.staff import services

    password = f"{name}-correct-horse"
    user = services.staff_create(
        username=name,
        password=password,
        agency=world.agencies[agency],
        role=role,
        agency_private_key=world.agency_keys[agency],
    )
    secret = pyotp.random_base32()
    services.totp_enrol(user=user, secret=secret)
    return Persona(name, password, secret, user).sign_in(Client())


@pytest.fixture
def analyst(world: World) -> Client:
    return world.client_for("analyst")


@pytest.fixture
def urls(analyst: Client) -> list[str]:
    ngo = import_list(analyst, "NGO", NGO)
    press = import_list(analyst, "Press", PRESS)
    run = start_run(analyst, [ngo, press])
    base = "/en/staff/analysis/"
    return [
        base,
        f"{base}import/",
        f"{base}lists/{ngo.public_id}/",
        f"{base}runs/{run.public_id}/",
        f"{base}runs/{run.public_id}/review/",
        f"{base}runs/{run.public_id}/persons/",
    ]


def test_a_stranger_is_sent_to_sign_in(urls: list[str]) -> None:
    for url in urls:
        r = Client().get(url)
        assert r.status_code == 302 and "/staff/sign-in/" in r["Location"], url


@pytest.mark.parametrize("persona", ["intake_officer", "auditor", "prosecutor", "liaison"])
def test_staff_who_are_not_analysts_are_refused(
    world: World, urls: list[str], persona: str
) -> None:
    client = world.client_for(persona)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post("/en/staff/analysis/runs/new/", {"threshold": "0.5"}).status_code == 403


def test_the_analyst_and_an_administrator_of_the_agency_may_use_every_page(
    world: World, analyst: Client, urls: list[str]
) -> None:
    admin = _member(world, "admin", "working-group", Role.ADMIN)
    for client in (analyst, admin):
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_an_analyst_of_another_agency_sees_neither_lists_nor_runs(
    world: World, urls: list[str]
) -> None:
    other = _member(world, "analyst2", "prosecutor", Role.ANALYST)
    page = other.get(urls[0]).content.decode()
    assert "NGO" not in page and "No runs yet." in page
    for url in urls[2:]:
        assert other.get(url).status_code == 404, url


def test_a_run_cannot_use_a_list_of_another_agency(world: World, urls: list[str]) -> None:
    from ombuds.analysis.models import LinkageRun, PersonList

    other = _member(world, "analyst2", "prosecutor", Role.ANALYST)
    ngo = PersonList.objects.get(name="NGO")
    r = other.post("/en/staff/analysis/runs/new/", {"lists": [ngo.pk], "threshold": "0.5"})
    assert r.status_code == 400
    assert LinkageRun.objects.count() == 1
