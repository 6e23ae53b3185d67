"""The append-only, hash-chained audit log (threat model property 5).

Four tables:

* :class:`AuditEntry` - one row per recorded action; ``seq`` is the primary key and counts
  1, 2, 3, ... without gaps; ``entry_hash`` covers all fields and ``prev_hash``.
* :class:`AuditChainHead` - one row holding the last ``seq`` and hash. Appends lock it
  (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers
  anyway), so two appends can never both extend the same entry.
* :class:`AuditCheckpoint` - an Ed25519 signature over ``(seq, head_hash)`` at intervals.
* :class:`PendingAuditEntry` - what the complainant did today, waiting for the day to end.
  Its place in the chain would date it (between two staff entries with exact times), so it
  enters the chain only after its day, shuffled among that day's others
  (``services.audit_pending_flush``). Not append-only: the flush deletes what it chained.

Rows of the log are never changed: ``save()`` refuses updates, ``delete()`` and queryset
``update()``/``delete()`` refuse, and database triggers (migration 0002) refuse UPDATE, DELETE
and TRUNCATE for anyone who bypasses the ORM. Tampering by someone who drops the triggers is
what ``ombuds audit verify`` detects.

Entries never hold complaint content, IP addresses, user agents or codenames.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.audit.chain import EntryFields


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    TOTP_ENROLLED = "totp_enrolled", _("Second factor enrolled")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    KEY_CREATED = "key_created", _("Key created")
    KEY_GRANTED = "key_granted", _("Key granted")
    KEY_REVOKED = "key_revoked", _("Key revoked")
    KEY_RECOVERED = "key_recovered", _("Key recovered from escrow")
    ESCROW_KEY_ROTATED = "escrow_key_rotated", _("Escrow key replaced")
    ESCROW_KEY_CHECKED = "escrow_key_checked", _("Escrow key checked")
    INSTALL_INITIALISED = "install_initialised", _("Installation initialised")
    STAFF_CREATED = "staff_created", _("Staff account created")
    STAFF_CHANGED = "staff_changed", _("Staff account changed")
    STAFF_DEACTIVATED = "staff_deactivated", _("Staff account deactivated")
    COMPLAINT_SUBMITTED = "complaint_submitted", _("Complaint submitted")
    COMPLAINT_FILED_FOR_CALLER = "complaint_filed_for_caller", _("Complaint filed for a caller")
    COMPLAINT_LOOKED_UP = "complaint_looked_up", _("Complaint looked up for a caller")
    OFFICER_NOTE_ADDED = "officer_note_added", _("Officer's note added")
    COMPLAINT_READ = "complaint_read", _("Complaint read")
    COMPLAINT_REPLIED = "complaint_replied", _("Reply sent to complainant")
    COMPLAINT_STATUS_CHANGED = "complaint_status_changed", _("Complaint status changed")
    COMPLAINANT_FOLLOWED_UP = "complainant_followed_up", _("Complainant followed up")
    COMPLAINT_DELETED = "complaint_deleted", _("Complaint deleted")
    CASE_CREATED = "case_created", _("Case created")
    CASE_READ = "case_read", _("Case read")
    CASE_CHANGED = "case_changed", _("Case changed")
    CASE_DELETED = "case_deleted", _("Case deleted")
    CASE_RECORD_CHANGED = "case_record_changed", _("Case record corrected")
    CASE_RECORD_DELETED = "case_record_deleted", _("Case record deleted")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_READ = "evidence_read", _("Evidence read")
    CONFIG_CHANGED = "config_changed", _("Configuration changed")
    EXPORT = "export", _("Export")
    AUDIT_VIEWED = "audit_viewed", _("Audit log viewed")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("Audit checkpoint signed")
    AUDIT_SIGNING_KEY_ROTATED = "audit_signing_key_rotated", _("Audit signing key replaced")
    LIST_IMPORTED = "list_imported", _("Person list imported")
    LIST_FILED = "list_filed", _("Person list filed into a case")
    LINKAGE_RUN_STARTED = "linkage_run_started", _("Linkage run started")
    LINKAGE_DECISION = "linkage_decision", _("Linkage pair decided")
    LINKAGE_LABELS_USED = "linkage_labels_used", _("Reviewers' decisions used by a linkage run")
    LINKAGE_VIEWED = "linkage_viewed", _("Linked persons viewed")
    LINKAGE_RUNS_PURGED = "linkage_runs_purged", _("Old linkage runs deleted")
    BACKUP_CREATED = "backup_created", _("Backup written")
    BACKUP_RESTORED = "backup_restored", _("Backup restored")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a row of the audit log through the ORM."""


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit log is append-only: update() refused")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only: delete() refused")


