"""Writes to the audit log: :func:`audit_record`, :func:`audit_pending_flush`,
:func:`audit_checkpoint_create` and :func:`audit_anchor` (the scheduler's checkpoint)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, overload

from django.conf import settings
from django.db import connections, router, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from nacl.signing import SigningKey

from ombuds.audit import signing
from ombuds.audit.chain import (
    GENESIS_HASH,
    DetailValue,
    EntryFields,
    checkpoint_message,
    key_rotation_message,
)
from ombuds.audit.models import (
    AuditAction,
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    PendingAuditEntry,
)

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


#: Actions with an entry of their own making (signed details), never through audit_record.
SERVICE_ONLY_ACTIONS = frozenset({AuditAction.AUDIT_SIGNING_KEY_ROTATED})


_CREATED_AT = AuditEntry._meta.get_field("created_at")
_DETAILS = AuditEntry._meta.get_field("details")
_PENDING_DAY = PendingAuditEntry._meta.get_field("day")
#: Pending rows deleted per statement by the flush (well under SQLite's parameter limit).
_FLUSH_BATCH = 500


def anchor_every() -> datetime.timedelta:
    """How old the newest checkpoint may grow, with entries past it, before the scheduler signs
    a new one (setting ``OMBUDS_AUDIT_ANCHOR_SECONDS``, default 12 hours: well inside
    :data:`~ombuds.audit.verification.UNANCHORED_LIMIT`, whatever the scheduler's round)."""
    return datetime.timedelta(seconds=int(getattr(settings, "OMBUDS_AUDIT_ANCHOR_SECONDS", 43200)))


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
    and an append sits on every staff request. Nothing user-supplied is formatted in. The
    first also says whether public-side entries of an earlier day wait to be chained (an
    index probe on ``audit_pendingauditentry.day``), so the fast path stays three statements.
    """
    head = AuditChainHead._meta.db_table
    entry = AuditEntry._meta.db_table
    pending = PendingAuditEntry._meta.db_table
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    columns = ", ".join(_ENTRY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    return (
        f"SELECT seq, head_hash, EXISTS (SELECT 1 FROM {pending} WHERE day < %s) "  # noqa: S608
        f"FROM {head} WHERE id = %s{lock}",
        f"INSERT INTO {entry} ({columns}) VALUES ({placeholders})",  # noqa: S608
        f"UPDATE {head} SET seq = %s, head_hash = %s WHERE id = %s",  # noqa: S608
    )


def _lock_head(
    cursor: CursorWrapper, select: str, using: str, today: datetime.date
) -> tuple[int, str, bool]:
    """Lock the chain head for the rest of the transaction; return (seq, hash, flush due).

    On PostgreSQL ``FOR UPDATE`` makes concurrent appends wait here; on SQLite the
    transaction already holds the database's single write lock (``transaction_mode``
    IMMEDIATE), so nothing can interleave. "Flush due": pending public-side entries of a day
    before ``today`` exist (:func:`audit_pending_flush`).
    """
    params = [_PENDING_DAY.get_db_prep_value(today, connections[using]), HEAD_PK]
    cursor.execute(select, params)
    row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1]), bool(row[2])
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
    cursor.execute(select, params)
    row = cursor.fetchone()
    return int(row[0]), str(row[1]), bool(row[2])


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


def _utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def _append(
    cursor: CursorWrapper,
    insert: str,
    *,
    using: str,
    fields: EntryFields,
) -> AuditEntry:
    """Insert one chained entry (the head row is moved by the caller); checkpoint if due."""
    connection = connections[using]
    # EntryFields' names are the model's field names (``AuditEntry.fields`` is the inverse).
    values = {f.name: getattr(fields, f.name) for f in dataclasses.fields(fields)}
    entry = AuditEntry(**values, entry_hash=fields.digest())
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
    entry._state.adding, entry._state.db = False, using  # as if loaded: saving it refuses
    every = checkpoint_every()
    if every > 0 and entry.seq % every == 0:
        _checkpoint_automatic(entry, using)
    return entry


def _flush_locked(
    cursor: CursorWrapper,
    *,
    using: str,
    today: datetime.date,
    head_seq: int,
    head_hash: str,
) -> tuple[int, str, int]:
    """Chain the pending entries of every day before ``today``; the caller holds the head.

    Returns the new (seq, hash) of the head and how many entries were chained. Within a day
    the order is random (``secrets.SystemRandom``), and each entry is dated that day at 00:00
    UTC: its place in the chain then says its day and nothing more.
    """
    _select, insert, update = _statements(connections[using].vendor)
    # A fresh statement after the head lock: on PostgreSQL it sees what a flush that held
    # the lock before us deleted, so nothing is chained twice.
    rows = list(
        PendingAuditEntry.objects.using(using)
        .filter(day__lt=today)
        .values_list("pk", "day", "action", "subject", "details")
    )
    if not rows:
        return head_seq, head_hash, 0
    secrets.SystemRandom().shuffle(rows)
    rows.sort(key=lambda row: row[1])  # stable: by day, in random order within a day
    for _pk, day, action, subject, details in rows:
        fields = EntryFields(
            seq=head_seq + 1,
            created_at=_day_start(day),
            action=action,
            actor_id=None,
            actor_username="",
            agency_id=None,
            subject=subject,
            details=details,
            prev_hash=head_hash,
        )
        entry = _append(cursor, insert, using=using, fields=fields)
        head_seq, head_hash = entry.seq, entry.entry_hash
    cursor.execute(update, [head_seq, head_hash, HEAD_PK])
    # Anchored as they enter the chain: they are dated their day at 00:00, so by now they
    # are nearly a day old, and verify fails on entries over a day old past the last checkpoint.
    if not AuditCheckpoint.objects.using(using).filter(seq=head_seq).exists():
        _checkpoint_signed(seq=head_seq, head_hash=head_hash, using=using)
    # By the ids read above, never by day: an entry written just before midnight that
    # commits after this read stays pending for the next flush instead of being lost.
    ids = sorted(row[0] for row in rows)
    for start in range(0, len(ids), _FLUSH_BATCH):
        PendingAuditEntry.objects.using(using).filter(
            pk__in=ids[start : start + _FLUSH_BATCH]
        ).delete()
    return head_seq, head_hash, len(rows)


def audit_pending_flush(*, today: datetime.date | None = None) -> int:
    """Chain every pending public-side entry of a day before ``today`` (UTC); return how many.

    One transaction: the entries are appended ordered by day and, within a day, at random,
    each dated its day at 00:00 UTC, and their pending rows deleted. Run by every staff
    ``audit_record`` when such entries wait (so before every checkpoint), by
    ``ombuds audit verify`` and by ``ombuds audit flush`` (daily, from cron). Idempotent.
    """
    today = today or _utc_today()
    using = router.db_for_write(AuditEntry)
    if not PendingAuditEntry.objects.using(using).filter(day__lt=today).exists():
        return 0  # writes nothing, not even a missing head row (verify reports that)
    connection = connections[using]
    select, _insert, _update = _statements(connection.vendor)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        head_seq, head_hash, due = _lock_head(cursor, select, using, today)
        if not due:
            return 0
        _seq, _hash, chained = _flush_locked(
            cursor, using=using, today=today, head_seq=head_seq, head_hash=head_hash
        )
    if chained:
        logger.info("audit: %d public-side entries of earlier days chained", chained)
    return chained


def _pending_add(
    *, action: AuditAction, subject: str, details: dict[str, DetailValue]
) -> PendingAuditEntry:
    using = router.db_for_write(PendingAuditEntry)
    entry = PendingAuditEntry(
        day=_utc_today(), action=action.value, subject=subject, details=details
    )
    entry.save(using=using, force_insert=True)
    return entry


@overload
def audit_record(
    *,
    action: AuditAction,
    actor: StaffUser | None = None,
    subject: str = "",
    details: Mapping[str, DetailValue] | None = None,
    day_only: Literal[False] = False,
) -> AuditEntry: ...


@overload
def audit_record(
    *,
    action: AuditAction,
    actor: None = None,
    subject: str = "",
    details: Mapping[str, DetailValue] | None = None,
    day_only: Literal[True],
) -> PendingAuditEntry: ...


@overload
def audit_record(
    *,
    action: AuditAction,
    actor: StaffUser | None = None,
    subject: str = "",
    details: Mapping[str, DetailValue] | None = None,
    day_only: bool,
) -> AuditEntry | PendingAuditEntry: ...


def audit_record(
    *,
    action: AuditAction,
    actor: StaffUser | None = None,
    subject: str = "",
    details: Mapping[str, DetailValue] | None = None,
    day_only: bool = False,
) -> AuditEntry | PendingAuditEntry:
    """Append one entry to the audit log and return it.

    ``day_only``: for what a complainant does (public side). Such an entry carries no actor
    and no time but its day, and it does not enter the chain now: its place there, between
    two staff entries with exact times, would date it to the minute, and a network operator's
    records of who connected when would then name the sender. It waits in
    :class:`~ombuds.audit.models.PendingAuditEntry` (returned) until its day is over, then
    :func:`audit_pending_flush` chains it among that day's others in random order, dated the
    day at 00:00 UTC. Until then it is not tamper-evident (docs/audit.md).

    Otherwise (staff and system actions) the entry is chained now, with the exact time; if
    public-side entries of an earlier day wait, they are chained first, in the same
    transaction.

    Call it inside the ``transaction.atomic()`` block of the action it records, so the entry
    commits or rolls back with it; outside one it opens its own. Call it *last* in that
    block: the chain head stays locked until the transaction ends, so appends from other
    transactions wait for it.

    ``subject`` names what was acted on (``"complaint:<uuid>"``); ``details`` is a small flat
    mapping of str/int/bool/None. Neither may carry complaint content, IP addresses, user
    agents or codenames. Raises ``ValueError`` for bad details or subject, an unsaved
    actor, an actor on a day-only entry, or an action of :data:`SERVICE_ONLY_ACTIONS`.
    """
    if len(subject) > MAX_SUBJECT or not _storable(subject):
        raise ValueError("audit subject too long or not storable")
    if actor is not None and actor.pk is None:
        raise ValueError("audit actor must be a saved staff account")
    if day_only and actor is not None:
        raise ValueError("a day-only (public-side) audit entry has no actor")
    clean_details = _check_details(details or {})
    action = AuditAction(action)
    if action in SERVICE_ONLY_ACTIONS:
        # Its details are signatures over its own place in the chain: verify would (rightly)
        # report any other entry of this kind as a tampered key history.
        raise ValueError(f"{action.value} entries are written by audit_signing_key_rotate only")
    if day_only:
        return _pending_add(action=action, subject=subject, details=clean_details)
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    select, insert, update = _statements(connection.vendor)
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        head_seq, head_hash, due = _lock_head(cursor, select, using, today)
        if due:  # public-side entries of an earlier day: they go first (rare: once a day)
            head_seq, head_hash, _chained = _flush_locked(
                cursor, using=using, today=today, head_seq=head_seq, head_hash=head_hash
            )
        fields = EntryFields(
            seq=head_seq + 1,
            created_at=now,
            action=action.value,
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.get_username() if actor is not None else "",
            agency_id=actor.agency_id if actor is not None else None,
            subject=subject,
            details=clean_details,
            prev_hash=head_hash,
        )
        entry = _append(cursor, insert, using=using, fields=fields)
        cursor.execute(update, [entry.seq, entry.entry_hash, HEAD_PK])
    return entry


def _checkpoint_automatic(entry: AuditEntry, using: str) -> None:
    _checkpoint_signed(seq=entry.seq, head_hash=entry.entry_hash, using=using)


def _checkpoint_signed(*, seq: int, head_hash: str, using: str) -> None:
    try:
        key = signing.load_signing_key()
    except signing.SigningKeyError as exc:
        # Never fail a complaint because the checkpoint key is missing; verify reports the gap.
        logger.warning("audit checkpoint at #%d skipped: %s", seq, exc)
        return
    _checkpoint_write(key=key, seq=seq, head_hash=head_hash, using=using)


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
    signing.load_signing_key()  # refuse early, before writing anything
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using):
        entry = audit_record(action=AuditAction.AUDIT_CHECKPOINT, actor=actor)
        # Read again now that the chain head is held: a rotation that committed while this
        # waited has put a new key in place, and the key of this entry's era is that one.
        key = signing.load_signing_key()
        existing = AuditCheckpoint.objects.using(using).filter(seq=entry.seq).first()
        if existing is not None:
            return existing
        return _checkpoint_write(key=key, seq=entry.seq, head_hash=entry.entry_hash, using=using)


def audit_anchor(*, now: datetime.datetime | None = None) -> AuditCheckpoint | None:
    """Sign a checkpoint if the log has grown past the newest one and that one is old.

    Run by the scheduler every round (``audit_anchor_task``): when entries lie past the newest
    checkpoint and it is older than :func:`anchor_every` (or there is none), it signs the head
    (:func:`audit_checkpoint_create`, which records its own entry first). A quiet log gets no
    new checkpoint, and every entry is covered well within a day (``verify`` fails past
    that). Returns the new checkpoint, or ``None`` when none was due. Without a usable
    signing key it logs a warning and returns ``None`` (``ombuds status`` and ``/healthz``
    then show the anchor overdue after a day).
    """
    now = now or timezone.now()
    using = router.db_for_write(AuditEntry)
    audit_pending_flush()  # chained entries of earlier days come with their own checkpoint
    last = AuditCheckpoint.objects.using(using).order_by("-seq").only("seq", "created_at").first()
    past = AuditEntry.objects.using(using).filter(seq__gt=last.seq if last else 0)
    if not past.exists():
        return None
    if last is not None and now - last.created_at < anchor_every():
        return None
    try:
        return audit_checkpoint_create()
    except signing.SigningKeyError as exc:
        logger.warning("audit: the scheduled checkpoint was not signed: %s", exc)
        return None


def audit_signing_key_rotate(*, actor: StaffUser | None = None) -> AuditEntry:
    """Replace the checkpoint signing key, recording the hand-over in the chain; return it.

    One transaction holding the chain head: an ``audit_signing_key_rotated`` entry whose
    details carry both public keys and both keys' signatures over
    :func:`~ombuds.audit.chain.key_rotation_message` (the entry's own ``seq`` and
    ``prev_hash``, so it cannot be moved into another history); a checkpoint at that entry
    signed by the outgoing key; then the new key file put in place (atomic rename) before the
    commit, while appends wait on the head, so no checkpoint after the entry is signed with
    the old key. If the commit fails, the old key file is put back. The old private key is
    then gone; ``ombuds audit verify`` checks older checkpoints with the public keys this
    history holds (docs/audit.md, "Rotating the signing key").

    Raises :class:`~ombuds.audit.signing.SigningKeyError` if there is no usable key now.
    """
    old = signing.load_signing_key()
    new = SigningKey.generate()
    old_public, new_public = (signing.public_key_hex(k.verify_key) for k in (old, new))
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    select, insert, update = _statements(connection.vendor)
    staged = signing.signing_key_stage(new)
    installed = False
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            now = timezone.now()
            today = now.astimezone(datetime.UTC).date()
            head_seq, head_hash, due = _lock_head(cursor, select, using, today)
            if due:
                head_seq, head_hash, _chained = _flush_locked(
                    cursor, using=using, today=today, head_seq=head_seq, head_hash=head_hash
                )
            message = key_rotation_message(
                seq=head_seq + 1,
                prev_hash=head_hash,
                old_public_key=old_public,
                new_public_key=new_public,
            )
            fields = EntryFields(
                seq=head_seq + 1,
                created_at=now,
                action=AuditAction.AUDIT_SIGNING_KEY_ROTATED.value,
                actor_id=actor.pk if actor is not None else None,
                actor_username=actor.get_username() if actor is not None else "",
                agency_id=actor.agency_id if actor is not None else None,
                subject="audit:signing-key",
                details={
                    "old_public_key": old_public,
                    "new_public_key": new_public,
                    "old_signature": old.sign(message).signature.hex(),
                    "new_signature": new.sign(message).signature.hex(),
                },
                prev_hash=head_hash,
            )
            entry = _append(cursor, insert, using=using, fields=fields)
            cursor.execute(update, [entry.seq, entry.entry_hash, HEAD_PK])
            if not AuditCheckpoint.objects.using(using).filter(seq=entry.seq).exists():
                # The outgoing key closes its era (an automatic one may have done so already).
                _checkpoint_write(key=old, seq=entry.seq, head_hash=entry.entry_hash, using=using)
            signing.signing_key_install(staged)
            installed = True
    except BaseException:
        if installed:  # the rotation did not commit: the old key is still the valid one
            signing.signing_key_install(signing.signing_key_stage(old))
        staged.unlink(missing_ok=True)
        raise
    logger.info("audit signing key replaced at #%d", entry.seq)
    return entry


__all__ = [
    "AuditAction",
    "audit_anchor",
    "audit_checkpoint_create",
    "audit_pending_flush",
    "audit_record",
    "audit_signing_key_rotate",
]
