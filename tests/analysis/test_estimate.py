"""A finished run's page: the documented count and the estimate of the total (or why not)."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from ombuds.analysis import estimates
from ombuds.analysis.models import LinkageRun, Membership, RunStatus
from ombuds.estimation import CaptureData, estimate
from tests.analysis.helpers import HEADER, NGO, PRESS, import_list, start_run
from tests.conftest import World

#: Three sources and how many persons each combination of them saw (sources in sorted order).
SOURCES = ("case", "list:court", "list:ngo")
PATTERNS = {
    (1, 0, 0): 60,
    (0, 1, 0): 50,
    (0, 0, 1): 55,
    (1, 1, 0): 20,
    (1, 0, 1): 22,
    (0, 1, 1): 18,
    (1, 1, 1): 8,
}
DOCUMENTED = sum(PATTERNS.values())  # 233

COURT = HEADER + (
    "c1,court,Джабраилов,Магомед,Ахмедович,m,1990-05-12,Гойты,2017-03-14,detention\n"
    "c2,court,Исаев,Руслан,Ибрагимович,m,1988-08-08,Шали,2017-06-01,killing\n"
)
NAMES = (
    "Джабраилов",
    "Dzhabrailov",
    "Хамзатов",
    "Khamzatov",
    "Умарова",
    "Saidov",
    "Исаев",
    "Магомед",
    "Magomed",
)


def _run_from_patterns(world: World, patterns: dict[tuple[int, ...], int]) -> LinkageRun:
    """A finished run whose clusters have the given capture patterns (memberships only)."""
    user = world.personas["analyst"].user
    run = LinkageRun.objects.create(
        agency=user.agency,
        number=1,
        started_by=user,
        threshold=0.5,
        status=RunStatus.DONE,
        details={"timings": {"total": 1.5}},
    )
    rows = []
    cluster = 0
    for pattern, count in patterns.items():
        for _ in range(count):
            cluster += 1
            for source, seen in zip(SOURCES, pattern, strict=True):
                if seen:
                    rows.append(
                        Membership(
                            run=run, source=source, record_id=str(uuid.uuid4()), cluster=cluster
                        )
                    )
    Membership.objects.bulk_create(rows)
    run.record_count, run.cluster_count = len(rows), cluster
    run.save(update_fields=["record_count", "cluster_count"])
    return run


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'<td id="{cell_id}">(.*?)</td>', page, re.S)
    assert found, f"no {cell_id} on the page"
    return found.group(1)


def test_a_run_over_three_lists_shows_the_count_and_the_estimate(world: World) -> None:
    run = _run_from_patterns(world, PATTERNS)
    client = world.client_for("analyst")
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()

    assert _number(_cell(page, "documented-count")) == DOCUMENTED
    assert _number(_cell(page, "estimate-sources")) == 3
    expected = estimate(
        CaptureData(SOURCES, PATTERNS), method="lcmcr", seed=estimates.SEED, level=0.95
    )
    shown = _number(_cell(page, "estimate"))
    assert shown == round(expected.estimate) >= DOCUMENTED
    lower, upper = (_number(n) for n in re.findall(r"[\d,]+", _cell(page, "estimate-interval")))
    assert (lower, upper) == (round(expected.lower), round(expected.upper))
    assert lower <= shown <= upper
    assert "lcmcr" in _cell(page, "estimate-method")
    assert "samples of one population" in page and "not a count" in page

    # Cached in the run's details: numbers and fixed words only, next to what was there.
    run.refresh_from_db()
    cached = run.details["estimate"]
    assert run.details["timings"] == {"total": 1.5}
    assert cached["documented"] == DOCUMENTED and cached["sources"] == 3
    assert cached["method"] == "lcmcr" and cached["refused"] is None
    assert cached["estimate"] == pytest.approx(expected.estimate, abs=1e-3)
    assert cached["lower"] == pytest.approx(expected.lower, abs=1e-3)
    assert cached["upper"] == pytest.approx(expected.upper, abs=1e-3)
    assert "list:" not in json.dumps(run.details)


def test_the_second_view_reads_the_cached_estimate(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _run_from_patterns(world, PATTERNS)
    client = world.client_for("analyst")
    calls = []
    real = estimates.estimate

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(estimates, "estimate", counting)
    first = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    second = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert len(calls) == 1
    assert _cell(first, "estimate") == _cell(second, "estimate")
    assert _cell(first, "estimate-interval") == _cell(second, "estimate-interval")
    run.refresh_from_db()
    assert run.details["estimate"]["estimate"] is not None


def test_a_run_over_two_lists_says_why_there_is_no_estimate(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    press = import_list(client, "Press", PRESS)
    run = start_run(client, [ngo, press], unique=[ngo, press])
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert _number(_cell(page, "documented-count")) == 4
    refusal = _cell(page, "estimate-refused")
    assert "linked 2 sources" in refusal and "at least 3" in refusal
    assert 'id="estimate"' not in page
    run.refresh_from_db()
    assert run.details["estimate"]["refused"] == estimates.TOO_FEW_SOURCES


def test_an_engine_run_over_three_lists_shows_numbers_and_no_name(world: World) -> None:
    client = world.client_for("analyst")
    lists = [
        import_list(client, "NGO", NGO),
        import_list(client, "Press", PRESS),
        import_list(client, "Court", COURT),
    ]
    run = start_run(client, lists, unique=lists)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert _number(_cell(page, "documented-count")) == run.cluster_count
    assert _number(_cell(page, "estimate-sources")) == 3
    assert 'id="estimate"' in page or 'id="estimate-refused"' in page
    for name in NAMES:
        assert name not in page
    run.refresh_from_db()
    assert "list:" not in json.dumps(run.details["estimate"])


def test_the_page_in_russian(world: World) -> None:
    run = _run_from_patterns(world, PATTERNS)
    client = world.client_for("analyst")
    page = client.get(f"/ru/staff/analysis/runs/{run.public_id}/").content.decode()
    assert "Задокументировано" in page
    assert "Documented count" not in page and "not a count" not in page