class AppendOnlyManager(models.Manager[_M]):
    def get_queryset(self) -> AppendOnlyQuerySet[_M]:
        return AppendOnlyQuerySet(self.model, using=self._db)


class AppendOnlyModel(models.Model):
    """Rows may be inserted once, never updated or deleted."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"the audit log is append-only: {type(self).__name__} is saved")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only: delete() refused")


class AuditEntry(AppendOnlyModel):
    seq = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    # An AuditAction value. No ``choices`` here on purpose: every app adds actions, and each
    # addition would otherwise need a migration of this table; audit_record validates.
    action = models.CharField(max_length=40)
    # No database constraint and DO_NOTHING: deleting or renaming a staff account must never
    # touch the log. ``actor_username`` is the name at the time, and what the hash covers.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # covered by audit_entry_actor (actor, seq)
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "staff.Agency",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # every index is paid for on each append
        related_name="+",
    )
    subject = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Unique: two entries can never claim the same predecessor, so the chain cannot fork
    # even if serialisation were somehow bypassed.
    prev_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64)

    objects = AppendOnlyManager["AuditEntry"]()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["action", "seq"], name="audit_entry_action"),
            models.Index(fields=["actor", "seq"], name="audit_entry_actor"),
            models.Index(fields=["subject", "seq"], name="audit_entry_subject"),
            models.Index(fields=["created_at"], name="audit_entry_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"

    def get_action_display(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:  # an action from a newer or older version
            return self.action

    def detail_pairs(self) -> list[tuple[str, Any]]:
        """The details as (key, value) pairs, for templates.

        A template must never reach into ``details`` itself: ``details.items`` resolves a
        detail *named* ``items`` (evidence listings write one) before the dict method, and
        the page then fails for everyone.
        """
        return list(self.details.items()) if isinstance(self.details, dict) else []

    def fields(self) -> EntryFields:
        return EntryFields(
            seq=self.seq,
            created_at=self.created_at,
            action=self.action,
            actor_id=self.actor_id,
            actor_username=self.actor_username,
            agency_id=self.agency_id,
            subject=self.subject,
            details=self.details,
            prev_hash=self.prev_hash,
        )


class AuditChainHead(models.Model):
    """The single row (pk=1) that appends lock; mirrors the last entry's seq and hash."""

    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class PendingAuditEntry(models.Model):
    """A public-side entry (``audit_record(day_only=True)``) not yet in the chain.

    It holds the day only, no actor (the public side has none) and no chain fields; the id
    orders these rows among themselves, never against staff entries, and goes when the row is
    chained. Not yet tamper-evident: see docs/audit.md, "Public-side entries".
    """

    day = models.DateField()  # UTC
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day"], name="audit_pending_day")]

    def __str__(self) -> str:
        return f"pending {self.day} {self.action} {self.subject}"


class AuditCheckpoint(AppendOnlyModel):
    """An Ed25519 signature over the chain head at ``seq`` (see ``chain.checkpoint_message``)."""

    seq = models.BigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    signature = models.CharField(max_length=128)  # hex
    public_key = models.CharField(max_length=64)  # hex, the signer's Ed25519 verify key

    objects = AppendOnlyManager["AuditCheckpoint"]()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"
