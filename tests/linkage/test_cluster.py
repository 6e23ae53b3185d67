from __future__ import annotations

import numpy as np

from ombuds.linkage.cluster import RecordFacts, connected_components, constrained_clusters


def facts(
    source: str = "complaint",
    *,
    by: int | None = None,
    sex: str | None = None,
    pat: str | None = None,
    death: int | None = None,
    ev: int | None = None,
) -> RecordFacts:
    return RecordFacts(source, sex, by, by, pat, ev if ev is not None else death, ev, death)


def cluster(
    records: list[RecordFacts], edges: list[tuple[int, int, float]], **kwargs: object
) -> list[int]:
    left = np.array([e[0] for e in edges], dtype=np.int64)
    right = np.array([e[1] for e in edges], dtype=np.int64)
    probs = np.array([e[2] for e in edges])
    kwargs.setdefault("threshold", 0.5)
    return constrained_clusters(records, left, right, probs, **kwargs).tolist()  # type: ignore[arg-type]


def test_a_duplicate_free_list_never_gives_two_records_to_one_cluster() -> None:
    records = [facts("ngo"), facts("complaint"), facts("ngo")]
    labels = cluster(records, [(0, 1, 0.99), (1, 2, 0.98)], unique_sources={"ngo"})
    assert labels[0] == labels[1] != labels[2]


def test_complaints_are_not_assumed_duplicate_free() -> None:
    labels = cluster([facts(), facts()], [(0, 1, 0.9)], unique_sources={"ngo"})
    assert labels[0] == labels[1]


def test_brothers_are_not_chained_through_a_record_without_a_birth_date() -> None:
    # 1 mentions no birth date and links weakly to both brothers, 0 and 2.
    records = [facts(by=1970), facts(), facts(by=1980)]
    edges = [(0, 1, 0.8), (1, 2, 0.7)]
    labels = cluster(records, edges)
    assert labels[0] == labels[1] != labels[2]
    chained = connected_components(3, np.array([0, 1]), np.array([1, 2])).tolist()
    assert chained[0] == chained[2]


def test_merges_across_sex_patronymic_or_after_a_killing_are_refused() -> None:
    assert len(set(cluster([facts(sex="m"), facts(sex="f")], [(0, 1, 0.99)]))) == 2
    assert len(set(cluster([facts(pat="a"), facts(pat="m")], [(0, 1, 0.99)]))) == 2
    killed_then_detained = [facts(death=100), facts(ev=400)]
    assert len(set(cluster(killed_then_detained, [(0, 1, 0.99)]))) == 2


def test_birth_years_within_two_years_do_not_contradict() -> None:
    assert len(set(cluster([facts(by=1970), facts(by=1972)], [(0, 1, 0.99)]))) == 1


def test_reviewer_decisions_override_the_model_and_the_rules() -> None:
    records = [facts(sex="m"), facts(sex="f"), facts()]
    labels = cluster(records, [(0, 2, 0.99)], accepted=[(0, 1)], rejected=[(0, 2)])
    assert labels[0] == labels[1] != labels[2]


def test_pairs_below_the_threshold_do_not_merge() -> None:
    assert len(set(cluster([facts(), facts()], [(0, 1, 0.4)]))) == 2
