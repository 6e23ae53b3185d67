"""Helpers for the casework tests: file complaints and open cases through HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client

from ombuds.casework.models import Case
from ombuds.intake.models import Complaint
from tests.conftest import submit_complaint

CONSENTS: dict[str, dict[str, str]] = {
    "none": {},
    "prosecutor": {"consent_prosecutor": "on"},
    "interior": {"consent_interior": "on"},
    "both": {"consent_prosecutor": "on", "consent_interior": "on"},
}


def file_complaint(consent: str = "none", **overrides: Any) -> Complaint:
    submit_complaint(Client(), **CONSENTS[consent], **overrides)
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint is not None
    return complaint


def open_case(client: Client, *complaints: Complaint, priority: str = "normal") -> Case:
    data = {"complaint": [str(c.public_id) for c in complaints], "priority": priority}
    r = client.post("/en/staff/cases/open/", data)
    assert r.status_code == 302, r.content[:2000]
    public_id = uuid.UUID(r["Location"].rstrip("/").rsplit("/", 1)[1])
    return Case.objects.get(public_id=public_id)


def case_url(case: Case, tail: str = "") -> str:
    return f"/en/staff/cases/{case.public_id}/{tail}"


def add_person(
    client: Client, case: Case, name: str, sources: list[Complaint] | None = None
) -> Any:
    data: dict[str, Any] = {
        "person-name": name,
        "person-other_names": "",
        "person-sex": "m",
        "person-birth_value": "1990",
        "person-birth_precision": "year",
        "person-age": "27",
        "person-origin": "Argun",
        "person-notes": "",
        "person-sources": [str(c.public_id) for c in (sources or [])],
    }
    return client.post(case_url(case, "records/person/"), data)


def signed_in(world: Any, persona: str) -> Client:
    """One signed-in client per persona per test: a second sign-in within the same 30-second
    step would replay the TOTP code, which the sign-in rightly refuses."""
    cache: dict[str, Client] = world.__dict__.setdefault("_casework_clients", {})
    if persona not in cache:
        cache[persona] = world.client_for(persona)
    return cache[persona]


def file_many(world: Any, case: Case, groups: int, persona: str = "analyst") -> list[Any]:
    """File ``groups`` × (a person, an event, an act naming both, information about the act)
    straight through the bulk service, as filing an imported list does; returns the rows in
    creation order. The case must be held by the persona's agency."""
    from ombuds.casework import records, selectors, services

    user = world.personas[persona].user
    keys = selectors.case_keys_for_agency(
        case=case,
        agency=user.agency,
        agency_private_key=world.agency_keys[user.agency.slug],
    )
    material: list[tuple[uuid.UUID, records.Record]] = []
    for i in range(groups):
        person, event, act = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        material += [
            (person, records.PersonRecord(name=f"Listed person {i:05d}")),
            (event, records.EventRecord(title=f"Listed event {i:05d}")),
            (
                act,
                records.ActRecord(event=str(event), act_type="detention", victim=str(person)),
            ),
            (
                uuid.uuid4(),
                records.InformationRecord(
                    source_type="ngo_list",
                    reliability="medium",
                    violation_status="likely",
                    about=str(act),
                    summary=f"Listed summary {i:05d}",
                ),
            ),
        ]
    return services.list_material_add(user=user, case=case, keys=keys, records=material)
