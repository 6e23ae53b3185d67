"""Evidence as stored: encrypted files, their hashes and an append-only chain of custody.

Key hierarchy (architecture.md, "Keys"): each :class:`EvidenceItem` has a fresh *file key*,
stored only encrypted (``wrapped_file_key``) under its owner's key: a complaint's data key, or
the key of one compartment of a case. So exactly those who can read the complaint (the
complainant, consented agencies), or the compartment (the agencies holding its key), can read
the evidence, and destroying the owner's keys destroys the evidence too (crypto-shredding).

Storage: ciphertext lives in the database (``BinaryField``), not in files. Files are at most
20 MB, and one transaction then covers the bytes, their hashes, the custody entries and the
audit entry: there is no orphan file and no row without its file, and one backup holds all.
Files on disk would pay off for large video; that is a later change behind the same models.

What is plaintext, and why: kind, size, day, and the SHA-256 of the *ciphertext*. The SHA-256
of the original *plaintext* is kept only encrypted (in ``sealed_facts``): a plaintext hash is a
fingerprint, and whoever seizes the server (A2) together with a complainant's phone (A1) could
otherwise prove which photo was sent from it. It is revealed in exports and to readers.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.audit.models import AppendOnlyManager, AppendOnlyModel
from ombuds.casework.models import Case, Compartment
from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, StaffUser

from .files import Kind


class EvidenceKind(models.TextChoices):
    JPEG = Kind.JPEG.value, "JPEG"
    PNG = Kind.PNG.value, "PNG"
    WEBP = Kind.WEBP.value, "WebP"
    PDF = Kind.PDF.value, "PDF"
    TEXT = Kind.TEXT.value, _("Plain text")
    MP4 = Kind.MP4.value, "MP4"


class FileRole(models.TextChoices):
    ORIGINAL = "original", _("Original (evidential copy)")
    WORKING = "working", _("Working copy (metadata removed)")


class EvidenceItem(models.Model):
    """One received file: its original and working copy are :class:`EvidenceFile` rows.

    Owner: a complaint, or a case together with the compartment whose key wraps the file key
    (exactly one of the two; the check constraint holds it). Evidence staff attach to a case
    goes in the compartment every holding agency may read.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    #: For case evidence: the compartment whose key wraps the file key, so exactly the
    #: agencies that can read the compartment can read the file.
    compartment = models.ForeignKey(
        Compartment, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    #: A day, not a time (as for complaints): finer times help match uploads to network logs.
    received_on = models.DateField()
    by_complainant = models.BooleanField(default=False)
    added_by = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.SET_NULL)
    #: The file key encrypted under the owner's data key (aad: :attr:`key_aad`).
    wrapped_file_key = models.BinaryField()
    #: JSON under the file key: display name, plaintext hashes, what was removed.
    sealed_facts = models.BinaryField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(complaint__isnull=False, case__isnull=True, compartment__isnull=True)
                    | models.Q(
                        complaint__isnull=True, case__isnull=False, compartment__isnull=False
                    )
                ),
                name="evidence_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"evidence {self.public_id}"

    @property
    def owner_id_bytes(self) -> bytes:
        """Binds the wrapped file key to its owner: a wrapped key copied to another complaint,
        case or compartment does not decrypt."""
        if self.complaint is not None:
            return self.complaint.public_id.bytes
        if self.case is not None and self.compartment is not None:
            return b"case:" + self.case.public_id.bytes + self.compartment.public_id.bytes
        raise ValueError("evidence without an owner")  # excluded by the check constraint

    @property
    def key_aad(self) -> bytes:
        return b"evidence-key:" + self.owner_id_bytes + self.public_id.bytes

    @property
    def facts_aad(self) -> bytes:
        return b"evidence-facts:" + self.public_id.bytes


class EvidenceFile(models.Model):
    """The original or the working copy of an item, encrypted under the item's file key."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="files")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=10, choices=FileRole.choices)
    #: The working copy's parent is the original it was made from.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="derived"
    )
    size = models.PositiveBigIntegerField()
    #: SHA-256 (hex) of ``ciphertext``, recorded at arrival: checkable without any key.
    ciphertext_sha256 = models.CharField(max_length=64)
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["item_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "role"], name="one_file_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.item_id}"

    @property
    def aad(self) -> bytes:
        return b"evidence-file:" + self.item.public_id.bytes + self.public_id.bytes


class CustodyStep(models.TextChoices):
    RECEIVED = "received", _("Received")
    HASHED = "hashed", _("Hashed")
    WORKING_COPY_MADE = "working_copy_made", _("Working copy made")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPORTED = "exported", _("Exported")
    TRANSFERRED = "transferred", _("Transferred")
    VERIFIED = "verified", _("Verified")


class CustodyEntry(AppendOnlyModel):
    """One step in an item's chain of custody. Never changed or deleted (but for crypto-
    shredding of the whole item). Each entry is also in the hash-chained audit log; ``audit_seq``
    names that entry, so a custody row that is altered disagrees with the signed log. For the
    complainant's steps it is empty: their audit entries enter the chain only after their day,
    shuffled (``audit.services.audit_pending_flush``), and are found by subject and step.
    """

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="custody")
    file = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(max_length=20, choices=CustodyStep.choices)
    #: Steps by the complainant carry the day only (midnight UTC); staff steps the full time.
    at = models.DateTimeField()
    actor = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.SET_NULL)
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    by_complainant = models.BooleanField(default=False)
    #: Plaintext-free facts: ciphertext hash, package id, reason.
    note = models.CharField(max_length=200, blank=True)
    #: The audit entry's ``seq``; None for the complainant's steps (chained later, by day).
    audit_seq = models.BigIntegerField(null=True, blank=True)

    objects = AppendOnlyManager["CustodyEntry"]()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "custody entries"

    def __str__(self) -> str:
        return f"{self.step} {self.item_id}"
