"""Every staff route × every persona, through HTTP: allowed, or refused with nothing changed.

The routes are enumerated from the URL resolver, so a new staff route without a row in
:data:`ROUTES` fails :func:`test_every_staff_route_has_a_row_in_the_matrix`. The rule is
docs/access.md; this is its test (threat model 11, "Authority follows the record").

The scene: complaint K (consent: prosecutor's office and interior ministry) is opened as case C
by the working group, which writes a record R; C is referred to the prosecutor's office and to
the interior ministry. A second complaint K2 (same consent) is in no case; a fourth agency
holds nothing. The working group's analyst imported two person lists and ran a linkage.

Each persona posts to each route once, inside a savepoint rolled back afterwards, so that one
allowed change does not alter the next attempt. A refused attempt must answer 403, 404 or 405
(a stranger: a redirect to sign-in), and leave every row of the case, complaint, evidence and
analysis tables exactly as it was. Routes that only show a page ("read") must change nothing
when posted to, whoever posts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ombuds.analysis.models import LinkageRun, PersonList
from ombuds.casework.models import Case, CaseRecord
from ombuds.evidence.models import EvidenceItem
from ombuds.intake.models import Complaint
from ombuds.staff import services as staff_services
from ombuds.staff.models import AgencyKind, Role
from tests.analysis.helpers import NGO, PRESS, import_list, start_run, synthetic_lists
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in
from tests.conftest import Persona, World, share_complaint
from tests.evidence.conftest import http_upload, pdf

pytestmark = pytest.mark.django_db

STAFF = ("intake_officer", "analyst", "auditor", "admin", "prosecutor", "liaison")
PERSONAS = (*STAFF, "stranger")
#: Tables whose rows a refused attempt must leave untouched: everything a case, a complaint,
#: a piece of evidence or an analysis is made of (the audit log and sessions record attempts).
SNAPSHOT_APPS = ("casework", "intake", "evidence", "analysis", "staff")


@dataclass
class Scene:
    world: World
    complaint: Complaint
    spare_complaint: Complaint
    case: Case
    record: CaseRecord
    item: EvidenceItem
    person_list: PersonList
    other_list: PersonList
    run: LinkageRun
    outsider_pk: int
    clients: dict[str, Client] = field(default_factory=dict)


def _admin(world: World) -> None:
    """The administrator persona (working group), made as conftest makes the others."""
    password = "admin-correct-horse"
    user = staff_services.staff_create(
        username="admin",
        password=password,
        agency=world.agencies["working-group"],
        role=Role.ADMIN,
        agency_private_key=world.agency_keys["working-group"],
    )
    secret = pyotp.random_base32()
    staff_services.totp_enrol(user=user, secret=secret)
    world.personas["admin"] = Persona("admin", password, secret, user)


@pytest.fixture
def scene(world: World, settings: Any, tmp_path: Any) -> Scene:
    settings.OMBUDS_ANALYSIS_INLINE_RUNS = True  # runs execute inside the request, as in analysis
    # Exports are signed: the scene has its own key, whatever ran before it in this data folder.
    from ombuds.audit import signing

    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    signing.ensure_signing_key()
    _admin(world)
    outsider, _key = staff_services.agency_create(
        slug="outsider",
        kind=AgencyKind.OTHER,
        name_ru="outsider",
        name_en="Outsider",
        receives_all=False,
    )
    officer = signed_in(world, "intake_officer")
    complaint = file_complaint("both")
    spare = file_complaint("both")
    # Complaint-level routes need a complaint the assisting agencies hold without a case.
    share_complaint(world, spare, "prosecutor")
    share_complaint(world, spare, "interior")
    case = open_case(officer, complaint)
    assert add_person(officer, case, "Written by the working group").status_code == 302
    record = CaseRecord.objects.filter(case=case, source_complaint=None).get(kind="person")
    r = officer.post(
        f"/en/staff/evidence/cases/{case.public_id}/",
        {"file": http_upload(pdf(), "staff-note.pdf")},
    )
    assert r.status_code == 302, r.content[:500]
    item = EvidenceItem.objects.get(case=case)
    for agency in ("prosecutor", "interior"):
        r = officer.post(case_url(case, "refer/"), {"agency": world.agencies[agency].pk})
        assert r.status_code == 302
    analyst = signed_in(world, "analyst")
    ngo = import_list(analyst, "NGO", NGO)
    press = import_list(analyst, "Press", PRESS)
    # A run stores only the pairs it is unsure of (the review band): the small NGO and press
    # lists have none, the synthetic lists do.
    synthetic = [import_list(analyst, name, text) for name, text in synthetic_lists().items()]
    run = start_run(analyst, synthetic)
    assert run.pairs.exists(), "the review route needs a pair"
    scene = Scene(world, complaint, spare, case, record, item, ngo, press, run, outsider.pk)
    for persona in STAFF:
        scene.clients[persona] = signed_in(world, persona)
    scene.clients["stranger"] = Client()
    return scene


# --- the matrix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One staff route: how to reach it in the scene, what to send, and who may.

    ``allowed`` maps a persona to the status its (valid) attempt gets; every other persona
    is refused. ``kind`` is "write" (a form that changes something), "read" (a page: a post
    to it must change nothing, whoever sends it) or "open" (sign-in and sign-out, which take
    no role: posted from a fresh client, the status is the same for everyone).
    """

    url: Callable[[Scene], str]
    kind: str = "write"
    data: Callable[[Scene], dict[str, Any]] = lambda s: {}
    allowed: dict[str, int] = field(default_factory=dict)
    #: Tables a page itself may write when shown (a cache), whoever looks at it.
    caches: tuple[str, ...] = ()


