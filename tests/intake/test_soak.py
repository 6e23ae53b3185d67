"""Soak: the real server under load from several processes loses no complaint and no page.

Starts ``ombuds serve`` (gunicorn, sync workers, as deployed; only the WAL is checkpointed
more often) on a free port against a fresh SQLite data directory, files complaints through
HTTP from ``OMBUDS_SOAK_PROCESSES`` processes (default 6) for ``OMBUDS_SOAK_SECONDS``
(default 40), and records every complaint acknowledged with a codename. Then, with the
server stopped, ``PRAGMA integrity_check`` must say "ok" and every acknowledged codename
must lead to its row (its lookup id, derived under the install key). Finally, on a
restarted server, a sample of codenames must open their complaint through the return visit.

Decision 0002 (docs/decisions/0002-sqlite-build-and-workers.md) says why this is the check
that the embedded SQLite default does not lose complaints. The fast tests here check the other
half of that decision: the SQLite in use has the WAL-reset fix, and ``ombuds serve`` falls back
to one worker where it has not.

    .venv/bin/pytest -m slow tests/intake/test_soak.py -p no:xdist
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

embedded_sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="checks the embedded SQLite default; PostgreSQL has its own durability",
)

SOAK_SECONDS = float(os.environ.get("OMBUDS_SOAK_SECONDS", 40))
CLIENT_PROCESSES = int(os.environ.get("OMBUDS_SOAK_PROCESSES", 6))
SAMPLE = 20

FORM = {
    "filer_role": "witness",
    "acts": ["detention", "threats"],
    "when_kind": "year",
    "when_value": "2019",
    "place": "Gudermes",
    "person-TOTAL_FORMS": "3",
    "person-INITIAL_FORMS": "0",
    "person-MIN_NUM_FORMS": "0",
    "person-MAX_NUM_FORMS": "3",
    "person-0-name": "Ruslan A.",
    "person-0-age": "34",
    "person-0-sex": "m",
    "person-0-role": "victim",
    "perpetrators": ["police", "officials"],
    "held_now": "unknown",
    "consent_prosecutor": "on",
}
ACCOUNT_WORDS = [
    *["they", "came", "at", "night", "took", "him", "away", "in", "a", "car", "without", "plates"],
    *["the", "police", "said", "nothing", "when", "we", "asked", "at", "the", "station"],
]
_TOKEN = re.compile(r'name="(form_token|csrfmiddlewaretoken)" value="([^"]+)"')
_CODENAME = re.compile(r'<p class="codename" id="codename">(.*?)</p>', re.S)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMBUDS_SECRET_KEY")}
    env.update(
        OMBUDS_DATA_DIR=str(data_dir),
        OMBUDS_PASSWORD_COST="minimum",  # demo staff setup only; not on the complaint path
        DJANGO_SETTINGS_MODULE="ombuds.settings",
        PYTHONUNBUFFERED="1",
        # Thousands of complaints an hour are this test's load, not an abuse to refuse: the
        # intake budget is raised past it (its count, one upsert, stays on the path).
        OMBUDS_INTAKE_COMPLAINTS_PER_HOUR="1000000000",
        OMBUDS_INTAKE_BYTES_PER_HOUR="1000000000000",
    )
    return env


# The production settings, with the WAL checkpointed every 100 pages instead of 1,000: the WAL
# is then checkpointed and reset dozens of times a run, the path of the WAL-reset race.
SOAK_SETTINGS = """
from ombuds.settings import *  # noqa: F403
from ombuds.settings import DATABASES

DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA wal_autocheckpoint=100;"
"""


@contextmanager
def _server(data_dir: Path) -> Iterator[str]:
    """``ombuds serve`` with its defaults (3 sync workers); yields the base URL."""
    port = _free_port()
    log = (data_dir / "server.log").open("ab")
    settings_dir = data_dir / "soak_settings"
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "ombuds_soak_settings.py").write_text(SOAK_SETTINGS)
    env = _env(data_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(settings_dir), env.get("PYTHONPATH", "")])
    env["DJANGO_SETTINGS_MODULE"] = "ombuds_soak_settings"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ombuds.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (data_dir / "server.log").read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()  # gunicorn's graceful stop: workers finish their request, then exit
        try:
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _file_one(base: str, rng: random.Random) -> str:
    """GET the form, POST a complaint, return the codename on the receipt page."""
    browser = _opener()
    page = browser.open(f"{base}/en/complaint/", timeout=60).read().decode()
    fields = dict(FORM, **dict(_TOKEN.findall(page)))
    # Accounts of 0.2 to 12 KB: the WAL grows and is checkpointed and reset many times a run.
    fields["account"] = " ".join(rng.choices(ACCOUNT_WORDS, k=rng.randint(30, 1800)))
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    receipt = browser.open(f"{base}/en/complaint/", data=body, timeout=60).read().decode()
    match = _CODENAME.search(receipt)
    assert match, receipt[:2000]
    return " ".join(re.findall(r"<span>([^<]+)</span>", match.group(1)))


def _hammer(base: str, seconds: float, seed: int) -> tuple[list[str], list[str]]:
    """One client process: file complaints until time is up; codenames and failures."""
    rng = random.Random(seed)
    codenames: list[str] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            codenames.append(_file_one(base, rng))
        except (urllib.error.URLError, OSError, AssertionError) as exc:
            failures.append(repr(exc)[:300])
    return codenames, failures


def _open_with_codename(base: str, codename: str) -> str:
    browser = _opener()
    page = browser.open(f"{base}/en/return/", timeout=60).read().decode()
    fields = dict(_TOKEN.findall(page), codename=codename)
    r = browser.open(f"{base}/en/return/", data=urllib.parse.urlencode(fields).encode())
    assert r.geturl().endswith("/en/return/complaint/"), f"codename not accepted: {codename!r}"
    return str(r.read().decode())


_CHECK_ROWS = """
import json, sys
import django
django.setup()
from django.conf import settings
from ombuds import crypto
from ombuds.intake.models import Complaint
from ombuds.staff.models import Installation
key = Installation.current().install_key()
codenames = json.load(sys.stdin)
ids = {bytes(i) for i in Complaint.objects.values_list("lookup_id", flat=True)}
missing = [c for c in codenames
           if crypto.complainant_keys(crypto.parse_codename(c), key).lookup_id not in ids]
