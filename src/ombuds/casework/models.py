"""Cases as stored: workflow metadata in the clear, every record encrypted.

Plaintext columns are limited to what lists and queues need (architecture.md, "Keys"):
status, outcome, priority, owning agency, assigned investigator, days. What the records say
(names, dates, places, narrative) lives only in :class:`CaseRecord.ciphertext`.

Consent-bound sharing uses *compartments*. A compartment is the set of agencies allowed to read
some material: the intersection of the consents of the complaints it comes from, or everyone
holding the case for material staff wrote themselves. Each compartment has its own random key,
sealed (one :class:`CaseKeyGrant` per agency) only to agencies that both hold the case and are
in the allowed set. An agency with no grant has no way to read the compartment's records.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, StaffUser


# Statuses are said of "the case" (дело, neuter in Russian), so they carry a context: the same
# English word is elsewhere a verb ("Open" on links and buttons) or said of a complaint
# (жалоба, feminine: "Closed" is "Закрыта" there, "Закрыто" here).
class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    INVESTIGATING = "investigating", pgettext_lazy("case status", "Investigating")
    REFERRED = "referred", pgettext_lazy("case status", "Referred to the prosecutor")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class CaseOutcome(models.TextChoices):
    NONE = "", _("No outcome yet")
    CHARGES_BROUGHT = "charges_brought", _("Charges brought")
    VICTIM_FOUND_ALIVE = "victim_found_alive", _("Victim found alive")
    VICTIM_FOUND_DEAD = "victim_found_dead", _("Victim found dead")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")
    MERGED = "merged", _("Merged into another case")
    WITHDRAWN = "withdrawn", _("Withdrawn at the complainant's request")
    OTHER = "other", _("Other")


class CasePriority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent: someone held now")


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(
        max_length=30, choices=CaseOutcome.choices, default=CaseOutcome.NONE, blank=True
    )
    priority = models.CharField(
        max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    #: The agency responsible for the case now; always one of the holding agencies.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases")
    investigator = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    #: Days, not times (as for complaints): finer stamps help nobody but an adversary.
    opened_on = models.DateField()
    status_changed_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    #: How many of the case's complaints their complainants withdrew. What was copied from
    #: them is gone (``services.case_source_withdraw``); this count is all the case keeps of
    #: them, so that the case page can say why material is missing. No day, no id.
    sources_withdrawn = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["status", "-opened_on"], name="case_queue")]

    def __str__(self) -> str:
        return f"case {self.public_id}"

    @property
    def short_id(self) -> str:
        return str(self.public_id)[:8]


class CaseHolding(models.Model):
    """An agency holds a case: it opened it or the case was referred to it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holdings")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_holdings")
    since = models.DateField()
    referred_by = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="one_holding_per_agency")
        ]


class CaseComplaint(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_complaints")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="case_links")
    added_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "complaint"], name="complaint_once_per_case")
        ]


#: ``Compartment.signature`` of the compartment every holding agency may read.
EVERYONE = "*"


class Compartment(models.Model):
    """A set of agencies allowed to read some of a case's material, with its own key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="compartments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: Every agency holding the case, now or later (staff-originated material).
    everyone = models.BooleanField(default=False)
    #: The allowed agencies when not ``everyone``: those all the source complaints consented to.
    allowed = models.ManyToManyField(Agency, blank=True, related_name="+")
    #: ``EVERYONE`` or the sorted allowed agency ids: one compartment per allowed set.
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "signature"], name="one_compartment_per_set")
        ]

    def allows(self, agency: Agency) -> bool:
        return self.everyone or self.allowed.filter(pk=agency.pk).exists()


# Links to complaints are plain foreign keys, never many-to-many fields: other apps (retention
# in intake) walk Complaint's reverse relations expecting a ``complaint_id`` column.
class CompartmentSource(models.Model):
    """A complaint whose consent made a compartment (for the withheld notice)."""

    compartment = models.ForeignKey(Compartment, on_delete=models.CASCADE, related_name="sources")
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="compartment_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "complaint"], name="complaint_once_per_compartment"
            )
        ]


class CaseKeyGrant(models.Model):
    """A compartment key sealed to one agency that holds the case and is allowed to read it.

    The set of grants *is* the sharing: an agency without a row here cannot read the material.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="key_grants")
    compartment = models.ForeignKey(Compartment, on_delete=models.CASCADE, related_name="grants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_grants")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "agency"], name="one_case_key_per_agency"
            )
        ]


class RecordKind(models.TextChoices):
    PERSON = "person", _("Person")
    EVENT = "event", _("Event")
    ACT = "act", _("Act")
    INVOLVEMENT = "involvement", _("Involvement")
    INFORMATION = "information", _("Information")


class CaseRecord(models.Model):
    """One coded record (HURIDOCS Events format), encrypted under its compartment's key.

    The associated data binds the ciphertext to this row, its case, kind and compartment, so a
    ciphertext copied to another row, case or kind fails to decrypt.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    compartment = models.ForeignKey(Compartment, on_delete=models.PROTECT, related_name="records")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    ciphertext = models.BinaryField()
    created_on = models.DateField()
    created_by = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.SET_NULL)
    #: The agency that wrote the record: only its members may edit or delete it
    #: (``ombuds.access.may_change_record``). Null only for a record made before authorship
    #: was kept whose writer is gone (migration 0004): nobody changes such a record.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Who last changed what the record says, and the day (None: as first written). The
    #: earlier text is kept as a :class:`CaseRecordVersion`.
    changed_on = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The complaint this record was copied from (when the complaint was added to the case),
    #: or None for what staff wrote themselves, even under a complaint's compartment, and for
    #: every record made before provenance was kept (migration 0003). Withdrawing the
    #: complaint deletes these records (threat model 9). PROTECT, not CASCADE or SET_NULL:
    #: the withdrawal deletes them itself, first, and audits it; a path that forgot to would
    #: fail instead of leaving a copy behind or orphaning it into staff material.
    source_complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copied_records",
    )

    class Meta:
        ordering = ["pk"]

    @property
    def aad(self) -> bytes:
        return b"|".join(
            (
                b"case-record",
                self.case.public_id.bytes,
                self.compartment.public_id.bytes,
                self.public_id.bytes,
                self.kind.encode(),
            )
        )


class CaseRecordVersion(models.Model):
    """What a record said before an edit, encrypted under the same compartment key.

    An edit never silently destroys: the text it replaces is kept here, with who wrote it
    and when, and who replaced it and when (days only, as everywhere in cases). Readers of
    the compartment see it as the record's history. It goes with its record: deleting the
    record, withdrawing the complaint it was copied from and retention delete every version.
    The associated data binds the ciphertext to the record and the version number.
    """

    record = models.ForeignKey(CaseRecord, on_delete=models.CASCADE, related_name="versions")
    #: 1 for the text as first written, then 2, 3, ...
    number = models.PositiveIntegerField()
    ciphertext = models.BinaryField()
    written_on = models.DateField()
    written_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_on = models.DateField()
    replaced_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="one_version_number")
        ]

    def aad_for(self, record: CaseRecord) -> bytes:
        """The associated data of this version of ``record`` (pass the record, with its case
        and compartment loaded)."""
        return b"|".join((b"case-record-version", record.aad, str(self.number).encode()))
