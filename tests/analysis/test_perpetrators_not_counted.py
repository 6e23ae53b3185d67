"""A perpetrator named in a complaint is no linkage input: not among the unique persons, not
in the documented count, not in the estimate (issue 9, item 15)."""

from __future__ import annotations

import pytest

from ombuds.analysis import estimates
from ombuds.analysis.models import CASE_SOURCE, RunStatus
from tests.analysis.helpers import NGO, PRESS, import_list
from tests.casework.helpers import file_complaint, open_case
from tests.casework.test_complaint_roles import PERSONS, case_records
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_perpetrator_in_a_case_is_not_counted_among_the_persons_of_a_run(
    world: World,
) -> None:
    from ombuds.casework.records import PersonRecord

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

    # Linkage inputs: the six list records and the victim, not the perpetrator.
    assert run.record_count == 6 + 1
    case_inputs = set(
        run.memberships.filter(source=CASE_SOURCE).values_list("record_id", flat=True)
    )
    assert case_inputs == {persons["Magomed D."]}

    # The unique persons page and the estimate's documented count are made of those inputs.
    page = analyst.get(f"/en/staff/analysis/runs/{run.public_id}/persons/").content.decode()
    assert "Magomed D." in page and "Captain Petrov" not in page
    estimate = estimates.run_estimate(run)
    assert estimate is not None
    assert estimate.documented == run.memberships.values("cluster").distinct().count()
    assert estimate.sources == 3
