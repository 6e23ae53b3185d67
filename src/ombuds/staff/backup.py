"""Backups: one archive, encrypted to age recipients, that restores a whole install.

What an install is made of: the database (complaints, evidence, keys sealed under staff
passwords and the escrow key, the audit log) and the data folder (the audit signing key, the
secret key, and whatever else an operator keeps there). Restoring only the database loses the
signing key, and the audit log can then no longer be checked against this install's key.

The archive is a tar stream, encrypted to every recipient in the age format (pyrage), with:

* ``manifest.json`` first: format version, ombuds version, the schema migrations applied,
  the day it was made (no time of day), and every other member's size and SHA-256;
* ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs)
  or ``database.pgdump`` (``pg_dump`` custom format, one consistent snapshot);
* ``keys/audit-signing.key``, wherever ``OMBUDS_AUDIT_SIGNING_KEY_FILE`` puts it;
* ``data/<path>`` for every other regular file of the data folder, except SQLite database
  files (dumped consistently instead) and ``static/`` (rebuilt by ``collectstatic``).

Nothing unencrypted leaves the data folder: the tar is streamed through a pipe into the
encryptor, and the one file that cannot be streamed (the database dump, whose size the tar
header needs first) is written to a 0700 work folder inside the data folder and removed.
Restoring stages the decrypted members in such a folder too, checks every hash, and only
then replaces anything; an archive that was altered is refused by age's authentication (each
64 KiB chunk) and by the manifest's hashes.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import subprocess
import tarfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeAlias

import pyrage
from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import Database as SQLiteDatabase  # type: ignore[attr-defined]
from django.db.migrations.recorder import MigrationRecorder
from pyrage import ssh, x25519

import ombuds
from ombuds.audit import signing
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.staff.datafiles import PRIVATE_FILE, PRIVATE_FOLDER, make_private

FORMAT = "ombuds-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRESQL_MEMBER = "database.pgdump"
SIGNING_KEY_MEMBER = "keys/audit-signing.key"
DATA_PREFIX = "data/"
#: Work folders inside the data folder; a backup never copies them.
WORK_PREFIXES = (".backup-", ".restore-")
#: Files of SQLite databases: the live one is dumped consistently, never copied as it lies.
SQLITE_ENDINGS = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
#: Tables that ``migrate`` fills by itself: rows there do not make an install "in use".
MIGRATE_FILLS = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)
#: Created by the first start of any ``ombuds`` command when the environment sets no secret
#: key, so a new install has one: a restore replaces it.
REPLACEABLE = frozenset({"secret_key"})
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
CHUNK = 1024 * 1024

#: libpq's environment variables for the connection options dj-database-url passes on.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}

# Explicit aliases: pyrage's wheel may come without type stubs, and mypy must read these as
# types either way.
Recipient: TypeAlias = x25519.Recipient | ssh.Recipient
Identity: TypeAlias = x25519.Identity | ssh.Identity


class BackupError(Exception):
    """A backup or restore that cannot go on; ``str(exc)`` tells the operator why and what
    to do. Nothing was written (a backup's partial archive is removed)."""


@dataclass(frozen=True)
class Member:
    """One file of the archive: where it is read from, and its size and hash."""

    name: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    archive_sha256: str


# -- recipients and identities ------------------------------------------------------------


def recipients_parse(values: Sequence[str], files: Sequence[str] = ()) -> list[Recipient]:
    """age recipients (``age1...``, or ``ssh-ed25519 ...``/``ssh-rsa ...`` public keys) given
    on the command line or in recipients files (one a line, ``#`` comments, as age reads
    them). Raises :class:`BackupError` naming the bad line, and if there is none at all."""
    lines = [(value, "--recipient") for value in values]
    for name in files:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"cannot read the recipients file {name}: {exc}") from exc
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append((line.strip(), f"{name}, line {number}"))
    recipients: list[Recipient] = []
    for value, where in lines:
        try:
            if value.startswith("ssh-"):
                recipients.append(ssh.Recipient.from_str(value))
            else:
                recipients.append(x25519.Recipient.from_str(value))
        except pyrage.RecipientError as exc:
            raise BackupError(
                f"{where}: not an age recipient (age1... or an ssh public key): {exc}"
            ) from exc
    if not recipients:
        raise BackupError("give at least one --recipient AGE_PUBLIC_KEY (or --recipients-file)")
    return recipients