def _case(tail: str = "") -> Callable[[Scene], str]:
    return lambda s: case_url(s.case, tail)


def _record(tail: str) -> Callable[[Scene], str]:
    return lambda s: case_url(s.case, f"records/{s.record.public_id}/{tail}")


def _person(s: Scene) -> dict[str, Any]:
    return {
        "person-name": "Added in the matrix",
        "person-sex": "m",
        "person-birth_precision": "unknown",
        "person-age": "30",
    }


def _edited(s: Scene) -> dict[str, Any]:
    return {**_person(s), "person-name": "ALTERED"}


def _list_upload(s: Scene) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"name": "Matrix", "file": SimpleUploadedFile("m.csv", NGO.encode(), "text/csv")}


def _caller(s: Scene) -> dict[str, Any]:
    from ombuds.intake.forms import new_form_token
    from tests.conftest import COMPLAINT_FORM

    return {
        **COMPLAINT_FORM,
        "form_token": new_form_token(),
        "caller_language": "ru",
        "channel": "phone",
        "codename_choice": "codename",
        "consent_prosecutor": "yes",
        "consent_interior": "no",
        "consent_outsider": "no",  # the scene's fourth agency is offered for consent too
    }


#: Filing for a caller answers with the page showing the codename once (no redirect).
HOTLINE = {"intake_officer": 200}
WORKERS_HERE = {"intake_officer": 302, "prosecutor": 302, "liaison": 302}
STEERING = {"intake_officer": 302}
EVERYONE_STAFF = dict.fromkeys(STAFF, 200)

