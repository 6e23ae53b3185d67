"""Limits on linkage runs (issue 13, item 2): one active run per agency, a cap on candidate
pairs, only the review band stored, old runs purged, dead runs marked failed."""

from __future__ import annotations

import datetime
import html
import re
import threading
import time

import pytest
from django.conf import LazySettings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.analysis import jobs, tasks
from ombuds.analysis.jobs import runs_purge
from ombuds.analysis.models import (
    Decision,
    LinkageRun,
    Membership,
    PersonList,
    RunStatus,
    ScoredPairRow,
)
from ombuds.analysis.selectors import REVIEW_HIGH, REVIEW_LOW
from ombuds.analysis.services import DEAD_AFTER, dead_runs, decision_record
from ombuds.audit.models import AuditAction, AuditEntry
from tests.analysis.helpers import HEADER, NGO, import_list, start_run, synthetic_lists
from tests.conftest import World


def _run_page(client, run: LinkageRun, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    r = client.get(f"/{lang}/staff/analysis/runs/{run.public_id}/")
    assert r.status_code == 200
    return html.unescape(r.content.decode())


def _post_run(client, lists: list[PersonList]):  # type: ignore[no-untyped-def]
    return client.post(
        "/en/staff/analysis/runs/new/", {"lists": [pl.pk for pl in lists], "threshold": "0.5"}
    )


# --- one active run per agency ----------------------------------------------------------------


def test_a_second_run_is_refused_while_one_runs_and_nothing_is_created(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    first = start_run(client, [ngo])
    # As if it were still working in a thread: running, heartbeat just now.
    LinkageRun.objects.filter(pk=first.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now()
    )
    started = AuditEntry.objects.filter(action=AuditAction.LINKAGE_RUN_STARTED).count()

    r = _post_run(client, [ngo])
    assert r.status_code == 409
    page = html.unescape(r.content.decode())
    assert "Run 1 of your agency has not finished yet" in page and "nothing was started" in page
    assert f'href="/en/staff/analysis/runs/{first.public_id}/"' in page
    assert LinkageRun.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.LINKAGE_RUN_STARTED).count() == started

    # In Russian the page says so too.
    r = client.post("/ru/staff/analysis/runs/new/", {"lists": [ngo.pk], "threshold": "0.5"})
    assert r.status_code == 409
    assert "ещё не закончен" in r.content.decode()

    # Once it has finished, the next run starts.
    LinkageRun.objects.filter(pk=first.pk).update(status=RunStatus.DONE)
    second = start_run(client, [ngo])
    assert second.number == 2 and second.status == RunStatus.DONE


def test_the_database_itself_refuses_two_active_runs_of_an_agency(world: World) -> None:
    """Two processes that both passed the check cannot both insert: the constraint holds
    on SQLite and PostgreSQL alike."""
    agency = world.personas["analyst"].user.agency
    LinkageRun.objects.create(agency=agency, number=1, threshold=0.5, status=RunStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkageRun.objects.create(agency=agency, number=2, threshold=0.5)
    # Finished runs are not limited.
    LinkageRun.objects.create(agency=agency, number=3, threshold=0.5, status=RunStatus.DONE)
    LinkageRun.objects.create(agency=agency, number=4, threshold=0.5, status=RunStatus.FAILED)


# --- a run that died --------------------------------------------------------------------------


def test_a_run_without_a_heartbeat_is_marked_failed_and_the_next_one_starts(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    dead = start_run(client, [ngo])
    silent_since = timezone.now() - DEAD_AFTER - datetime.timedelta(seconds=5)
    LinkageRun.objects.filter(pk=dead.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=silent_since, progress=0.3
    )
    # A run that beats still counts as running.
    alive = timezone.now() - DEAD_AFTER + datetime.timedelta(seconds=30)
    LinkageRun.objects.filter(pk=dead.pk).update(heartbeat_at=alive)
    assert _post_run(client, [ngo]).status_code == 409
    LinkageRun.objects.filter(pk=dead.pk).update(heartbeat_at=silent_since)

    second = start_run(client, [ngo])  # the start marks the dead run failed first
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.finished_at is not None
    assert second.status == RunStatus.DONE
    page = _run_page(client, dead)
    assert "The run stopped without finishing; start it again." in page
    assert 'http-equiv="refresh"' not in page
    assert "Запуск остановился, не закончив работу" in _run_page(client, dead, "ru")


def test_a_queued_run_whose_thread_never_started_is_marked_failed_by_the_purge(
    world: World,
) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    run = start_run(client, [ngo])
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    LinkageRun.objects.filter(pk=run.pk).update(
        status=RunStatus.QUEUED, heartbeat_at=None, created_at=long_ago
    )
    report = runs_purge()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and report.marked_failed == 1
    assert run.details["failure"] == {"code": "stopped"}


# --- the cap on candidate pairs ---------------------------------------------------------------


def _one_common_name(n: int) -> str:
    rows = [f"{i},ngo,Джабраилов,Магомед,,m,{1990 + i % 3},,,detention" for i in range(n)]
    return HEADER + "\n".join(rows) + "\n"


def test_a_run_over_the_pair_cap_fails_naming_the_blocking_and_stores_nothing(
    world: World, settings: LazySettings
) -> None:
    settings.OMBUDS_RUN_MAX_PAIRS = 1000
    client = world.client_for("analyst")
    common = import_list(client, "One name", _one_common_name(120))  # 7,140 pairs
    run = start_run(client, [common])
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    failure = run.details["failure"]
    assert failure["code"] == "too_many_pairs"
    assert (failure["pairs"], failure["total"], failure["limit"]) == (7140, 7140, 1000)
    assert "fam_key" in failure["columns"]
    assert not ScoredPairRow.objects.filter(run=run).exists()
    assert not Membership.objects.filter(run=run).exists()
    assert run.pairs_scored == 0 and run.cluster_count == 0

    page = _run_page(client, run)
    assert re.search(
        r"Blocking on family name \+ given name \(consonants\)[^<]* produced 7,140 candidate "
        r"pairs, over the limit of 1,000 for a run\.",
        page,
    ), page
    assert "Nothing was scored or stored." in page
    ru = _run_page(client, run, "ru")
    assert re.search(r"Блокировка по фамилии \+ согласным имени[^<]* дала 7\s140 пар", ru), ru

    # Under the cap, the same list links.
    settings.OMBUDS_RUN_MAX_PAIRS = 7140
    second = start_run(client, [common])
    second.refresh_from_db()
    assert second.status == RunStatus.DONE, second.failure
    assert second.record_count == 120


# --- only the review band stored --------------------------------------------------------------


def test_only_pairs_in_the_review_band_are_stored_and_the_clusters_are_complete(
    world: World,
) -> None:
    client = world.client_for("analyst")
    lists = [import_list(client, source, text) for source, text in synthetic_lists().items()]
    run = start_run(client, lists)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    stored = list(run.pairs.values_list("probability", flat=True))
    assert stored and all(REVIEW_LOW <= p < REVIEW_HIGH for p in stored)
    bands = run.details["diagnostics"]["bands"]
    in_band = sum(n for low, high, n in bands if low >= REVIEW_LOW and high <= REVIEW_HIGH)
    above = sum(n for low, _high, n in bands if low >= REVIEW_HIGH)
    assert len(stored) == in_band == run.details["pairs_stored"]
    assert above > 0, "the run had sure pairs, and none of them was stored"
    # Every input record has its cluster: the sure pairs are in the clusters, not in rows.
    assert run.memberships.count() == run.record_count == sum(pl.record_count for pl in lists)
    assert run.cluster_count < run.record_count


# --- the purge --------------------------------------------------------------------------------


def test_the_purge_deletes_old_runs_with_their_pairs_and_keeps_recent_ones(
    world: World, settings: LazySettings
) -> None:
    settings.OMBUDS_RUN_RETENTION_DAYS = 90
    client = world.client_for("analyst")
    lists = [import_list(client, source, text) for source, text in synthetic_lists().items()]
    old = start_run(client, lists)
    pair = old.pairs.first()
    assert pair is not None and old.memberships.exists()
    decision_record(
        user=world.personas["analyst"].user,
        run=old,
        left=(pair.left_source, pair.left_id),
        right=(pair.right_source, pair.right_id),
        same=True,
    )
    old_failed = start_run(client, lists[:1])
    LinkageRun.objects.filter(pk=old_failed.pk).update(status=RunStatus.FAILED)
    kept_done = start_run(client, lists)  # old too, but the agency's newest finished run
    recent = start_run(client, lists[:2])
    LinkageRun.objects.filter(pk=recent.pk).update(status=RunStatus.FAILED)
    months_ago = timezone.now() - datetime.timedelta(days=91)
    LinkageRun.objects.filter(pk__in=[old.pk, old_failed.pk, kept_done.pk]).update(
        created_at=months_ago
    )

    result = tasks.runs_purge_task.call()
    assert result == {"marked_failed": 0, "deleted": 2, "kept_latest": 1, "kept_referenced": 0}
    assert set(LinkageRun.objects.values_list("pk", flat=True)) == {kept_done.pk, recent.pk}
    assert not Membership.objects.filter(run_id__in=[old.pk, old_failed.pk]).exists()
    assert not ScoredPairRow.objects.filter(run_id__in=[old.pk, old_failed.pk]).exists()
    assert kept_done.memberships.exists() and recent.memberships.exists()
    # The reviewer's verdict outlives its run.
    decision = Decision.objects.get()
    assert decision.run is None and decision.same is True
    # Audited once, with counts only.
    entry = AuditEntry.objects.get(action=AuditAction.LINKAGE_RUNS_PURGED)
    assert entry.details == {
        "deleted": 2,
        "marked_failed": 0,
        "kept_latest": 1,
        "kept_referenced": 0,
        "retention_days": 90,
    }
    # Nothing more to do: no second entry.
    assert tasks.runs_purge_task.call()["deleted"] == 0
    assert AuditEntry.objects.filter(action=AuditAction.LINKAGE_RUNS_PURGED).count() == 1
    assert client.get(f"/en/staff/analysis/runs/{old.public_id}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_waiting_or_working_run_beats_from_its_own_thread(
    tx_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heartbeat is written by a thread of its own, whatever the engine is doing, and
    stops when told (as it does when the process dies)."""
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)
    agency = tx_world.personas["analyst"].user.agency
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    run = LinkageRun.objects.create(
        agency=agency, number=1, threshold=0.5, status=RunStatus.RUNNING, heartbeat_at=long_ago
    )
    stop = threading.Event()
    beating = threading.Thread(target=jobs._heartbeat, args=(run.pk, stop))
    beating.start()
    time.sleep(0.5)
    stop.set()
    beating.join(timeout=5)
    run.refresh_from_db()
    assert run.heartbeat_at is not None
    assert timezone.now() - run.heartbeat_at < datetime.timedelta(seconds=5)
    assert not LinkageRun.objects.filter(dead_runs(), pk=run.pk).exists()
    # Silent for DEAD_AFTER: dead.
    LinkageRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)
    assert LinkageRun.objects.filter(dead_runs(), pk=run.pk).exists()
