"""Reads of complaints. Every read of protected content goes through here and through
:func:`ombuds.access.access_complaint`, the one place that decides who may see a complaint.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ombuds import crypto
from ombuds.access import access_complaint
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import audit_record
from ombuds.staff.models import Agency, Installation, StaffUser

from .content import ComplaintContent

if TYPE_CHECKING:
    from ombuds.evidence.selectors import EvidenceView
from .models import Channel, Complaint, ComplaintKeyGrant, ComplaintStatus, MessageDirection

_REFERENCE = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class MessageView:
    direction: MessageDirection
    sent_on: datetime.date
    text: str
    agency: Agency | None
    #: A complainant's message an officer took down from a caller (staff pages say so).
    taken_for_caller: bool = False


@dataclass(frozen=True)
class NoteView:
    """An officer's note: staff pages only (:func:`complaint_get_for_user`)."""

    written_on: datetime.date
    text: str
    author: str
    agency: Agency | None


@dataclass(frozen=True)
class ComplaintView:
    """A decrypted complaint, for one request; never cached, never stored."""

    public_id: uuid.UUID
    received_on: datetime.date
    status: ComplaintStatus
    urgent: bool
    content: ComplaintContent
    messages: tuple[MessageView, ...]
    #: The agencies that hold the complaint's key now (the working group, and a consented
    #: agency once a case holding the complaint was referred to it).
    agencies: tuple[Agency, ...]
    #: The agencies that may read it: those that hold the key, and those its complainant
    #: consented to, which get it only on referral.
    consented: tuple[Agency, ...] = ()
    #: How it was received (the public site, or an officer filing it for a caller).
    channel: Channel = Channel.WEB
    #: Officers' notes: filled for staff only, never for the complainant.
    officer_notes: tuple[NoteView, ...] = ()


def complaint_queue_for_user(*, user: StaffUser) -> QuerySet[Complaint]:
    """Metadata of the complaints the user's agency may read: urgent first, oldest first."""
    if not user.reads_complaints or user.agency_id is None:
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(key_grants__agency_id=user.agency_id)
        .only("public_id", "received_on", "urgent", "status", "status_changed_on")
        .order_by("-urgent", "status", "received_on", "pk")
    )


@dataclass(frozen=True)
class InboxRow:
    """One complaint in a staff member's inbox: metadata only, nothing decrypted."""

    public_id: uuid.UUID
    received_on: datetime.date
    urgent: bool
    status: ComplaintStatus
    #: Nobody at the reader's agency has opened it yet (no ``complaint_read`` audit entry).
    unopened: bool

    @property
    def reference(self) -> str:
        """The short reference shown on every staff page (the id's first eight digits)."""
        return str(self.public_id)[:8]


def complaint_inbox_for_user(
    *,
    user: StaffUser,
    reference: str = "",
    status: ComplaintStatus | None = None,
    limit: int = 500,
) -> list[InboxRow]:
    """The user's queue (:func:`complaint_queue_for_user`), narrowed to a reference (the id's
    first hex digits, or all 32 of them) and a status, each row marked when nobody at the
    user's agency has opened it.

    Content is encrypted, so it cannot be searched; an opening is known from the audit log,
    which records every read of a complaint with the reader's agency.
    """
    if user.agency_id is None:  # no agency, no queue
        return []
    queue = complaint_queue_for_user(user=user)
    if len(reference) == 32:
        queue = queue.filter(public_id=uuid.UUID(hex=reference))
    elif reference:
        # The first eight digits come before the id's first dash, so a prefix of them is a
        # prefix of the id as every database writes it.
        queue = queue.filter(public_id__startswith=reference[:8])
    if status is not None:
        queue = queue.filter(status=status)
    complaints = list(queue[:limit])
    subjects = [f"complaint:{c.public_id}" for c in complaints]
    opened = set(
        AuditEntry.objects.filter(
            action=AuditAction.COMPLAINT_READ, agency_id=user.agency_id, subject__in=subjects
        ).values_list("subject", flat=True)
    )
    return [
        InboxRow(
            public_id=c.public_id,
            received_on=c.received_on,
            urgent=c.urgent,
            status=ComplaintStatus(c.status),
            unopened=f"complaint:{c.public_id}" not in opened,
        )
        for c in complaints
    ]


def complaint_data_key_for_agency(
    *, complaint: Complaint, agency: Agency, agency_private_key: crypto.PrivateKey
) -> crypto.DataKey:
    grant = ComplaintKeyGrant.objects.get(complaint=complaint, agency=agency)
    return crypto.unseal_data_key(agency_private_key, bytes(grant.sealed_data_key))


