"""The install's health, for ``GET /healthz`` and ``ombuds status``.

What it says: whether the database answers, how long ago the worker and the scheduler last
beat, the free space on the data disk, and how old the last signed audit checkpoint is.
Nothing about complaints, cases or people, not even how many there are: the endpoint may be
probed by monitoring that the inquiry does not control.

``status`` is ``"degraded"`` when any of these holds (each named in ``problems``):

* ``database_unreachable``: a ``SELECT 1`` fails;
* ``worker_heartbeat_missing`` / ``worker_heartbeat_stale``: the worker has never run its
  heartbeat task, or not for ``OMBUDS_HEARTBEAT_MAX_AGE_SECONDS`` (default 600): the worker or
  the scheduler is down (housekeeping, retention and the audit anchor with them);
* ``disk_low``: less than twice ``OMBUDS_MIN_FREE_BYTES`` is free (below that amount uploads
  are refused);
* ``audit_anchor_overdue``: an audit entry over a day old lies past the last signed
  checkpoint, so ``ombuds audit verify`` fails (docs/audit.md, "Anchoring").
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from ombuds.audit.selectors import audit_anchor_state

from .heartbeat import heartbeat_ages
from .models import Heartbeat

OK = "ok"
DEGRADED = "degraded"


def heartbeat_max_age() -> float:
    return float(getattr(settings, "OMBUDS_HEARTBEAT_MAX_AGE_SECONDS", 600))


def disk_low_bytes() -> int:
    return 2 * int(settings.OMBUDS_MIN_FREE_BYTES)


@dataclass
class Health:
    database: str = OK  # or "unreachable"
    worker_heartbeat_age_s: int | None = None
    scheduler_heartbeat_age_s: int | None = None
    free_disk_bytes: int | None = None
    last_checkpoint_age_s: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return DEGRADED if self.problems else OK

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "status": self.status}


def _seconds(value: float | None) -> int | None:
    return None if value is None else max(0, int(value))


def health_check(now: datetime.datetime | None = None) -> Health:
    """Look at the install now. Never raises for a database that is down: it says so."""
    now = now or timezone.now()
    health = Health()
    try:
        health.free_disk_bytes = shutil.disk_usage(settings.DATA_DIR).free
    except OSError:
        health.problems.append("disk_unreadable")
    else:
        if health.free_disk_bytes < disk_low_bytes():
            health.problems.append("disk_low")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        ages = heartbeat_ages(now)
        anchor = audit_anchor_state()
    except DatabaseError:
        health.database = "unreachable"
        health.problems.insert(0, "database_unreachable")
        return health
    health.worker_heartbeat_age_s = _seconds(ages[Heartbeat.WORKER])
    health.scheduler_heartbeat_age_s = _seconds(ages[Heartbeat.SCHEDULER])
    worker_age = ages[Heartbeat.WORKER]
    if worker_age is None:
        health.problems.append("worker_heartbeat_missing")
    elif worker_age > heartbeat_max_age():
        health.problems.append("worker_heartbeat_stale")
    if anchor.last_checkpoint_at is not None:
        health.last_checkpoint_age_s = _seconds((now - anchor.last_checkpoint_at).total_seconds())
    if anchor.overdue(now):
        health.problems.append("audit_anchor_overdue")
    return health
