"""With deploy/ombuds.env.example's variables, `ombuds check --deploy` reports no issues."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "ombuds.env.example"


def example_environment(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_") and k != "DATABASE_URL"
    }
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    # The placeholders, filled in as an operator would.
    env["OMBUDS_SECRET_KEY"] = "k7Qm2vX9pLr4Tn8wZc1Yb6Hd3Fs5Jg0Ae7Ku2Io9Px4Mv8Nq1Rt6Sy3Wz5Bc0Dg"
    env["OMBUDS_DATA_DIR"] = str(data_dir)
    env.pop("DATABASE_URL")  # no server needed: the checks are about the web settings
    for name in ("OMBUDS_ALLOWED_HOSTS", "OMBUDS_TRUSTED_ORIGINS", "OMBUDS_ONION_LOCATION"):
        env[name] = env[name].replace("<56-characters>", "a" * 56)
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_example_environment_passes_check_deploy_without_issues(tmp_path: Path) -> None:
    result = run_check(example_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_check_deploy_reports_the_missing_protections(tmp_path: Path) -> None:
    env = example_environment(tmp_path)
    env["OMBUDS_HTTPS"] = ""
    result = run_check(env)
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_without_alert_mail_check_deploy_warns_that_nobody_is_told_of_urgent_complaints(
    tmp_path: Path,
) -> None:
    env = example_environment(tmp_path)
    env["OMBUDS_SMTP_HOST"] = ""
    result = run_check(env)
    assert result.returncode != 0
    assert "ombuds.W102" in result.stderr + result.stdout
    assert "OMBUDS_SMTP_HOST not set" in result.stderr + result.stdout