def identities_parse(text: str, *, source: str) -> list[Identity]:
    """The age identities of an identity file (``AGE-SECRET-KEY-1...`` lines, ``#``
    comments, as ``age-keygen`` writes them) or an unencrypted OpenSSH private key."""
    if "-----BEGIN OPENSSH PRIVATE KEY-----" in text:
        try:
            return [ssh.Identity.from_buffer(text.encode())]
        except pyrage.IdentityError as exc:
            raise BackupError(f"{source}: cannot use this ssh key: {exc}") from exc
    identities: list[Identity] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError as exc:
            # The line is a secret: say where it is, never what it holds.
            raise BackupError(f"{source}, line {number}: not an age identity") from exc
    if not identities:
        raise BackupError(f"{source} holds no age identity (AGE-SECRET-KEY-1...)")
    return identities


# -- the work folder ----------------------------------------------------------------------


@contextlib.contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """A new 0700 folder inside the data folder, removed afterwards whatever happens.

    Inside the data folder because what it holds (a database dump, decrypted secrets) is as
    private as the data folder itself, which is where it would live anyway.
    """
    base = Path(settings.DATA_DIR)
    path = base / f"{prefix}{secrets.token_hex(8)}"
    path.mkdir(mode=PRIVATE_FOLDER)
    make_private(path, PRIVATE_FOLDER)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _private_file(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    return os.fdopen(fd, "wb")


def _file_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _member(name: str, path: Path) -> Member:
    size, digest = _file_sha256(path)
    return Member(name, path, size, digest)


# -- the database -------------------------------------------------------------------------


def _libpq_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq variables: the password never appears in a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value is not None:
            env[variable] = str(value)
    return env


def _run_pg_tool(arguments: list[str], settings_dict: dict[str, Any], what: str) -> None:
    if shutil.which(arguments[0]) is None:
        raise BackupError(
            f"{arguments[0]} is not installed: it comes with PostgreSQL's client tools "
            "(apt install postgresql-client)"
        )
    result = subprocess.run(  # noqa: S603 - fixed program, arguments built here
        [*arguments, "--no-password"],
        env=_libpq_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({arguments[0]}): {result.stderr.strip()}")


def _database_dump(work: Path, alias: str = "default") -> Member:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        target = work / SQLITE_MEMBER
        _private_file(target).close()
        connection.ensure_connection()
        destination = SQLiteDatabase.connect(str(target))
        try:
            # The online backup API copies a consistent snapshot while others write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return _member(SQLITE_MEMBER, target)
    if connection.vendor == "postgresql":
        target = work / POSTGRESQL_MEMBER
        _private_file(target).close()
        _run_pg_tool(
            ["pg_dump", "--format=custom", f"--file={target}"],
            connection.settings_dict,
            "the database dump",
        )
        return _member(POSTGRESQL_MEMBER, target)
    raise BackupError(f"backups of a {connection.vendor} database are not supported")


def _applied_migrations(alias: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


# -- the data folder ----------------------------------------------------------------------


def _data_folder_files() -> list[tuple[str, Path]]:
    """Every regular file of the data folder that a restore needs, as (member, path)."""
    base = Path(settings.DATA_DIR)
    static = Path(settings.STATIC_ROOT).resolve()
    key = signing.signing_key_path().resolve()
    found: list[tuple[str, Path]] = []
    for folder, subfolders, names in os.walk(base):
        here = Path(folder)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(WORK_PREFIXES)
            and (here / name).resolve() != static
            and not (here / name).is_symlink()
        )
        for name in sorted(names):
            path = here / name
            if name.endswith(SQLITE_ENDINGS) or name.startswith(WORK_PREFIXES):
                continue
            if not stat.S_ISREG(path.lstat().st_mode) or path.resolve() == key:
                continue
            found.append((DATA_PREFIX + path.relative_to(base).as_posix(), path))
    return found


# -- writing ------------------------------------------------------------------------------


class _HashingWriter(io.BufferedIOBase):
    """Writes to a file and hashes what passes, so the archive's hash costs no second read."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.handle.write(view)
        return len(view)


class _CheckedReader(io.RawIOBase):
    """Reads a file for the tar stream and fails if it is not what the manifest says."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.handle = member.path.open("rb")
        self.digest = hashlib.sha256()
        self.seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        self.digest.update(data)
        self.seen += len(data)
        buffer[: len(data)] = data
        if not data or self.seen >= self.member.size:
            self._check()
        return len(data)

    def _check(self) -> None:
        if self.seen != self.member.size or self.digest.hexdigest() != self.member.sha256:
            raise BackupError(
                f"{self.member.path} changed while the backup was written: run it again"
            )

    def close(self) -> None:
        self.handle.close()
        super().close()


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    # No owner, no times: the manifest says on which day the backup was made, and that is all.
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = PRIVATE_FILE
    info.mtime = 0
    return info


def _write_tar(pipe: IO[bytes], manifest: bytes, members: Sequence[Member]) -> None:
    with tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tar_info(MANIFEST, len(manifest)), io.BytesIO(manifest))
        for member in members:
            with _CheckedReader(member) as reader:
                tar.addfile(_tar_info(member.name, member.size), io.BufferedReader(reader))


def _encrypt_stream(
    out: BinaryIO, recipients: Sequence[Recipient], manifest: bytes, members: Sequence[Member]
) -> str:
    """Stream the tar through a pipe into age; return the archive's SHA-256."""
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_end, "wb") as pipe:
                _write_tar(pipe, manifest, members)
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)

    producer = threading.Thread(target=produce, name="backup-tar", daemon=True)
    producer.start()
    writer = _HashingWriter(out)
    try:
        with os.fdopen(read_end, "rb") as source:
            pyrage.encrypt_io(source, writer, list(recipients))
    finally:
        producer.join()
    if failure:
        exc = failure[0]
        if isinstance(exc, BackupError):
            raise exc
        raise BackupError(f"the archive could not be written: {exc}") from exc
    return writer.digest.hexdigest()


