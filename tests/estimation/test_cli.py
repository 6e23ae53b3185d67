"""``ombuds estimate`` prints the method, the counts, the interval, and refuses with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
    assert "stratum 'south'" in out["total"]["refused"]


def test_patterns_and_clusters_together_are_a_usage_error(patterns_csv: Path) -> None:
    assert main([str(patterns_csv), "--from-clusters", str(patterns_csv)]) == 2


def _two_district_clusters(tmp_path: Path, thin_south: bool = False) -> Path:
    """Clusters of people in two districts seen by lists a, b, c at random (seed fixed)."""
    rng = np.random.default_rng(0)
    rows = ["source,record_id,cluster_id,district"]
    rid = 0
    for district, n, capture in (("north", 300, [0.5, 0.4, 0.6]), ("south", 200, [0.3, 0.5, 0.4])):
        lists = "ab" if thin_south and district == "south" else "abc"
        for person in range(n):
            for source, p in zip(lists, capture, strict=False):
                if rng.random() < p:
                    rid += 1
                    rows.append(f"{source},{rid},{district}-{person},{district}")
    path = tmp_path / "clusters.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_strata_are_followed_by_their_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_district_clusters(tmp_path)
    argv = ["--from-clusters", str(path), "--strata", "district", "--method", "dga"]
    assert main([*argv, "--seed", "1", "--no-cross-check"]) == 0
    out = capsys.readouterr().out
    total_block = out.split("[total over district (2 strata)]")[1]
    assert out.index("[district = south]") < out.index("[total over district")
    assert "method:    dga" in total_block and "95% interval" in total_block
    assert "stratum_estimates" in total_block


def test_json_has_the_total_under_its_own_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_district_clusters(tmp_path)
    argv = ["--from-clusters", str(path), "--strata", "district", "--method", "dga", "--json"]
    assert main([*argv, "--seed", "1", "--no-cross-check"]) == 0
    out = json.loads(capsys.readouterr().out)
    total, strata = out["total"], out["strata"]
    assert total["observed"] == strata["north"]["observed"] + strata["south"]["observed"]
    assert total["lower"] <= total["estimate"] <= total["upper"]
    assert total["diagnostics"]["strata"] == ["north", "south"]
    assert "draws" not in total


def test_loglinear_total_needs_the_bootstrap_interval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_district_clusters(tmp_path)
    argv = ["--from-clusters", str(path), "--strata", "district", "--method", "loglinear"]
    assert main([*argv, "--no-cross-check"]) == 0
    out = capsys.readouterr().out
    assert "NO TOTAL:" in out and "--interval bootstrap" in out
    boot = ["--interval", "bootstrap", "--bootstrap-replicates", "20", "--seed", "2", "--json"]
    assert main([*argv, *boot, "--no-cross-check"]) == 0
    total = json.loads(capsys.readouterr().out)["total"]
    assert total["diagnostics"]["point_estimate"] == "sum of the strata's estimates"
    assert total["lower"] <= total["estimate"] <= total["upper"]


def test_a_thin_stratum_leaves_no_total_but_the_exit_code_is_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_district_clusters(tmp_path, thin_south=True)
    argv = ["--from-clusters", str(path), "--strata", "district", "--method", "dga", "--json"]
    assert main([*argv, "--no-cross-check"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"]["refused"].startswith("stratum 'south': only 2 list(s) saw anyone")
    assert "north" in out["strata"] and "estimate" in out["strata"]["north"]


def test_interval_option_is_for_loglinear_only(patterns_csv: Path) -> None:
    assert main([str(patterns_csv), "--method", "dga", "--interval", "bootstrap"]) == 2
    assert main([str(patterns_csv), "--method", "loglinear", "--bootstrap-replicates", "5"]) == 2
