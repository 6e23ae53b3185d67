"""The data folder is 0700 and the SQLite files (database, -wal, -shm) 0600 (issue 9, item 10)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_data_folder_is_readable_by_the_service_user_only() -> None:
    assert mode(settings.DATA_DIR) == 0o700


@pytest.mark.django_db
def test_the_test_database_and_its_wal_are_readable_by_the_service_user_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files only")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE probe (x)")
        cursor.execute("INSERT INTO probe VALUES (1)")
    name = connection.settings_dict["NAME"]
    assert mode(name) == 0o600
    assert mode(f"{name}-wal") == 0o600
    assert mode(f"{name}-shm") == 0o600


# Run by `ombuds shell` in a fresh process: open the install's database, write, and report the
# modes while the connection (and so the WAL) is open.
PROBE = """
import json, os, stat
from django.conf import settings
from django.db import connection
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    c.execute("INSERT INTO probe VALUES (1)")
name = connection.settings_dict["NAME"]
paths = {"folder": str(settings.DATA_DIR), "db": name, "wal": name + "-wal", "shm": name + "-shm"}
print(json.dumps({k: oct(stat.S_IMODE(os.stat(p).st_mode)) for k, p in paths.items()}))
"""


@pytest.mark.parametrize("existing", [False, True], ids=["new install", "install made before"])
def test_the_installs_folder_and_database_files_are_private(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "data"
    if existing:  # as an older ombuds left them: folder 0755, database 0644
        data.mkdir(mode=0o755)
        data.chmod(0o755)
        sqlite3.connect(data / "ombuds.sqlite3").close()
        (data / "ombuds.sqlite3").chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMBUDS_SECRET_KEY")}
    env.update(OMBUDS_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="ombuds.settings")
    out = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "shell", "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    modes = json.loads(out.strip().splitlines()[-1])
    assert modes == {"folder": "0o700", "db": "0o600", "wal": "0o600", "shm": "0o600"}
