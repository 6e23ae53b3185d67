"""The intake budget (issue 13): how much anonymous intake takes in per clock hour, for
everyone at once, so that a flood cannot fill the disk or the inbox.

Every submission a complainant makes (a new complaint, a follow-up, a file) counts one, and a
file counts its bytes, against ``OMBUDS_INTAKE_COMPLAINTS_PER_HOUR`` and
``OMBUDS_INTAKE_BYTES_PER_HOUR``. Past either, the submission is refused with a plain "try
again later" page (HTTP 503 with ``Retry-After``) that says nothing about load, and nothing of
it is kept. Reading a complaint by its codename is never counted nor refused.

The count is one row per hour (:class:`~ombuds.intake.models.IntakeHour`), changed with one
atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` that adds only while the sum stays within
the budget (SQLite and PostgreSQL alike), so gunicorn workers never overshoot it together.
Refusals are counted per day (:class:`~ombuds.intake.models.IntakeRefusalDay`), with the
free-disk guard's (``evidence.services``), for the administrators' page, and the on-duty
members are alerted (``staff/alerts.py``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ombuds.staff.alerts import alert_raise
from ombuds.staff.models import AlertKind

from .models import IntakeHour, IntakeRefusalDay

#: Days of refusal counts kept: the administrators' page shows the last seven.
REFUSALS_KEPT_DAYS = 8


def _hour() -> int:
    return int(timezone.now().timestamp() // 3600)


def retry_after_seconds() -> int:
    """Seconds until the next clock hour, when the budget starts afresh."""
    return 3600 - int(timezone.now().timestamp()) % 3600


def budget_exhausted() -> bool:
    """Is this hour's budget already spent? A read, for refusing early before costly work."""
    row = IntakeHour.objects.filter(hour=_hour()).values_list("items", "bytes").first()
    if row is None:
        return False
    items, nbytes = row
    return bool(
        items >= settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR
        or nbytes >= settings.OMBUDS_INTAKE_BYTES_PER_HOUR
    )


def budget_take(*, nbytes: int = 0) -> bool:
    """Count one submission of ``nbytes`` bytes of files if it fits this hour's budget.

    True: counted, go on. False: over budget, nothing counted; the caller answers with
    :func:`budget_refused`, keeping nothing.
    """
    item_limit = settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR
    byte_limit = settings.OMBUDS_INTAKE_BYTES_PER_HOUR
    taken = None
    if nbytes <= byte_limit and item_limit >= 1:
        connection = connections[router.db_for_write(IntakeHour)]
        table = connection.ops.quote_name(IntakeHour._meta.db_table)
        hour = _hour()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (hour, items, bytes) VALUES (%s, 1, %s) "  # noqa: S608 - names from the model
                f"ON CONFLICT (hour) DO UPDATE SET items = {table}.items + 1, "
                f"bytes = {table}.bytes + excluded.bytes "
                f"WHERE {table}.items + 1 <= %s AND {table}.bytes + excluded.bytes <= %s "
                "RETURNING items",
                [hour, nbytes, item_limit, byte_limit],
            )
            taken = cursor.fetchone()
        if taken is not None and taken[0] == 1:
            # The hour's first submission: the past hours' rows are no longer needed.
            IntakeHour.objects.filter(hour__lt=hour).delete()
    return taken is not None


def refusal_record(*, disk: bool) -> None:
    """Count one refusal, by the budget or (``disk``) by the free-disk guard, in today's row,
    and alert the on-duty members once the count is saved."""
    today = timezone.localdate()
    field = "disk" if disk else "budget"
    with transaction.atomic():
        updated = IntakeRefusalDay.objects.filter(day=today).update(**{field: F(field) + 1})
        if not updated:
            _, created = IntakeRefusalDay.objects.get_or_create(day=today, defaults={field: 1})
            if not created:
                IntakeRefusalDay.objects.filter(day=today).update(**{field: F(field) + 1})
        transaction.on_commit(lambda: alert_raise(AlertKind.REFUSED), robust=True)


def refusals_this_week() -> tuple[int, int]:
    """Refusals by the budget and by the free-disk guard over the last seven days."""
    since = timezone.localdate() - datetime.timedelta(days=6)
    totals = IntakeRefusalDay.objects.filter(day__gte=since).aggregate(
        budget=Sum("budget"), disk=Sum("disk")
    )
    return totals["budget"] or 0, totals["disk"] or 0


def budget_clear_past() -> int:
    """Delete the counts of past hours and refusal days older than the week shown; return
    how many rows went (hourly, by the scheduler's housekeeping)."""
    hours, _ = IntakeHour.objects.filter(hour__lt=_hour()).delete()
    cutoff = timezone.localdate() - datetime.timedelta(days=REFUSALS_KEPT_DAYS)
    days, _ = IntakeRefusalDay.objects.filter(day__lt=cutoff).delete()
    return hours + days


def budget_refused(request: HttpRequest) -> HttpResponse:
    """Count the refusal and answer with the plain "try again later" page (503): it keeps
    nothing of the submission and says nothing about load."""
    refusal_record(disk=False)
    response = render(request, "intake/try_later.html", status=503)
    response["Retry-After"] = str(retry_after_seconds())
    return response
