"""The hash chain itself: canonical encoding and hashing of audit entries (no Django).

An entry's hash covers every field of the entry *and* the previous entry's hash, so editing,
deleting, inserting or reordering any entry changes every hash after it. The encoding is JSON
with sorted keys, no whitespace and ASCII escapes, so that the same entry always gives the same
bytes on SQLite and PostgreSQL, in any Python, and an outsider can recompute it from an export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

#: Bumped if the encoding ever changes; part of every hashed record.
CHAIN_VERSION = 1
#: The ``prev_hash`` of the first entry.
GENESIS_HASH = "0" * 64

DetailValue = str | int | bool | None


def canonical_json(value: object) -> bytes:
    """The one byte encoding used for hashing and signing."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def timestamp_text(moment: datetime) -> str:
    """UTC, always with microseconds, so the text does not depend on the value."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class EntryFields:
    """Everything an entry's hash covers, as plain data."""

    seq: int
    created_at: datetime
    action: str
    actor_id: int | None
    actor_username: str
    agency_id: int | None
    subject: str
    details: Mapping[str, DetailValue]
    prev_hash: str

    def encode(self) -> bytes:
        return canonical_json(
            {
                "v": CHAIN_VERSION,
                "seq": self.seq,
                "created_at": timestamp_text(self.created_at),
                "action": self.action,
                "actor_id": self.actor_id,
                "actor_username": self.actor_username,
                "agency_id": self.agency_id,
                "subject": self.subject,
                "details": dict(self.details),
                "prev_hash": self.prev_hash,
            }
        )

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical encoding."""
        return hashlib.sha256(self.encode()).hexdigest()


def checkpoint_message(*, seq: int, head_hash: str, created_at: datetime) -> bytes:
    """The bytes an Ed25519 checkpoint signature covers."""
    return canonical_json(
        {
            "kind": "ombuds-audit-checkpoint",
            "v": CHAIN_VERSION,
            "seq": seq,
            "head_hash": head_hash,
            "created_at": timestamp_text(created_at),
        }
    )


def key_rotation_message(
    *, seq: int, prev_hash: str, old_public_key: str, new_public_key: str
) -> bytes:
    """The bytes both keys sign when the checkpoint signing key is replaced.

    It names the entry's own place in the chain (``seq`` and the hash of the entry before
    it), so a rotation signed for one history cannot be moved into another.
    """
    return canonical_json(
        {
            "kind": "ombuds-audit-key-rotation",
            "v": CHAIN_VERSION,
            "seq": seq,
            "prev_hash": prev_hash,
            "old_public_key": old_public_key,
            "new_public_key": new_public_key,
        }
    )
