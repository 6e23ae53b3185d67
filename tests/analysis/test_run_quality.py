"""A run's page: victims only are counted, the model's checks and the diagnostics are shown,
and a run whose model failed its checks gives no count and no estimate (issue 11)."""

from __future__ import annotations

import re
import uuid

from ombuds.analysis import estimates
from ombuds.analysis.models import LinkageRun, Membership, RunStatus
from tests.analysis.helpers import import_list, start_run, synthetic_lists
from tests.conftest import World

ROLES_HEADER = "record_id,source,family_name,given_name,sex,birth_date,place,role\n"
NGO = ROLES_HEADER + (
    "1,ngo,Джабраилов,Магомед,m,1990-05-12,Гойты,\n"
    "2,ngo,Хамзатов,Ислам,m,1985-02-01,Аргун,victim\n"
    "3,ngo,Джабраилова,Зарема,f,1962-11-03,Гойты,reporter\n"
    "4,ngo,Умаров,Адам,m,1970-01-01,Шали,witness\n"
)
PRESS = ROLES_HEADER + (
    "p1,press,Dzhabrailov,Magomed,m,1990-05-12,Goity village,\n"
    "p2,press,Saidov,Adam,m,1995-01-01,Shali,\n"
)


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'<td id="{cell_id}">(.*?)</td>', page, re.S)
    assert found, f"no {cell_id} on the page"
    return found.group(1)


def test_the_run_page_counts_victims_and_not_witnesses_or_reporters(world: World) -> None:
    client = world.client_for("analyst")
    ngo, press = import_list(client, "NGO", NGO), import_list(client, "Press", PRESS)
    run = start_run(client, [ngo, press], unique=[ngo, press])
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure
    assert (run.cluster_count, run.victim_count) == (5, 3)
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert _cell(page, "cluster-count").strip() == "3"
    assert _cell(page, "other-persons").strip() == "2"
    assert _cell(page, "documented-count").strip() == "3"
    assert set(run.memberships.filter(victim=False).values_list("record_id", flat=True)) and (
        run.memberships.filter(victim=False).count() == 2
    )


def test_the_run_page_shows_the_models_checks_and_the_diagnostics(world: World) -> None:
    client = world.client_for("analyst")
    texts = synthetic_lists(120, seed=5)
    lists = [import_list(client, source, text) for source, text in texts.items()]
    unique = [pl for pl in lists if pl.name == "ngo"]
    run = start_run(client, lists, unique=unique)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure
    assert run.sound and run.details["model_status"] in ("trained", "prior")
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert "passed its checks" in _cell(page, "model-status") or "they passed" in page
    assert "agree on the full name and the full date of birth" in page
    assert 'id="probabilities"' in page and 'id="source-pairs"' in page
    # Sources are shown by the names the analyst gave the lists, never by internal codes.
    names = "(ngo|complaint|newspaper|petition)"
    assert len(re.findall(rf"<td>{names} / {names}</td>", page)) == 6
    assert "list:" not in page
    ru = client.get(f"/ru/staff/analysis/runs/{run.public_id}/").content.decode()
    assert "Диагностика" in ru and "Diagnostics" not in ru


def test_a_run_whose_model_failed_its_checks_gives_no_count_and_no_estimate(
    world: World,
) -> None:
    user = world.personas["analyst"].user
    run = LinkageRun.objects.create(
        agency=user.agency,
        number=1,
        started_by=user,
        threshold=0.5,
        status=RunStatus.DONE,
        sound=False,
        cluster_count=200,
        victim_count=200,
        details={
            "model_status": "failed_checks",
            "checks": [
                {"code": "sure_pairs", "pairs": 300, "linked": 41, "limit": 0.9, "passed": False}
            ],
        },
    )
    rows = [
        Membership(run=run, source=source, record_id=str(uuid.uuid4()), cluster=c)
        for c in range(200)
        for source in ("case", "list:a", "list:b")
        if (c + len(source)) % 3
    ]
    Membership.objects.bulk_create(rows)
    client = world.client_for("analyst")
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert "not sound" in _cell(page, "model-status")
    assert 'id="run-unsound"' in page
    assert "41 of 300 pairs" in page
    assert "none: the run failed its checks" in _cell(page, "cluster-count")
    assert 'id="documented-count"' not in page and 'id="estimate"' not in page
    assert estimates.run_estimate(run) is None
