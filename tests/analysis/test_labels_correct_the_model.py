"""Reviewers' verdicts as labels on the next run (issue 11, item 2): constraints on the
clustering, a correction of the model, what the run page says, and the audit log."""

from __future__ import annotations

import re

from django.test import Client

from ombuds.analysis import services
from ombuds.analysis.models import LinkageRun, ScoredPairRow
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.linkage.labels import MIN_EACH, MIN_LABELS_TO_CORRECT
from tests.analysis.helpers import NGO, PRESS, import_list, start_run, synthetic_lists
from tests.conftest import World
from tests.e2e.test_translations import latin_words, texts_of


def _decide(client: Client, run: LinkageRun, pair: ScoredPairRow, same: bool) -> None:
    r = client.post(
        f"/en/staff/analysis/runs/{run.public_id}/review/",
        {"pair": pair.pk, "same": "yes" if same else "no"},
    )
    assert r.status_code == 302


def _clusters(run: LinkageRun) -> dict[tuple[str, str], int]:
    return {(m.source, m.record_id): m.cluster for m in run.memberships.all()}


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'id="{cell_id}">(.*?)</td>', page, re.S)
    assert found, f"no {cell_id} on the page"
    return found.group(1)


def test_a_rejected_pair_is_split_and_an_accepted_low_score_pair_linked_on_the_next_run(
    world: World,
) -> None:
    client = world.client_for("analyst")
    lists = [import_list(client, s, t) for s, t in synthetic_lists(120, seed=5).items()]
    ngo = [pl for pl in lists if pl.name == "ngo"]
    first = start_run(client, lists, unique=ngo)
    assert first.details["labels"]["correction"]["status"] == "no_labels"
    page = client.get(f"/en/staff/analysis/runs/{first.public_id}/").content.decode()
    assert 'id="label-use"' not in page  # no verdict, nothing to say

    linked = first.pairs.filter(linked=True).order_by("-probability").first()
    apart = first.pairs.filter(linked=False).order_by("probability").first()
    assert linked is not None and apart is not None
    _decide(client, first, linked, same=False)
    _decide(client, first, apart, same=True)

    second = start_run(client, lists, unique=ngo)
    second.refresh_from_db()
    clusters = _clusters(second)
    assert (
        clusters[(linked.left_source, linked.left_id)]
        != clusters[(linked.right_source, linked.right_id)]
    )
    assert (
        clusters[(apart.left_source, apart.left_id)]
        == clusters[(apart.right_source, apart.right_id)]
    )
    assert second.decisions_applied == 2
    page = client.get(f"/en/staff/analysis/runs/{second.public_id}/").content.decode()
    assert (
        _cell(page, "labels-used"),
        _cell(page, "labels-must"),
        _cell(page, "labels-cannot"),
    ) == (
        "2",
        "1",
        "1",
    )
    words = _cell(page, "model-correction")
    assert "Not corrected" in words and f"at least {MIN_LABELS_TO_CORRECT} are needed" in words
    assert 'id="labels-conflicts"' not in page

    # The run's use of the labels is audited, in counts: no record is named.
    entry = AuditEntry.objects.get(
        action=AuditAction.LINKAGE_LABELS_USED, subject=f"linkage-run:{second.public_id}"
    )
    assert entry.details["must_link"] == 1 and entry.details["cannot_link"] == 1
    assert entry.details["correction"] == "too_few_labels"
    assert not AuditEntry.objects.filter(
        action=AuditAction.LINKAGE_LABELS_USED, subject=f"linkage-run:{first.public_id}"
    ).exists()


