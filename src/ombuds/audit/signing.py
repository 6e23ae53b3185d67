"""The checkpoint signing key: an Ed25519 key in a file outside the database.

Why a file under ``DATA_DIR`` (mode 0600) and not a database row: whoever can write to the
database (a stolen backup restored elsewhere, an SQL-level insider, a DBA at the hosting
provider) must not also be able to sign forged checkpoints. The public half is printed by
``ombuds audit public-key`` so it can be published and pinned by outside verifiers; that is
what protects the log against someone who takes the whole server (see docs/audit.md).
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import stat
from pathlib import Path

from django.conf import settings
from nacl.signing import SigningKey, VerifyKey

__all__ = ["SigningKey", "VerifyKey"]

logger = logging.getLogger(__name__)


class SigningKeyError(Exception):
    """The signing key file is missing, unreadable, malformed or readable by others."""


def signing_key_path() -> Path:
    configured = getattr(settings, "OMBUDS_AUDIT_SIGNING_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-signing.key"


def ensure_signing_key() -> VerifyKey:
    """Create the signing key file if there is none (mode 0600); return its public key.

    Called by ``ombuds init``; safe to call again. Raises :class:`SigningKeyError` if an
    existing file is malformed or readable by group or others.
    """
    path = signing_key_path()
    if path.exists():
        return load_signing_key().verify_key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    # Written whole under a temporary name, then linked into place: a concurrent caller sees
    # either no file or the complete key, and the first link wins.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(bytes(key).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return load_signing_key().verify_key
    finally:
        temporary.unlink(missing_ok=True)
    logger.info("created the audit signing key at %s", path)
    return key.verify_key


def load_signing_key() -> SigningKey:
    """The signing key from its file. Raises :class:`SigningKeyError`."""
    path = signing_key_path()
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise SigningKeyError(f"no audit signing key at {path}: run `ombuds init`") from exc
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(f"{path} is readable by others: chmod 600 it")
    return _read_key(str(path), info.st_ino, info.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_key(path: str, inode: int, mtime_ns: int) -> SigningKey:
    # Cached per (path, file, modification time): checkpoints sit on the hot path of appends,
    # and a rotation puts a new file (a new inode) in place, which every process then reads.
    try:
        seed = bytes.fromhex(Path(path).read_text().strip())
        return SigningKey(seed)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path} does not hold an Ed25519 key") from exc


def public_key_hex(key: VerifyKey) -> str:
    return bytes(key).hex()


def signing_key_stage(key: SigningKey) -> Path:
    """Write ``key`` (mode 0600, synced) beside the key file, under a temporary name.

    :func:`signing_key_install` then puts it in place with one atomic rename: a reader sees
    the old key or the new one, never a half-written file.
    """
    path = signing_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.new.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(bytes(key).hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return staged


def signing_key_install(staged: Path) -> None:
    """Replace the key file by a staged one (atomic rename); the old key is gone."""
    os.replace(staged, signing_key_path())
    _sync_folder(signing_key_path().parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
