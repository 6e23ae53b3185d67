"""bench/score_links.py: pairwise precision, recall and F1 against the truth, by source pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import independent_lists as il
from bench import score_links as sl

# Person A is on complaints twice and on the NGO list; person B on the press and NGO lists.
TRUTH = [
    ("complaints", "c1", "A"),
    ("complaints", "c2", "A"),
    ("ngo", "n1", "A"),
    ("press", "p1", "B"),
    ("ngo", "n2", "B"),
]


def test_a_perfect_clustering_scores_one() -> None:
    lists = il.generate(300, seed=11)
    clusters = [(s, r, f"cluster-of-{p}") for s, r, p in lists.truth]
    score = sl.score(lists.truth, clusters)
    assert score.overall.precision == score.overall.recall == score.overall.f1 == 1.0
    assert score.clusters == score.people == len({p for _, _, p in lists.truth})
    assert all(c.recall == 1.0 and c.precision == 1.0 for c in score.by_sources.values())


def test_a_known_bad_clustering_gets_the_numbers_counted_by_hand() -> None:
    # c1,c2 together (right); n1 with B's records (wrong for n1, right for p1-n2).
    clusters = [
        ("complaints", "c1", "x"),
        ("complaints", "c2", "x"),
        ("ngo", "n1", "y"),
        ("press", "p1", "y"),
        ("ngo", "n2", "y"),
    ]
    score = sl.score(TRUTH, clusters)
    # True pairs: c1c2, c1n1, c2n1, p1n2 (4). Predicted: c1c2, n1p1, n1n2, p1n2 (4). Right: 2.
    assert (score.overall.true_pairs, score.overall.predicted_pairs) == (4, 4)
    assert score.overall.true_predicted == 2
    assert score.overall.precision == score.overall.recall == score.overall.f1 == 0.5
    assert (score.people, score.clusters) == (2, 2)
    by = score.by_sources
    assert by[("complaints", "complaints")].recall == 1.0
    assert by[("complaints", "ngo")].recall == 0.0
    assert by[("ngo", "press")].recall == 1.0 and by[("ngo", "press")].precision == 0.5
    assert by[("ngo", "ngo")].precision == 0.0


def test_every_record_alone_finds_nothing_and_all_in_one_finds_everything() -> None:
    alone = sl.score(TRUTH, [(s, r, f"{s}{r}") for s, r, _ in TRUTH])
    assert alone.overall.recall == 0.0 and alone.overall.f1 == 0.0
    assert alone.overall.precision == 1.0  # nothing claimed, nothing wrong
    together = sl.score(TRUTH, [(s, r, "one") for s, r, _ in TRUTH])
    assert together.overall.recall == 1.0
    assert together.overall.precision == pytest.approx(4 / 10)


def test_a_record_missing_from_the_clusters_counts_as_alone_and_an_unknown_one_is_refused() -> None:
    partial = sl.score(TRUTH, [(s, r, "one") for s, r, _ in TRUTH if r != "n2"])
    assert partial.missing == 1
    assert partial.overall.true_predicted == 3 and partial.overall.predicted_pairs == 6
    with pytest.raises(sl.ScoreError, match="not in the truth"):
        sl.score(TRUTH, [("press", "p9", "one")])


def write(path: Path, header: str, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_command_prints_the_scores_as_text_and_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = write(tmp_path / "truth.csv", "source,record_id,person_id", TRUTH)
    clusters = write(
        tmp_path / "clusters.csv",
        "source,record_id,cluster_id",
        [("complaints", "c1", "0"), ("complaints", "c2", "0"), ("ngo", "n1", "1"),
         ("press", "p1", "1"), ("ngo", "n2", "1")],
    )  # fmt: skip
    assert sl.main([str(truth), str(clusters)]) == 0
    text = capsys.readouterr().out
    assert "precision 0.500  recall 0.500  F1 0.500" in text
    assert "true people: 2  clusters: 2" in text
    assert sl.main([str(truth), str(clusters), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["f1"] == 0.5 and data["by_sources"]["ngo-press"]["recall"] == 1.0
    bad = write(tmp_path / "bad.csv", "source,record_id,cluster_id", [("press", "zz", "0")])
    assert sl.main([str(truth), str(bad)]) == 2
    assert "not in the truth" in capsys.readouterr().err