def decrypt_complaint(*, complaint: Complaint, data_key: crypto.DataKey) -> ComplaintView:
    content = ComplaintContent.from_bytes(
        crypto.decrypt(data_key, bytes(complaint.ciphertext), aad=complaint.aad)
    )
    messages = tuple(
        MessageView(
            direction=MessageDirection(m.direction),
            sent_on=m.sent_on,
            text=crypto.decrypt(data_key, bytes(m.ciphertext), aad=m.aad).decode("utf-8"),
            agency=m.author_agency,
            taken_for_caller=(
                m.direction == MessageDirection.FROM_COMPLAINANT and m.author_id is not None
            ),
        )
        for m in complaint.messages.select_related("author_agency", "complaint")
    )
    grants = complaint.key_grants.select_related("agency")
    # The agencies' own order (the working group first), the same on every database.
    agencies = tuple(g.agency for g in grants.order_by("-agency__receives_all", "agency__pk"))
    consented = tuple(
        Agency.objects.filter(
            Q(complaint_grants__complaint=complaint) | Q(complaint_consents__complaint=complaint)
        )
        .distinct()
        .order_by("-receives_all", "pk")
    )
    return ComplaintView(
        public_id=complaint.public_id,
        received_on=complaint.received_on,
        status=ComplaintStatus(complaint.status),
        urgent=complaint.urgent,
        content=content,
        messages=messages,
        agencies=agencies,
        consented=consented,
        channel=Channel(complaint.channel),
    )


def officer_notes(*, complaint: Complaint, data_key: crypto.DataKey) -> tuple[NoteView, ...]:
    """The officers' notes on a complaint, decrypted (for staff pages only)."""
    return tuple(
        NoteView(
            written_on=n.written_on,
            text=crypto.decrypt(data_key, bytes(n.ciphertext), aad=n.aad).decode("utf-8"),
            author=n.author.username if n.author is not None else "",
            agency=n.author_agency,
        )
        for n in complaint.officer_notes.select_related("author", "author_agency", "complaint")
    )


def complaint_get_for_user(
    *, user: StaffUser, public_id: uuid.UUID, agency_private_key: crypto.PrivateKey
) -> tuple[Complaint, ComplaintView, crypto.DataKey]:
    """Decrypt a complaint for a staff member and record the read in the audit log.

    Raises ``Complaint.DoesNotExist`` when there is no such complaint *or* the user may not
    read it, so a refusal says nothing about whether it exists.
    """
    complaint = Complaint.objects.filter(public_id=public_id).first()
    if complaint is None or not access_complaint(user=user, complaint=complaint):
        raise Complaint.DoesNotExist
    if user.agency is None:  # excluded by access_complaint; kept for the type checker
        raise Complaint.DoesNotExist
    data_key = complaint_data_key_for_agency(
        complaint=complaint, agency=user.agency, agency_private_key=agency_private_key
    )
    view = decrypt_complaint(complaint=complaint, data_key=data_key)
    view = dataclasses.replace(
        view, officer_notes=officer_notes(complaint=complaint, data_key=data_key)
    )
    with transaction.atomic():
        audit_record(
            action=AuditAction.COMPLAINT_READ, actor=user, subject=f"complaint:{public_id}"
        )
    return complaint, view, data_key


class FoundBy(enum.Enum):
    CODENAME = "codename"
    REFERENCE = "reference"


#: How long the window of a member's look-ups for callers is, and how many it may hold.
CALLER_LOOKUP_WINDOW = datetime.timedelta(minutes=10)


def caller_lookups_left(*, user: StaffUser, limit: int) -> int:
    """How many more look-ups for callers ``user`` may make now: ``limit`` per
    :data:`CALLER_LOOKUP_WINDOW`, counted from the audit log (each look-up is an entry, found
    or not). A member trying codenames or references one after another (to find complaints of
    their agency that no caller asked about) is stopped; a hotline takes a few calls in ten
    minutes."""
    since = timezone.now() - CALLER_LOOKUP_WINDOW
    made = AuditEntry.objects.filter(
        action=AuditAction.COMPLAINT_LOOKED_UP, actor=user, created_at__gte=since
    ).count()
    return max(0, limit - made)


