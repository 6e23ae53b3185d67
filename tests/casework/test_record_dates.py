"""Dates on the staff's record forms are read as on the public form (issue 9, item 12)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ombuds import crypto
from ombuds.casework.models import CaseRecord, RecordKind
from ombuds.casework.records import DatePrecision, FuzzyDate, PersonRecord, record_from_bytes
from ombuds.casework.selectors import case_keys_for_agency
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in

pytestmark = pytest.mark.django_db


def _person(world, **fields: str):
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    data = {"person-name": "Adam V.", "person-sex": "m", "person-birth_precision": "unknown"}
    data.update({f"person-{k}": v for k, v in fields.items()})
    r = officer.post(case_url(case, "records/person/"), data)
    return officer, case, r


def _stored_person(world, case) -> PersonRecord:
    user = world.personas["intake_officer"].user
    keys = case_keys_for_agency(
        case=case, agency=user.agency, agency_private_key=world.agency_keys[user.agency.slug]
    )
    row = CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).order_by("-pk").first()
    plain = crypto.decrypt(keys.get_or_unseal(row.compartment), bytes(row.ciphertext), aad=row.aad)
    record = record_from_bytes(row.kind, plain)
    assert isinstance(record, PersonRecord)
    return record


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("14.11.1990", "unknown", FuzzyDate("1990-11-14", DatePrecision.DAY)),
        ("14 ноября 1990", "day", FuzzyDate("1990-11-14", DatePrecision.DAY)),
        ("ноябрь 1990", "unknown", FuzzyDate("1990-11", DatePrecision.MONTH)),
        ("March 1990", "month", FuzzyDate("1990-03", DatePrecision.MONTH)),
        ("1990", "year", FuzzyDate("1990", DatePrecision.YEAR)),
        ("около 1990", "unknown", FuzzyDate("1990", DatePrecision.ESTIMATE)),
        ("1990", "estimate", FuzzyDate("1990", DatePrecision.ESTIMATE)),
        ("", "unknown", FuzzyDate()),
    ],
)
def test_a_staff_date_written_as_people_write_it_is_stored_to_its_precision(
    world, typed: str, precision: str, stored: FuzzyDate
) -> None:
    _officer, case, r = _person(world, birth_value=typed, birth_precision=precision)
    assert r.status_code == 302, r.content[:3000]
    assert _stored_person(world, case).birth_date == stored


def test_a_future_staff_date_is_refused_keeping_what_was_typed(world) -> None:
    typed = (timezone.localdate() + datetime.timedelta(days=40)).strftime("%d.%m.%Y")
    _officer, case, r = _person(world, birth_value=typed)
    assert r.status_code == 400
    page = r.content.decode()
    assert "This date is in the future" in page and f'value="{typed}"' in page
    # Only the person copied from the complaint: nothing was added.
    assert CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).count() == 1


def test_the_edit_form_says_what_a_stored_date_is(world) -> None:
    officer, case, r = _person(world, birth_value="14.11.1990")
    assert r.status_code == 302
    row = CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).order_by("-pk").first()
    page = officer.get(
        f"/ru/staff/cases/{case.public_id}/records/{row.public_id}/edit/"
    ).content.decode()
    assert "понято как: 14 ноября 1990" in page