def _collect(work: Path, vendor: str) -> tuple[dict[str, Any], list[Member]]:
    """Dump the database into ``work``; list it and the data folder's files, hashed."""
    members = [_database_dump(work)]
    key = signing.signing_key_path()
    if key.exists():
        members.append(_member(SIGNING_KEY_MEMBER, key))
    members += [_member(name, path) for name, path in _data_folder_files()]
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "ombuds_version": ombuds.__version__,
        "created_on": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "database": vendor,
        "migrations": _applied_migrations(),
        "files": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in members],
    }
    return manifest, members


def backup_create(*, out: Path, recipients: Sequence[Recipient]) -> BackupResult:
    """Write one encrypted archive of the whole install to ``out``, and audit it.

    ``out`` must not exist (it is created 0600, exclusively). The audit entry says that a
    backup was made, of which database, how many files and the archive's SHA-256; nothing
    of its content. Raises :class:`BackupError`; then ``out`` is removed.
    """
    if not recipients:
        raise BackupError("give at least one --recipient AGE_PUBLIC_KEY (or --recipients-file)")
    data_dir = Path(settings.DATA_DIR).resolve()
    if data_dir in out.absolute().resolve().parents:
        raise BackupError(
            f"{out} is inside the data folder: write the archive elsewhere (the next backup "
            "would carry it, and it belongs off the server)"
        )
    try:
        handle = _private_file(out)
    except FileExistsError as exc:
        raise BackupError(f"{out} exists: a backup never overwrites a file") from exc
    except OSError as exc:
        raise BackupError(f"cannot create {out}: {exc}") from exc
    vendor = connections["default"].vendor
    try:
        with handle, work_folder(WORK_PREFIXES[0]) as work:
            manifest, members = _collect(work, vendor)
            manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode()
            digest = _encrypt_stream(handle, recipients, manifest_bytes, members)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        out.unlink(missing_ok=True)
        if isinstance(exc, OSError | pyrage.EncryptError):
            raise BackupError(f"the archive could not be written: {exc}") from exc
        raise
    audit_record(
        action=AuditAction.BACKUP_CREATED,
        details={
            "database": vendor,
            "files": len(members),
            "recipients": len(recipients),
            "archive_sha256": digest,
        },
    )
    return BackupResult(out, manifest, digest)


# -- restoring ----------------------------------------------------------------------------


