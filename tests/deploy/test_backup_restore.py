"""``ombuds backup`` and ``ombuds restore`` (issue 12, item 2), as an operator runs them.

A world (agencies, staff, a complaint with a file, its codename, audit entries and a signed
checkpoint) is made in one install; its backup is restored into a new data folder and a new,
empty database; then the complaint decrypts for the intake officer, the codename opens the
complainant's page, and ``ombuds audit verify`` and ``ombuds evidence verify`` pass. Every
command runs in its own process, with the install given by the environment.

The database follows the suite's: SQLite by default, PostgreSQL when ``DATABASE_URL`` names
one (CI runs the suite on both), with ``pg_dump``/``pg_restore`` from the system. The
databases made here are named after the suite's, so they stay inside its name space.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from pyrage import x25519

ROOT = Path(__file__).resolve().parents[2]
SUITE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = SUITE_DATABASE_URL.startswith(("postgres://", "postgresql://"))


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )


def ombuds(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, "-m", "ombuds.cli", *args)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Databases:
    """New, empty databases for this module, dropped at the end."""

    def __init__(self) -> None:
        self.made: list[str] = []
        if ON_POSTGRESQL:
            config = dj_database_url.parse(SUITE_DATABASE_URL)
            self.server = {
                "host": config["HOST"] or None,
                "port": config["PORT"] or None,
                "user": config["USER"] or None,
                "password": config["PASSWORD"] or None,
            }
            self.prefix = f"{config['NAME']}_bk{os.getpid()}"

    def new(self, name: str, tmp: Path) -> str | None:
        """A DATABASE_URL for a new empty database (None: SQLite in the data folder)."""
        if not ON_POSTGRESQL:
            return None
        database = f"{self.prefix}_{name}"
        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        self.made.append(database)
        return SUITE_DATABASE_URL.rsplit("/", 1)[0] + "/" + database

    def drop_all(self) -> None:
        if not self.made:
            return
        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as conn:
            for database in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_") and k != "DATABASE_URL"
    }
    env["OMBUDS_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"  # the test suite's cheap password cost
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class Source:
    env: dict[str, str]
    data_dir: Path
    facts: dict[str, Any]
    archive: Path
    identity_file: Path
    escrow_file: Path
    signing_key_hex: str
    secret_key: str
    backup_output: str
    started: float


@pytest.fixture(scope="module")
def databases() -> Iterator[Databases]:
    if ON_POSTGRESQL and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (PostgreSQL's client tools)")
    made = Databases()
    yield made
    made.drop_all()


@pytest.fixture(scope="module")
def source(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Source:
    """An install with a world in it, and its backup encrypted to a fresh age identity."""
    started = time.time()
    tmp = tmp_path_factory.mktemp("backup")
    data_dir = tmp / "source-data"
    env = environment(data_dir, databases.new("src", tmp))
    ok(ombuds(env, "migrate", "-v0"))
    facts = json.loads(ok(run(env, "-m", "tests.deploy.backup_world", "build")))

    identity = x25519.Identity.generate()
    identity_file = tmp / "backup-identity.txt"
    identity_file.write_text(f"# the operator's, kept offline\n{identity}\n")
    escrow_file = tmp / "escrow.hex"
    escrow_file.write_text(facts["escrow_key"])
    archive = tmp / "ombuds.age"
    output = ok(ombuds(env, "backup", str(archive), "--recipient", str(identity.to_public())))
    return Source(
        env=env,
        data_dir=data_dir,
        facts=facts,
        archive=archive,
        identity_file=identity_file,
        escrow_file=escrow_file,
        signing_key_hex=(data_dir / "audit-signing.key").read_text().strip(),
        secret_key=(data_dir / "secret_key").read_text().strip(),
        backup_output=output,
        started=started,
    )


@pytest.fixture
def new_install(
    databases: Databases, tmp_path: Path
) -> Callable[[str], tuple[dict[str, str], Path]]:
    """A new, empty install: a data folder that does not exist yet, an empty database."""
    count = iter(range(100))

    def make(name: str) -> tuple[dict[str, str], Path]:
        data_dir = tmp_path / f"{name}-data"
        return environment(data_dir, databases.new(f"{name}{next(count)}", tmp_path)), data_dir

    return make


def holds_no_data(env: dict[str, str], data_dir: Path) -> None:
    """Nothing was restored: no table in the database, no key in the data folder."""
    assert not (data_dir / "audit-signing.key").exists()
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".restore-")]
    if ON_POSTGRESQL:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert tables == (0,)
    else:
        database = data_dir / "ombuds.sqlite3"
        with contextlib.closing(sqlite3.connect(database)) as conn:
            assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_restored_install_decrypts_opens_codenames_and_verifies(
    source: Source, new_install: Callable[[str], tuple[dict[str, str], Path]]
) -> None:
    env, data_dir = new_install("restored")
    out = ok(ombuds(env, "restore", str(source.archive), "--identity", str(source.identity_file)))
    assert "restored: the backup of" in out

    seen = json.loads(
        ok(run(env, "-m", "tests.deploy.backup_world", "check", stdin=json.dumps(source.facts)))
    )
    assert seen == {
        "codename_accepted": True,
        "complainant_sees_the_canary": True,
        "officer_signed_in": True,
        "officer_sees_the_canary": True,
        "officer_opens_the_file": True,
    }
    verified = ombuds(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit log intact" in verified.stdout
    assert "signing key" not in verified.stderr  # the key came back with the database
    evidence = ok(ombuds(env, "evidence", "verify", "--escrow-key-file", str(source.escrow_file)))
    assert evidence.startswith("OK: 2 stored files checked, 2 decrypted and re-hashed")

    # The data folder as staff/datafiles.py makes it: the folder 0700, the files 0600.
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("audit-signing.key", "secret_key"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    assert (data_dir / "audit-signing.key").read_text().strip() == source.signing_key_hex
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".restore-")]
    # The restore is in the restored log; the backup is in the source's.
    assert "backup_restored" in ok(ombuds(env, "audit", "export"))


def test_the_backup_is_audited_without_content(source: Source) -> None:
    exported = ok(ombuds(source.env, "audit", "export"))
    entries = [json.loads(line) for line in exported.splitlines() if line.strip()]
    backups = [e for e in entries if e.get("action") == "backup_created"]
    assert len(backups) == 1, exported[-2000:]
    digest = hashlib.sha256(source.archive.read_bytes()).hexdigest()
    assert backups[0]["details"]["archive_sha256"] == digest
    assert digest in source.backup_output  # printed, to keep apart from the archive
    assert source.facts["canary"] not in exported
    assert str(source.archive) not in exported


def test_the_archive_holds_no_plaintext(source: Source) -> None:
    data = source.archive.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    for needle in (
        source.facts["canary"],
        source.facts["person"],
        source.facts["codename"],
        source.signing_key_hex,
        source.secret_key,
        "manifest.json",
        "SQLite format 3",
        "audit_auditentry",
    ):
        assert needle.encode() not in data, needle


def test_no_plaintext_was_left_outside_the_data_folder(source: Source) -> None:
    # The secrets the archive carries in plaintext inside: the signing key and the secret
    # key. No file written since the world was made, outside the data folder, holds them.
    assert not [p for p in source.data_dir.iterdir() if p.name.startswith(".backup-")]
    needles = (source.signing_key_hex.encode(), source.secret_key.encode())
    for folder, _dirs, names in os.walk(tempfile.gettempdir()):
        here = Path(folder)
        if here == source.data_dir or source.data_dir in here.parents or "-data" in here.name:
            continue
        for name in names:
            path = here / name
            try:
                if path.stat().st_mtime < source.started - 1 or path.stat().st_size > 50 << 20:
                    continue
                content = path.read_bytes()
            except OSError:
                continue
            for needle in needles:
                assert needle not in content, f"a secret in plaintext in {path}"


def test_a_wrong_identity_fails_clearly_and_restores_nothing(
    source: Source, new_install: Callable[[str], tuple[dict[str, str], Path]], tmp_path: Path
) -> None:
    env, data_dir = new_install("wrong")
    wrong = tmp_path / "someone-elses.txt"
    wrong.write_text(f"{x25519.Identity.generate()}\n")
    result = ombuds(env, "restore", str(source.archive), "--identity", str(wrong))
    assert result.returncode == 1
    assert "none of the given identities can open this archive" in result.stderr
    holds_no_data(env, data_dir)


def test_a_tampered_archive_fails_and_restores_nothing(
    source: Source, new_install: Callable[[str], tuple[dict[str, str], Path]], tmp_path: Path
) -> None:
    env, data_dir = new_install("tampered")
    data = bytearray(source.archive.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, deep in the payload
    tampered = tmp_path / "tampered.age"
    tampered.write_bytes(bytes(data))
    result = ombuds(env, "restore", str(tampered), "--identity", str(source.identity_file))
    assert result.returncode == 1
    assert "altered or damaged" in result.stderr
    holds_no_data(env, data_dir)

    cut = tmp_path / "cut.age"
    cut.write_bytes(source.archive.read_bytes()[: len(data) - 100])
    result = ombuds(env, "restore", str(cut), "--identity", str(source.identity_file))
    assert result.returncode == 1
    assert "altered or damaged" in result.stderr
    holds_no_data(env, data_dir)


def test_restore_refuses_an_install_that_holds_data(source: Source) -> None:
    result = ombuds(
        source.env, "restore", str(source.archive), "--identity", str(source.identity_file)
    )
    assert result.returncode == 1
    assert "the database already holds data" in result.stderr
    assert "only into an empty install" in result.stderr


def test_backup_never_overwrites_a_file(source: Source, tmp_path: Path) -> None:
    existing = tmp_path / "yesterday.age"
    existing.write_bytes(b"yesterday's backup")
    identity = x25519.Identity.generate()
    result = ombuds(source.env, "backup", str(existing), "-r", str(identity.to_public()))
    assert result.returncode == 1
    assert "exists: a backup never overwrites a file" in result.stderr
    assert existing.read_bytes() == b"yesterday's backup"
    inside = source.data_dir / "backup.age"
    result = ombuds(source.env, "backup", str(inside), "-r", str(identity.to_public()))
    assert result.returncode == 1
    assert "inside the data folder" in result.stderr
    assert not inside.exists()


def test_backup_refuses_a_bad_recipient_and_writes_nothing(source: Source, tmp_path: Path) -> None:
    out = tmp_path / "never.age"
    result = ombuds(source.env, "backup", str(out), "--recipient", "age1notakey")
    assert result.returncode == 1
    assert "not an age recipient" in result.stderr
    assert not out.exists()


def test_a_database_that_only_went_through_migrate_counts_as_empty(
    source: Source, new_install: Callable[[str], tuple[dict[str, str], Path]]
) -> None:
    # The deployment steps run `ombuds migrate` before anything else (docs/deploy.md).
    env, _data_dir = new_install("migrated")
    ok(ombuds(env, "migrate", "-v0"))
    ok(ombuds(env, "restore", str(source.archive), "--identity", str(source.identity_file)))
    assert "audit log intact" in ok(ombuds(env, "audit", "verify"))


def test_restore_refuses_a_data_folder_that_holds_a_signing_key(
    source: Source, new_install: Callable[[str], tuple[dict[str, str], Path]]
) -> None:
    env, data_dir = new_install("keyed")
    ok(ombuds(env, "audit", "init-key"))
    key = (data_dir / "audit-signing.key").read_text()
    result = ombuds(env, "restore", str(source.archive), "--identity", str(source.identity_file))
    assert result.returncode == 1
    assert "the data folder already holds an audit signing key" in result.stderr
    assert (data_dir / "audit-signing.key").read_text() == key
