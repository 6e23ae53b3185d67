"""Linkage runs through the web: clusters over cross-script lists, review decisions, versions."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from ombuds.analysis.models import Decision, LinkageRun, RunStatus
from ombuds.analysis.services import decision_record
from ombuds.audit.models import AuditAction, AuditEntry
from tests.analysis.helpers import (
    NGO,
    PRESS,
    database_dump,
    import_list,
    persons_on_page,
    start_run,
    synthetic_lists,
)
from tests.conftest import World

EXPECTED = [
    {"Джабраилов", "Dzhabrailov"},
    {"Хамзатов", "Khamzatov"},
    {"Умарова"},
    {"Saidov"},
]


def _sorted(people: list[set[str]]) -> list[list[str]]:
    return sorted(sorted(p) for p in people)


def test_a_run_over_cyrillic_and_latin_lists_finds_the_same_persons(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    press = import_list(client, "Press", PRESS)
    run = start_run(client, [ngo, press], unique=[ngo, press])
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure
    assert (run.number, run.record_count, run.cluster_count) == (1, 6, 4)
    assert run.started_by == world.personas["analyst"].user
    assert set(run.lists.all()) == {ngo, press}

    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    assert '<td id="cluster-count">4</td>' in page

    persons = client.get(f"/en/staff/analysis/runs/{run.public_id}/persons/").content.decode()
    assert _sorted(persons_on_page(persons)) == _sorted(EXPECTED)

    # The run stored references and numbers; the names were decrypted for the page only.
    dump = database_dump()
    for name in ("Джабраилов", "Dzhabrailov", "Khamzatov", "Saidov", "Goity", "1990-05-12"):
        assert name not in dump


def test_a_reviewers_decision_overrides_the_model_on_the_next_run(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    press = import_list(client, "Press", PRESS)
    first = start_run(client, [ngo, press], unique=[ngo, press])
    # The run linked two records surely (above the review band, so no pair row is kept and
    # the review page does not offer it): a decision recorded on them still overrides it.
    together: dict[int, list[tuple[str, str]]] = {}
    for m in first.memberships.all():
        together.setdefault(m.cluster, []).append((m.source, m.record_id))
    left, right = next(keys for keys in together.values() if len(keys) == 2)
    assert not first.pairs.filter(probability__gte=0.95).exists()
    decision_record(
        user=world.personas["analyst"].user, run=first, left=left, right=right, same=False
    )
    assert Decision.objects.get().same is False

    second = start_run(client, [ngo, press], unique=[ngo, press])
    second.refresh_from_db()
    assert (second.number, second.cluster_count, second.decisions_applied) == (2, 5, 1)
    clusters = {(m.source, m.record_id): m.cluster for m in second.memberships.all()}
    assert clusters[left] != clusters[right]
    # The first run is kept as it was: runs are versions.
    first.refresh_from_db()
    assert first.cluster_count == 4

    # And a verdict of "same" (replacing the first) joins what the decision kept apart.
    decision_record(
        user=world.personas["analyst"].user, run=second, left=left, right=right, same=True
    )
    third = start_run(client, [ngo, press], unique=[ngo, press])
    third.refresh_from_db()
    assert third.cluster_count == 4 and third.decisions_applied == 1


def test_the_review_page_shows_uncertain_pairs_side_by_side_and_keeps_a_verdict(
    world: World,
) -> None:
    client = world.client_for("analyst")
    # 120 people: at 40 the model links every uncertain pair, and none is left to join.
    texts = synthetic_lists(120, seed=5)
    lists = [import_list(client, source, text) for source, text in texts.items()]
    ngo = [pl for pl in lists if pl.name == "ngo"]
    first = start_run(client, lists, unique=ngo)
    uncertain = first.pairs.filter(probability__gte=0.2, probability__lt=0.95)
    assert uncertain.exists()
    page = client.get(f"/en/staff/analysis/runs/{first.public_id}/review/").content.decode()
    for pair in uncertain[:25]:
        assert f'id="pair-{pair.pk}"' in page
    shown = re.findall(r'<table class="side-by-side">.*?</table>', page, re.S)
    assert shown and all(len(re.findall(r'<dl class="record">', t)) == 2 for t in shown)

    apart = uncertain.filter(linked=False).first()
    assert apart is not None, "the model kept some uncertain pair apart"
    r = client.post(
        f"/en/staff/analysis/runs/{first.public_id}/review/", {"pair": apart.pk, "same": "yes"}
    )
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "Decision kept" in page and "decided: same person" in page

    second = start_run(client, lists, unique=ngo)
    clusters = {(m.source, m.record_id): m.cluster for m in second.memberships.all()}
    assert (
        clusters[(apart.left_source, apart.left_id)]
        == clusters[(apart.right_source, apart.right_id)]
    )


def test_a_running_run_page_reloads_itself_without_javascript(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    run = start_run(client, [ngo])
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0.4)
    r = client.get(f"/en/staff/analysis/runs/{run.public_id}/")
    page = r.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert r["Refresh"] == "3"
    assert "40%" in page
    assert "<script" not in page


def test_runs_decisions_and_views_are_audited(world: World) -> None:
    client = world.client_for("analyst")
    lists = [import_list(client, source, text) for source, text in synthetic_lists().items()]
    run = start_run(client, lists)
    pair = run.pairs.first()  # an uncertain pair, offered for review
    assert pair is not None
    client.post(
        f"/en/staff/analysis/runs/{run.public_id}/review/", {"pair": pair.pk, "same": "yes"}
    )
    client.get(f"/en/staff/analysis/runs/{run.public_id}/review/")
    client.get(f"/en/staff/analysis/runs/{run.public_id}/persons/")
    actions = list(
        AuditEntry.objects.filter(subject=f"linkage-run:{run.public_id}")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.LINKAGE_RUN_STARTED,
        AuditAction.LINKAGE_DECISION,
        AuditAction.LINKAGE_VIEWED,
        AuditAction.LINKAGE_VIEWED,
    ]


def test_a_run_lost_to_a_restart_is_shown_as_stopped(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    run = start_run(client, [ngo])
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=long_ago)
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "stopped without finishing" in page and 'http-equiv="refresh"' not in page


def test_a_run_needs_a_threshold_between_0_and_1(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    r = client.post("/en/staff/analysis/runs/new/", {"lists": [ngo.pk], "threshold": "1.5"})
    assert r.status_code == 400
    assert not LinkageRun.objects.exists()
