from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ombuds.linkage.cli import main

HEADER = (
    "record_id,source,given_name,patronymic,family_name,full_name,sex,birth_date,age,place,"
    "event_date,event_type\n"
)


def test_link_writes_one_cluster_row_per_record_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complaints = tmp_path / "complaints.csv"
    complaints.write_bytes(
        (HEADER
         + "1,complaint,,,,Джабраилов Магомед Ахмедович,м,1975-04-02,,с. Гойты,2001-03-05,"
         + "disappearance\n"
         + "2,complaint,,,,Джабраилов Магомед,,,25,Гойты,2001-03-05,\n").encode("cp1251")
    )  # fmt: skip
    ngo = tmp_path / "ngo.csv"
    ngo.write_text(
        HEADER
        + "n1,ngo,Mohammed,Akhmedovich,Jabrailov,,m,1975-04-02,,Goity,2001-03,\n"
        + "n2,ngo,Ruslan,,Isaev,,m,1960-13-01,,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "clusters.csv"
    code = main([str(complaints), str(ngo), "--out", str(out), "--unique-within", "ngo",
                 "--no-progress"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # one row was rejected
    assert f"{ngo}: row 3, column birth_date" in captured.err
    assert "records: 3" in captured.out and "clusters: 1" in captured.out
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["record_id"] for r in rows] == ["1", "2", "n1"]
    assert len({r["cluster_id"] for r in rows}) == 1


def test_a_threshold_outside_zero_to_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(HEADER, encoding="utf-8")
    assert main([str(path), "--out", str(tmp_path / "o.csv"), "--threshold", "2"]) == 2


def _labelled_lists(tmp_path: Path) -> list[str]:
    complaints = tmp_path / "complaints.csv"
    complaints.write_text(
        HEADER
        + "1,complaint,,,,Джабраилов Магомед Ахмедович,m,1975-04-02,,с. Гойты,2001-03-05,"
        + "disappearance\n"
        + "2,complaint,,,,Исаев Руслан,m,1960-01-13,,Шали,2002-05-01,detention\n",
        encoding="utf-8",
    )
    ngo = tmp_path / "ngo.csv"
    ngo.write_text(
        HEADER
        + "n1,ngo,Mohammed,Akhmedovich,Jabrailov,,m,1975-04-02,,Goity,2001-03,\n"
        + "n2,ngo,Said,,Umarov,,m,1981-07-07,,Urus-Martan,2003-02,\n",
        encoding="utf-8",
    )
    return [str(complaints), str(ngo)]


def _clusters(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8") as handle:
        return {(r["source"], r["record_id"]): r["cluster_id"] for r in csv.DictReader(handle)}


def test_labels_file_keeps_apart_and_merges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lists = _labelled_lists(tmp_path)
    out = tmp_path / "clusters.csv"
    assert main([*lists, "--out", str(out), "--no-progress"]) == 0
    before = _clusters(out)
    assert before[("complaint", "1")] == before[("ngo", "n1")]
    assert before[("complaint", "2")] != before[("ngo", "n2")]
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "left_source,left_record_id,right_source,right_record_id,verdict\n"
        "complaint,1,ngo,n1,different\n"
        "ngo,n2,complaint,2,same\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main([*lists, "--out", str(out), "--labels", str(labels), "--no-progress"]) == 0
    after = _clusters(out)
    assert after[("complaint", "1")] != after[("ngo", "n1")]
    assert after[("complaint", "2")] == after[("ngo", "n2")]
    assert "reviewers' decisions used: 2" in capsys.readouterr().out


def test_bad_label_rows_are_named_and_the_rest_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lists = _labelled_lists(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "left_source,left_record_id,right_source,right_record_id,verdict\n"
        "complaint,1,ngo,n9,same\n"  # row 2: no such record
        "complaint,1,ngo,n1,maybe\n"  # row 3: not a verdict
        "complaint,2,complaint,2,same\n"  # row 4: a record with itself
        "ngo,n2,complaint,2,same\n"  # row 5: used
        "complaint,1,ngo,n1,same\n"  # row 6 and 7 contradict each other
        "ngo,n1,complaint,1,different\n"
        ",1,ngo,n1,same\n",  # row 8: empty source
        encoding="utf-8",
    )
    out = tmp_path / "clusters.csv"
    code = main([*lists, "--out", str(out), "--labels", str(labels), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{labels}: row 2, column right_record_id: no list holds record n9 of source ngo" in err
    assert f"{labels}: row 3, column verdict" in err
    assert f"{labels}: row 4, column right_record_id" in err
    assert f"{labels}: row 7, column verdict: row 6 gives this pair the other verdict" in err
    assert f"{labels}: row 8, column left_source: empty" in err
    assert _clusters(out)[("complaint", "2")] == _clusters(out)[("ngo", "n2")]


def test_a_labels_file_without_its_columns_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lists = _labelled_lists(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("left,right,verdict\n", encoding="utf-8")
    code = main([*lists, "--out", str(tmp_path / "c.csv"), "--labels", str(labels),
                 "--no-progress"])  # fmt: skip
    assert code == 1
    assert "row 1, column left_source: the header has no column left_source" in (
        capsys.readouterr().err
    )
