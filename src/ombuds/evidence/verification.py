"""``ombuds evidence verify``: re-check every stored hash.

Two levels, because the server holds no key that opens evidence (threat model 2):

* **Without a key** (always): each stored ciphertext is re-hashed and compared with the SHA-256
  recorded at arrival, and that recorded hash is compared with the one written into the
  hash-chained, signed audit log in the same transaction. A changed byte anywhere in a stored
  file is found. What this cannot see alone: someone who rewrites a file *and* its recorded
  hash *and* forges the audit log; ``ombuds audit verify`` with a published checkpoint key
  finds the last of these.
* **With the escrow key** (``--escrow-key-file``): each file is also decrypted and its
  plaintext re-hashed against the SHA-256 of the original bytes recorded at arrival. The
  escrow key opens every agency key, so this is a full read of all evidence: it is recorded
  in the audit log, and the key should be brought to the machine only for this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_record
from ombuds.casework.models import CaseKeyGrant, Compartment
from ombuds.intake.models import Complaint, ComplaintKeyGrant
from ombuds.staff.keyring import agency_private_key_from_escrow

from . import services
from .models import CustodyEntry, CustodyStep, EvidenceFile, EvidenceItem, FileRole


@dataclass
class VerifyReport:
    files_checked: int = 0
    plaintext_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _recorded_hashes(item: EvidenceItem) -> dict[str, str]:
    """file public id -> ciphertext hash, as the audit log recorded it at arrival.

    Staff steps name their audit entry by ``seq``; the complainant's do not (their entries
    are chained after their day, shuffled) and are found by subject: in the chain, or, on the
    day itself, among the entries still pending.
    """
    arrival = list(
        CustodyEntry.objects.filter(
            item=item, step__in=[CustodyStep.HASHED, CustodyStep.WORKING_COPY_MADE]
        ).values_list("audit_seq", flat=True)
    )
    subject = f"evidence:{item.public_id}"
    seqs = [seq for seq in arrival if seq is not None]
    recorded: list[tuple[str, dict[str, object]]] = list(
        AuditEntry.objects.filter(seq__in=seqs).values_list("subject", "details")
    )
    if len(seqs) < len(arrival):
        recorded += AuditEntry.objects.filter(
            subject=subject, action=AuditAction.EVIDENCE_ADDED, actor_id=None
        ).values_list("subject", "details")
        recorded += PendingAuditEntry.objects.filter(
            subject=subject, action=AuditAction.EVIDENCE_ADDED
        ).values_list("subject", "details")
    found: dict[str, str] = {}
    for entry_subject, details in recorded:
        file_id, digest = details.get("file"), details.get("ciphertext_sha256")
        if entry_subject == subject and file_id and digest:
            found[str(file_id)] = str(digest)
    return found


def _data_key(complaint: Complaint, escrow_key: crypto.PrivateKey) -> crypto.DataKey | None:
    for grant in ComplaintKeyGrant.objects.filter(complaint=complaint).select_related("agency"):
        if not grant.agency.escrow_wrapped:
            continue
        try:
            # With the agency's retired keys too: material sealed before a rotation.
            agency_key = agency_private_key_from_escrow(
                agency=grant.agency, escrow_private_key=escrow_key
            )
            return crypto.unseal_data_key(agency_key, bytes(grant.sealed_data_key))
        except crypto.DecryptionFailed:
            continue
    return None


def _compartment_key(
    compartment: Compartment, escrow_key: crypto.PrivateKey
) -> crypto.DataKey | None:
    grants = CaseKeyGrant.objects.filter(compartment=compartment).select_related("agency")
    for grant in grants:
        if not grant.agency.escrow_wrapped:
            continue
        try:
            # With the agency's retired keys too: material sealed before a rotation.
            agency_key = agency_private_key_from_escrow(
                agency=grant.agency, escrow_private_key=escrow_key
            )
            return crypto.unseal_data_key(agency_key, bytes(grant.sealed_key))
        except crypto.DecryptionFailed:
            continue
    return None


def evidence_verify(*, escrow_key: crypto.PrivateKey | None = None) -> VerifyReport:
    """Check every stored evidence file; return what was checked and every problem found."""
    report = VerifyReport()
    items = EvidenceItem.objects.select_related("complaint", "case", "compartment").order_by("pk")
    for item in items.iterator(chunk_size=50):
        recorded = _recorded_hashes(item)
        files = list(EvidenceFile.objects.filter(item=item).select_related("item"))
        if {f.role for f in files} != {FileRole.ORIGINAL, FileRole.WORKING}:
            report.problems.append(f"evidence {item.public_id}: a copy is missing")
        for file in files:
            report.files_checked += 1
            label = f"evidence {item.public_id} {file.role}"
            if services.sha256_hex(bytes(file.ciphertext)) != file.ciphertext_sha256:
                report.problems.append(f"{label}: stored bytes differ from the hash at arrival")
            if recorded.get(str(file.public_id)) != file.ciphertext_sha256:
                report.problems.append(f"{label}: recorded hash differs from the audit log")
        if escrow_key is None:
            continue
        if item.complaint is not None:
            data_key = _data_key(item.complaint, escrow_key)
        elif item.compartment is not None:
            data_key = _compartment_key(item.compartment, escrow_key)
        else:
            continue
        if data_key is None:
            report.problems.append(f"evidence {item.public_id}: the escrow key opens no grant")
            continue
        try:
            file_key = services.file_key_of(item=item, data_key=data_key)
            facts = services.facts_of(item=item, file_key=file_key)
        except crypto.DecryptionFailed:
            report.problems.append(f"evidence {item.public_id}: its keys do not decrypt")
            continue
        for file in files:
            expected = (
                facts.original_sha256 if file.role == FileRole.ORIGINAL else facts.working_sha256
            )
            try:
                services.file_plaintext(file=file, file_key=file_key, expected_sha256=expected)
                report.plaintext_checked += 1
            except services.IntegrityError as exc:
                report.problems.append(f"evidence {item.public_id} {file.role}: {exc}")
    if escrow_key is not None:
        with transaction.atomic():
            audit_record(
                action=AuditAction.EVIDENCE_READ,
                subject="evidence:*",
                details={
                    "step": "verified",
                    "files": report.files_checked,
                    "problems": len(report.problems),
                },
            )
    return report
