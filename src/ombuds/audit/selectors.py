"""Reads of the audit log for the auditor's pages, ``ombuds status`` and ``/healthz``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet

from ombuds.audit.digest import CheckpointDigest
from ombuds.audit.models import AuditAction, AuditCheckpoint, AuditEntry, PendingAuditEntry
from ombuds.audit.verification import UNANCHORED_LIMIT


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def audit_entries_filter(
    *,
    action: AuditAction | str = "",
    actor_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    subject: str = "",
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by any of: action, actor, UTC day range, subject.

    ``since`` and ``until`` are inclusive days; ``subject`` matches as a prefix, so
    ``"complaint:"`` lists every complaint entry and a full ``"complaint:<uuid>"`` one case.
    Callers check that the user may read the log (``ombuds.access.access_audit``).
    """
    entries = AuditEntry.objects.order_by("-seq").select_related("agency")
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(created_at__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(created_at__lt=_day_start(until + dt.timedelta(days=1)))
    if subject:
        entries = entries.filter(subject__startswith=subject)
    return entries


def audit_last_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-seq").first()


def audit_checkpoint_digest(checkpoint: AuditCheckpoint) -> CheckpointDigest:
    """The short digest of a checkpoint, to keep off the server (``ombuds.audit.digest``)."""
    return CheckpointDigest.of(
        seq=checkpoint.seq,
        head_hash=checkpoint.head_hash,
        created_at=checkpoint.created_at,
        public_key=checkpoint.public_key,
        signature=checkpoint.signature,
    )


@dataclass(frozen=True, slots=True)
class AnchorState:
    """How well the newest signed checkpoint covers the log (no entry's content)."""

    last_checkpoint_at: dt.datetime | None
    #: The oldest time among entries past the newest checkpoint (None: it covers them all).
    unanchored_since: dt.datetime | None

    def overdue(self, now: dt.datetime) -> bool:
        """Whether ``ombuds audit verify`` now fails for entries not anchored."""
        return self.unanchored_since is not None and now - self.unanchored_since > UNANCHORED_LIMIT


def audit_anchor_state() -> AnchorState:
    """Two small queries: the newest checkpoint, and the entries past it (few: a checkpoint is
    signed every ``OMBUDS_AUDIT_CHECKPOINT_EVERY`` entries and twice a day)."""
    last = AuditCheckpoint.objects.order_by("-seq").only("seq", "created_at").first()
    since = AuditEntry.objects.filter(seq__gt=last.seq if last else 0).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return AnchorState(last.created_at if last else None, since)


def audit_pending_by_day() -> list[tuple[dt.date, int]]:
    """How many public-side entries wait to be chained, per (UTC) day, oldest first.

    Counts only: the pending rows' own order is their order of arrival, which the chain
    will not keep, so the page does not show it.
    """
    rows = (
        PendingAuditEntry.objects.values("day")
        .annotate(n=Count("id"))
        .order_by("day")
        .values_list("day", "n")
    )
    return [(day, n) for day, n in rows]