ROUTES: dict[str, Row] = {
    # Sign-in and sign-out take no role (today's rule): from a fresh client, the same for all.
    "staff:login": Row(
        lambda s: "/en/staff/sign-in/",
        kind="open",
        data=lambda s: {"username": "nobody", "password": "wrong"},
        allowed=dict.fromkeys(PERSONAS, 200),
    ),
    "staff:second_factor": Row(
        lambda s: "/en/staff/sign-in/code/",
        kind="open",
        data=lambda s: {"code": "000000"},
        allowed=dict.fromkeys(PERSONAS, 302),
    ),
    "staff:logout": Row(
        lambda s: "/en/staff/sign-out/", kind="open", allowed=dict.fromkeys(PERSONAS, 302)
    ),
    "staff:inbox": Row(lambda s: "/en/staff/", kind="read"),
    # Every member's own account page. A password change needs the member's own password:
    # posted with a wrong one here, every member gets the form back (400), a stranger the
    # sign-in page; the change itself is tested in tests/staff/test_admin_pages.py.
    "staff:account": Row(lambda s: "/en/staff/account/", kind="read"),
    "staff:account_password": Row(
        lambda s: "/en/staff/account/password/",
        data=lambda s: {
            "current_password": "not-the-password",
            "new_password": "a-new-long-passphrase-42",
            "new_password_again": "a-new-long-passphrase-42",
        },
        allowed=dict.fromkeys(STAFF, 400),
    ),
    # Granting the agency key to a colleague waiting for it: nobody waits in this scene, so
    # every member is refused (404); granting is tested in tests/staff/test_admin_pages.py.
    "staff:account_grant": Row(
        lambda s: f"/en/staff/account/grant/{s.world.personas['analyst'].user.pk}/"
    ),
    # The administrator's pages: administrators only.
    "staff:admin_agencies": Row(
        lambda s: "/en/staff/admin/agencies/",
        data=lambda s: {
            "slug": "matrix",
            "kind": "other",
            "name_ru": "Матрица",
            "name_en": "Matrix",
            "retention_days": "730",
        },
        allowed={"admin": 302},
    ),
    "staff:admin_agency": Row(
        lambda s: "/en/staff/admin/agencies/outsider/",
        data=lambda s: {"name_ru": "Другое", "name_en": "Other body", "retention_days": "365"},
        allowed={"admin": 302},
    ),
    "staff:admin_staff": Row(
        lambda s: "/en/staff/admin/staff/",
        data=lambda s: {
            "username": "newcomer",
            "agency": s.world.agencies["working-group"].pk,
            "role": "intake_officer",
            "new_password": "a-new-long-passphrase-42",
            "new_password_again": "a-new-long-passphrase-42",
        },
        allowed={"admin": 302},
    ),
    "staff:admin_member": Row(
        lambda s: f"/en/staff/admin/staff/{s.world.personas['analyst'].user.pk}/", kind="read"
    ),
    "staff:admin_member_role": Row(
        lambda s: f"/en/staff/admin/staff/{s.world.personas['analyst'].user.pk}/role/",
        data=lambda s: {"role": "auditor"},
        allowed={"admin": 302},
    ),
    "staff:admin_member_deactivate": Row(
        lambda s: f"/en/staff/admin/staff/{s.world.personas['analyst'].user.pk}/deactivate/",
        allowed={"admin": 302},
    ),
    "staff:admin_member_reset": Row(
        lambda s: f"/en/staff/admin/staff/{s.world.personas['analyst'].user.pk}/reset/",
        data=lambda s: {
            "new_password": "a-new-long-passphrase-42",
            "new_password_again": "a-new-long-passphrase-42",
        },
        allowed={"admin": 302},
    ),
    "staff:admin_member_duty": Row(
        lambda s: f"/en/staff/admin/staff/{s.world.personas['analyst'].user.pk}/duty/",
        data=lambda s: {"on_duty": "on", "email": "analyst@wg.example"},
        allowed={"admin": 302},
    ),
    # Administrators read failed sign-ins (a page: nothing to change).
    "staff:sign_in_failures": Row(lambda s: "/en/staff/sign-in-failures/", kind="read"),
    "staff:complaint": Row(lambda s: f"/en/staff/complaints/{s.complaint.public_id}/", kind="read"),
    # Complaints: readers of an agency the complainant consented to (today's rule).
    "staff:complaint_reply": Row(
        lambda s: f"/en/staff/complaints/{s.complaint.public_id}/reply/",
        data=lambda s: {"text": "We have received your complaint."},
        allowed=WORKERS_HERE,
    ),
    "staff:complaint_status": Row(
        lambda s: f"/en/staff/complaints/{s.complaint.public_id}/status/",
        data=lambda s: {"status": "in_review"},
        allowed=WORKERS_HERE,
    ),
    # Complaints taken for a caller (docs/hotline.md): the working group's intake officers.
    "staff:caller_new": Row(lambda s: "/en/staff/callers/new/", data=_caller, allowed=HOTLINE),
    "staff:caller_find": Row(
        lambda s: "/en/staff/callers/find/",
        data=lambda s: {"codename_or_reference": str(s.complaint.public_id)[:8]},
        allowed={"intake_officer": 302},
    ),
    "staff:caller_entry": Row(
        lambda s: f"/en/staff/complaints/{s.complaint.public_id}/for-caller/",
        data=lambda s: {"kind": "note", "text": "The caller called again."},
        allowed={"intake_officer": 302},
    ),
    # Cases (docs/access.md, "Cases").
    "casework:list": Row(lambda s: "/en/staff/cases/", kind="read"),
    "casework:open": Row(
        lambda s: "/en/staff/cases/open/",
        data=lambda s: {"complaint": str(s.spare_complaint.public_id), "priority": "normal"},
        allowed=WORKERS_HERE,  # each agency opens its own case from what it may read
    ),
    "casework:case": Row(_case(), kind="read"),
    "casework:record_add": Row(_case("records/person/"), data=_person, allowed=WORKERS_HERE),
    "casework:record_edit": Row(_record("edit/"), data=_edited, allowed=STEERING),
    "casework:record_delete": Row(
        _record("delete/"), data=lambda s: {"confirm": "on"}, allowed=STEERING
    ),
    "casework:record_history": Row(_record("history/"), kind="read"),
    "casework:status": Row(
        _case("status/"),
        data=lambda s: {"status": "closed", "outcome": "insufficient_evidence"},
        allowed=STEERING,
    ),
    "casework:assign": Row(
        _case("assign/"),
        data=lambda s: {
            "agency": s.world.agencies["working-group"].pk,
            "investigator": s.world.personas["intake_officer"].user.pk,
        },
        allowed=STEERING,
    ),
    "casework:refer": Row(
        _case("refer/"), data=lambda s: {"agency": s.outsider_pk}, allowed=STEERING
    ),
    "casework:add_complaint": Row(
        _case("complaints/"),
        data=lambda s: {"complaint": str(s.spare_complaint.public_id)},
        allowed=STEERING,
    ),
    # Evidence (today's rule; case files: any agency holding the case adds its own).
    "evidence:complaint": Row(
        lambda s: f"/en/staff/evidence/complaints/{s.complaint.public_id}/",
        data=lambda s: {"file": http_upload(pdf(), "statement.pdf")},
        allowed=WORKERS_HERE,
    ),
    "evidence:export": Row(
        lambda s: f"/en/staff/evidence/complaints/{s.complaint.public_id}/export/",
        allowed={"intake_officer": 200, "prosecutor": 200, "liaison": 200},
    ),
    "evidence:case": Row(
        lambda s: f"/en/staff/evidence/cases/{s.case.public_id}/",
        data=lambda s: {"file": http_upload(pdf(), "statement.pdf")},
        allowed=WORKERS_HERE,
    ),
    "evidence:case_export": Row(
        lambda s: f"/en/staff/evidence/cases/{s.case.public_id}/export/",
        allowed={"intake_officer": 200, "prosecutor": 200, "liaison": 200},
    ),
    # The case file (PDF and evidence, signed): case workers of an agency holding the case.
    "evidence:case_file": Row(
        lambda s: f"/en/staff/evidence/cases/{s.case.public_id}/casefile/",
        allowed={"intake_officer": 200, "prosecutor": 200, "liaison": 200},
    ),
    "evidence:item": Row(lambda s: f"/en/staff/evidence/items/{s.item.public_id}/", kind="read"),
    "evidence:download": Row(
        lambda s: f"/en/staff/evidence/items/{s.item.public_id}/working/", kind="read"
    ),
    # Analysis (today's rule): analysts and administrators; filing into a case, analysts.
    "analysis:home": Row(lambda s: "/en/staff/analysis/", kind="read"),
    "analysis:import": Row(
        lambda s: "/en/staff/analysis/import/",
        data=_list_upload,
        allowed={"analyst": 302, "admin": 302},
    ),
    "analysis:list": Row(
        lambda s: f"/en/staff/analysis/lists/{s.person_list.public_id}/", kind="read"
    ),
    "analysis:list_file": Row(
        lambda s: f"/en/staff/analysis/lists/{s.person_list.public_id}/file/",
        data=lambda s: {
            "case": str(s.case.public_id),
            "source_type": "ngo_list",
            "reliability": "medium",
        },
        allowed={"analyst": 302},
    ),
    "analysis:run_new": Row(
        lambda s: "/en/staff/analysis/runs/new/",
        data=lambda s: {"lists": [s.person_list.pk, s.other_list.pk], "threshold": "0.5"},
        allowed={"analyst": 302, "admin": 302},
    ),
    "analysis:run": Row(
        lambda s: f"/en/staff/analysis/runs/{s.run.public_id}/",
        kind="read",
        caches=("analysis.LinkageRun",),  # the run's estimate, made once and kept with it
    ),
    "analysis:review": Row(
        lambda s: f"/en/staff/analysis/runs/{s.run.public_id}/review/",
        data=lambda s: {"pair": s.run.pairs.order_by("pk").first().pk, "same": "no"},  # type: ignore[union-attr]
        allowed={"analyst": 302, "admin": 302},
    ),
    "analysis:persons": Row(
        lambda s: f"/en/staff/analysis/runs/{s.run.public_id}/persons/", kind="read"
    ),
    # Audit: auditors and administrators.
    "audit:log": Row(lambda s: "/en/staff/audit/", kind="read"),
    "audit:export": Row(
        lambda s: "/en/staff/audit/export/", allowed={"auditor": 200, "admin": 200}
    ),
}


