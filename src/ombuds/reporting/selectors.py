"""Public statistics, computed from workflow metadata only (no key is ever needed).

The page shows the figures of the current week (:func:`figures_of_the_week`): made once, at
the first visit of the week (or by ``ombuds publish``), from complaints received before its
Monday, and then frozen.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ombuds.intake.models import Complaint, ComplaintStatus

from .disclosure import SafeTable, safe_table
from .models import PublishedFigures


def complaints_by_month_and_status(
    *, months: int = 12, received_before: datetime.date | None = None
) -> SafeTable[datetime.date, str]:
    """Complaints received per month (the last ``months`` with any), by current status;
    with ``received_before``, only complaints received before that day."""
    complaints = Complaint.objects.all()
    if received_before is not None:
        complaints = complaints.filter(received_on__lt=received_before)
    rows = (
        complaints.annotate(month=TruncMonth("received_on"))
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


# --- the week's frozen figures --------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What the progress page publishes: as of ``week`` (a Monday), made on ``made_on``."""

    week: datetime.date
    made_on: datetime.date
    complaints: SafeTable[datetime.date, str]
    cases: SafeTable[str, str] | None


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def _table_to_json(table: SafeTable[Any, str], row_key: Any) -> dict[str, Any]:
    def key(row: Any) -> str:
        return str(row_key(row))

    return {
        "rows": [key(r) for r in table.rows],
        "columns": list(table.columns),
        "cells": [[table.cells[(r, c)] for c in table.columns] for r in table.rows],
        "row_totals": [table.row_totals[r] for r in table.rows],
        "column_totals": [table.column_totals[c] for c in table.columns],
        "total": table.total,
        "threshold": table.threshold,
    }


def _table_from_json(data: dict[str, Any], row_value: Any) -> SafeTable[Any, str]:
    rows = tuple(row_value(r) for r in data["rows"])
    columns = tuple(data["columns"])
    return SafeTable(
        rows=rows,
        columns=columns,
        cells={
            (r, c): n
            for r, line in zip(rows, data["cells"], strict=True)
            for c, n in zip(columns, line, strict=True)
        },
        row_totals=dict(zip(rows, data["row_totals"], strict=True)),
        column_totals=dict(zip(columns, data["column_totals"], strict=True)),
        total=data["total"],
        threshold=data["threshold"],
    )


def _figures_from_row(row: PublishedFigures) -> Figures:
    data = row.figures
    return Figures(
        week=row.week,
        made_on=row.made_on,
        complaints=_table_from_json(data["complaints"], datetime.date.fromisoformat),
        cases=None if data["cases"] is None else _table_from_json(data["cases"], str),
    )


def figures_make(*, week: datetime.date, today: datetime.date) -> PublishedFigures:
    """Compute and store the figures of ``week`` (complaints received before that Monday;
    statuses as they are now). If they exist already, they are returned unchanged."""
    existing = PublishedFigures.objects.filter(week=week).first()
    if existing is not None:
        return existing
    complaints = complaints_by_month_and_status(received_before=week)
    cases = cases_by_status()
    figures = {
        "complaints": _table_to_json(complaints, datetime.date.isoformat),
        "cases": None if cases is None else _table_to_json(cases, str),
    }
    try:
        with transaction.atomic():
            return PublishedFigures.objects.create(week=week, made_on=today, figures=figures)
    except IntegrityError:  # another request made them first: publish theirs
        return PublishedFigures.objects.get(week=week)


def figures_of_the_week(*, today: datetime.date | None = None) -> Figures:
    """This week's figures, made at the first call of the week and frozen from then on."""
    today = today or timezone.localdate()
    return _figures_from_row(figures_make(week=week_of(today), today=today))
