"""The lock files hold every dependency pyproject.toml names, at versions it allows.

A dependency added to pyproject.toml without `make lock` afterwards would be missing from
`make setup`, CI and deployments (pip installs only what the lock lists, hashes required):
these tests catch that in CI and say what to run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = ROOT / "requirements" / "runtime.txt"
DEV = ROOT / "requirements" / "dev.txt"
#: The target the locks are made for (Makefile, LOCK_TARGET).
TARGET = {
    "python_version": "3.11",
    "python_full_version": "3.11.7",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "sys_platform": "linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;.*?)?\s*\\?$")
AGAIN = "pyproject.toml changed without `make lock`: run it and commit requirements/*.txt"


def pins(lock: Path) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = Version(match.group(2))
    return found


def unlocked(requirements: list[str], locked: dict[str, Version]) -> list[str]:
    """The requirements (for the lock's target) that the lock lacks or pins outside their range."""
    missing = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(TARGET):
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            missing.append(f"{text} (locked: {version})")
    return missing


def test_the_pin_reader_reads_a_lock() -> None:
    """The checks below are only as good as this reader: it finds names and versions."""
    locked = pins(RUNTIME)
    assert locked[canonicalize_name("Django")].major == 5
    assert len(locked) >= len(PYPROJECT["dependencies"])
    assert unlocked(["Django>=99"], locked) == [f"Django>=99 (locked: {locked['django']})"]
    assert unlocked(["no-such-package-here>=1"], locked)
    assert not unlocked(["pysqlite3>=1; platform_system == 'Windows'"], locked)


def test_every_runtime_dependency_is_in_the_runtime_lock() -> None:
    assert not unlocked(PYPROJECT["dependencies"], pins(RUNTIME)), AGAIN


@pytest.mark.parametrize("extra", ["dev", "spark"])
def test_every_dependency_and_extra_is_in_the_dev_lock(extra: str) -> None:
    wanted = PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"][extra]
    assert not unlocked(wanted, pins(DEV)), AGAIN


def test_the_dev_lock_tests_the_versions_deployments_run() -> None:
    runtime, dev = pins(RUNTIME), pins(DEV)
    differ = {name: (v, dev.get(name)) for name, v in runtime.items() if dev.get(name) != v}
    assert not differ, AGAIN


def test_the_runtime_lock_holds_no_development_tool() -> None:
    tools = {"pytest", "ruff", "mypy", "hypothesis", "playwright", "pre-commit", "uv", "build"}
    assert not tools & set(pins(RUNTIME))


@pytest.mark.parametrize("lock", [RUNTIME, DEV], ids=["runtime", "dev"])
def test_every_pin_has_hashes(lock: Path) -> None:
    """pip --require-hashes refuses a lock with one unhashed line; catch it here first."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
    pinned = [b for b in blocks if PIN.match(b.splitlines()[0])]
    assert len(pinned) == len(pins(lock))
    assert all("--hash=sha256:" in block for block in pinned)