def staff_route_names() -> set[str]:
    """The names of every URL under /<lang>/staff/, from the resolver itself."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and re.match(r"^([a-z-]+/)?staff/", prefix + str(pattern.pattern))
            ):
                names.add(":".join((*namespaces, pattern.name)))

    walk(get_resolver().url_patterns, "", ())
    return names


def test_every_staff_route_has_a_row_in_the_matrix() -> None:
    names = staff_route_names()
    assert names, "the resolver lists staff routes"
    assert names - ROUTES.keys() == set(), "new staff routes need a row in ROUTES"
    assert ROUTES.keys() - names == set(), "rows for routes that no longer exist"


# --- snapshots ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model of :data:`SNAPSHOT_APPS`, field by field, in key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            columns = [f.attname for f in model._meta.concrete_fields]
            tables[model._meta.label] = [
                tuple(_plain(v) for v in row)
                for row in model.objects.order_by("pk").values_list(*columns)
            ]
    return tables


def _changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@dataclass(frozen=True)
class Outcome:
    status: int
    changed: list[str]
    location: str


@pytest.fixture
def attempt(scene: Scene) -> Iterator[Callable[[str, str], Outcome]]:
    """Post as ``persona`` to ``route`` inside a savepoint rolled back afterwards."""

    def run(persona: str, route: str) -> Outcome:
        row = ROUTES[route]
        client = Client() if row.kind == "open" else scene.clients[persona]
        with transaction.atomic():
            url, data = row.url(scene), row.data(scene)
            before = snapshot()
            r = client.post(url, data)
            after = snapshot()
            transaction.set_rollback(True)
        return Outcome(r.status_code, _changed(before, after), r.get("Location", ""))

    yield run


def _verdict(persona: str, route: str, outcome: Outcome) -> str | None:
    """What is wrong with ``outcome``, or None."""
    row = ROUTES[route]
    if outcome.status >= 500:
        return f"{outcome.status}"
    checked = row.kind == "read" or (row.kind == "write" and persona not in row.allowed)
    if checked and [name for name in outcome.changed if name not in row.caches]:
        return f"changed {outcome.changed} ({outcome.status})"
    if row.kind == "read":
        return None
    if persona in row.allowed:
        expected = row.allowed[persona]
        return None if outcome.status == expected else f"{outcome.status}, not {expected}"
    if persona == "stranger":
        ok = outcome.status == 302 and "/staff/sign-in/" in outcome.location
        return None if ok else f"{outcome.status}, not a redirect to sign-in"
    return None if outcome.status in (403, 404, 405) else f"{outcome.status}, not refused"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_post_only_where_the_rule_allows(
    scene: Scene, attempt: Callable[[str, str], Outcome], persona: str
) -> None:
    wrong = {}
    for route in sorted(ROUTES):
        problem = _verdict(persona, route, attempt(persona, route))
        if problem:
            wrong[route] = problem
    assert wrong == {}, persona


def test_an_allowed_post_really_changes_something(
    scene: Scene, attempt: Callable[[str, str], Outcome]
) -> None:
    """The matrix's "allowed" rows are real changes, not pages that happen to answer 302."""
    for route in (
        "casework:record_edit",
        "casework:status",
        "casework:record_add",
        "staff:caller_new",
        "staff:caller_entry",
    ):
        assert attempt("intake_officer", route).changed, route
    assert attempt("liaison", "casework:record_add").changed


