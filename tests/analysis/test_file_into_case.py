"""Filing an imported list into a case: its records become persons, acts and Information from
that source, encrypted in the compartment every holding agency reads, each record once."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.test import Client

from ombuds import crypto
from ombuds.analysis import services
from ombuds.analysis.models import CASE_SOURCE, FiledRecord, ListRecord, PersonList, RunStatus
from ombuds.analysis.selectors import linkage_inputs
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.casework import records as case_records
from ombuds.casework.models import EVERYONE, Case, CaseRecord, RecordKind
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.casework.services import CaseworkError
from ombuds.staff.models import Role
from tests.analysis.helpers import HEADER, NGO, PRESS, import_list
from tests.casework.helpers import add_person, case_url, file_complaint, open_case
from tests.conftest import Persona, World, share_complaint
from tests.intake.test_canary import captured_logs, database_text  # noqa: F401 - a fixture

WG = "working-group"


def member(world: World, name: str, agency: str, role: Role) -> Persona:
    from ombuds.staff import services as staff_services

    password = f"{name}-correct-horse"
    user = staff_services.staff_create(
        username=name,
        password=password,
        agency=world.agencies[agency],
        role=role,
        agency_private_key=world.agency_keys[agency],
    )
    secret = pyotp.random_base32()
    staff_services.totp_enrol(user=user, secret=secret)
    return Persona(name, password, secret, user)


def file_url(person_list: PersonList, language: str = "en") -> str:
    return f"/{language}/staff/analysis/lists/{person_list.public_id}/file/"


def file_by_form(
    client: Client, person_list: PersonList, case: Case, language: str = "en", **overrides: str
) -> Any:
    data = {"case": str(case.public_id), "source_type": "ngo_list", "reliability": "medium"}
    data.update(overrides)
    return client.post(file_url(person_list, language), data)


def file_directly(
    world: World, persona: str, person_list: PersonList, case: Case, agency: str = WG
) -> services.FilingResult:
    return services.person_list_file(
        user=world.personas[persona].user,
        person_list=person_list,
        case=case,
        agency_key=world.agency_keys[agency],
        source_type="ngo_list",
        reliability="high",
    )


def case_contents(world: World, case: Case, agency: str = WG) -> list[tuple[CaseRecord, Any]]:
    """Every record of the case the agency can open, decrypted, in order."""
    keys = case_keys_for_agency(
        case=case, agency=world.agencies[agency], agency_private_key=world.agency_keys[agency]
    )
    out = []
    for row in CaseRecord.objects.filter(case=case).select_related("case", "compartment"):
        key = keys.get(row.compartment)
        if key is not None:
            plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
            out.append((row, case_records.record_from_bytes(row.kind, plain)))
    return out


def filed_contents(world: World, case: Case) -> list[tuple[CaseRecord, Any]]:
    """The records the analyst filed (not those copied from the case's complaint)."""
    return [
        (row, rec)
        for row, rec in case_contents(world, case)
        if row.created_by is not None and row.created_by.username == "analyst"
    ]


@pytest.fixture
def officer(world: World) -> Client:
    return world.client_for("intake_officer")


@pytest.fixture
def analyst(world: World) -> Client:
    return world.client_for("analyst")


@pytest.fixture
def case(officer: Client) -> Case:
    return open_case(officer, file_complaint("none"))


@pytest.fixture
def ngo(analyst: Client) -> PersonList:
    return import_list(analyst, "NGO", NGO)


# --- the service ----------------------------------------------------------------------------


def test_each_record_becomes_a_person_an_act_and_information_from_the_list(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    before = CaseRecord.objects.filter(case=case).count()
    r = file_by_form(analyst, ngo, case)
    assert r.status_code == 302, r.content[:3000]
    # 3 records, each with an event and so: person, event, act, information.
    assert CaseRecord.objects.filter(case=case).count() == before + 12

    new = filed_contents(world, case)
    by_kind: dict[str, list[tuple[CaseRecord, Any]]] = {}
    for row, rec in new:
        by_kind.setdefault(row.kind, []).append((row, rec))
        assert row.compartment.signature == EVERYONE and row.compartment.everyone
    persons = {rec.name: (row, rec) for row, rec in by_kind[RecordKind.PERSON]}
    assert set(persons) == {
        "Джабраилов Магомед Ахмедович",
        "Хамзатов Ислам Русланович",
        "Умарова Зарема Исаевна",
    }
    row, person = persons["Джабраилов Магомед Ахмедович"]
    assert person.sex == case_records.Sex.MALE
    assert person.birth_date == case_records.FuzzyDate("1990-05-12", "day")
    assert person.origin == "с. Гойты"
    assert persons["Умарова Зарема Исаевна"][1].sex == case_records.Sex.FEMALE

    acts = {rec.victim: (act_row, rec) for act_row, rec in by_kind[RecordKind.ACT]}
    act_row, act = acts[str(row.public_id)]
    assert act.act_type == case_records.ActType.DETENTION
    assert act.start == case_records.FuzzyDate("2017-03-14", "day")
    events = {str(r.public_id): rec for r, rec in by_kind[RecordKind.EVENT]}
    assert events[act.event].date == act.start and events[act.event].place == "с. Гойты"
    # "disappearance" in a list is the case vocabulary's enforced disappearance.
    hamzatov = persons["Хамзатов Ислам Русланович"][0]
    assert acts[str(hamzatov.public_id)][1].act_type == case_records.ActType.ENFORCED_DISAPPEARANCE

    information = {rec.about: rec for _r, rec in by_kind[RecordKind.INFORMATION]}
    info = information[str(act_row.public_id)]
    assert info.source_type == case_records.SourceType.NGO_LIST
    assert info.reliability == case_records.Reliability.MEDIUM
    assert info.violation_status == case_records.ViolationStatus.POSSIBLE
    link = FiledRecord.objects.get(case_person_id=row.public_id)
    assert info.source_ref == f"list:{ngo.public_id}#{link.list_record.public_id}"
    assert "detention" in info.summary and "2017-03-14" in info.summary

    # Each list record remembers the case person it became.
    assert FiledRecord.objects.filter(list_record__person_list=ngo).count() == 3
    assert {str(f.case_person_id) for f in FiledRecord.objects.all()} == {
        str(r.public_id) for r, _p in persons.values()
    }


def test_a_record_without_event_becomes_a_person_and_information_about_the_case(
    world: World, analyst: Client, case: Case
) -> None:
    text = "record_id,source,full_name,sex,age,place\n7,ngo,Висаитова Луиза,ж,31,Шали\n"
    person_list = import_list(analyst, "Names only", text)
    result = file_directly(world, "analyst", person_list, case)
    assert (result.filed, result.skipped) == (1, 0)
    new = filed_contents(world, case)
    kinds = sorted(row.kind for row, _rec in new)
    assert kinds == [RecordKind.INFORMATION, RecordKind.PERSON]
    person = next(rec for row, rec in new if row.kind == RecordKind.PERSON and rec.age == 31)
    assert person.name == "Висаитова Луиза" and person.sex == case_records.Sex.FEMALE
    assert person.birth_date.precision == case_records.DatePrecision.UNKNOWN
    info = next(rec for row, rec in new if row.kind == RecordKind.INFORMATION and rec.about == "")
    assert info.source_ref.startswith(f"list:{person_list.public_id}#")
    assert "Висаитова" not in info.source_ref


def test_filing_is_audited_in_the_same_transaction_without_content(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    entry = AuditEntry.objects.filter(action=AuditAction.LIST_FILED).get()
    assert entry.subject == f"case:{case.public_id}"
    assert entry.actor_username == "analyst"
    assert entry.details == {
        "list": str(ngo.public_id),
        "filed": 3,
        "skipped": 0,
        "remaining": 0,
        "source_type": "ngo_list",
        "reliability": "high",
    }


def test_a_record_is_filed_once_and_a_second_filing_is_refused(
    world: World, analyst: Client, officer: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    other = open_case(officer, file_complaint("none"))
    count = CaseRecord.objects.count()
    with pytest.raises(services.AnalysisError, match="already filed"):
        file_directly(world, "analyst", ngo, other)
    with pytest.raises(services.AnalysisError, match="already filed"):
        file_directly(world, "analyst", ngo, case)
    assert CaseRecord.objects.count() == count
    assert AuditEntry.objects.filter(action=AuditAction.LIST_FILED).count() == 1


def test_records_filed_before_are_skipped_and_the_rest_filed(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    # A case person removed (as when its case goes) frees its list record for filing again.
    first = FiledRecord.objects.order_by("pk").first()
    assert first is not None
    CaseRecord.objects.filter(public_id=first.case_person_id).delete()
    assert FiledRecord.objects.count() == 2
    result = file_directly(world, "analyst", ngo, case)
    assert (result.filed, result.skipped) == (1, 2)
    assert FiledRecord.objects.count() == 3


def test_a_case_writer_of_the_holding_agency_may_file_the_agencys_list(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    result = file_directly(world, "intake_officer", ngo, case)
    assert result.filed == 3


def test_an_agency_that_does_not_hold_the_case_is_refused(world: World, case: Case) -> None:
    analyst2 = member(world, "analyst2", "prosecutor", Role.ANALYST)
    own = services.person_list_import(
        user=analyst2.user, name="Prosecutor's list", filename="p.csv", data=PRESS.encode()
    ).person_list
    with pytest.raises(CaseworkError, match="Your agency does not hold this case"):
        services.person_list_file(
            user=analyst2.user,
            person_list=own,
            case=case,
            agency_key=world.agency_keys["prosecutor"],
            source_type="media",
            reliability="low",
        )
    assert not FiledRecord.objects.exists()


def test_a_list_of_another_agency_is_refused(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    analyst2 = member(world, "analyst2", "prosecutor", Role.ANALYST)
    with pytest.raises(services.AnalysisError, match="another agency"):
        services.person_list_file(
            user=analyst2.user,
            person_list=ngo,
            case=case,
            agency_key=world.agency_keys["prosecutor"],
            source_type="media",
            reliability="low",
        )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_administrators_may_not_file(
    world: World, analyst: Client, case: Case, ngo: PersonList, role: Role
) -> None:
    persona = member(world, f"someone-{role}", WG, role)
    with pytest.raises(CaseworkError, match="Your role may not file lists"):
        services.person_list_file(
            user=persona.user,
            person_list=ngo,
            case=case,
            agency_key=world.agency_keys[WG],
            source_type="ngo_list",
            reliability="low",
        )
    assert not FiledRecord.objects.exists()


def test_list_material_may_not_pose_as_a_complaint(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    for source_type, reliability in (("complaint", "high"), ("ngo_list", "certain")):
        with pytest.raises(services.AnalysisError):
            services.person_list_file(
                user=world.personas["analyst"].user,
                person_list=ngo,
                case=case,
                agency_key=world.agency_keys[WG],
                source_type=source_type,
                reliability=reliability,
            )


def test_analysts_still_may_not_change_cases_otherwise(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    r = analyst.post(case_url(case, "records/person/"), {"person-name": "X"})
    assert r.status_code == 403
    assert analyst.post(case_url(case, "status/"), {"status": "closed"}).status_code == 403


# --- in batches -----------------------------------------------------------------------------


@pytest.fixture
def batch_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "FILE_MAX_PER_REQUEST", 3)


def filed_list_record_ids(person_list: PersonList) -> list[int]:
    return sorted(
        FiledRecord.objects.filter(list_record__person_list=person_list).values_list(
            "list_record_id", flat=True
        )
    )


@pytest.mark.usefixtures("batch_of_three")
def test_a_filing_files_at_most_the_limit_in_list_order_and_says_what_remains(
    world: World, analyst: Client, case: Case
) -> None:
    eight = import_list(analyst, "Eight", _big_list(8))
    in_order = list(
        ListRecord.objects.filter(person_list=eight).order_by("pk").values_list("pk", flat=True)
    )
    results = [file_directly(world, "analyst", eight, case) for _ in range(3)]
    assert [(r.filed, r.skipped, r.remaining) for r in results] == [(3, 0, 5), (3, 3, 2), (2, 6, 0)]
    assert filed_list_record_ids(eight) == in_order
    audited = AuditEntry.objects.filter(action=AuditAction.LIST_FILED).order_by("pk")
    batches = [(e.details["filed"], e.details["skipped"], e.details["remaining"]) for e in audited]
    assert batches == [(3, 0, 5), (3, 3, 2), (2, 6, 0)]
    with pytest.raises(services.AnalysisError, match="already filed"):
        file_directly(world, "analyst", eight, case)


@pytest.mark.usefixtures("batch_of_three")
def test_a_big_list_is_filed_in_three_submissions_each_saying_what_remains(
    world: World, analyst: Client, case: Case
) -> None:
    eight = import_list(analyst, "Eight", _big_list(8))
    persons_before = CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).count()
    list_url = f"/en/staff/analysis/lists/{eight.public_id}/"
    page = analyst.get(list_url).content.decode()
    assert "A filing files at most 3 records; file the list again for the next ones." in page

    said = []
    for _submission in range(3):
        r = file_by_form(analyst, eight, case, source_type="witness", reliability="low")
        assert r.status_code == 302, r.content[:3000]
        assert r["Location"].startswith(list_url)
        # Nothing naming a person travels in a URL: a random case id and two choice values.
        assert "%D0" not in r["Location"] and "Фамилия" not in r["Location"]
        said.append(analyst.get(r["Location"]).content.decode())

    first, second, last = said
    assert f"3 records filed into case {case.short_id}. 5 records remain: " in first
    assert "file the list again to go on." in first
    assert "5 records of this list are not filed yet." in first
    # The form is offered again with the same choices.
    assert f'action="{file_url(eight)}"' in first
    assert f'<option value="{case.public_id}" selected>' in first
    assert '<option value="witness" selected>' in first
    assert '<option value="low" selected>' in first

    assert f"3 records filed into case {case.short_id}." in second
    assert "3 records filed before were left as they were." in second
    assert "2 records remain: file the list again to go on." in second

    assert f"2 records filed into case {case.short_id}." in last
    assert "remain" not in last and "not filed yet" not in last
    assert "Every record of this list is filed." in last and file_url(eight) not in last
    assert f"case {case.short_id}</a> (8 records)" in last

    # Each record filed once.
    assert len(filed_list_record_ids(eight)) == 8
    persons = CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).count()
    assert persons == persons_before + 8
    names = [rec.name for row, rec in filed_contents(world, case) if row.kind == RecordKind.PERSON]
    assert len(names) == len(set(names)) == 8


@pytest.mark.usefixtures("batch_of_three")
def test_the_russian_page_says_what_remains_in_russian(analyst: Client, case: Case) -> None:
    eight = import_list(analyst, "Eight", _big_list(8))
    r = file_by_form(analyst, eight, case, language="ru")
    page = analyst.get(r["Location"]).content.decode()
    assert f"3 записи внесены в дело {case.short_id}." in page
    assert "Осталось 5 записей: внесите список ещё раз, чтобы продолжить." in page
    r = file_by_form(analyst, eight, case, language="ru")
    page = analyst.get(r["Location"]).content.decode()
    assert "Осталось 2 записи" in page


def test_a_large_count_is_written_with_the_languages_grouping(world: World, case: Case) -> None:
    from django.utils import translation

    from ombuds.analysis.views import _filing_done

    result = services.FilingResult(case=case, filed=25_000, skipped=0, remaining=40_000)
    with translation.override("en"):
        assert _filing_done(result) == (
            f"25,000 records filed into case {case.short_id}. "
            "40,000 records remain: file the list again to go on."
        )
    with translation.override("ru"):
        assert "25\xa0000" in _filing_done(result) and "40\xa0000" in _filing_done(result)


# --- the pages ------------------------------------------------------------------------------


def test_the_list_page_offers_the_agencys_cases_by_short_id(
    analyst: Client, case: Case, ngo: PersonList
) -> None:
    page = analyst.get(f"/en/staff/analysis/lists/{ngo.public_id}/").content.decode()
    assert f'action="{file_url(ngo)}"' in page
    assert f'<option value="{case.public_id}">{case.short_id} · Open · ' in page
    assert "NGO list" in page and "Reliability of the list" in page
    assert '<option value="complaint"' not in page


def test_filing_through_the_page_says_what_was_done_and_the_case_page_shows_it(
    world: World, analyst: Client, officer: Client, case: Case, ngo: PersonList
) -> None:
    r = file_by_form(analyst, ngo, case)
    assert r.status_code == 302
    assert r["Location"] == f"/en/staff/analysis/lists/{ngo.public_id}/"
    page = analyst.get(r["Location"]).content.decode()
    assert f"3 records filed into case {case.short_id}." in page
    assert f'href="/en/staff/cases/{case.public_id}/">case {case.short_id}</a> (3 records)' in page
    assert "Every record of this list is filed." in page and file_url(ngo) not in page
    # Nothing naming a person travels in a URL.
    assert "%D0" not in r["Location"] and "Джабраилов" not in r["Location"]

    for client in (analyst, officer):
        case_page = client.get(case_url(case)).content.decode()
        assert "Джабраилов Магомед Ахмедович" in case_page
        assert "Умарова Зарема Исаевна" in case_page
        assert "NGO list" in case_page
        assert f"list:{ngo.public_id}#" in case_page
        assert "Enforced disappearance" in case_page


def test_a_rejected_form_keeps_what_was_typed(analyst: Client, case: Case, ngo: PersonList) -> None:
    r = file_by_form(analyst, ngo, case, source_type="media", reliability="nonsense")
    assert r.status_code == 400
    page = r.content.decode()
    assert "Select a valid choice" in page
    assert '<option value="media" selected>' in page
    assert not FiledRecord.objects.exists()

    assert file_by_form(analyst, ngo, case).status_code == 302
    r = file_by_form(analyst, ngo, case, source_type="witness", reliability="low")
    assert r.status_code == 400
    page = r.content.decode()
    assert "Every record of this list is already filed in a case." in page
    assert '<option value="witness" selected>' in page
    assert '<option value="low" selected>' in page


def test_without_a_case_the_page_says_so(analyst: Client, ngo: PersonList) -> None:
    page = analyst.get(f"/en/staff/analysis/lists/{ngo.public_id}/").content.decode()
    assert "Your agency holds no case yet." in page and file_url(ngo) not in page


def test_a_case_the_agency_does_not_hold_cannot_be_chosen(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    prosecutor = world.client_for("prosecutor")
    complaint = file_complaint("prosecutor")
    share_complaint(world, complaint, "prosecutor")
    theirs = open_case(prosecutor, complaint)
    r = file_by_form(analyst, ngo, theirs)
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert not FiledRecord.objects.exists()


def test_administrators_get_no_form_and_may_not_post_it(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    admin = member(world, "admin", WG, Role.ADMIN).sign_in(Client())
    page = admin.get(f"/en/staff/analysis/lists/{ngo.public_id}/").content.decode()
    assert file_url(ngo) not in page
    assert file_by_form(admin, ngo, case).status_code == 403
    auditor = world.client_for("auditor")
    assert file_by_form(auditor, ngo, case).status_code == 403
    assert not FiledRecord.objects.exists()


def test_the_russian_list_page_is_russian(analyst: Client, case: Case, ngo: PersonList) -> None:
    ru = analyst.get(f"/ru/staff/analysis/lists/{ngo.public_id}/").content.decode()
    for english in ("File into a case", "Reliability of the list", "File the list", "NGO list"):
        assert english not in ru
    assert "Внести в дело" in ru
    r = file_by_form(analyst, ngo, case, language="ru")
    page = analyst.get(r["Location"]).content.decode()
    assert f"3 записи внесены в дело {case.short_id}." in page


# --- linkage --------------------------------------------------------------------------------


def test_a_filed_person_enters_a_run_once_as_the_list_record_when_its_list_is_in(
    world: World, officer: Client, analyst: Client, case: Case, ngo: PersonList
) -> None:
    assert add_person(officer, case, "Staff-recorded person").status_code == 302
    file_directly(world, "analyst", ngo, case)
    press = import_list(analyst, "Press", PRESS)
    # Analysts read staff material only, not persons copied from a complaint (docs/access.md).
    case_persons = CaseRecord.objects.filter(
        kind=RecordKind.PERSON, compartment__everyone=True
    ).count()
    r = analyst.post(
        "/en/staff/analysis/runs/new/",
        {"lists": [ngo.pk, press.pk], "include_cases": "on", "threshold": "0.5"},
    )
    assert r.status_code == 302
    run = ngo.runs.get()
    assert run.status == RunStatus.DONE, run.failure
    # 6 list records, and of the case persons only those not filed from the list.
    assert run.record_count == 6 + case_persons - 3
    filed_ids = {str(f.case_person_id) for f in FiledRecord.objects.all()}
    case_keys = set(run.memberships.filter(source=CASE_SOURCE).values_list("record_id", flat=True))
    assert case_keys and not (case_keys & filed_ids)
    assert run.memberships.filter(source=ngo.source).count() == 3


def test_a_filed_person_enters_as_its_list_record_when_only_cases_are_linked(
    world: World, analyst: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    press = import_list(analyst, "Press", PRESS)
    # Analysts read staff material only, not persons copied from a complaint (docs/access.md).
    case_persons = CaseRecord.objects.filter(
        kind=RecordKind.PERSON, compartment__everyone=True
    ).count()
    r = analyst.post(
        "/en/staff/analysis/runs/new/",
        {"lists": [press.pk], "include_cases": "on", "threshold": "0.5"},
    )
    assert r.status_code == 302
    run = press.runs.get()
    assert run.status == RunStatus.DONE, run.failure
    assert run.record_count == 3 + case_persons
    ngo_ids = {
        str(pk)
        for pk in ListRecord.objects.filter(person_list=ngo).values_list("public_id", flat=True)
    }
    assert set(run.memberships.filter(source=ngo.source).values_list("record_id", flat=True)) == (
        ngo_ids
    )
    assert run.memberships.filter(source=CASE_SOURCE).count() == case_persons - 3

    inputs = linkage_inputs(
        run=run, user=world.personas["analyst"].user, agency_key=world.agency_keys[WG]
    )
    assert len({i.key for i in inputs}) == len(inputs) == run.record_count
    filed = [i for i in inputs if i.key[0] == ngo.source]
    assert {i.origin for i in filed} == {f"NGO, case {case.short_id}"}
    assert {i.record.family_name for i in filed} == {"Джабраилов", "Хамзатов", "Умарова"}

    # The persons page shows them, decrypted from the list, with the case they are in.
    page = analyst.get(f"/en/staff/analysis/runs/{run.public_id}/persons/").content.decode()
    assert f"NGO, case {case.short_id}" in page
    sections = re.findall(r'<section class="person".*?</section>', page, re.S)
    (section,) = [s for s in sections if "Джабраилов" in s]
    assert "Dzhabrailov" in section


def test_another_agencys_analyst_links_the_filed_persons_as_case_persons(
    world: World, analyst: Client, officer: Client, case: Case, ngo: PersonList
) -> None:
    file_directly(world, "analyst", ngo, case)
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    analyst2 = member(world, "analyst2", "prosecutor", Role.ANALYST).sign_in(Client())
    r = analyst2.post("/en/staff/analysis/runs/new/", {"include_cases": "on", "threshold": "0.5"})
    assert r.status_code == 302
    run = world.agencies["prosecutor"].linkage_runs.get()
    assert run.status == RunStatus.DONE, run.failure
    # The prosecutor's office cannot open the working group's list: the filed persons are
    # case persons to it, once each (the complaint's own person is withheld from it).
    filed_ids = {str(f.case_person_id) for f in FiledRecord.objects.all()}
    assert (
        set(run.memberships.filter(source=CASE_SOURCE).values_list("record_id", flat=True))
        == filed_ids
    )
    assert run.record_count == 3


# --- encryption at rest ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_filed_name_is_nowhere_in_the_clear(tx_world: World, captured_logs: Any) -> None:  # noqa: F811
    world = tx_world
    officer = world.client_for("intake_officer")
    analyst = world.client_for("analyst")
    case = open_case(officer, file_complaint("none"))
    family = "Канарейкин" + str(time.time_ns())[-6:]
    given = "Canaryname" + str(time.time_ns())[-6:]
    text = HEADER + f"c1,ngo,{family},{given},,m,1971-01-02,Гудермес,2018-06-07,killing\n"
    person_list = import_list(analyst, "Canary list", text)
    assert file_by_form(analyst, person_list, case).status_code == 302
    assert given in analyst.get(case_url(case)).content.decode()
    connection.close()

    needles = [family.encode(), given.encode(), b"1971-01-02"]
    dump = database_text()
    for needle in needles:
        assert needle not in dump, f"{needle!r} found in the database"
    db_name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        from pathlib import Path

        for path in Path(db_name).parent.glob(Path(db_name).name + "*"):
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path.name}"
    logs = captured_logs.getvalue().encode()
    for needle in needles:
        assert needle not in logs, f"{needle!r} found in the logs"


# --- size -----------------------------------------------------------------------------------


def _big_list(n: int) -> str:
    rows = [
        f"{i},ngo,Фамилия{i},Имя{i % 97},Отчество{i % 31},{'mf'[i % 2]},"
        f"{1950 + i % 50}-{1 + i % 12:02d},Место{i % 200},2017-{1 + i % 12:02d},"
        f"{('detention', 'disappearance', 'killing', '')[i % 4]}"
        for i in range(n)
    ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.mark.slow
def test_filing_five_thousand_records_takes_seconds(world: World, case: Case) -> None:
    user = world.personas["analyst"].user
    person_list = services.person_list_import(
        user=user, name="Big", filename="big.csv", data=_big_list(5000).encode()
    ).person_list
    started = time.perf_counter()
    result = file_directly(world, "analyst", person_list, case)
    took = time.perf_counter() - started
    print(f"\nfiled {result.filed} records in {took:.2f} s")
    assert result.filed == 5000
    assert FiledRecord.objects.count() == 5000
    assert took < 120
