"""Persons recorded in cases are linkage inputs, read with the agency's own case keys."""

from __future__ import annotations

import re

from ombuds.analysis.models import CASE_SOURCE, RunStatus
from ombuds.casework.models import CaseRecord, RecordKind
from tests.analysis.helpers import NGO, PRESS, import_list
from tests.casework.helpers import add_person, file_complaint, open_case
from tests.conftest import World


def test_persons_in_the_agencys_cases_are_linked_with_the_lists(world: World) -> None:
    officer = world.client_for("intake_officer")
    case = open_case(officer, file_complaint("none"))
    r = add_person(officer, case, "Джабраилов Магомед Ахмедович")
    assert r.status_code == 302, r.content[:2000]
    person = CaseRecord.objects.filter(case=case, kind=RecordKind.PERSON).order_by("-pk").first()
    assert person is not None
    # Analysts read staff material only, not persons copied from a complaint (docs/access.md).
    cases_persons = CaseRecord.objects.filter(
        kind=RecordKind.PERSON, compartment__everyone=True
    ).count()

    analyst = world.client_for("analyst")
    ngo = import_list(analyst, "NGO", NGO)
    press = import_list(analyst, "Press", PRESS)
    r = analyst.post(
        "/en/staff/analysis/runs/new/",
        {
            "lists": [ngo.pk, press.pk],
            "unique_lists": [ngo.pk, press.pk],
            "include_cases": "on",
            "threshold": "0.5",
        },
    )
    assert r.status_code == 302
    run = ngo.runs.get()
    assert run.status == RunStatus.DONE, run.failure
    assert run.record_count == 6 + cases_persons
    clusters = {(m.source, m.record_id): m.cluster for m in run.memberships.all()}
    joined = clusters[(CASE_SOURCE, str(person.public_id))]
    assert any(m.cluster == joined for m in run.memberships.filter(source=ngo.source))

    page = analyst.get(f"/en/staff/analysis/runs/{run.public_id}/persons/").content.decode()
    assert f"case {case.short_id}" in page
    sections = re.findall(r'<section class="person".*?</section>', page, re.S)
    (section,) = [s for s in sections if "Джабраилов Магомед Ахмедович" in s]
    assert "Dzhabrailov" in section and "Джабраилов" in section
