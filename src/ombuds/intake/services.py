"""Writes about complaints. Each service is atomic and records its audit entry in the same
transaction (house-style: ``<noun>_<verb>``, keyword-only arguments).

Plaintext exists only in memory here: content is encrypted before any row is written.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.staff.alerts import alert_raise
from ombuds.staff.models import Agency, AlertKind, Installation, StaffUser

from .content import ComplaintContent
from .models import (
    Channel,
    Complaint,
    ComplaintConsent,
    ComplaintKeyGrant,
    ComplaintStatus,
    GuessWindow,
    Message,
    MessageDirection,
    OfficerNote,
    UsedFormToken,
)
from .selectors import complaints_held_by_cases
from .snapshot import IntakeSnapshot, intake_snapshot


class DuplicateSubmission(Exception):
    """This form was already submitted once; nothing new was saved."""


class ComplaintNotFound(Exception):
    """No such complaint, or the caller may not see it (callers cannot tell which)."""


@dataclass(frozen=True)
class Receipt:
    #: None for a complaint filed for a caller who wanted no codename (reference only).
    codename: crypto.Codename | None
    public_id: uuid.UUID
    #: The last day retention keeps the complaint if no case takes it up: what
    #: ``selectors.complaint_keeping`` says of a new complaint, known here without reading it.
    last_day: datetime.date

    @property
    def reference(self) -> str:
        """The staff-side reference (the id's first eight digits), as every staff page shows."""
        return str(self.public_id)[:8]


@dataclass(frozen=True)
class OnBehalf:
    """A complaint an intake officer files for a caller (hotline, walk-in, letter)."""

    officer: StaffUser
    channel: Channel
    #: The officer's notes: encrypted with the complaint, never shown to the complainant.
    notes: str = ""
    #: False: the caller wants no codename; the complaint has a reference only.
    codename: bool = True


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(b"ombuds.form-token:" + token.encode()).digest()


def _form_token_claim(token: str, today: datetime.date) -> bool:
    """Record a form token as used, in the caller's transaction; False if it already was.

    One ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike) instead of an
    insert in a savepoint that catches the unique violation: two statements and a savepoint
    fewer on every complaint, and the same guarantee (the unique index decides).
    """
    connection = connections[router.db_for_write(UsedFormToken)]
    table = connection.ops.quote_name(UsedFormToken._meta.db_table)
    used_on = UsedFormToken._meta.get_field("used_on").get_db_prep_value(today, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_hash, used_on) VALUES (%s, %s) "  # noqa: S608 - names from the model
            "ON CONFLICT (token_hash) DO NOTHING",
            [_token_hash(token), used_on],
        )
        return bool(cursor.rowcount == 1)


#: Work that must be saved with a new complaint or not at all (an attached file): called
#: inside the complaint's transaction with the saved complaint and its data key.
Attachment = Callable[[Complaint, crypto.DataKey], None]


