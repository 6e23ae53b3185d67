"""``ombuds estimate`` prints the method, the counts, the interval, and refuses with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ombuds.estimation.cli import main

PATTERNS = "a,b,c,count\n1,0,0,60\n0,1,0,50\n0,0,1,40\n1,1,0,15\n1,0,1,12\n0,1,1,10\n1,1,1,3\n"


@pytest.fixture
def patterns_csv(tmp_path: Path) -> Path:
    path = tmp_path / "patterns.csv"
    path.write_text(PATTERNS)
    return path


def test_json_output_has_the_promised_keys(
    patterns_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(patterns_csv), "--method", "loglinear", "--json", "--no-cross-check"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"method", "observed", "estimate", "lower", "upper"} <= out.keys()
    assert out["observed"] == 190
    assert out["lower"] <= out["estimate"] <= out["upper"]


def test_text_output_names_method_and_interval(
    patterns_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(patterns_csv), "--method", "dga", "--no-cross-check"]) == 0
    out = capsys.readouterr().out
    assert "method:    dga" in out and "95% interval" in out


def test_two_lists_are_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.csv"
    path.write_text("a,b,count\n1,0,5\n0,1,4\n1,1,2\n")
    assert main([str(path), "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["estimate"] is None and "at least 3 lists" in out["refused"]


def test_clusters_with_strata_estimate_each_stratum_and_refuse_thin_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["source,record_id,cluster_id,district"]
    rid = 0
    for district, lists in (("north", "abc"), ("south", "ab")):
        for person in range(40):
            for j, source in enumerate(lists):
                if (person + j) % 3 != 0:
                    rid += 1
                    rows.append(f"{source},{rid},{district}-{person},{district}")
    path = tmp_path / "clusters.csv"
    path.write_text("\n".join(rows) + "\n")
    code = main(
        [
            "--from-clusters",
            str(path),
            "--strata",
            "district",
            "--method",
            "loglinear",
            "--json",
            "--no-cross-check",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "refused" in out["strata"]["south"]
    assert out["strata"]["north"]["observed"] == 40


def test_patterns_and_clusters_together_are_a_usage_error(patterns_csv: Path) -> None:
    assert main([str(patterns_csv), "--from-clusters", str(patterns_csv)]) == 2
