"""Writes to the audit log: :func:`audit_record` and :func:`audit_checkpoint_create`."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, router, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from nacl.signing import SigningKey

from ombuds.audit import signing
from ombuds.audit.chain import GENESIS_HASH, DetailValue, EntryFields, checkpoint_message
from ombuds.audit.models import AuditAction, AuditChainHead, AuditCheckpoint, AuditEntry

if TYPE_CHECKING:
    from ombuds.staff.models import StaffUser

logger = logging.getLogger(__name__)

HEAD_PK = 1
MAX_SUBJECT = 200
MAX_DETAIL_KEYS = 32
MAX_DETAIL_KEY = 64
MAX_DETAIL_TEXT = 500
MAX_SAFE_INTEGER = 2**53 - 1
#: Detail keys that would carry what the log must never hold (threat model 1 and 3).
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "ip",
        "ip_address",
        "remote_addr",
        "user_agent",
        "referer",
        "referrer",
        "codename",
        "password",
        "text",
        "body",
        "content",
        "message",
    }
)


_CREATED_AT = AuditEntry._meta.get_field("created_at")
_DETAILS = AuditEntry._meta.get_field("details")


def checkpoint_every() -> int:
    """Entries between automatic checkpoints (setting ``OMBUDS_AUDIT_CHECKPOINT_EVERY``)."""
    return int(getattr(settings, "OMBUDS_AUDIT_CHECKPOINT_EVERY", 1000))


def _storable(text: str) -> bool:
    """Text that both databases store unchanged: no NUL (PostgreSQL), no lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    if len(details) > MAX_DETAIL_KEYS:
        raise ValueError("audit details: too many keys")
    clean: dict[str, DetailValue] = {}
    for key, value in details.items():
        if not isinstance(key, str) or not key or len(key) > MAX_DETAIL_KEY or not _storable(key):
            raise ValueError(f"audit details: bad key {key!r}")
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise ValueError(f"audit details must not carry {key!r}")
        if isinstance(value, str):
            if len(value) > MAX_DETAIL_TEXT or not _storable(value):
                raise ValueError(f"audit details: value of {key!r} too long or not storable")
        elif isinstance(value, int) and not isinstance(value, bool):
            # Exact in every JSON reader (doubles), so an outside verifier gets the same hash.
            if abs(value) > MAX_SAFE_INTEGER:
                raise ValueError(f"audit details: value of {key!r} out of range")
        elif value is not None and not isinstance(value, bool):
            raise ValueError(f"audit details: value of {key!r} must be str, int, bool or None")
        clean[key] = value
    return clean


_ENTRY_COLUMNS = (
    "seq",
    "created_at",
    "action",
    "actor_id",
    "actor_username",
    "agency_id",
    "subject",
    "details",
    "prev_hash",
    "entry_hash",
)


