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


@pytest.mark.slow
def test_spark_leaves_no_files_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark's shuffle files and checkpoints (names in the clear) go to one private folder,
    deleted when the run ends."""
    pytest.importorskip("pyspark")
    import os
    import stat
    import tempfile

    from ombuds.linkage import model

    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: object, **kwargs: object) -> str:
        path = real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        made.append(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
        return path

    monkeypatch.setattr(model.tempfile, "mkdtemp", recording_mkdtemp)
    lists = generate_lists(60, seed=3)
    result = link_records(lists.records, LinkageSettings(train=False, backend="spark"))
    assert result.records == len(lists.records)
    assert len(made) == 1
    assert not os.path.exists(made[0])