def test_the_liaison_cannot_steer_a_case_it_was_referred(scene: Scene) -> None:
    """Issue 9 item 1 as reported: after a referral to the interior ministry, its liaison
    could overwrite the working group's record, close the case and take it over."""
    liaison = scene.clients["liaison"]
    record_before = CaseRecord.objects.get(pk=scene.record.pk)
    assert liaison.post(_record("edit/")(scene), _edited(scene)).status_code == 403
    assert liaison.post(_record("delete/")(scene), {"confirm": "on"}).status_code == 403
    r = liaison.post(
        _case("status/")(scene), {"status": "closed", "outcome": "insufficient_evidence"}
    )
    assert r.status_code == 403
    interior = scene.world.agencies["interior"]
    assert liaison.post(_case("assign/")(scene), {"agency": interior.pk}).status_code == 403
    assert liaison.post(_case("refer/")(scene), {"agency": scene.outsider_pk}).status_code == 403
    scene.case.refresh_from_db()
    assert scene.case.status != "closed" and scene.case.agency.slug == "working-group"
    after = CaseRecord.objects.get(pk=scene.record.pk)
    assert bytes(after.ciphertext) == bytes(record_before.ciphertext)
    page = liaison.get(case_url(scene.case)).content.decode()
    assert "Written by the working group" in page
    assert _record("edit/")(scene) not in page and case_url(scene.case, "status/") not in page