def complaint_submit(
    *,
    content: ComplaintContent,
    form_token: str,
    attachments: Sequence[Attachment] = (),
    snapshot: IntakeSnapshot | None = None,
    on_behalf: OnBehalf | None = None,
) -> Receipt:
    """Encrypt and store a new complaint; return the codename, which is never stored.

    ``attachments`` run in the same transaction, so a complaint is never saved without the
    file its author sent, nor a file without its complaint. Raises
    :class:`DuplicateSubmission` if ``form_token`` was used before (a form posted twice): the
    first complaint stands and no second one is made. ``snapshot``: the install key and
    agencies as the caller read them for this request (read here if not given).

    ``on_behalf``: an intake officer files it for a caller (docs/hotline.md). The same
    encryption and sealing; the channel is kept, the officer's notes are encrypted under the
    complaint's key as an :class:`OfficerNote`, and the audit entry names the officer and the
    channel (nothing of the caller). Without a codename no complainant key exists at all.
    """
    snapshot = snapshot or intake_snapshot()
    agencies, consented = snapshot.recipients(content.consent)
    if not agencies:
        raise Installation.DoesNotExist(
            "no agency receives complaints: run `ombuds demo` or set one up"
        )
    today = timezone.localdate()
    public_id = uuid.uuid4()
    data_key = crypto.new_data_key()
    complaint = Complaint(
        public_id=public_id,
        received_on=today,
        status_changed_on=today,
        urgent=content.held_now == "yes",
        channel=Channel.WEB if on_behalf is None else on_behalf.channel,
    )
    codename: crypto.Codename | None = None
    if on_behalf is None or on_behalf.codename:
        codename = crypto.generate_codename(
            content.language if content.language in crypto.LANGUAGES else "ru"
        )
        keys = crypto.complainant_keys(codename, snapshot.install_key)
        complaint.lookup_id = keys.lookup_id
        complaint.complainant_public_key = keys.keypair.public_key
        complaint.sealed_for_complainant = crypto.seal_data_key(keys.keypair.public_key, data_key)
    complaint.ciphertext = crypto.encrypt(data_key, content.to_bytes(), aad=complaint.aad)
    grants = [
        ComplaintKeyGrant(
            agency_id=a.pk, sealed_data_key=crypto.seal_data_key(a.public_key, data_key)
        )
        for a in agencies
    ]
    note: OfficerNote | None = None
    if on_behalf is not None and on_behalf.notes:
        note = _officer_note(
            officer=on_behalf.officer, complaint=complaint, data_key=data_key, text=on_behalf.notes
        )
    with transaction.atomic():
        if not _form_token_claim(form_token, today):
            raise DuplicateSubmission
        complaint.save(force_insert=True)
        for g in grants:
            g.complaint = complaint
        ComplaintKeyGrant.objects.bulk_create(grants)
        ComplaintConsent.objects.bulk_create(
            ComplaintConsent(complaint=complaint, agency_id=a.pk) for a in consented
        )
        if note is not None:
            note.complaint = complaint
            note.save(force_insert=True)
        for attach in attachments:
            attach(complaint, data_key)
        details: dict[str, str | bool] = {
            "urgent": complaint.urgent,
            "agencies": ",".join(sorted(a.slug for a in agencies)),
            "consent": ",".join(sorted(a.slug for a in consented)),
        }
        if on_behalf is None:
            audit_record(
                action=AuditAction.COMPLAINT_SUBMITTED,
                subject=f"complaint:{public_id}",
                details=details,
                day_only=True,
            )
        else:
            # Who filed it, that it was for someone else, and how it came: nothing the
            # caller said, not even whether they took a codename.
            audit_record(
                action=AuditAction.COMPLAINT_FILED_FOR_CALLER,
                actor=on_behalf.officer,
                subject=f"complaint:{public_id}",
                details={**details, "on_behalf": True, "channel": str(on_behalf.channel)},
            )
        if complaint.urgent:
            # Someone is held now: the on-duty members are told, without content, once the
            # complaint is safely kept (staff/alerts.py). A failing alert fails no complaint.
            transaction.on_commit(lambda: alert_raise(AlertKind.URGENT), robust=True)
    # As selectors.complaint_keeping: the longest period among the agencies that receive all.
    last_day = today + datetime.timedelta(days=max(a.retention_days for a in agencies))
    return Receipt(codename=codename, public_id=public_id, last_day=last_day)


def _officer_note(
    *, officer: StaffUser, complaint: Complaint, data_key: crypto.DataKey, text: str
) -> OfficerNote:
    note = OfficerNote(
        complaint=complaint,
        author=officer,
        author_agency=officer.agency,
        written_on=timezone.localdate(),
    )
    note.ciphertext = crypto.encrypt(data_key, text.encode("utf-8"), aad=note.aad)
    return note


# --- the complainant's side -----------------------------------------------------------------

# A sealed box to a throwaway key, opened on a miss so that a wrong codename costs the same
# public-key work as a right one.
_DECOY_KEYS = crypto.generate_keypair()
_DECOY_SEALED = crypto.seal(_DECOY_KEYS.public_key, bytes(32))


def complainant_unlock(*, codename: crypto.Codename) -> tuple[uuid.UUID, crypto.DataKey] | None:
    """Find the complaint of a codename and unseal its data key; None for any unknown codename.

    Every codename is checked, whatever others have tried: a right one is never refused
    because of someone else's guesses (threat model 13). The caller counts the misses with
    :func:`guess_record_failure`.
    """
    keys = crypto.complainant_keys(codename, Installation.current().install_key())
    row = (
        Complaint.objects.filter(lookup_id=keys.lookup_id)
        .values_list("public_id", "sealed_for_complainant")
        .first()
    )
    if row is None:
        crypto.unseal(_DECOY_KEYS.private_key, _DECOY_SEALED)
        return None
    public_id, sealed = row
    if sealed is None:  # cannot be: a lookup id is stored only with its sealed key
        return None
    return public_id, crypto.unseal_data_key(keys.keypair.private_key, bytes(sealed))


