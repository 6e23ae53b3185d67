"""Public statistics, computed from workflow metadata only (no key is ever needed)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth

from ombuds.intake.models import Complaint, ComplaintStatus

from .disclosure import SafeTable, safe_table


def complaints_by_month_and_status(*, months: int = 12) -> SafeTable[datetime.date, str]:
    """Complaints received per month (the last ``months`` with any), by current status."""
    rows = (
        Complaint.objects.annotate(month=TruncMonth("received_on"))
        .values("month", "status")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[datetime.date, str], int] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        counts[(month, row["status"])] = row["n"]
    month_keys = tuple(sorted({m for m, _s in counts}, reverse=True)[:months])
    counts = {k: v for k, v in counts.items() if k[0] in month_keys}
    return safe_table(
        counts,
        rows=month_keys,
        columns=tuple(s.value for s in ComplaintStatus),
        threshold=settings.OMBUDS_PUBLISH_MIN_CELL,
    )


def cases_by_status() -> SafeTable[str, str] | None:
    """Cases by workflow status, or None where casework is not installed."""
    from django.apps import apps

    if not apps.is_installed("ombuds.casework"):
        return None
    from ombuds.casework.models import Case, CaseStatus

    counts = {
        ("cases", row["status"]): row["n"]
        for row in Case.objects.values("status").annotate(n=Count("pk"))
    }
    return safe_table(
        counts,
        rows=("cases",),
        columns=tuple(s.value for s in CaseStatus),
        threshold=settings.OMBUDS_PUBLISH_MIN_CELL,
    )
