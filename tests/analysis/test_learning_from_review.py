"""Review decisions as labels (issue 11, item 2): the most informative pairs first, and the
run's precision and recall measured on the pairs reviewers labelled, with their uncertainty."""

from __future__ import annotations

import re

from ombuds.analysis import services
from ombuds.analysis.models import LinkageRun, RunStatus, ScoredPairRow
from ombuds.analysis.selectors import MIN_LABELS
from tests.analysis.helpers import import_list, start_run, synthetic_lists
from tests.conftest import World


def test_review_offers_disputed_pairs_then_those_nearest_the_threshold(world: World) -> None:
    client = world.client_for("analyst")
    lists = [import_list(client, s, t) for s, t in synthetic_lists(120, seed=5).items()]
    run = start_run(client, lists, unique=[pl for pl in lists if pl.name == "ngo"])
    uncertain = list(run.pairs.filter(probability__gte=0.2, probability__lt=0.95))
    assert len(uncertain) >= 3
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/review/").content.decode()
    shown = [int(pk) for pk in re.findall(r'id="pair-(\d+)"', page)]
    # Disputed pairs (the clustering overruled the score) first, then by distance.
    rank = {
        p.pk: (p.linked == (p.probability >= run.threshold), abs(p.probability - run.threshold))
        for p in uncertain
    }
    assert shown and [rank[pk] for pk in shown] == sorted(rank[pk] for pk in shown)
    assert max(rank[pk] for pk in shown) <= sorted(rank.values())[len(shown) - 1]


def test_disputed_pairs_come_before_the_others(world: World) -> None:
    """Pairs the clustering decided against the model's score come first, then the rest by
    distance to the threshold."""
    user = world.personas["analyst"].user
    run = LinkageRun.objects.create(
        agency=user.agency, number=1, started_by=user, threshold=0.5, status=RunStatus.DONE
    )
    made = {}
    for name, probability, linked in (
        ("near", 0.51, True),
        ("joined", 0.25, True),  # linked through other records: disputed
        ("kept-apart", 0.9, False),  # above the threshold, kept apart: disputed
        ("far", 0.3, False),
    ):
        made[name] = ScoredPairRow.objects.create(
            run=run, left_source="list:a", left_id=f"l-{name}", right_source="list:b",
            right_id=f"r-{name}", probability=probability, linked=linked,
        ).pk  # fmt: skip
    page = (
        world.client_for("analyst")
        .get(f"/en/staff/analysis/runs/{run.public_id}/review/")
        .content.decode()
    )
    shown = [int(pk) for pk in re.findall(r'id="pair-(\d+)"', page)]
    assert shown == [made["joined"], made["kept-apart"], made["near"], made["far"]]


def _run_with_pairs(world: World, linked: list[bool]) -> LinkageRun:
    user = world.personas["analyst"].user
    run = LinkageRun.objects.create(
        agency=user.agency, number=1, started_by=user, threshold=0.5, status=RunStatus.DONE
    )
    ScoredPairRow.objects.bulk_create(
        ScoredPairRow(
            run=run,
            left_source="list:a",
            left_id=f"l{i}",
            right_source="list:b",
            right_id=f"r{i}",
            probability=0.6 if is_linked else 0.4,
            linked=is_linked,
        )
        for i, is_linked in enumerate(linked)
    )
    return run


def _label(world: World, run: LinkageRun, verdicts: list[bool]) -> None:
    user = world.personas["analyst"].user
    for i, same in enumerate(verdicts):
        services.decision_record(
            user=user, run=run, left=("list:a", f"l{i}"), right=("list:b", f"r{i}"), same=same
        )


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'id="{cell_id}">(.*?)</(td|p)>', page, re.S)
    assert found, f"no {cell_id} on the page"
    return found.group(1)


def test_after_enough_labels_the_run_page_shows_precision_and_recall_with_intervals(
    world: World,
) -> None:
    # 30 pairs the run linked (27 one person), 10 it kept apart (6 one person).
    linked = [True] * 30 + [False] * 10
    verdicts = [True] * 27 + [False] * 3 + [True] * 6 + [False] * 4
    run = _run_with_pairs(world, linked)
    client = world.client_for("analyst")
    _label(world, run, verdicts[: MIN_LABELS - 1])
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    assert f"{MIN_LABELS - 1} pairs labelled" in _cell(page, "labelled-quality")
    assert 'id="labelled-precision"' not in page

    _label(world, run, verdicts)
    page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
    precision = _cell(page, "labelled-precision")
    recall = _cell(page, "labelled-recall")
    p, p_lo, p_hi = (float(x) for x in re.findall(r"\d\.\d\d", precision))
    r, r_lo, r_hi = (float(x) for x in re.findall(r"\d\.\d\d", recall))
    assert p == round(27 / 30, 2) and "of 30" in precision
    assert r == round(27 / 33, 2) and "of 33" in recall
    assert p_lo < p < p_hi <= 1.0 and r_lo < r < r_hi <= 1.0
    assert p_hi - p_lo > 0.1  # 30 labels leave real uncertainty, and the page says how much


def test_verdicts_made_before_a_run_do_not_count_as_its_labels(world: World) -> None:
    run = _run_with_pairs(world, [True] * 40)
    other = LinkageRun.objects.create(
        agency=run.agency, number=2, threshold=0.5, status=RunStatus.DONE
    )
    user = world.personas["analyst"].user
    for i in range(40):
        services.decision_record(
            user=user, run=other, left=("list:a", f"l{i}"), right=("list:b", f"r{i}"), same=True
        )
    page = world.client_for("analyst").get(f"/en/staff/analysis/runs/{run.public_id}/")
    assert "0 pairs labelled" in _cell(page.content.decode(), "labelled-quality")
