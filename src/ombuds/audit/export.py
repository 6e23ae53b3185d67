"""The audit log as JSON lines, for verification away from the server.

Format (one JSON object per line): first every checkpoint
``{"type": "checkpoint", "seq", "head_hash", "created_at", "signature", "public_key"}``, then
every entry ``{"type": "entry", "seq", "created_at", "action", "actor_id", "actor_username",
"agency_id", "subject", "details", "prev_hash", "entry_hash"}``, in ``seq`` order. With the
signer's published public key, anyone can check such a file (``ombuds audit verify --file``,
or by hand from docs/audit.md): entries hold no complaint content, only who did what to which
record when.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ombuds.audit.chain import EntryFields, timestamp_text
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.audit.verification import (
    CheckpointRecord,
    EntryRecord,
    stored_checkpoints,
    stored_entries,
)

if TYPE_CHECKING:
    from ombuds.staff.models import StaffUser


class ExportFormatError(ValueError):
    """A line of an export file is not what the format says."""


def entry_json(fields: EntryFields, entry_hash: str) -> dict[str, Any]:
    return {
        "type": "entry",
        "seq": fields.seq,
        "created_at": timestamp_text(fields.created_at),
        "action": fields.action,
        "actor_id": fields.actor_id,
        "actor_username": fields.actor_username,
        "agency_id": fields.agency_id,
        "subject": fields.subject,
        "details": dict(fields.details),
        "prev_hash": fields.prev_hash,
        "entry_hash": entry_hash,
    }


def audit_export(*, actor: StaffUser | None = None) -> Iterator[str]:
    """Record the export (``EXPORT``, subject ``audit:log``), then return its lines.

    The lines are produced lazily, so a large log streams. Entries never change once
    written, so every entry up to the export's own record is a consistent snapshot without
    holding a transaction open; the file ends with the export's own record.
    """
    record = audit_record(action=AuditAction.EXPORT, actor=actor, subject="audit:log")
    return _lines(record.seq)


def _lines(upto: int) -> Iterator[str]:
    for checkpoint in stored_checkpoints(upto=upto):
        yield json.dumps(checkpoint.to_json(), sort_keys=True) + "\n"
    for fields, entry_hash in stored_entries(upto=upto):
        yield json.dumps(entry_json(fields, entry_hash), sort_keys=True) + "\n"


def _objects(lines: Iterable[str], kind: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExportFormatError(f"line {number}: not JSON") from exc
        if not isinstance(obj, dict) or obj.get("type") not in {"entry", "checkpoint"}:
            raise ExportFormatError(f"line {number}: not an entry or checkpoint")
        if obj["type"] == kind:
            yield obj


def read_checkpoints(lines: Iterable[str]) -> list[CheckpointRecord]:
    try:
        return [
            CheckpointRecord(
                seq=int(o["seq"]),
                head_hash=str(o["head_hash"]),
                created_at=datetime.fromisoformat(o["created_at"]),
                signature=str(o["signature"]),
                public_key=str(o["public_key"]),
            )
            for o in _objects(lines, "checkpoint")
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportFormatError(f"bad checkpoint: {exc}") from exc


def read_entries(lines: Iterable[str]) -> Iterator[EntryRecord]:
    for o in _objects(lines, "entry"):
        try:
            fields = EntryFields(
                seq=int(o["seq"]),
                created_at=datetime.fromisoformat(o["created_at"]),
                action=str(o["action"]),
                actor_id=o["actor_id"],
                actor_username=str(o["actor_username"]),
                agency_id=o["agency_id"],
                subject=str(o["subject"]),
                details=dict(o["details"]),
                prev_hash=str(o["prev_hash"]),
            )
            yield fields, str(o["entry_hash"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ExportFormatError(f"bad entry: {exc}") from exc
