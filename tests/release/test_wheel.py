"""The wheel installs and runs without the development tools (slow: builds and installs).

Built as `make dist` builds it, installed into a fresh virtualenv from the runtime lock (pip,
hashes required; from PyPI or pip's cache) and then the wheel with --no-deps, as
docs/deploy.md tells an operator. The installed ombuds reports its version, passes Django's
checks and migrates an empty SQLite database: its templates, static files, translations, word
lists and migrations came with it. pytest, ruff, mypy and the other tools are not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
DEV_TOOLS = ["pytest", "ruff", "mypy", "hypothesis", "playwright", "pre_commit", "uv", "build"]

pytestmark = pytest.mark.slow


#: Nothing of this checkout on the path: the new venv must find only what was installed in it
#: (a source tree on PYTHONPATH, with the egg-info a build leaves there, would pass for it).
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DATABASE_URL"}}


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("env", CLEAN_ENV)
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=1800, **kwargs
    )  # type: ignore[call-overload]
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done  # type: ignore[no-any-return]


def test_the_wheel_installs_from_the_runtime_lock_and_runs_without_dev_tools(
    tmp_path: Path,
) -> None:
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "dist", ROOT)
    (wheel,) = (tmp_path / "dist").glob(f"ombuds-{VERSION}-py3-none-any.whl")

    inside = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src" / "ombuds"
    wanted = [
        p.relative_to(package.parent).as_posix()
        for pattern in (
            "templates/**/*.html",
            "static/**/*.*",
            "locale/*/LC_MESSAGES/*.mo",
            "crypto/wordlists/*.txt",
            "*/migrations/0*.py",
        )
        for p in package.glob(pattern)
    ]
    assert len(wanted) > 50
    assert not [name for name in wanted if name not in inside]

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    _run(*pip, "--require-hashes", "-r", ROOT / "requirements" / "runtime.txt")
    _run(*pip, "--no-deps", wheel)

    env = dict(CLEAN_ENV)
    env.update(OMBUDS_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ombuds.settings")
    ombuds = venv / "bin" / "ombuds"
    assert _run(ombuds, "--version", cwd=tmp_path, env=env).stdout.strip() == f"ombuds {VERSION}"
    _run(ombuds, "check", cwd=tmp_path, env=env)
    _run(ombuds, "migrate", "--noinput", cwd=tmp_path, env=env)
    assert (tmp_path / "data" / "ombuds.sqlite3").stat().st_size > 0
    where = _run(
        venv / "bin" / "python",
        "-c",
        "import ombuds; print(ombuds.__file__)",
        cwd=tmp_path,
        env=env,
    ).stdout
    assert where.startswith(str(venv)), "the installed ombuds ran, not the source tree"

    probe = "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])"
    found = _run(venv / "bin" / "python", "-c", probe, *DEV_TOOLS, cwd=tmp_path, env=env)
    assert found.stdout.strip() == "[]"