print(json.dumps({"rows": Complaint.objects.count(), "missing": missing,
                  "sqlite": ".".join(map(str, settings.SQLITE_VERSION))}))
"""


def _integrity_check(db: Path) -> list[str]:
    try:
        import pysqlite3 as sqlite3  # the build the server uses (decision 0002)
    except ImportError:  # pragma: no cover
        import sqlite3
    connection = sqlite3.connect(str(db))
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


# --- the SQLite build (fast) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "fixed"),
    [
        ((3, 40, 1), False),  # CPython's sqlite3 on Debian 12
        ((3, 51, 1), False),  # pysqlite3-binary 0.5.4.post2
        ((3, 51, 2), False),
        ((3, 51, 3), True),
        ((3, 53, 4), True),  # pysqlite3 0.6.1
        ((3, 50, 6), False),
        ((3, 50, 7), True),  # backport
        ((3, 44, 6), True),  # backport
        ((3, 45, 0), False),
    ],
)
def test_sqlite_versions_with_the_wal_reset_fix_are_recognised(
    version: tuple[int, ...], fixed: bool
) -> None:
    from ombuds.settings import sqlite_has_wal_reset_fix

    assert sqlite_has_wal_reset_fix(version) is fixed


@embedded_sqlite_only
@pytest.mark.skipif(
    not (sys.platform == "linux" and os.uname().machine == "x86_64"),
    reason="the pysqlite3 wheel with a fixed SQLite exists for Linux x86_64 only",
)
def test_the_embedded_default_runs_a_sqlite_with_the_wal_reset_fix() -> None:
    from django.conf import settings
    from django.db import connection

    assert settings.SQLITE_WAL_RESET_FIXED, settings.SQLITE_VERSION
    assert connection.Database.sqlite_version_info == settings.SQLITE_VERSION


@embedded_sqlite_only
@pytest.mark.parametrize(("fixed", "workers"), [(True, "3"), (False, "1")])
def test_serve_runs_one_worker_on_a_sqlite_without_the_fix(
    settings: Any, monkeypatch: pytest.MonkeyPatch, fixed: bool, workers: str
) -> None:
    from django.core.management import call_command
    from gunicorn.app.wsgiapp import WSGIApplication

    settings.SQLITE_WAL_RESET_FIXED = fixed
    monkeypatch.delenv("OMBUDS_ALLOW_VULNERABLE_SQLITE", raising=False)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    started: list[list[str]] = []
    monkeypatch.setattr(WSGIApplication, "run", lambda self: started.append(list(sys.argv)))
    call_command("serve", "--workers", "3", stderr=io.StringIO())
    argv = started[0]
    assert argv[argv.index("--workers") + 1] == workers
    assert argv[argv.index("--worker-class") + 1] == "sync"


# --- the soak (slow) ----------------------------------------------------------------------


@pytest.mark.slow
@embedded_sqlite_only
def test_no_acknowledged_complaint_is_lost_under_load(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "demo"],
        env=_env(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with _server(data_dir) as base:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(CLIENT_PROCESSES) as pool:
            runs = pool.starmap(
                _hammer, [(base, SOAK_SECONDS, seed) for seed in range(CLIENT_PROCESSES)]
            )
    codenames = [c for acknowledged, _failed in runs for c in acknowledged]
    failures = [f for _acknowledged, failed in runs for f in failed]
    log = (data_dir / "server.log").read_text()
    assert not failures, f"{len(failures)} posts failed, e.g. {failures[:3]}\n{log[-3000:]}"
    assert len(codenames) >= 50, f"too few complaints filed to say anything: {len(codenames)}"
    assert len(set(codenames)) == len(codenames), "a codename was handed out twice"
    for bad in ("disk I/O error", "not a database", "malformed", "Traceback"):
        assert bad not in log, log[-3000:]

    db = data_dir / "ombuds.sqlite3"
    integrity = _integrity_check(db)
    assert integrity == ["ok"], integrity[:20]
    checked = subprocess.run(
        [sys.executable, "-c", _CHECK_ROWS],
        env=_env(data_dir),
        input=json.dumps(codenames),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert result["missing"] == [], f"{len(result['missing'])} acknowledged complaints lost"
    assert result["rows"] >= len(codenames)
    print(
        f"soak: {len(codenames)} complaints acknowledged in {SOAK_SECONDS:.0f} s from "
        f"{CLIENT_PROCESSES} processes (SQLite {result['sqlite']}): integrity ok, none missing"
    )

    with _server(data_dir) as base:
        for codename in random.Random(0).sample(codenames, min(SAMPLE, len(codenames))):
            assert "<h1>Your complaint</h1>" in _open_with_codename(base, codename)
    assert _integrity_check(db) == ["ok"]
