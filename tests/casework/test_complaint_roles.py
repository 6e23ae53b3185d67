"""A complaint's persons enter a case as their roles say (issue 9, item 15): a perpetrator as
a person an involvement names, never as a victim; a witness as a witness statement."""

from __future__ import annotations

import pytest
from django.test import Client

from ombuds import crypto
from ombuds.casework.models import Case, CaseRecord
from ombuds.casework.records import (
    ActRecord,
    InformationRecord,
    InvolvementDegree,
    InvolvementRecord,
    PersonRecord,
    Record,
    SourceType,
    record_from_bytes,
)
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.intake.models import Complaint
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in
from tests.conftest import World, submit_complaint

pytestmark = pytest.mark.django_db

PERSONS = {
    "person-0-name": "Magomed D.",
    "person-0-role": "victim",
    "person-1-name": "Captain Petrov",
    "person-1-age": "45",
    "person-1-role": "perpetrator",
    "person-2-name": "Aset the neighbour",
    "person-2-role": "witness",
}


def case_records(world: World, case: Case) -> dict[str, Record]:
    user = world.personas["intake_officer"].user
    keys = case_keys_for_agency(
        case=case, agency=user.agency, agency_private_key=world.agency_keys[user.agency.slug]
    )
    out = {}
    for row in CaseRecord.objects.filter(case=case).select_related("case", "compartment"):
        key = keys.get_or_unseal(row.compartment)
        assert key is not None
        plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
        out[str(row.public_id)] = record_from_bytes(row.kind, plain)
    return out


def test_a_perpetrator_named_in_a_complaint_enters_the_case_as_a_perpetrator(world) -> None:
    officer = signed_in(world, "intake_officer")
    complaint = file_complaint("none", **PERSONS)
    case = open_case(officer, complaint)
    records = case_records(world, case)
    persons = {r.name: pid for pid, r in records.items() if isinstance(r, PersonRecord)}
    assert set(persons) == {"Magomed D.", "Captain Petrov"}
    (involvement,) = [r for r in records.values() if isinstance(r, InvolvementRecord)]
    assert involvement.perpetrator_person == persons["Captain Petrov"]
    assert involvement.perpetrator_type == "police"  # the complaint's one kind of perpetrator
    assert involvement.degree == InvolvementDegree.SUSPECTED
    assert not any(isinstance(r, ActRecord) for r in records.values())

    page = officer.get(case_url(case)).content.decode()
    involvements = page.split("<h4>Involvements</h4>", 1)[1].split("</ul>", 1)[0]
    assert "<strong>Captain Petrov</strong>" in involvements


def test_a_witness_named_in_a_complaint_is_a_source_not_a_person_of_the_case(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none", **PERSONS))
    records = case_records(world, case).values()
    witnesses = [
        r
        for r in records
        if isinstance(r, InformationRecord) and r.source_type == SourceType.WITNESS
    ]
    assert [w.summary for w in witnesses] == ["Aset the neighbour"]
    assert "Aset the neighbour" not in {r.name for r in records if isinstance(r, PersonRecord)}


def test_withdrawing_the_complaint_removes_the_perpetrator_and_the_involvement_too(
    world,
) -> None:
    officer = signed_in(world, "intake_officer")
    client = Client()
    codename = submit_complaint(client, **PERSONS)
    case = open_case(officer, Complaint.objects.get())
    visitor = Client()
    assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    r = visitor.post("/en/return/withdraw/", {"confirm": "on"})
    assert r.status_code in (200, 302)
    assert not CaseRecord.objects.filter(case=case).exclude(source_complaint=None).exists()
    assert case_records(world, case) == {}


def test_an_approximate_date_on_the_complaint_stays_approximate_in_the_case(world) -> None:
    officer = signed_in(world, "intake_officer")
    complaint = file_complaint("none", when_kind="year", when_value="около 2016")
    case = open_case(officer, complaint)
    (summary,) = [
        r.summary
        for r in case_records(world, case).values()
        if isinstance(r, InformationRecord) and r.source_type == SourceType.COMPLAINT
    ]
    assert "When: about 2016" in summary
