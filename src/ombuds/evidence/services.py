"""Writes about evidence: receiving a file, and every later step of its chain of custody.

Each service is atomic; every custody entry is written with its audit entry in the same
transaction (house-style). Plaintext exists only in memory: files are encrypted before any
row is written.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import audit_record
from ombuds.casework.models import Case, Compartment
from ombuds.casework.selectors import CaseKeys
from ombuds.casework.services import compartment_for_material
from ombuds.intake.budget import refusal_record
from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, StaffUser

from . import files
from .files import FileRefused
from .models import CustodyEntry, CustodyStep, EvidenceFile, EvidenceItem, FileRole

#: Flood limits per complaint, and per case (threat model A5): files, and stored bytes of
#: originals.
MAX_ITEMS_PER_COMPLAINT: Final = 50
MAX_BYTES_PER_COMPLAINT: Final = 300 * files.MB

#: Which audit action records each custody step.
AUDIT_ACTIONS: Final = {
    CustodyStep.RECEIVED: AuditAction.EVIDENCE_ADDED,
    CustodyStep.HASHED: AuditAction.EVIDENCE_ADDED,
    CustodyStep.WORKING_COPY_MADE: AuditAction.EVIDENCE_ADDED,
    CustodyStep.VIEWED: AuditAction.EVIDENCE_READ,
    CustodyStep.DOWNLOADED: AuditAction.EVIDENCE_READ,
    CustodyStep.EXPORTED: AuditAction.EXPORT,
    CustodyStep.TRANSFERRED: AuditAction.EVIDENCE_READ,
    CustodyStep.VERIFIED: AuditAction.EVIDENCE_READ,
}


class Upload(Protocol):
    """What :func:`evidence_attach` needs of an upload (Django's ``UploadedFile`` has it)."""

    name: str | None
    size: int | None

    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Facts:
    """What is known of an item's content; stored only encrypted under the file key."""

    name: str
    media_type: str
    original_sha256: str
    original_size: int
    working_sha256: str
    working_size: int
    removed: str

    def to_bytes(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Facts:
        return cls(**json.loads(data))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _custody(
    *,
    item: EvidenceItem,
    step: CustodyStep,
    file: EvidenceFile | None = None,
    actor: StaffUser | None = None,
    by_complainant: bool = False,
    note: str = "",
    details: dict[str, str | int | bool | None] | None = None,
) -> CustodyEntry:
    """Append a custody entry and its audit entry; call inside the action's transaction."""
    now = timezone.now()
    if by_complainant:
        now = datetime.datetime.combine(now.date(), datetime.time(), tzinfo=datetime.UTC)
    audit = audit_record(
        action=AUDIT_ACTIONS[step],
        actor=actor,
        subject=f"evidence:{item.public_id}",
        details={"step": step.value, "file": str(file.public_id) if file else None, "note": note}
        | (details or {}),
        day_only=by_complainant,
    )
    entry = CustodyEntry(
        item=item,
        file=file,
        step=step,
        at=now,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        agency_id=actor.agency_id if actor else None,
        by_complainant=by_complainant,
        note=note,
        # A complainant's step waits, unchained and without a seq, for its day to end.
        audit_seq=audit.seq if isinstance(audit, AuditEntry) else None,
    )
    entry.save()
    return entry


def _disk_guard(size: int) -> None:
    """Refuse a file that would leave less than ``OMBUDS_MIN_FREE_BYTES`` free on the data
    disk (issue 13): a flood of uploads is stopped well before the disk fills. The message
    says nothing about load."""
    free = shutil.disk_usage(settings.DATA_DIR).free
    # A kept file costs about twice its size (original and working copy).
    if free - 2 * size < settings.OMBUDS_MIN_FREE_BYTES:
        refusal_record(disk=True)  # counted for the administrators, and alerted
        raise FileRefused(
            gettext("This file cannot be received right now. Please try again later.")
        )


def _read(upload: Upload) -> tuple[str, bytes]:
    name = files.clean_name(upload.name or "")
    limit = max(files.MAX_BYTES.values())
    _disk_guard(upload.size or limit)
    if upload.size is not None and upload.size > limit:
        raise FileRefused(f"This file is larger than the limit of {limit // files.MB} MB.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"This file is larger than the limit of {limit // files.MB} MB.")
    return name, data


def evidence_check(*, upload: Upload) -> files.Prepared:
    """Run every check on an upload without storing anything; raises :class:`FileRefused`.

    For forms that must refuse a bad file *before* they save anything else (the first
    complaint form). Pass the result to :func:`evidence_attach` as ``prepared``.
    """
    name, data = _read(upload)
    return files.prepare(data, name)


def _prepare(upload: Upload, prepared: files.Prepared | None) -> tuple[str, files.Prepared]:
    if prepared is None:
        name, data = _read(upload)
        return name, files.prepare(data, name)
    return files.clean_name(upload.name or ""), prepared


def _seal(
    *, item: EvidenceItem, owner_key: crypto.DataKey, name: str, prepared: files.Prepared
) -> tuple[EvidenceFile, EvidenceFile]:
    """Encrypt the facts and both copies under a fresh file key, itself under ``owner_key``."""
    file_key = crypto.new_data_key()
    item.wrapped_file_key = crypto.encrypt(owner_key, file_key.reveal(), aad=item.key_aad)
    facts = Facts(
        name=name,
        media_type=prepared.media_type,
        original_sha256=sha256_hex(prepared.original),
        original_size=len(prepared.original),
        working_sha256=sha256_hex(prepared.working),
        working_size=len(prepared.working),
        removed=prepared.removed,
    )
    item.sealed_facts = crypto.encrypt(file_key, facts.to_bytes(), aad=item.facts_aad)
    original = EvidenceFile(item=item, role=FileRole.ORIGINAL, size=len(prepared.original))
    original.ciphertext = crypto.encrypt(file_key, prepared.original, aad=original.aad)
    original.ciphertext_sha256 = sha256_hex(bytes(original.ciphertext))
    working = EvidenceFile(item=item, role=FileRole.WORKING, size=len(prepared.working))
    working.ciphertext = crypto.encrypt(file_key, prepared.working, aad=working.aad)
    working.ciphertext_sha256 = sha256_hex(bytes(working.ciphertext))
    return original, working


def _check_limits(existing: QuerySet[EvidenceItem], adding: int, owner: str) -> None:
    stored = (
        EvidenceFile.objects.filter(item__in=existing, role=FileRole.ORIGINAL).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    if existing.count() >= MAX_ITEMS_PER_COMPLAINT:
        raise FileRefused(
            f"This {owner} already has {MAX_ITEMS_PER_COMPLAINT} files, the most we can "
            "receive. Write to us instead."
        )
    if stored + adding > MAX_BYTES_PER_COMPLAINT:
        raise FileRefused(f"This {owner} has reached the total size its files may take.")


def _store(
    *,
    item: EvidenceItem,
    original: EvidenceFile,
    working: EvidenceFile,
    prepared: files.Prepared,
    actor: StaffUser | None,
    by_complainant: bool,
) -> None:
    """Save the item, its two files and the three arrival custody entries (in a transaction)."""
    item.save(force_insert=True)
    original.save(force_insert=True)
    working.parent = original
    working.save(force_insert=True)
    _custody(
        item=item,
        step=CustodyStep.RECEIVED,
        file=original,
        note=f"{prepared.kind.value}, {len(prepared.original)} bytes",
        details={"kind": prepared.kind.value, "size": len(prepared.original)},
        actor=actor,
        by_complainant=by_complainant,
    )
    _custody(
        item=item,
        step=CustodyStep.HASHED,
        file=original,
        note=f"ciphertext sha256 {original.ciphertext_sha256}",
        details={"ciphertext_sha256": original.ciphertext_sha256},
        actor=actor,
        by_complainant=by_complainant,
    )
    _custody(
        item=item,
        step=CustodyStep.WORKING_COPY_MADE,
        file=working,
        note=f"ciphertext sha256 {working.ciphertext_sha256}",
        details={
            "ciphertext_sha256": working.ciphertext_sha256,
            "parent": str(original.public_id),
            "removed": prepared.removed,
        },
        actor=actor,
        by_complainant=by_complainant,
    )


def evidence_attach(
    *,
    complaint: Complaint,
    data_key: crypto.DataKey,
    upload: Upload,
    by_complainant: bool,
    actor: StaffUser | None = None,
    prepared: files.Prepared | None = None,
) -> EvidenceItem:
    """Check, hash, encrypt and store a file with its working copy and custody entries.

    ``data_key`` is the complaint's; the caller proved it may read the complaint by having it.
    ``prepared`` is the result of :func:`evidence_check` on the same upload, if already run.
    Raises :class:`~ombuds.evidence.files.FileRefused` (nothing stored) for a file that is
    too large, of a kind not accepted, misnamed, damaged or hostile, or when the complaint
    already holds as many files as it may.
    """
    name, prepared = _prepare(upload, prepared)
    item = EvidenceItem(
        public_id=uuid.uuid4(),
        complaint=complaint,
        kind=prepared.kind.value,
        received_on=timezone.localdate(),
        by_complainant=by_complainant,
        added_by=actor,
    )
    original, working = _seal(item=item, owner_key=data_key, name=name, prepared=prepared)
    with transaction.atomic():
        # Locks the complaint row so two concurrent uploads cannot both pass the limits.
        list(Complaint.objects.select_for_update().filter(pk=complaint.pk).values_list("pk"))
        _check_limits(
            EvidenceItem.objects.filter(complaint=complaint), len(prepared.original), "complaint"
        )
        _store(
            item=item,
            original=original,
            working=working,
            prepared=prepared,
            actor=actor,
            by_complainant=by_complainant,
        )
    return item


def evidence_attach_to_case(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    upload: Upload,
    sources: Sequence[Complaint] = (),
    prepared: files.Prepared | None = None,
) -> EvidenceItem:
    """Check, hash, encrypt and store a file a staff member attaches to a case.

    The file key is wrapped under the key of the compartment for ``sources`` (none: the
    compartment every agency holding the case may read), so exactly the agencies that can read
    that compartment can read the file, now and after later referrals. Raises
    :class:`~ombuds.evidence.files.FileRefused` for a refused file or a full case, and
    :class:`~ombuds.casework.services.CaseworkError` if ``user`` may not change the case;
    nothing is stored then.
    """
    name, prepared = _prepare(upload, prepared)
    with transaction.atomic():
        # Locks the case row so two concurrent uploads cannot both pass the limits.
        list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
        compartment, key = compartment_for_material(
            user=user, case=case, keys=keys, sources=sources
        )
        item = EvidenceItem(
            public_id=uuid.uuid4(),
            case=case,
            compartment=compartment,
            kind=prepared.kind.value,
            received_on=timezone.localdate(),
            by_complainant=False,
            added_by=user,
        )
        original, working = _seal(item=item, owner_key=key, name=name, prepared=prepared)
        _check_limits(EvidenceItem.objects.filter(case=case), len(prepared.original), "case")
        _store(
            item=item,
            original=original,
            working=working,
            prepared=prepared,
            actor=user,
            by_complainant=False,
        )
    return item


def evidence_record_transfer(
    *, user: StaffUser, agency: Agency, compartments: Sequence[Compartment]
) -> None:
    """One ``transferred`` custody entry per item of ``compartments``, now readable by
    ``agency`` (a case was referred to it). Call inside the referral's transaction."""
    items = EvidenceItem.objects.filter(compartment__in=compartments).select_related("case")
    for item in items:
        _custody(
            item=item,
            step=CustodyStep.TRANSFERRED,
            actor=user,
            note=f"readable by {agency.slug} (case referred)",
            details={
                "to": agency.slug,
                "case": str(item.case.public_id) if item.case else None,
            },
        )


# --- reading, downloading, exporting: each is a custody step -----------------------------


def file_key_of(*, item: EvidenceItem, data_key: crypto.DataKey) -> crypto.DataKey:
    return crypto.DataKey(crypto.decrypt(data_key, bytes(item.wrapped_file_key), aad=item.key_aad))


def facts_of(*, item: EvidenceItem, file_key: crypto.DataKey) -> Facts:
    return Facts.from_bytes(crypto.decrypt(file_key, bytes(item.sealed_facts), aad=item.facts_aad))


class IntegrityError(Exception):
    """A stored file no longer matches the hash recorded when it arrived."""


def file_plaintext(*, file: EvidenceFile, file_key: crypto.DataKey, expected_sha256: str) -> bytes:
    """Decrypt one file and check it against its recorded hashes; raises :class:`IntegrityError`."""
    ciphertext = bytes(file.ciphertext)
    if sha256_hex(ciphertext) != file.ciphertext_sha256:
        raise IntegrityError(f"{file.role} of {file.item.public_id}: stored bytes changed")
    try:
        plaintext = crypto.decrypt(file_key, ciphertext, aad=file.aad)
    except crypto.DecryptionFailed as exc:
        raise IntegrityError(f"{file.role} of {file.item.public_id}: does not decrypt") from exc
    if sha256_hex(plaintext) != expected_sha256:
        raise IntegrityError(f"{file.role} of {file.item.public_id}: content hash differs")
    return plaintext


def evidence_record_list(*, user: StaffUser, complaint: Complaint, count: int) -> None:
    """Record that ``user`` saw the names and hashes of a complaint's evidence."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.EVIDENCE_READ,
            actor=user,
            subject=f"complaint:{complaint.public_id}",
            details={"step": "listed", "items": count},
        )


def evidence_record_case_list(*, user: StaffUser, case: Case, count: int) -> None:
    """Record that ``user`` saw the names and hashes of the case evidence they can read."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.EVIDENCE_READ,
            actor=user,
            subject=f"case:{case.public_id}",
            details={"step": "listed", "items": count},
        )


def evidence_record_case_file_page(*, user: StaffUser, case: Case, persons: int) -> None:
    """Record that ``user`` saw the names of the case's persons on the case-file page."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.CASE_READ,
            actor=user,
            subject=f"case:{case.public_id}",
            details={"page": "case_file", "persons": persons},
        )


def evidence_record_view(*, user: StaffUser, item: EvidenceItem) -> None:
    """Record that ``user`` looked at an item's details (names and hashes)."""
    with transaction.atomic():
        _custody(item=item, step=CustodyStep.VIEWED, actor=user)


@dataclass(frozen=True)
class Download:
    data: bytes
    facts: Facts
    role: FileRole


def evidence_download(
    *, user: StaffUser, item: EvidenceItem, data_key: crypto.DataKey, role: FileRole
) -> Download:
    """Decrypt one copy for ``user`` after checking its hashes, and record the download.

    Raises :class:`IntegrityError` if the stored file was changed.
    """
    file_key = file_key_of(item=item, data_key=data_key)
    facts = facts_of(item=item, file_key=file_key)
    file = item.files.get(role=role)
    expected = facts.original_sha256 if role == FileRole.ORIGINAL else facts.working_sha256
    data = file_plaintext(file=file, file_key=file_key, expected_sha256=expected)
    with transaction.atomic():
        _custody(item=item, step=CustodyStep.DOWNLOADED, file=file, actor=user)
    return Download(data=data, facts=facts, role=role)


def evidence_record_export(
    *, user: StaffUser, items: Sequence[EvidenceItem], package_id: uuid.UUID, originals: bool
) -> None:
    """One custody entry per exported item, naming the package; inside the export's transaction."""
    for item in items:
        _custody(
            item=item,
            step=CustodyStep.EXPORTED,
            actor=user,
            note=f"package {package_id}" + (" with originals" if originals else ""),
            details={"package": str(package_id), "originals": originals},
        )
