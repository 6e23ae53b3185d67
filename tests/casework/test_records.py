"""Records are encrypted before they are written: the database holds no plaintext, a
ciphertext moved to another row does not open, and every record kind round-trips."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from ombuds import crypto
from ombuds.casework.models import CaseKeyGrant, CaseRecord
from ombuds.casework.records import (
    ActRecord,
    DatePrecision,
    EventRecord,
    FuzzyDate,
    InformationRecord,
    InvolvementRecord,
    PersonRecord,
    record_from_bytes,
)
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in

NAME = "Зелимхан Уникальнов"
ACCOUNT = "An account with a distinctive phrase: the orchard behind the mill."


def _all_casework_values() -> list[bytes]:
    """Every stored value of every casework row, as bytes."""
    out: list[bytes] = []
    for model in apps.get_app_config("casework").get_models():
        for row in model.objects.all().values():
            for value in row.values():
                if isinstance(value, bytes | memoryview):
                    out.append(bytes(value))
                elif value is not None:
                    out.append(str(value).encode())
    return out


@pytest.mark.django_db
def test_no_plaintext_reaches_the_database(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none", account=ACCOUNT, place="Shali"))
    assert add_person(officer, case, NAME).status_code == 302
    page = officer.get(case_url(case)).content.decode()
    assert NAME in page and ACCOUNT in page
    stored = b"\n".join(_all_casework_values())
    for secret in (NAME, "Уникальнов", ACCOUNT, "orchard", "Shali", "Argun"):
        assert secret.encode() not in stored, secret


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_row_does_not_open(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    add_person(officer, case, "First")
    add_person(officer, case, "Second")
    first, second = list(CaseRecord.objects.filter(case=case, kind="person").order_by("pk"))[-2:]
    grant = CaseKeyGrant.objects.get(compartment=first.compartment, agency__slug="working-group")
    key = crypto.unseal_data_key(world.agency_keys["working-group"], bytes(grant.sealed_key))
    assert b"First" in crypto.decrypt(key, bytes(first.ciphertext), aad=first.aad)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, bytes(first.ciphertext), aad=second.aad)


@pytest.mark.django_db
def test_event_act_involvement_and_information_through_the_page(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    add_person(officer, case, "Adam V.")
    person = CaseRecord.objects.filter(case=case, kind="person").order_by("-pk").first()
    r = officer.post(
        case_url(case, "records/event/"),
        {
            "event-title": "Raid on the village",
            "event-date_value": "2017-03",
            "event-date_precision": "month",
            "event-place": "Tsotsi-Yurt",
            "event-description": "",
            "event-act_type": "detention",
            "event-detention_type": "unacknowledged",
            "event-victim": str(person.public_id),
            "event-start_value": "2017-03-12",
            "event-start_precision": "day",
            "event-end_value": "",
            "event-end_precision": "unknown",
            "event-victim_status": "still_held",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    act = CaseRecord.objects.filter(case=case, kind="act").get()
    r = officer.post(
        case_url(case, "records/involvement/"),
        {
            "involvement-act": str(act.public_id),
            "involvement-perpetrator_type": "police",
            "involvement-degree": "ordered",
            "involvement-perpetrator_person": "",
            "involvement-perpetrator_unit": "Kurchaloy district police",
            "involvement-notes": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    r = officer.post(
        case_url(case, "records/information/"),
        {
            "information-source_type": "ngo_list",
            "information-source_ref": "List of 27, April 2017",
            "information-reliability": "high",
            "information-violation_status": "confirmed",
            "information-about": str(act.public_id),
            "information-summary": "Named on the NGO list of detainees.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = officer.get(case_url(case)).content.decode()
    for text in (
        "Raid on the village",
        "Tsotsi-Yurt",
        "Kurchaloy district police",
        "Named on the NGO list of detainees.",
        "victim: Adam V.",
    ):
        assert text in page, text


@pytest.mark.django_db
def test_a_date_that_does_not_exist_is_refused_keeping_what_was_typed(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    before = CaseRecord.objects.count()
    r = officer.post(
        case_url(case, "records/person/"),
        {
            "person-name": "Bad date",
            "person-sex": "m",
            "person-birth_value": "31.02.1990",
            "person-birth_precision": "day",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "There is no such date" in page
    assert 'value="31.02.1990"' in page
    assert CaseRecord.objects.count() == before


def test_every_record_kind_round_trips() -> None:
    ref = str(uuid.uuid4())
    for record in (
        PersonRecord(
            name="Магомед",
            other_names=("Magomed", "Mahomed"),
            birth_date=FuzzyDate("1990", DatePrecision.ESTIMATE),
            age=27,
        ),
        EventRecord(title="t", date=FuzzyDate("2017-03-01", DatePrecision.DAY)),
        ActRecord(event=ref, act_type="killing", victim=ref, victim_status="dead"),
        InvolvementRecord(act=ref, perpetrator_type="police", degree="present"),
        InformationRecord(source_type="media", reliability="low", violation_status="possible"),
    ):
        assert record_from_bytes(record.kind, record.to_bytes()) == record


@given(
    st.sampled_from([p.value for p in DatePrecision]),
    st.text(alphabet="0123456789-", max_size=12),
)
def test_fuzzy_dates_accept_only_their_precisions_form(precision: str, value: str) -> None:
    try:
        date = FuzzyDate(value, precision)
    except ValueError:
        return
    if precision == DatePrecision.UNKNOWN:
        assert value == ""
    else:
        assert len(value) in {4, 7, 10} and value[:4].isdigit()
    assert record_from_bytes("event", EventRecord(title="x", date=date).to_bytes()) == EventRecord(
        title="x", date=date
    )


def test_a_payload_with_unknown_fields_is_refused() -> None:
    with pytest.raises(ValueError):
        record_from_bytes("person", b'{"name":"x","password":"y"}')