@functools.cache
def _statements(vendor: str) -> tuple[str, str, str]:
    """The three statements of an append, built once from the models' own table names.

    Plain SQL rather than the ORM: building ORM queries costs far more than running these,
    and an append sits on the public complaint path. Nothing user-supplied is formatted in.
    """
    head = AuditChainHead._meta.db_table
    entry = AuditEntry._meta.db_table
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    columns = ", ".join(_ENTRY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    return (
        f"SELECT seq, head_hash FROM {head} WHERE id = %s{lock}",  # noqa: S608
        f"INSERT INTO {entry} ({columns}) VALUES ({placeholders})",  # noqa: S608
        f"UPDATE {head} SET seq = %s, head_hash = %s WHERE id = %s",  # noqa: S608
    )


def _lock_head(cursor: CursorWrapper, select: str, using: str) -> tuple[int, str]:
    """Lock the chain head for the rest of the transaction; return (seq, hash).

    On PostgreSQL ``FOR UPDATE`` makes concurrent appends wait here; on SQLite the
    transaction already holds the database's single write lock (``transaction_mode``
    IMMEDIATE), so nothing can interleave.
    """
    cursor.execute(select, [HEAD_PK])
    row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    # First append ever, or after a flush: start from whatever the log holds, so a lost head
    # row can never make appends collide with existing entries.
    last = AuditEntry.objects.using(using).order_by("-seq").only("seq", "entry_hash").first()
    AuditChainHead.objects.using(using).bulk_create(
        [
            AuditChainHead(
                pk=HEAD_PK,
                seq=last.seq if last else 0,
                head_hash=last.entry_hash if last else GENESIS_HASH,
            )
        ],
        ignore_conflicts=True,  # a concurrent first append on PostgreSQL made it already
    )
    cursor.execute(select, [HEAD_PK])
    row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _day_start(at: datetime.datetime) -> datetime.datetime:
    return datetime.datetime.combine(
        at.astimezone(datetime.UTC).date(), datetime.time(), datetime.UTC
    )


def audit_record(
    *,
    action: AuditAction,
    actor: StaffUser | None = None,
    subject: str = "",
    details: Mapping[str, DetailValue] | None = None,
    day_only: bool = False,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    ``day_only``: for what a complainant does (public side), the time is the day only
    (00:00 UTC), as for complaints and the complainant's custody steps: an exact time, with a
    network operator's records of who connected when, would name the sender.

    Call it inside the ``transaction.atomic()`` block of the action it records, so the entry
    commits or rolls back with it; outside one it opens its own. Call it *last* in that
    block: the chain head stays locked until the transaction ends, so appends from other
    transactions wait for it.

    ``subject`` names what was acted on (``"complaint:<uuid>"``); ``details`` is a small flat
    mapping of str/int/bool/None. Neither may carry complaint content, IP addresses, user
    agents or codenames. Raises ``ValueError`` for bad details or subject, or an unsaved
    actor.
    """
    if len(subject) > MAX_SUBJECT or not _storable(subject):
        raise ValueError("audit subject too long or not storable")
    if actor is not None and actor.pk is None:
        raise ValueError("audit actor must be a saved staff account")
    clean_details = _check_details(details or {})
    action = AuditAction(action)
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    select, insert, update = _statements(connection.vendor)
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        head_seq, head_hash = _lock_head(cursor, select, using)
        fields = EntryFields(
            seq=head_seq + 1,
            created_at=_day_start(timezone.now()) if day_only else timezone.now(),
            action=action.value,
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.get_username() if actor is not None else "",
            agency_id=actor.agency_id if actor is not None else None,
            subject=subject,
            details=clean_details,
            prev_hash=head_hash,
        )
        entry = AuditEntry(
            seq=fields.seq,
            created_at=fields.created_at,
            action=fields.action,
            actor_id=fields.actor_id,
            actor_username=fields.actor_username,
            agency_id=fields.agency_id,
            subject=subject,
            details=clean_details,
            prev_hash=fields.prev_hash,
            entry_hash=fields.digest(),
        )
        cursor.execute(
            insert,
            [
                entry.seq,
                _CREATED_AT.get_db_prep_value(entry.created_at, connection),
                entry.action,
                entry.actor_id,
                entry.actor_username,
                entry.agency_id,
                entry.subject,
                _DETAILS.get_db_prep_value(entry.details, connection),
                entry.prev_hash,
                entry.entry_hash,
            ],
        )
        cursor.execute(update, [entry.seq, entry.entry_hash, HEAD_PK])
        entry._state.adding, entry._state.db = False, using  # as if loaded: saving it refuses
        every = checkpoint_every()
        if every > 0 and entry.seq % every == 0:
            _checkpoint_automatic(entry, using)
    return entry


def _checkpoint_automatic(entry: AuditEntry, using: str) -> None:
    try:
        key = signing.load_signing_key()
    except signing.SigningKeyError as exc:
        # Never fail a complaint because the checkpoint key is missing; verify reports the gap.
        logger.warning("audit checkpoint at #%d skipped: %s", entry.seq, exc)
        return
    _checkpoint_write(key=key, seq=entry.seq, head_hash=entry.entry_hash, using=using)


def _checkpoint_write(*, key: SigningKey, seq: int, head_hash: str, using: str) -> AuditCheckpoint:
    created_at = timezone.now()
    signed = key.sign(checkpoint_message(seq=seq, head_hash=head_hash, created_at=created_at))
    checkpoint = AuditCheckpoint(
        seq=seq,
        head_hash=head_hash,
        created_at=created_at,
        signature=signed.signature.hex(),
        public_key=signing.public_key_hex(key.verify_key),
    )
    checkpoint.save(using=using)
    return checkpoint


def audit_checkpoint_create(*, actor: StaffUser | None = None) -> AuditCheckpoint:
    """Sign the current chain head now (``ombuds audit checkpoint``).

    Records an ``AUDIT_CHECKPOINT`` entry first, so the checkpoint covers its own request.
    Returns the existing checkpoint if the head is already signed. Raises
    :class:`~ombuds.audit.signing.SigningKeyError` if there is no usable signing key.
    """
    key = signing.load_signing_key()
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using):
        entry = audit_record(action=AuditAction.AUDIT_CHECKPOINT, actor=actor)
        existing = AuditCheckpoint.objects.using(using).filter(seq=entry.seq).first()
        if existing is not None:
            return existing
        return _checkpoint_write(key=key, seq=entry.seq, head_hash=entry.entry_hash, using=using)


__all__ = ["AuditAction", "audit_checkpoint_create", "audit_record"]
