"""Correcting and removing case records through HTTP (docs/casework.md, "Correcting and
deleting records").

An edit re-encrypts the same row under its compartment key: the public id stays, so records
that name it still do; the audit entry names the fields that changed, never their values. A
record that other records name is not deleted until they no longer name it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.casework.forms import (
    ActForm,
    EventForm,
    InformationForm,
    InvolvementForm,
    PersonForm,
    RecordForm,
)
from ombuds.casework.models import Case, CaseKeyGrant, CaseRecord
from ombuds.casework.records import (
    ActRecord,
    DatePrecision,
    EventRecord,
    FuzzyDate,
    InformationRecord,
    InvolvementRecord,
    PersonRecord,
    Record,
    record_from_bytes,
)
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in
from tests.intake.test_canary import database_text

pytestmark = pytest.mark.django_db


# --- helpers --------------------------------------------------------------------------------


def _row(case: Case, kind: str) -> CaseRecord:
    row = CaseRecord.objects.filter(case=case, kind=kind).order_by("-pk").first()
    assert row is not None
    return row


def _key(world: Any, row: CaseRecord, agency: str = "working-group") -> crypto.DataKey:
    grant = CaseKeyGrant.objects.get(compartment=row.compartment, agency__slug=agency)
    return crypto.unseal_data_key(world.agency_keys[agency], bytes(grant.sealed_key))


def _read(world: Any, row: CaseRecord) -> Record:
    row.refresh_from_db()
    return record_from_bytes(
        row.kind, crypto.decrypt(_key(world, row), bytes(row.ciphertext), aad=row.aad)
    )


def edit_url(case: Case, row: CaseRecord, tail: str = "edit/") -> str:
    return case_url(case, f"records/{row.public_id}/{tail}")


def _form_data(page: str) -> dict[str, Any]:
    """What a browser would send back from the edit page unchanged (inputs, selects with
    their selected option, textareas), without the CSRF token the test client skips."""
    data: dict[str, Any] = {}
    for name, value in re.findall(r'<input type="text" name="([^"]+)"[^>]*?value="([^"]*)"', page):
        data[name] = value
    for name in re.findall(r'<input type="(?:text|number)" name="([^"]+)"', page):
        data.setdefault(name, "")
    for name, value in re.findall(
        r'<input type="number" name="([^"]+)"[^>]*?value="([^"]*)"', page
    ):
        data[name] = value
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.removeprefix("\n")
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    import html

    return {k: html.unescape(v) for k, v in data.items()}


def _coded_case(world: Any) -> tuple[Case, dict[str, CaseRecord]]:
    """A case with one record of every kind, coded through the pages: a person, an event
    with its act naming the person, an involvement of the act, information about the act."""
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    assert add_person(officer, case, "Adam V.").status_code == 302
    person = _row(case, "person")
    r = officer.post(
        case_url(case, "records/event/"),
        {
            "event-title": "Raid on the village",
            "event-date_value": "2017-03",
            "event-date_precision": "month",
            "event-place": "Tsotsi-Yurt",
            "event-act_type": "detention",
            "event-detention_type": "unacknowledged",
            "event-victim": str(person.public_id),
            "event-start_value": "2017-03-12",
            "event-start_precision": "day",
            "event-end_precision": "unknown",
            "event-victim_status": "still_held",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    act = _row(case, "act")
    r = officer.post(
        case_url(case, "records/involvement/"),
        {
            "involvement-act": str(act.public_id),
            "involvement-perpetrator_type": "police",
            "involvement-degree": "ordered",
            "involvement-perpetrator_unit": "Kurchaloy district police",
        },
    )
    assert r.status_code == 302
    r = officer.post(
        case_url(case, "records/information/"),
        {
            "information-source_type": "ngo_list",
            "information-source_ref": "List of 27",
            "information-reliability": "high",
            "information-violation_status": "confirmed",
            "information-about": str(act.public_id),
            "information-summary": "Named on the NGO list of detainees.",
        },
    )
    assert r.status_code == 302
    rows = {k: _row(case, k) for k in ("person", "event", "act", "involvement")}
    rows["information"] = (
        CaseRecord.objects.filter(case=case, kind="information", source_complaint=None)
        .order_by("-pk")
        .first()
    )
    return case, rows


# --- editing --------------------------------------------------------------------------------


# The field to change for each kind, the value typed, and how to read it back.
EDITS = {
    "person": ("name", "Adam Vakhaev", lambda rec: rec.name),
    "event": ("title", "Night raid on Tsotsi-Yurt", lambda rec: rec.title),
    "act": ("start_value", "2017-03-13", lambda rec: rec.start.value),
    "involvement": (
        "perpetrator_unit",
        "Special police regiment",
        lambda rec: rec.perpetrator_unit,
    ),
    "information": ("summary", "Named twice on the list.", lambda rec: rec.summary),
}
FIELD_NAMES = {"start_value": "start"}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_investigator_corrects_a_record_of_every_kind_in_the_same_row(world, kind: str) -> None:
    case, rows = _coded_case(world)
    row = rows[kind]
    before_ciphertext, before_public_id = bytes(row.ciphertext), row.public_id
    officer = signed_in(world, "intake_officer")
    page = officer.get(edit_url(case, row))
    assert page.status_code == 200
    data = _form_data(page.content.decode())
    field, value, read = EDITS[kind]
    assert f"{kind}-{field}" in data, sorted(data)
    assert f"{kind}-sources" not in data  # the compartment does not change
    # The form is filled with the record: sent back unchanged, nothing changes.
    r = officer.post(edit_url(case, row), data)
    assert r.status_code == 302
    assert bytes(CaseRecord.objects.get(pk=row.pk).ciphertext) == before_ciphertext
    data[f"{kind}-{field}"] = value
    r = officer.post(edit_url(case, row), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert r["Location"].endswith(f"?page=1#r-{row.public_id}")
    assert read(_read(world, row)) == value
    row.refresh_from_db()
    assert row.public_id == before_public_id and bytes(row.ciphertext) != before_ciphertext
    assert CaseRecord.objects.filter(case=case).count() == len(rows) + 2  # + the copied ones
    # The new ciphertext opens with the compartment key only, and only for this row.
    other = rows["person" if kind != "person" else "event"]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(_key(world, row), bytes(row.ciphertext), aad=other.aad)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(crypto.new_data_key(), bytes(row.ciphertext), aad=row.aad)
    # The case page shows it, and references to it still resolve.
    shown = officer.get(case_url(case)).content.decode()
    assert value in shown
    if kind == "person":
        assert f"victim: {value}" in shown
    entry = AuditEntry.objects.filter(action=AuditAction.CASE_RECORD_CHANGED).get()
    assert entry.subject == f"case:{case.public_id}"
    assert entry.details == {
        "record": str(row.public_id),
        "kind": kind,
        "fields": FIELD_NAMES.get(field, field),
        "copy": False,
    }
    assert entry.actor_username == "intake_officer"


def test_references_to_an_edited_event_and_act_keep_resolving(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    data = _form_data(officer.get(edit_url(case, rows["act"])).content.decode())
    data["act-act_type"] = "abduction"
    data["act-detention_type"] = ""
    assert officer.post(edit_url(case, rows["act"]), data).status_code == 302
    act = _read(world, rows["act"])
    assert isinstance(act, ActRecord) and act.event == str(rows["event"].public_id)
    involvement = _read(world, rows["involvement"])
    assert isinstance(involvement, InvolvementRecord)
    assert involvement.act == str(rows["act"].public_id)
    page = officer.get(case_url(case)).content.decode()
    assert "act: Abduction: Adam V." in page  # the involvement names the corrected act


def test_the_audit_names_fields_never_their_values(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    canary = f"CANARY-{uuid.uuid4().hex}"
    data = _form_data(officer.get(edit_url(case, rows["person"])).content.decode())
    data.update({"person-notes": canary, "person-age": "28", "person-origin": canary})
    assert officer.post(edit_url(case, rows["person"]), data).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.CASE_RECORD_CHANGED)
    assert entry.details["fields"] == "age,origin,notes"
    everything = str(list(AuditEntry.objects.values_list("subject", "details")))
    assert canary not in everything and "28" not in entry.details["fields"]
    assert canary.encode() not in database_text()


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    before = bytes(rows["person"].ciphertext)
    data = _form_data(officer.get(edit_url(case, rows["person"])).content.decode())
    data.update({"person-name": "Adam Typed-Again", "person-birth_value": "30.02.1990"})
    r = officer.post(edit_url(case, rows["person"]), data)
    assert r.status_code == 400
    page = r.content.decode()
    assert "There is no such date" in page
    assert 'value="Adam Typed-Again"' in page and 'value="30.02.1990"' in page
    rows["person"].refresh_from_db()
    assert bytes(rows["person"].ciphertext) == before
    assert not AuditEntry.objects.filter(action=AuditAction.CASE_RECORD_CHANGED).exists()


def test_the_edit_returns_to_the_page_and_filter_the_record_is_on(world) -> None:
    from tests.casework.helpers import file_many

    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    rows = file_many(world, case, 40)  # 160 records and the 2 copied: two pages
    last_person = rows[-4]
    data = _form_data(officer.get(edit_url(case, last_person)).content.decode())
    data["person-name"] = "Listed person, corrected"
    r = officer.post(edit_url(case, last_person) + "?kind=person", data)
    assert r.status_code == 302
    assert r["Location"].endswith(f"?kind=person&page=1#r-{last_person.public_id}")
    r = officer.post(edit_url(case, last_person), data)
    assert r["Location"].endswith(f"?page=2#r-{last_person.public_id}")
    page = officer.get(r["Location"].split("#")[0]).content.decode()
    assert f'id="r-{last_person.public_id}"' in page and "Listed person, corrected" in page


def test_a_copied_record_may_be_corrected_and_the_form_says_it_is_the_cases_copy(world) -> None:
    officer = signed_in(world, "intake_officer")
    complaint = file_complaint("none")
    case = open_case(officer, complaint)
    copy = CaseRecord.objects.get(case=case, kind="person", source_complaint=complaint)
    page = officer.get(edit_url(case, copy)).content.decode()
    assert 'id="copied"' in page and "changes the case's copy, not the complaint" in page
    data = _form_data(page)
    data["person-name"] = "Magomed Dzhabrailov"
    assert officer.post(edit_url(case, copy), data).status_code == 302
    copy.refresh_from_db()
    assert copy.source_complaint_id == complaint.pk  # still a copy: a withdrawal removes it
    entry = AuditEntry.objects.get(action=AuditAction.CASE_RECORD_CHANGED)
    assert entry.details["copy"] is True


def test_an_edit_keeps_a_reference_the_editor_cannot_open(world) -> None:
    """An act naming a victim in material withheld from the editor's agency: saving the act
    keeps the victim, shown as "withheld", rather than dropping it."""
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    assert officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    secret_source = file_complaint("none")
    r = officer.post(case_url(case, "complaints/"), {"complaint": str(secret_source.public_id)})
    assert r.status_code == 302
    hidden = CaseRecord.objects.get(case=case, kind="person", source_complaint=secret_source)
    # The prosecutor's own act names the person withheld from it (as one whose material was
    # withdrawn from its reach would): only the agency that wrote a record may edit it.
    from ombuds.casework import selectors as case_selectors
    from ombuds.casework import services as case_services

    user = world.personas["prosecutor"].user
    keys = case_selectors.case_keys_for_user(
        user=user, case=case, agency_private_key=world.agency_keys["prosecutor"]
    )
    _event, act = case_services.event_add(
        user=user,
        case=case,
        keys=keys,
        event=EventRecord(title="Shared event"),
        act=ActRecord(event="", act_type="arrest", victim=str(hidden.public_id)),
    )
    assert act is not None
    prosecutor = signed_in(world, "prosecutor")
    page = prosecutor.get(edit_url(case, act)).content.decode()
    assert "withheld" in page
    data = _form_data(page)
    assert data["act-victim"] == str(hidden.public_id)
    data["act-place"] = "Grozny"
    assert prosecutor.post(edit_url(case, act), data).status_code == 302
    edited = _read(world, act)
    assert isinstance(edited, ActRecord) and edited.victim == str(hidden.public_id)
    assert edited.place == "Grozny"


@pytest.mark.django_db(transaction=True)
def test_the_old_value_is_gone_from_the_database_files_after_an_edit(tx_world) -> None:
    officer = signed_in(tx_world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    old, new = f"OLD-{uuid.uuid4().hex}", f"NEW-{uuid.uuid4().hex}"
    assert add_person(officer, case, old).status_code == 302
    row = _row(case, "person")
    old_ciphertext = bytes(row.ciphertext)
    data = _form_data(officer.get(edit_url(case, row)).content.decode())
    data["person-name"] = new
    assert officer.post(edit_url(case, row), data).status_code == 302
    page = officer.get(case_url(case)).content.decode()
    assert new in page and old not in page
    dump = database_text()
    assert old_ciphertext not in dump  # the row holds the new ciphertext only
    assert old.encode() not in dump and new.encode() not in dump
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    files = list(Path(name).parent.glob(Path(name).name + "*"))
    assert files
    # Plaintext never reaches the files, WAL included. The old *ciphertext* may survive in a
    # WAL frame until the next checkpoint (unreadable without the compartment key)...
    for path in files:
        content = path.read_bytes()
        assert old.encode() not in content and new.encode() not in content, path.name
    # ... and once checkpointed, secure_delete has left none of it in the database file.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in Path(name).parent.glob(Path(name).name + "*"):
        assert old_ciphertext not in path.read_bytes(), path.name


# --- deleting -------------------------------------------------------------------------------


def test_deleting_needs_the_confirmation_box(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    row = rows["information"]
    page = officer.get(edit_url(case, row, "delete/"))
    assert (
        page.status_code == 200 and "Named on the NGO list of detainees." in page.content.decode()
    )
    r = officer.post(edit_url(case, row, "delete/"), {})
    assert r.status_code == 400 and "Tick the box to confirm." in r.content.decode()
    assert CaseRecord.objects.filter(pk=row.pk).exists()
    r = officer.post(edit_url(case, row, "delete/"), {"confirm": "on"})
    assert r.status_code == 302 and r["Location"].endswith("?page=1#records")
    assert not CaseRecord.objects.filter(pk=row.pk).exists()
    assert bytes(row.ciphertext) not in database_text()
    entry = AuditEntry.objects.get(action=AuditAction.CASE_RECORD_DELETED)
    assert entry.subject == f"case:{case.public_id}"
    assert entry.details == {"record": str(row.public_id), "kind": "information", "copy": False}
    assert "Named on the NGO list" not in officer.get(case_url(case)).content.decode()


def test_a_named_record_is_not_deleted_until_nothing_names_it(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    act_url = edit_url(case, rows["act"], "delete/")
    page = officer.get(act_url).content.decode()
    assert 'id="named-by"' in page and "Kurchaloy district police" in page
    assert "as its act" in page and "as what it is about" in page
    assert f"records/{rows['involvement'].public_id}/edit/" in page
    r = officer.post(act_url, {"confirm": "on"})
    assert r.status_code == 409
    assert CaseRecord.objects.filter(pk=rows["act"].pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CASE_RECORD_DELETED).exists()
    # Remove what names it; then the act goes.
    for kind in ("involvement", "information"):
        r = officer.post(edit_url(case, rows[kind], "delete/"), {"confirm": "on"})
        assert r.status_code == 302
    assert officer.post(act_url, {"confirm": "on"}).status_code == 302
    assert not CaseRecord.objects.filter(pk=rows["act"].pk).exists()
    # The person was named by the act only; the event too.
    for kind in ("person", "event"):
        assert (
            officer.post(edit_url(case, rows[kind], "delete/"), {"confirm": "on"}).status_code
            == 302
        )
    kinds = sorted(
        AuditEntry.objects.filter(action=AuditAction.CASE_RECORD_DELETED).values_list(
            "details__kind", flat=True
        )
    )
    assert kinds == ["act", "event", "information", "involvement", "person"]


def test_a_person_named_as_victim_lists_the_act_that_names_it(world) -> None:
    case, rows = _coded_case(world)
    officer = signed_in(world, "intake_officer")
    r = officer.post(edit_url(case, rows["person"], "delete/"), {"confirm": "on"})
    assert r.status_code == 409
    page = r.content.decode()
    assert "Detention: Adam V." in page and "as its victim" in page
    # Correcting the act so that it names no victim frees the person.
    data = _form_data(officer.get(edit_url(case, rows["act"])).content.decode())
    data["act-victim"] = ""
    assert officer.post(edit_url(case, rows["act"]), data).status_code == 302
    assert (
        officer.post(edit_url(case, rows["person"], "delete/"), {"confirm": "on"}).status_code
        == 302
    )


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("analyst", 403), ("auditor", 403), ("prosecutor", 404), ("liaison", 404)],
)
def test_others_may_neither_edit_nor_delete(world, persona: str, expected: int) -> None:
    case, rows = _coded_case(world)
    client = signed_in(world, persona)
    row = rows["person"]
    before = bytes(row.ciphertext)
    data = {"person-name": "Changed", "person-sex": "m", "person-birth_precision": "unknown"}
    assert client.get(edit_url(case, row)).status_code == expected
    assert client.post(edit_url(case, row), data).status_code == expected
    assert client.get(edit_url(case, row, "delete/")).status_code == expected
    assert client.post(edit_url(case, row, "delete/"), {"confirm": "on"}).status_code == expected
    row.refresh_from_db()
    assert bytes(row.ciphertext) == before
    r = Client().post(edit_url(case, row, "delete/"), {"confirm": "on"})
    assert r.status_code == 302 and "/staff/sign-in/" in r["Location"]
    assert CaseRecord.objects.filter(pk=row.pk).exists()


def test_readers_see_no_edit_or_delete_links(world) -> None:
    case, rows = _coded_case(world)
    officer_page = signed_in(world, "intake_officer").get(case_url(case)).content.decode()
    analyst_page = signed_in(world, "analyst").get(case_url(case)).content.decode()
    link = f"records/{rows['person'].public_id}/edit/"
    assert link in officer_page and f"records/{rows['person'].public_id}/delete/" in officer_page
    assert link not in analyst_page and "/delete/" not in analyst_page


def test_a_record_the_agency_cannot_open_is_not_found(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))  # its copies: the working group only
    assert officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    hidden = CaseRecord.objects.get(case=case, kind="information")
    prosecutor = signed_in(world, "prosecutor")
    assert prosecutor.get(case_url(case)).status_code == 200
    for tail in ("edit/", "delete/"):
        assert prosecutor.get(edit_url(case, hidden, tail)).status_code == 404
    r = prosecutor.post(edit_url(case, hidden, "delete/"), {"confirm": "on"})
    assert r.status_code == 404 and CaseRecord.objects.filter(pk=hidden.pk).exists()
    # Nor is a record of another case, or none at all.
    other = open_case(officer, file_complaint("none"))
    foreign = CaseRecord.objects.filter(case=other).first()
    assert foreign is not None
    assert officer.get(edit_url(case, foreign)).status_code == 404
    r = officer.get(case_url(case, f"records/{uuid.uuid4()}/delete/"))
    assert r.status_code == 404


def test_deleting_a_record_whose_referrer_is_withheld_says_it_was_not_searched(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    assert officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    prosecutor = signed_in(world, "prosecutor")
    assert add_person(prosecutor, case, "Shared person").status_code == 302
    shared = _row(case, "person")
    secret_source = file_complaint("none")
    officer.post(case_url(case, "complaints/"), {"complaint": str(secret_source.public_id)})
    r = officer.post(
        case_url(case, "records/event/"),
        {
            "event-title": "Withheld event",
            "event-date_precision": "unknown",
            "event-act_type": "arrest",
            "event-victim": str(shared.public_id),
            "event-start_precision": "unknown",
            "event-end_precision": "unknown",
            "event-victim_status": "unknown",
            "event-sources": [str(secret_source.public_id)],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = prosecutor.get(edit_url(case, shared, "delete/")).content.decode()
    assert 'id="unsearched"' in page and "1 record your agency cannot open" in page
    # The working group, which reads the act, may not delete the prosecutor's record at all.
    assert officer.post(edit_url(case, shared, "delete/"), {"confirm": "on"}).status_code == 403
    assert CaseRecord.objects.filter(pk=shared.pk).exists()


# --- the forms ----------------------------------------------------------------------------------


REF = str(uuid.uuid4())
FULL = {
    PersonForm: PersonRecord(
        name="Магомед",
        other_names=("Magomed", "Mahomed"),
        sex="m",
        birth_date=FuzzyDate("1990", DatePrecision.ESTIMATE),
        age=27,
        origin="Argun",
        notes="Two lines\nof notes",
    ),
    EventForm: EventRecord(
        title="t", date=FuzzyDate("2017-03-01", DatePrecision.DAY), place="p", description="d"
    ),
    ActForm: ActRecord(
        event=REF,
        act_type="detention",
        victim=REF,
        detention_type="official",
        start=FuzzyDate("2017-03", DatePrecision.MONTH),
        end=FuzzyDate("2018", DatePrecision.YEAR),
        place="p",
        victim_status="released",
        notes="n",
    ),
    InvolvementForm: InvolvementRecord(
        act=REF,
        perpetrator_type="police",
        degree="present",
        perpetrator_person=REF,
        perpetrator_unit="u",
        notes="n",
    ),
    InformationForm: InformationRecord(
        source_type="media",
        reliability="low",
        violation_status="possible",
        about=REF,
        source_ref="r",
        summary="s",
    ),
}


@pytest.mark.parametrize("form_class", list(FULL), ids=lambda c: c.__name__)
def test_every_field_of_every_kind_survives_an_unchanged_edit_form(
    form_class: type[RecordForm],
) -> None:
    """The edit form shows every field its record has: saving it unchanged loses nothing."""
    record = FULL[form_class]
    refs = {kind: ((REF, "x"),) for kind in ("person", "event", "act")}
    initial = form_class.initial_for(record)
    data = {f"k-{name}": "" if value is None else str(value) for name, value in initial.items()}
    form = form_class(data, prefix="k", refs=refs, editing=True)
    assert form.is_valid(), form.errors
    assert form.to_record() == record