def test_verdicts_that_the_model_is_too_strict_correct_its_scores_on_the_next_run(
    world: World,
) -> None:
    """A constructed case: the reviewer finds one person in every uncertain pair but the five
    the model scored lowest. The model is too strict, and the next run's scores say so."""
    client = world.client_for("analyst")
    lists = [import_list(client, s, t) for s, t in synthetic_lists(300, seed=5).items()]
    first = start_run(client, lists)
    uncertain = list(first.pairs.filter(probability__gte=0.2, probability__lt=0.95))
    assert len(uncertain) >= MIN_LABELS_TO_CORRECT
    # A few more than the minimum of each verdict: a pair scored near the floor by this run may
    # fall below it (unscored) in the next, and only scored pairs count.
    lowest = sorted(uncertain, key=lambda p: p.probability)[: MIN_EACH + 3]
    for pair in uncertain:
        _decide(client, first, pair, same=pair not in lowest)
    below = [p for p in uncertain if p not in lowest and p.probability < first.threshold]
    assert below, "some pair the reviewer calls one person was scored below the threshold"

    second = start_run(client, lists)
    second.refresh_from_db()
    correction = second.details["labels"]["correction"]
    assert correction["status"] == "corrected", correction
    assert MIN_LABELS_TO_CORRECT <= correction["scored"] <= len(uncertain)
    assert correction["intercept"] > 0  # scores move up
    scores = {
        (p.left_source, p.left_id, p.right_source, p.right_id): p.probability
        for p in second.pairs.all()
    }
    for pair in below:
        key = (pair.left_source, pair.left_id, pair.right_source, pair.right_id)
        assert scores[key] > pair.probability

    page = client.get(f"/en/staff/analysis/runs/{second.public_id}/").content.decode()
    words = _cell(page, "model-correction")
    assert f"Corrected with {correction['scored']} labelled pairs" in words
    now = float(re.findall(r"now scores (\d\.\d\d)", words)[0])
    assert now > 0.5
    shown = [float(x) for x in re.findall(r"\d\.\d\d", _cell(page, "correction-recall"))]

    def recall(counts: dict[str, int]) -> float:
        return counts["linked_same"] / (counts["linked_same"] + counts["apart_same"])

    recall_before, recall_after = recall(correction["before"]), recall(correction["after"])
    assert shown == [round(recall_before, 2), round(recall_after, 2)]
    # (Compared unrounded: the page shows two decimals, and the change may be smaller.)
    assert recall_after > recall_before
    # A "different" verdict that contradicts a chain of "same" verdicts is a conflict, not used.
    conflicts = second.details["labels"]["conflicts"]
    assert _cell(page, "labels-used") == str(len(uncertain) - conflicts)

    # The section reads in Russian on the Russian page.
    ru = client.get(f"/ru/staff/analysis/runs/{second.public_id}/").content.decode()
    section = re.search(r'<h2>[^<]*</h2>\s*<table id="label-use">.*?</p>', ru, re.S)
    assert section and "Исправлена по размеченным парам" in section.group(0)
    assert latin_words(texts_of(section.group(0))) == set()


def test_verdicts_that_contradict_each_other_are_counted_on_the_run_page(world: World) -> None:
    client = world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    press = import_list(client, "Press", PRESS)
    first = start_run(client, [ngo, press])
    user = world.personas["analyst"].user
    # Record keys as runs know them (list, random record id): a and b are one person the run
    # found on both lists, c a record of another person.
    members: dict[int, list[tuple[str, str]]] = {}
    for key, cluster in sorted(_clusters(first).items()):
        members.setdefault(cluster, []).append(key)
    a, b = next(keys for keys in members.values() if len(keys) == 2)
    c = next(keys[0] for keys in members.values() if a not in keys)
    # a = b, b = c, but a != c: the "same person" chain is followed, the conflict shown.
    for left, right, same in ((a, b, True), (b, c, True), (a, c, False)):
        services.decision_record(user=user, run=first, left=left, right=right, same=same)
    second = start_run(client, [ngo, press])
    clusters = _clusters(second)
    assert clusters[a] == clusters[b] == clusters[c]
    page = client.get(f"/en/staff/analysis/runs/{second.public_id}/").content.decode()
    assert _cell(page, "labels-conflicts") == "1"
    assert (_cell(page, "labels-must"), _cell(page, "labels-cannot")) == ("2", "0")
