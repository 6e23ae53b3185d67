"""The same settings on Splink's Spark backend give the same clusters as on DuckDB."""

from __future__ import annotations

import pytest

from ombuds.linkage import LinkageSettings, link_records
from ombuds.linkage.synthetic import generate_lists


def _partition(clusters: dict[tuple[str, str], int]) -> set[frozenset[tuple[str, str]]]:
    groups: dict[int, set[tuple[str, str]]] = {}
    for key, label in clusters.items():
        groups.setdefault(label, set()).add(key)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.slow
def test_spark_backend_finds_the_same_clusters_as_duckdb() -> None:
    pytest.importorskip("pyspark")
    lists = generate_lists(150, seed=5)
    unique = frozenset(lists.unique_sources)
    # Untrained (prior) parameters: EM's sampling differs between engines, the model does not.
    duck = link_records(lists.records, LinkageSettings(unique_within=unique, train=False))
    spark = link_records(
        lists.records, LinkageSettings(unique_within=unique, train=False, backend="spark")
    )
    assert _partition(spark.clusters) == _partition(duck.clusters)
    assert spark.pairs_scored == duck.pairs_scored