def install_in_use(alias: str = "default") -> str | None:
    """Why this install is not empty (a table holding rows, the signing key), or None."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in MIGRATE_FILLS:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                return f"the database already holds data (table {table})"
    key = signing.signing_key_path()
    if key.exists():
        return f"the data folder already holds an audit signing key ({key})"
    return None


@dataclass
class _Staged:
    manifest: dict[str, Any]
    files: dict[str, Path]


def _read_manifest(tar: tarfile.TarFile, first: tarfile.TarInfo | None) -> dict[str, Any]:
    if first is None or first.name != MANIFEST or not first.isreg():
        raise BackupError("this is not an ombuds backup: it does not begin with its manifest")
    if first.size > MAX_MANIFEST_BYTES:
        raise BackupError("the archive's manifest is implausibly large: refused")
    extracted = tar.extractfile(first)
    if extracted is None:  # pragma: no cover - a regular file always has content
        raise BackupError("the archive's manifest cannot be read")
    try:
        manifest = json.loads(extracted.read())
    except ValueError as exc:
        raise BackupError("the archive's manifest is not valid JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not an ombuds backup (its manifest names no ombuds format)")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"this backup is of format version {manifest.get('version')}; this ombuds reads "
            f"version {FORMAT_VERSION}: restore it with the ombuds release that made it "
            f"({manifest.get('ombuds_version')})"
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict)
        and isinstance(f.get("name"), str)
        and isinstance(f.get("size"), int)
        and isinstance(f.get("sha256"), str)
        for f in files
    ):
        raise BackupError("the archive's manifest has no valid file list")
    for entry in files:
        _member_name_check(entry["name"])
    return manifest


def _member_name_check(name: str) -> None:
    """Only the names this module writes: nothing absolute, nothing that climbs out."""
    parts = name.split("/")
    if (
        name in (SQLITE_MEMBER, POSTGRESQL_MEMBER, SIGNING_KEY_MEMBER)
        or (name.startswith(DATA_PREFIX) and len(parts) > 1)
    ) and not any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        return
    raise BackupError(f"the archive names a file it may not hold: {name!r}")


def _stage(source: IO[bytes], work: Path) -> _Staged:
    """Read the tar stream into ``work``; every member is checked against the manifest."""
    with tarfile.open(fileobj=source, mode="r|") as tar:
        manifest = _read_manifest(tar, tar.next())
        wanted = {entry["name"]: entry for entry in manifest["files"]}
        staged: dict[str, Path] = {}
        while (info := tar.next()) is not None:
            entry = wanted.get(info.name)
            if entry is None or info.name in staged or not info.isreg():
                raise BackupError(
                    f"the archive holds {info.name!r}, which its manifest does not list: refused"
                )
            extracted = tar.extractfile(info)
            if extracted is None:  # pragma: no cover - checked to be a regular file
                raise BackupError(f"{info.name} in the archive cannot be read")
            # Staged under a number, never under a name that came from the archive.
            path = work / f"{len(staged):04d}"
            digest, size = hashlib.sha256(), 0
            with _private_file(path) as handle:
                while chunk := extracted.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                raise BackupError(
                    f"{info.name} in the archive does not match its manifest: the archive "
                    "was altered or damaged"
                )
            staged[info.name] = path
        missing = sorted(set(wanted) - set(staged))
        if missing:
            raise BackupError(
                f"the archive lacks {', '.join(missing)}: it was cut short or altered"
            )
    return _Staged(manifest, staged)


def _decrypt_and_stage(
    archive: io.BufferedReader, identities: Sequence[Identity], work: Path
) -> _Staged:
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def decrypt() -> None:
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pyrage.decrypt_io(archive, pipe, list(identities))
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)

    decryptor = threading.Thread(target=decrypt, name="restore-age", daemon=True)
    decryptor.start()
    staged: _Staged | None = None
    problem: BaseException | None = None
    try:
        with os.fdopen(read_end, "rb") as source:
            staged = _stage(source, work)
            # Read to the end: age checks the last chunk only then, and anything but the
            # tar's zero padding after its end is not something this module wrote.
            while chunk := source.read(CHUNK):
                if chunk.count(0) != len(chunk):
                    raise BackupError("the archive has data after its end: refused")
    except (BackupError, tarfile.TarError, OSError) as exc:
        problem = exc
    finally:
        decryptor.join()
    # The decryptor's failure explains the reader's (a cut stream), not the other way round;
    # but a broken pipe there only means the reader gave up first.
    if failure and not isinstance(failure[0], BrokenPipeError):
        raise BackupError(_decrypt_failure(failure[0])) from failure[0]
    if problem is not None:
        if isinstance(problem, BackupError):
            raise problem
        raise BackupError(f"the archive is damaged: {problem}") from problem
    if staged is None:  # pragma: no cover - every path above raises or stages
        raise BackupError("the archive could not be read")
    return staged


def _decrypt_failure(exc: BaseException) -> str:
    text = str(exc)
    if "No matching keys" in text:
        return (
            "none of the given identities can open this archive: it was encrypted to other "
            "recipients (wrong identity file?)"
        )
    # age authenticates every chunk: a changed or missing byte ends decryption there.
    return f"the archive was altered or damaged, and cannot be decrypted: {text}"


def _restore_sqlite(path: Path, alias: str) -> None:
    connection = connections[alias]
    name = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    name.parent.mkdir(parents=True, exist_ok=True)
    if not name.exists():
        _private_file(name).close()
    source = SQLiteDatabase.connect(str(path))
    destination = SQLiteDatabase.connect(str(name))
    try:
        # Page by page into the (empty) database file: whatever it held is replaced whole.
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    for suffix in ("", "-wal", "-shm"):
        make_private(Path(f"{name}{suffix}"), PRIVATE_FILE)


def _restore_postgresql(path: Path, alias: str) -> None:
    connection = connections[alias]
    connection.close()
    # --clean --if-exists: a database that only went through `migrate` is emptied first;
    # one transaction, so a failure leaves it as it was. Owners and grants are this server's
    # own (deploy/postgresql/grants.sql, run after a restore).
    _run_pg_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        connection.settings_dict,
        "restoring the database",
    )


def _place(source: Path, target: Path) -> None:
    """Move a staged file to its place, 0600, its new folders 0700."""
    base = Path(settings.DATA_DIR)
    target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    folder = target.parent
    while folder != base and base in folder.parents:
        make_private(folder, PRIVATE_FOLDER)
        folder = folder.parent
    make_private(source, PRIVATE_FILE)
    try:
        os.replace(source, target)
    except OSError:  # another file system (a signing key kept elsewhere)
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        with source.open("rb") as reading, _private_file(temporary) as writing:
            shutil.copyfileobj(reading, writing)
        os.replace(temporary, target)
    make_private(target, PRIVATE_FILE)


def _target(name: str) -> Path:
    if name == SIGNING_KEY_MEMBER:
        return signing.signing_key_path()
    return Path(settings.DATA_DIR) / name.removeprefix(DATA_PREFIX)


def backup_restore(*, archive: Path, identities: Sequence[Identity]) -> dict[str, Any]:
    """Restore an archive from :func:`backup_create` into this empty install.

    Refuses (:class:`BackupError`, nothing changed) when the database holds data or the data
    folder a signing key, when the archive cannot be decrypted with ``identities``, was
    altered, holds another kind of database than this install uses, or was made by a newer
    ombuds. Everything is decrypted and checked before anything is replaced. The restore is
    then audited in the restored log. Returns the archive's manifest.
    """
    alias = "default"
    busy = install_in_use(alias)
    if busy:
        raise BackupError(
            f"{busy}: a backup is restored only into an empty install (a new database and a "
            "new data folder)"
        )
    try:
        handle = archive.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from exc
    with handle, work_folder(WORK_PREFIXES[1]) as work:
        staged = _decrypt_and_stage(handle, identities, work)
        manifest = staged.manifest
        vendor = connections[alias].vendor
        if manifest.get("database") != vendor:
            raise BackupError(
                f"this backup holds a {manifest.get('database')} database, and this install "
                f"uses {vendor}: set DATABASE_URL to match"
            )
        newer = sorted(set(manifest.get("migrations") or ()) - _known_migrations())
        if newer:
            raise BackupError(
                f"this backup was made by a newer ombuds ({manifest.get('ombuds_version')}): "
                f"its schema has {', '.join(newer[:5])}, which this one does not know"
            )
        for name in staged.files:
            target = _target(name)
            replaceable = target.name in REPLACEABLE and target.parent == Path(settings.DATA_DIR)
            if (
                name not in (SQLITE_MEMBER, POSTGRESQL_MEMBER)
                and target.exists()
                and not replaceable
            ):
                raise BackupError(
                    f"{target} exists: a backup is restored only into an empty data folder"
                )
        dump = staged.files.get(SQLITE_MEMBER if vendor == "sqlite" else POSTGRESQL_MEMBER)
        if dump is None:
            raise BackupError("the archive holds no database dump: it is not a whole backup")
        if vendor == "sqlite":
            _restore_sqlite(dump, alias)
        else:
            _restore_postgresql(dump, alias)
        for name, path in staged.files.items():
            if name not in (SQLITE_MEMBER, POSTGRESQL_MEMBER):
                _place(path, _target(name))
    migrated = _migrate_if_older(alias)
    audit_record(
        action=AuditAction.BACKUP_RESTORED,
        details={
            "made_on": str(manifest.get("created_on")),
            "made_by_version": str(manifest.get("ombuds_version")),
            "files": len(staged.files),
            "migrated": migrated,
        },
    )
    return manifest


def _migrate_if_older(alias: str) -> bool:
    """Bring a backup of an earlier release up to this one's schema (as `ombuds migrate`
    would, and before anything writes to it); True if there was anything to apply."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    return True
