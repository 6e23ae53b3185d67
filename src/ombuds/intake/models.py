"""Complaints as stored: ciphertext plus the least metadata a queue needs.

Plaintext columns are limited to workflow metadata (architecture.md): the day received, urgency,
status. Everything the complainant wrote, including whom it is about and how to reach them, is in
``ciphertext``; the data key exists only sealed to the complainant, to the agencies that receive
all complaints, and to a consented agency once a case holding the complaint is referred to it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ombuds.staff.models import Agency, StaffUser


# Said of "the complaint" (жалоба, feminine in Russian): a context keeps these apart from the
# same English words said of a case (casework.models.CaseStatus) or used as verbs.
class ComplaintStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("complaint status", "New")
    IN_REVIEW = "in_review", pgettext_lazy("complaint status", "In review")
    ANSWERED = "answered", pgettext_lazy("complaint status", "Answered")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")


class Channel(models.TextChoices):
    """How a complaint reached the working group: the public site, or an intake officer who
    filed it for a caller (docs/hotline.md)."""

    WEB = "web", _("The public site")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("By letter")
    MESSENGER = "messenger", _("By messenger")


class Complaint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: Keyed hash of the codename (crypto.complainant_keys): finds the complaint, reveals nothing.
    #: None for a complaint filed for a caller who wanted no codename (reference only).
    lookup_id = models.BinaryField(unique=True, null=True)
    complainant_public_key = models.BinaryField(null=True)
    #: The data key sealed to the complainant's codename-derived key (None: no codename).
    sealed_for_complainant = models.BinaryField(null=True)
    ciphertext = models.BinaryField()
    #: A day, not a time: finer timestamps would help match a complaint to network records.
    received_on = models.DateField()
    urgent = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW
    )
    status_changed_on = models.DateField()
    #: How it was received; anything but the web means an officer filed it for a caller.
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.WEB)

    class Meta:
        indexes = [models.Index(fields=["-urgent", "received_on"], name="complaint_queue")]

    def __str__(self) -> str:
        return f"complaint {self.public_id}"

    @property
    def aad(self) -> bytes:
        return b"complaint:" + self.public_id.bytes


class ComplaintKeyGrant(models.Model):
    """The complaint's data key sealed to one agency's public key.

    An agency without a row here has no way to read the complaint. At intake only the agencies
    that receive all complaints get one; a consented agency gets one when a case holding the
    complaint is referred to it (``casework.services.case_refer``), never before.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="key_grants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="complaint_grants")
    sealed_data_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "agency"], name="one_key_per_agency")
        ]


class ComplaintConsent(models.Model):
    """One agency the complainant allowed the complaint to be shared with.

    Consent bounds what *may* be shared; it gives no key. The working group's referral decides
    when a consented agency gets one (``ComplaintKeyGrant``). Deleted with the complaint.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="consents")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="complaint_consents")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "agency"], name="one_consent_per_agency")
        ]


class MessageDirection(models.TextChoices):
    FROM_COMPLAINANT = "in", _("From the complainant")
    FROM_STAFF = "out", _("From staff")


class Message(models.Model):
    """A follow-up from the complainant or a reply from staff, under the complaint's data key."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(max_length=3, choices=MessageDirection.choices)
    author = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.SET_NULL)
    author_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    sent_on = models.DateField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    @property
    def aad(self) -> bytes:
        return b"message:" + self.complaint.public_id.bytes + self.public_id.bytes


class OfficerNote(models.Model):
    """What an intake officer noted about a complaint filed for a caller (how the call went,
    what to watch for): under the complaint's data key, shown to the staff who read the
    complaint and never on the complainant's pages. Deleted with the complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="officer_notes")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.SET_NULL)
    author_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    written_on = models.DateField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    @property
    def aad(self) -> bytes:
        return b"officer-note:" + self.complaint.public_id.bytes + self.public_id.bytes


class UsedFormToken(models.Model):
    """One-time tokens of submitted public forms, so a form posted twice saves one complaint.

    Only a keyed hash of the token is kept, with the day; nothing links it to the complaint.
    """

    token_hash = models.BinaryField(unique=True)
    used_on = models.DateField()


class GuessWindow(models.Model):
    """Counts unknown-codename attempts per minute, for everyone at once.

    No IP address is ever read, so the count is global (decision 0003). It is consulted only
    after a codename was checked and found unknown: it never refuses a right codename.
    """

    minute = models.BigIntegerField(unique=True)
    failures = models.PositiveIntegerField(default=0)


class IntakeHour(models.Model):
    """What anonymous intake took in during one clock hour, for everyone at once (the intake
    budget, ``intake/budget.py``): submissions (complaints, follow-ups, files) and bytes of
    files. No client data; rows of past hours are deleted as the next hour's first submission
    arrives and by the hourly housekeeping, so no row says more than "the current hour"."""

    hour = models.BigIntegerField(unique=True)
    items = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)


class IntakeRefusalDay(models.Model):
    """How many submissions the intake budget and the free-disk guard refused on one day
    (counts only: what was refused is not kept). Shown to administrators for the last week;
    older days are deleted."""

    day = models.DateField(unique=True)
    budget = models.PositiveIntegerField(default=0)
    disk = models.PositiveIntegerField(default=0)
