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