def complaint_find_for_caller(*, user: StaffUser, text: str) -> tuple[FoundBy, list[uuid.UUID]]:
    """The complaints a caller's codename or reference points to, among those the user's
    agency may read (``access.may_file_for_caller`` decides who asks). Never by names:
    content is encrypted. The look-up is audited (how, and whether anything was found;
    never what was typed).

    A reference is the id's first eight hex digits (or all 32); anything else is read as a
    codename, whose keyed hash finds the complaint as the public return page does.
    """
    value = text.strip().lower().replace("-", "")
    found: list[uuid.UUID] = []
    if _REFERENCE.match(value) and len(value) in (8, 32):
        by = FoundBy.REFERENCE
        found = [row.public_id for row in complaint_inbox_for_user(user=user, reference=value)]
    else:
        by = FoundBy.CODENAME
        try:
            codename = crypto.parse_codename(text)
        except crypto.InvalidCodename:
            codename = None
        if codename is not None:
            keys = crypto.complainant_keys(codename, Installation.current().install_key())
            found = list(
                complaint_queue_for_user(user=user)
                .filter(lookup_id=keys.lookup_id)
                .values_list("public_id", flat=True)
            )
    with transaction.atomic():
        audit_record(
            action=AuditAction.COMPLAINT_LOOKED_UP,
            actor=user,
            subject=f"complaint:{found[0]}" if len(found) == 1 else "",
            details={"by": by.value, "found": len(found)},
        )
    return by, found


def complaint_get_for_complainant(
    *, public_id: uuid.UUID, data_key: crypto.DataKey
) -> ComplaintView:
    complaint = Complaint.objects.get(public_id=public_id)
    return decrypt_complaint(complaint=complaint, data_key=data_key)


def complaint_files_for_complainant(
    *, public_id: uuid.UUID, data_key: crypto.DataKey
) -> list[EvidenceView]:
    """The files sent with and after the complaint, named, for its complainant (who proves
    their right by holding ``data_key``, which opens the file keys)."""
    # Evidence reads complaints through this module, so it is imported at call time.
    from ombuds.evidence.selectors import evidence_list

    return evidence_list(complaint=Complaint.objects.get(public_id=public_id), data_key=data_key)


def complaints_held_by_cases(*, among: QuerySet[Complaint] | None = None) -> set[int]:
    """Ids of complaints (of ``among``, or all) that other apps (cases) hold on to.

    Retention never deletes those (``services.retention_apply``). Any reverse relation from
    outside intake and evidence counts, so a new app that links complaints is covered too.
    """
    base = Complaint.objects.all() if among is None else among
    held: set[int] = set()
    for rel in Complaint._meta.related_objects:
        related = rel.related_model
        if isinstance(related, str) or related._meta.app_label in ("intake", "evidence"):
            continue
        held.update(base.filter(**{f"{rel.name}__isnull": False}).values_list("pk", flat=True))
    return held


@dataclass(frozen=True)
class Keeping:
    """How long a complaint is kept, as its complainant is told."""

    #: A case holds it: it is kept while the case needs it (and until withdrawn).
    held_by_case: bool
    #: Otherwise the last day it is kept; retention deletes it the day after.
    last_day: datetime.date | None


def complaint_keeping(*, public_id: uuid.UUID) -> Keeping:
    """When retention will delete the complaint if no case takes it up.

    The rule is :func:`services.retention_apply`'s: each agency's key copy goes once the
    complaint is older than that agency's ``retention_days``, and the complaint goes with the
    last copy held by an agency that receives every complaint. Raises
    ``Complaint.DoesNotExist``.
    """
    complaint = Complaint.objects.get(public_id=public_id)
    if complaints_held_by_cases(among=Complaint.objects.filter(pk=complaint.pk)):
        return Keeping(held_by_case=True, last_day=None)
    days = (
        ComplaintKeyGrant.objects.filter(complaint=complaint, agency__receives_all=True)
        .values_list("agency__retention_days", flat=True)
        .order_by("-agency__retention_days")
        .first()
    )
    if days is None:  # no such copy left: retention deletes it on its next run
        return Keeping(held_by_case=False, last_day=complaint.received_on)
    return Keeping(
        held_by_case=False, last_day=complaint.received_on + datetime.timedelta(days=days)
    )


def complaint_progress_for_complainant(*, public_id: uuid.UUID) -> str | None:
    """A plain-language line on what became of the complaint, or None before any case."""
    from ombuds.casework.selectors import complaint_public_status

    complaint = Complaint.objects.filter(public_id=public_id).first()
    return None if complaint is None else complaint_public_status(complaint)
