"""Who may read which complaint before any referral, through HTTP, persona by persona
(threat model 4). Consent alone shares nothing: a consented agency reads a complaint once a
case holding it is referred to it (tests/casework/test_referral_decides_when.py).

| persona            | no consent | prosecutor consent | interior consent |
|--------------------|------------|--------------------|------------------|
| intake officer     | read       | read               | read             |
| prosecutor         | 404        | 404                | 404              |
| interior liaison   | 404        | 404                | 404              |
| analyst, auditor   | 403        | 403                | 403              |
| stranger           | sign-in    | sign-in            | sign-in          |
"""

from __future__ import annotations

import pytest
from django.test import Client

from ombuds import crypto
from ombuds.intake.models import Complaint, ComplaintKeyGrant
from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db

SECRET_LINE = "The account that only consented bodies may read."


def _file(consent: dict[str, str]) -> Complaint:
    submit_complaint(Client(), account=SECRET_LINE, **consent)
    return Complaint.objects.order_by("-pk").first()


CONSENTS = {
    "none": {},
    "prosecutor": {"consent_prosecutor": "on"},
    "interior": {"consent_interior": "on"},
}
EXPECTED = {
    "intake_officer": {"none": 200, "prosecutor": 200, "interior": 200},
    "prosecutor": {"none": 404, "prosecutor": 404, "interior": 404},
    "liaison": {"none": 404, "prosecutor": 404, "interior": 404},
    "analyst": {"none": 403, "prosecutor": 403, "interior": 403},
    "auditor": {"none": 403, "prosecutor": 403, "interior": 403},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_access_matrix_for_reading_complaints(world, persona: str) -> None:
    complaints = {name: _file(consent) for name, consent in CONSENTS.items()}
    client = world.client_for(persona)
    inbox = client.get("/en/staff/").content.decode()
    for consent, complaint in complaints.items():
        expected = EXPECTED[persona][consent]
        r = client.get(f"/en/staff/complaints/{complaint.public_id}/")
        assert r.status_code == expected, (persona, consent)
        assert (SECRET_LINE in r.content.decode()) == (expected == 200)
        assert (str(complaint.public_id) in inbox) == (expected == 200)
        reply = client.post(f"/en/staff/complaints/{complaint.public_id}/reply/", {"text": "hello"})
        assert reply.status_code == (302 if expected == 200 else expected)


@pytest.mark.parametrize(
    "path", ["/en/staff/", "/en/staff/complaints/00000000-0000-0000-0000-000000000000/"]
)
def test_stranger_is_sent_to_sign_in(world, path: str) -> None:
    r = Client().get(path)
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]


def test_interior_ministry_cannot_read_without_consent_not_even_from_the_database(world) -> None:
    complaint = _file(CONSENTS["prosecutor"])
    interior = world.agencies["interior"]
    assert not ComplaintKeyGrant.objects.filter(complaint=complaint, agency=interior).exists()
    interior_key = world.agency_keys["interior"]
    # Every sealed copy of the data key in the database, tried with the interior ministry's
    # private key: none opens.
    sealed = [
        bytes(g.sealed_data_key) for g in ComplaintKeyGrant.objects.filter(complaint=complaint)
    ]
    sealed.append(bytes(complaint.sealed_for_complainant))
    for blob in sealed:
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal_data_key(interior_key, blob)


def test_complainant_sees_only_their_own_complaint(world) -> None:
    mine = submit_complaint(Client(), account="Mine.")
    submit_complaint(Client(), account="Someone else's.")
    visitor = Client()
    visitor.post("/en/return/", {"codename": mine})
    page = visitor.get("/en/return/complaint/").content.decode()
    assert "Mine." in page and "Someone else" not in page


def test_staff_session_without_its_key_cookie_is_signed_out(world) -> None:
    client = world.client_for("intake_officer")
    del client.cookies["ombuds_sk"]
    r = client.get("/en/staff/")
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]
    assert client.get("/en/staff/").status_code == 302
