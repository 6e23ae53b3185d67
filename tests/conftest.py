"""Shared fixtures: an initialised install and the personas of the access matrix.

Personas (house-style): complainant, intake officer (working group), prosecutor's investigator,
interior-ministry liaison, analyst, auditor, stranger. Staff sign in through HTTP with their
password and a real TOTP code, exactly as a person would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
from django.test import Client

from ombuds import crypto


@dataclass
class Persona:
    username: str
    password: str
    totp_secret: str
    user: Any

    def sign_in(self, client: Client) -> Client:
        r = client.post(
            "/en/staff/sign-in/", {"username": self.username, "password": self.password}
        )
        assert r.status_code == 302, r.content[:500]
        r = client.post("/en/staff/sign-in/code/", {"code": pyotp.TOTP(self.totp_secret).now()})
        assert r.status_code == 302 and r["Location"].endswith("/staff/"), r.content[:500]
        return client


@dataclass
class World:
    escrow_private_key: crypto.PrivateKey
    agencies: dict[str, Any]
    agency_keys: dict[str, crypto.PrivateKey]
    personas: dict[str, Persona] = field(default_factory=dict)

    def client_for(self, name: str) -> Client:
        return self.personas[name].sign_in(Client())


PERSONAS = {
    "intake_officer": ("working-group", "intake_officer"),
    "analyst": ("working-group", "analyst"),
    "auditor": ("working-group", "auditor"),
    "prosecutor": ("prosecutor", "investigator"),
    "liaison": ("interior", "liaison"),
}


def build_world() -> World:
    from ombuds.staff import services
    from ombuds.staff.agencies import DEFAULT_AGENCIES
    from ombuds.staff.models import AgencyKind, Role

    notes = {spec.slug: spec for spec in DEFAULT_AGENCIES}

    new = services.install_initialise()
    agencies: dict[str, Any] = {}
    keys: dict[str, crypto.PrivateKey] = {}
    # Russian names as a real install has them: the complainant's pages show them.
    for slug, kind, receives_all in (
        ("working-group", AgencyKind.WORKING_GROUP, True),
        ("prosecutor", AgencyKind.PROSECUTOR, False),
        ("interior", AgencyKind.INTERIOR, False),
    ):
        agencies[slug], keys[slug] = services.agency_create(
            slug=slug,
            kind=kind,
            name_ru=notes[slug].name_ru,
            name_en=slug.replace("-", " ").title(),
            receives_all=receives_all,
            consent_note_ru=notes[slug].consent_note_ru,
            consent_note_en=notes[slug].consent_note_en,
        )
    world = World(new.escrow_private_key, agencies, keys)
    for name, (slug, role) in PERSONAS.items():
        password = f"{name}-correct-horse"
        user = services.staff_create(
            username=name,
            password=password,
            agency=agencies[slug],
            role=Role(role),
            agency_private_key=keys[slug],
        )
        secret = pyotp.random_base32()
        services.totp_enrol(user=user, secret=secret)
        world.personas[name] = Persona(name, password, secret, user)
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def tx_world(transactional_db: None) -> Iterator[World]:
    yield build_world()


COMPLAINT_FORM: dict[str, Any] = {
    "filer_role": "relative",
    "acts": ["detention", "disappearance"],
    "when_kind": "month",
    "when_value": "2017-03",
    "place": "Argun",
    "person-TOTAL_FORMS": "3",
    "person-INITIAL_FORMS": "0",
    "person-MIN_NUM_FORMS": "0",
    "person-MAX_NUM_FORMS": "3",
    "person-0-name": "Magomed D.",
    "person-0-age": "27",
    "person-0-sex": "m",
    "person-0-role": "victim",
    "perpetrators": ["police"],
    "perpetrator_details": "",
    "held_now": "yes",
    "account": "My brother was taken from our home at night.",
    "contact": "",
}


def fresh_form(client: Client, language: str = "en", **overrides: Any) -> dict[str, Any]:
    """The complaint form's fields with a real one-time token fetched from the page."""
    import re

    page = client.get(f"/{language}/complaint/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token, "the form carries a one-time token"
    data = dict(COMPLAINT_FORM, form_token=token.group(1))
    data.update(overrides)
    return data


def submit_complaint(client: Client, language: str = "en", **overrides: Any) -> str:
    """File a complaint through HTTP and return the codename shown on the receipt page."""
    import re

    r = client.post(f"/{language}/complaint/", fresh_form(client, language, **overrides))
    assert r.status_code == 200, r.content[:2000]
    page = r.content.decode()
    match = re.search(r'<p class="codename" id="codename">(.*?)</p>', page, re.S)
    assert match, page[:3000]
    return " ".join(re.findall(r"<span>([^<]+)</span>", match.group(1)))


def share_complaint(world: World, complaint: Any, agency: str = "prosecutor") -> None:
    """The working group shares a complaint with an agency its complainant consented to (what
    a referral of a case holding it does): for tests of what that agency does next."""
    from ombuds.intake.selectors import complaint_data_key_for_agency
    from ombuds.intake.services import complaint_share
    from ombuds.staff.models import Agency, StaffUser

    group = world.agencies["working-group"]
    data_key = complaint_data_key_for_agency(
        complaint=complaint, agency=group, agency_private_key=world.agency_keys["working-group"]
    )
    officer = StaffUser.objects.get(username=world.personas["intake_officer"].username)
    # Read again: a rotation since the world was built gave the agency a new public key.
    receiver = Agency.objects.get(pk=world.agencies[agency].pk)
    complaint_share(user=officer, complaint=complaint, agency=receiver, data_key=data_key)