def test_the_assign_form_lists_only_staff_of_the_assigning_agency(scene: Scene) -> None:
    page = scene.clients["intake_officer"].get(case_url(scene.case)).content.decode()
    form = page[page.index(case_url(scene.case, "assign/")) :]
    form = form[: form.index("</form>")]
    assert "intake_officer" in form
    for other in ("prosecutor", "liaison", "analyst", "auditor", "admin"):
        assert f">{other}<" not in form, other


def test_the_liaison_adds_and_then_corrects_its_own_record(scene: Scene) -> None:
    liaison = scene.clients["liaison"]
    r = add_person(liaison, scene.case, "Written by the interior ministry")
    assert r.status_code == 302
    own = CaseRecord.objects.filter(case=scene.case).order_by("-pk").first()
    assert own is not None and own.agency == scene.world.agencies["interior"]
    url = case_url(scene.case, f"records/{own.public_id}/edit/")
    r = liaison.post(url, {**_person(scene), "person-name": "Corrected by the ministry"})
    assert r.status_code == 302, r.content[:1000]
    # The working group may not change the ministry's record either.
    r = scene.clients["intake_officer"].post(url, _edited(scene))
    assert r.status_code == 403
    assert own.versions.count() == 1


def test_a_route_uuid_of_no_case_is_not_found_for_everyone(scene: Scene) -> None:
    nowhere = f"/en/staff/cases/{uuid.uuid4()}/status/"
    for persona in ("intake_officer", "prosecutor", "liaison"):
        assert scene.clients[persona].post(nowhere, {"status": "open"}).status_code == 404