def _current_minute() -> int:
    return int(timezone.now().timestamp() // 60)


def guess_record_failure(*, limit: int) -> bool:
    """Count one unknown codename in the current minute, for everyone at once (decision 0003).

    Returns True once the minute already holds ``limit`` misses: the caller then answers
    "wait a minute" (HTTP 429). Past the limit nothing more is written, so a flood costs a
    read per request rather than a write. The count never refuses a right codename: it is
    consulted only after the codename was checked and found unknown.
    """
    minute = _current_minute()
    with transaction.atomic():
        failures = (
            GuessWindow.objects.filter(minute=minute).values_list("failures", flat=True).first()
        )
        if failures is not None and failures >= limit:
            return True
        updated = GuessWindow.objects.filter(minute=minute).update(failures=F("failures") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    GuessWindow.objects.create(minute=minute, failures=1)
            except IntegrityError:
                GuessWindow.objects.filter(minute=minute).update(failures=F("failures") + 1)
        GuessWindow.objects.filter(minute__lt=minute - 60).delete()
    return False


def complainant_follow_up(*, public_id: uuid.UUID, data_key: crypto.DataKey, text: str) -> None:
    """Add the complainant's follow-up message, encrypted under the complaint's data key."""
    complaint = Complaint.objects.get(public_id=public_id)
    _complainant_message(complaint=complaint, data_key=data_key, text=text, taken_by=None)


def _complainant_message(
    *, complaint: Complaint, data_key: crypto.DataKey, text: str, taken_by: StaffUser | None
) -> Message:
    """A message from the complainant, sent on the public site (``taken_by`` None) or taken
    down by an officer from a caller who phoned again: encrypted under the complaint's key; an
    answered or closed complaint goes back to review; audited (the public side day-only)."""
    message = Message(
        complaint=complaint,
        direction=MessageDirection.FROM_COMPLAINANT,
        author=taken_by,
        author_agency=taken_by.agency if taken_by is not None else None,
        sent_on=timezone.localdate(),
    )
    message.ciphertext = crypto.encrypt(data_key, text.encode("utf-8"), aad=message.aad)
    with transaction.atomic():
        message.save(force_insert=True)
        if complaint.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED):
            Complaint.objects.filter(pk=complaint.pk).update(
                status=ComplaintStatus.IN_REVIEW, status_changed_on=timezone.localdate()
            )
        subject = f"complaint:{complaint.public_id}"
        if taken_by is None:
            audit_record(action=AuditAction.COMPLAINANT_FOLLOWED_UP, subject=subject, day_only=True)
        else:
            audit_record(
                action=AuditAction.COMPLAINANT_FOLLOWED_UP,
                actor=taken_by,
                subject=subject,
                details={"on_behalf": True},
            )
    return message


# --- the staff side -------------------------------------------------------------------------


def complaint_reply(
    *, user: StaffUser, complaint: Complaint, data_key: crypto.DataKey, text: str
) -> Message:
    """A staff reply the complainant will read on their next visit."""
    message = Message(
        complaint=complaint,
        direction=MessageDirection.FROM_STAFF,
        author=user,
        author_agency=user.agency,
        sent_on=timezone.localdate(),
    )
    message.ciphertext = crypto.encrypt(data_key, text.encode("utf-8"), aad=message.aad)
    with transaction.atomic():
        message.save(force_insert=True)
        Complaint.objects.filter(pk=complaint.pk).update(
            status=ComplaintStatus.ANSWERED, status_changed_on=timezone.localdate()
        )
        audit_record(
            action=AuditAction.COMPLAINT_REPLIED,
            actor=user,
            subject=f"complaint:{complaint.public_id}",
        )
    return message


def complaint_note_add(
    *, user: StaffUser, complaint: Complaint, data_key: crypto.DataKey, text: str
) -> OfficerNote:
    """An officer's note on a complaint (staff only: never on the complainant's pages)."""
    note = _officer_note(officer=user, complaint=complaint, data_key=data_key, text=text)
    with transaction.atomic():
        note.save(force_insert=True)
        audit_record(
            action=AuditAction.OFFICER_NOTE_ADDED,
            actor=user,
            subject=f"complaint:{complaint.public_id}",
        )
    return note


def complaint_caller_message(
    *, user: StaffUser, complaint: Complaint, data_key: crypto.DataKey, text: str
) -> Message:
    """What a caller who phoned again said, added by the officer as the complainant's own
    message (the complainant reads it with their codename; staff see who took it)."""
    return _complainant_message(complaint=complaint, data_key=data_key, text=text, taken_by=user)


def complaint_set_status(*, user: StaffUser, complaint: Complaint, status: ComplaintStatus) -> None:
    with transaction.atomic():
        old = complaint.status
        Complaint.objects.filter(pk=complaint.pk).update(
            status=status, status_changed_on=timezone.localdate()
        )
        audit_record(
            action=AuditAction.COMPLAINT_STATUS_CHANGED,
            actor=user,
            subject=f"complaint:{complaint.public_id}",
            details={"from": old, "to": str(status)},
        )


# --- withdrawal and retention (threat model 9: deletion that means it) ----------------------


class NoConsent(Exception):
    """The complainant did not consent to share the complaint with that agency."""


def complaint_share(
    *,
    user: StaffUser,
    complaint: Complaint,
    agency: Agency,
    data_key: crypto.DataKey,
    reason: str = "shared",
) -> bool:
    """Seal the complaint's data key (already unsealed by the caller's agency) to a consented
    ``agency``; False if it holds it already. Raises :class:`NoConsent` for an agency the
    complainant did not consent to: consent bounds what may be shared, whoever asks."""
    with transaction.atomic():
        if not ComplaintConsent.objects.filter(complaint=complaint, agency=agency).exists():
            raise NoConsent
        _grant, created = ComplaintKeyGrant.objects.get_or_create(
            complaint=complaint,
            agency=agency,
            defaults={"sealed_data_key": crypto.seal_data_key(bytes(agency.public_key), data_key)},
        )
        if created:
            audit_record(
                action=AuditAction.KEY_GRANTED,
                actor=user,
                subject=f"complaint:{complaint.public_id}",
                details={"agency": agency.slug, "reason": reason},
            )
    return created


def complaint_shred(
    *,
    complaint: Complaint,
    reason: str,
    actor: StaffUser | None = None,
    by_complainant: bool = False,
) -> None:
    """Destroy a complaint by destroying every copy of its key, then its ciphertext.

    The sealed data keys (to the complainant and to each agency) are the only ways to read the
    ciphertext; once they are gone the content is unrecoverable from the live system and from
    any backup made afterwards. What cases copied from it is deleted first (under case keys,
    which the complaint's do not reach; see ``casework.services.case_source_withdraw``). The
    rows themselves are deleted too; SQLite runs with ``secure_delete`` so freed pages are
    zeroed. Must run inside a transaction.
    """
    # Casework builds on intake (it imports this app's models), so it is imported here, at
    # call time, to keep the modules free of an import cycle. Retention never shreds a
    # complaint a case holds (``selectors.complaints_held_by_cases``), so in practice this
    # is a withdrawal.
    from ombuds.casework.services import case_source_withdraw

    public_id = complaint.public_id
    case_source_withdraw(complaint=complaint, reason=reason, day_only=by_complainant)
    ComplaintKeyGrant.objects.filter(complaint=complaint).delete()
    Message.objects.filter(complaint=complaint).delete()
    OfficerNote.objects.filter(complaint=complaint).delete()
    complaint.delete()
    audit_record(
        action=AuditAction.COMPLAINT_DELETED,
        actor=actor,
        subject=f"complaint:{public_id}",
        details={"reason": reason},
        day_only=by_complainant,
    )


def complaint_withdraw(*, public_id: uuid.UUID, data_key: crypto.DataKey) -> None:
    """The complainant withdraws their complaint (proved by holding its data key).

    The complaint goes, and with it what cases copied from it (:func:`complaint_shred`).
    Raises ``Complaint.DoesNotExist`` if it is gone already.
    """
    with transaction.atomic():
        # The row lock makes a staff member adding this complaint to a case at this moment
        # either finish first (and the withdrawal then removes the copies) or wait and be
        # refused: no copy can be made that the withdrawal does not see.
        complaint = Complaint.objects.select_for_update().get(public_id=public_id)
        # Holding the codename is the proof: the data key must open this complaint.
        crypto.decrypt(data_key, bytes(complaint.ciphertext), aad=complaint.aad)
        complaint_shred(
            complaint=complaint, reason="withdrawn by the complainant", by_complainant=True
        )


@dataclass(frozen=True)
class RetentionReport:
    grants_destroyed: int
    complaints_deleted: int


def retention_apply(*, today: datetime.date | None = None) -> RetentionReport:
    """Apply each agency's retention period to complaints never opened as cases.

    An agency's key copy is destroyed once the complaint is older than that agency's period;
    when no agency that receives all complaints holds a copy any more, the complaint is
    shredded (see :func:`complaint_shred`). Every destruction is audited.
    """
    today = today or timezone.localdate()
    held = complaints_held_by_cases()
    grants = 0
    deleted = 0
    for agency in Agency.objects.all():
        cutoff = today - datetime.timedelta(days=agency.retention_days)
        expired = ComplaintKeyGrant.objects.filter(
            agency=agency, complaint__received_on__lt=cutoff
        ).exclude(complaint_id__in=held)
        with transaction.atomic():
            for grant in expired.select_related("complaint"):
                public_id = grant.complaint.public_id
                grant.delete()
                grants += 1
                audit_record(
                    action=AuditAction.KEY_REVOKED,
                    subject=f"complaint:{public_id}",
                    details={"agency": agency.slug, "reason": "retention period ended"},
                )
    orphans = Complaint.objects.exclude(key_grants__agency__receives_all=True).exclude(pk__in=held)
    with transaction.atomic():
        for complaint in orphans:
            complaint_shred(complaint=complaint, reason="retention period ended")
            deleted += 1
    return RetentionReport(grants_destroyed=grants, complaints_deleted=deleted)
