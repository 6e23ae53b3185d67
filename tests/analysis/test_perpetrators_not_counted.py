"""A perpetrator named in a complaint is no linkage input: not among the unique persons, not
in the documented count, not in the estimate (issue 9, item 15)."""

from __future__ import annotations

import uuid

import pytest

from ombuds.analysis import estimates
from ombuds.analysis.models import CASE_SOURCE, RunStatus
from ombuds.casework import records, selectors, services
from ombuds.casework.records import PersonRecord
from tests.analysis.helpers import NGO, PRESS, import_list
from tests.casework.helpers import file_complaint, open_case
from tests.casework.test_complaint_roles import PERSONS, case_records
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_perpetrator_in_a_case_is_not_counted_among_the_persons_of_a_run(
    world: World,
) -> None:
    officer = world.client_for("intake_officer")
    case = open_case(officer, file_complaint("none", **PERSONS))
    persons = {
        r.name: pid for pid, r in case_records(world, case).items() if isinstance(r, PersonRecord)
    }

    analyst = world.client_for("analyst")
    ngo = import_list(analyst, "NGO", NGO)
    press = import_list(analyst, "Press", PRESS)
    r = analyst.post(
        "/en/staff/analysis/runs/new/",
        {"lists": [ngo.pk, press.pk], "include_cases": "on", "threshold": "0.5"},
    )
    assert r.status_code == 302
    run = ngo.runs.get()
    assert run.status == RunStatus.DONE, run.failure

    # Linkage inputs: the six list records. Analysts read nothing copied from a complaint
    # (docs/access.md), so neither the victim nor the perpetrator of the complaint is an input;
    # the rule for persons staff record is the next test's.
    assert run.record_count == 6
    case_inputs = set(
        run.memberships.filter(source=CASE_SOURCE).values_list("record_id", flat=True)
    )
    assert case_inputs.isdisjoint(persons.values())

    # The unique persons page and the estimate's documented count are made of those inputs.
    page = analyst.get(f"/en/staff/analysis/runs/{run.public_id}/persons/").content.decode()
    assert "Captain Petrov" not in page
    estimate = estimates.run_estimate(run)
    assert estimate is not None
    assert estimate.documented == run.memberships.values("cluster").distinct().count()
    assert estimate.sources == 2  # the two lists: no case material is an input here


def test_a_person_staff_name_as_perpetrator_is_left_out_but_a_victim_of_an_act_stays(
    world: World,
) -> None:
    """The rule is the records', not the complaint form's: a person an involvement names as
    perpetrator is no input unless an act names them as victim too."""
    officer = world.client_for("intake_officer")
    case = open_case(officer, file_complaint("none"))
    user = world.personas["analyst"].user
    keys = selectors.case_keys_for_agency(
        case=case, agency=user.agency, agency_private_key=world.agency_keys[user.agency.slug]
    )
    victim, perpetrator, both, event, act = (uuid.uuid4() for _ in range(5))
    services.list_material_add(
        user=user,
        case=case,
        keys=keys,
        records=[
            (victim, records.PersonRecord(name="Victim Only")),
            (perpetrator, records.PersonRecord(name="Perpetrator Only")),
            (both, records.PersonRecord(name="Victim And Perpetrator")),
            (event, records.EventRecord(title="Raid")),
            (act, records.ActRecord(event=str(event), act_type="detention", victim=str(victim))),
            (
                uuid.uuid4(),
                records.ActRecord(event=str(event), act_type="torture", victim=str(both)),
            ),
            *(
                (
                    uuid.uuid4(),
                    records.InvolvementRecord(
                        act=str(act),
                        perpetrator_type="police",
                        degree="carried_out",
                        perpetrator_person=str(named),
                    ),
                )
                for named in (perpetrator, both)
            ),
        ],
    )
    analyst = world.client_for("analyst")
    ngo = import_list(analyst, "NGO", NGO)
    r = analyst.post(
        "/en/staff/analysis/runs/new/",
        {"lists": [ngo.pk], "include_cases": "on", "threshold": "0.5"},
    )
    assert r.status_code == 302
    run = ngo.runs.get()
    assert run.status == RunStatus.DONE, run.failure
    case_inputs = set(
        run.memberships.filter(source=CASE_SOURCE).values_list("record_id", flat=True)
    )
    assert str(victim) in case_inputs and str(both) in case_inputs
    assert str(perpetrator) not in case_inputs
