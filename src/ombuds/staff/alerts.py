"""Alerts without content (issue 12): the on-duty members are mailed that an urgent complaint
arrived (someone is held now), or that anonymous intake refused something (the intake budget
or the free-disk guard), and where to sign in. Nothing else: no name, place, codename,
complaint id or reference, and no time but the mail's own Date header.

:func:`alert_raise` marks that something happened and enqueues the kind's task; the task
worker (``ombuds db_worker``) runs :func:`alert_send`. At most one mail of a kind goes out per
``OMBUDS_ALERT_MINUTES``: what happens meanwhile is told by the next mail, at the end of the
interval ("one or more"). The task takes no arguments (the task table is plaintext), and each
run deletes the finished rows of earlier alert tasks, so the task table keeps no history of
when alerts went.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import AlertKind, AlertState, Role, StaffUser

logger = logging.getLogger("ombuds.alerts")


def alerts_enabled() -> bool:
    """Alerts go out only where the deployment names an SMTP server."""
    return bool(settings.OMBUDS_SMTP_HOST)


def alert_recipients(kind: AlertKind) -> list[str]:
    """The addresses to tell: active on-duty members with an address. An urgent complaint
    goes to those of an agency that receives every complaint (the working group: who can
    read it); a refusal also to on-duty administrators (who see operations)."""
    who = Q(agency__receives_all=True)
    if kind == AlertKind.REFUSED:
        who |= Q(role=Role.ADMIN)
    rows = (
        StaffUser.objects.filter(who, is_active=True, on_duty=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(rows))


def _task(kind: AlertKind) -> Task[[], int]:
    # The tasks module imports this one; asked at call time to keep the import order simple.
    from . import tasks

    return tasks.alert_urgent_task if kind == AlertKind.URGENT else tasks.alert_refused_task


def _state(kind: AlertKind) -> AlertState:
    """The kind's row, locked for this transaction (made on first use)."""
    state = AlertState.objects.select_for_update().filter(kind=kind).first()
    if state is None:
        try:
            with transaction.atomic():
                AlertState.objects.create(kind=kind)
        except IntegrityError:  # another process made it first
            pass
        state = AlertState.objects.select_for_update().get(kind=kind)
    return state


def _next_allowed(state: AlertState) -> datetime.datetime | None:
    if state.sent_at is None:
        return None
    return state.sent_at + datetime.timedelta(minutes=settings.OMBUDS_ALERT_MINUTES)


def _enqueue(kind: AlertKind, run_after: datetime.datetime | None) -> None:
    """Enqueue the kind's task unless one is already waiting (it will tell of this too)."""
    task = _task(kind)
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return
    if run_after is not None and run_after > timezone.now():
        task.using(run_after=run_after).enqueue()
    else:
        task.enqueue()


def alert_raise(kind: AlertKind) -> bool:
    """Something the on-duty members must hear of happened: mark it and enqueue the mail.

    Call after the transaction that kept (or refused) the thing commits (``on_commit``).
    Returns False, and does nothing, when alerts are off or nobody is on duty to be told.
    """
    if not alerts_enabled():
        return False
    if AlertState.objects.filter(kind=kind, pending=True).exists():
        # A task is waiting (or running, or retrying) already: it will tell of this too. A
        # flood of refusals costs a read each, not a lock.
        return True
    if not alert_recipients(kind):
        return False
    with transaction.atomic():
        state = _state(kind)
        if not state.pending:
            state.pending = True
            state.save(update_fields=["pending"])
        _enqueue(kind, _next_allowed(state))
    return True


def _message(kind: AlertKind) -> tuple[str, str]:
    """Subject and body: fixed words and the sign-in address, in Russian and English."""
    url = settings.OMBUDS_STAFF_URL or "—"
    parts = []
    subjects = []
    for language in ("ru", "en"):
        with translation.override(language):
            if kind == AlertKind.URGENT:
                subjects.append(gettext("Urgent complaint received"))
                said = gettext(
                    "One or more urgent complaints have arrived: someone may be held now."
                )
            else:
                subjects.append(gettext("Intake refused a submission"))
                said = gettext(
                    "Anonymous intake refused one or more submissions (the intake budget or "
                    "the free-disk guard). The counts are shown on the administration pages."
                )
            parts.append(said + "\n" + gettext("Sign in: %(url)s") % {"url": url})
    return " / ".join(subjects), "\n\n".join(parts) + "\n"


def _clear_finished(kind: AlertKind) -> int:
    """Delete the finished rows of the kind's earlier tasks: no history of alert times."""
    deleted, _ = DBTaskResult.objects.filter(
        task_path=_task(kind).module_path,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
    ).delete()
    return deleted


def alert_send(kind: AlertKind) -> int:
    """Mail the on-duty members if something is pending and the interval has passed; return
    how many mails went. Run by the kind's task."""
    _clear_finished(kind)
    with transaction.atomic():
        state = _state(kind)
        if not state.pending:
            return 0  # an earlier mail told of it already
        allowed = _next_allowed(state)
        if allowed is not None and timezone.now() < allowed:
            # Raised twice at once by two processes: tell of it when the interval ends.
            transaction.on_commit(lambda: _enqueue(kind, allowed))
            return 0
        recipients = alert_recipients(kind)
        previous = state.sent_at
        state.pending = False
        state.sent_at = timezone.now()
        state.save(update_fields=["pending", "sent_at"])
    if not recipients:
        return 0
    subject, body = _message(kind)
    try:
        with get_connection() as connection:
            # One mail for each member: no one learns the others' addresses.
            mails = [
                EmailMessage(subject, body, to=[address], connection=connection)
                for address in recipients
            ]
            sent = connection.send_messages(mails) or 0
    except OSError:
        # The mail server is away: put the alert back, to be tried again at the interval.
        logger.warning("an alert could not be sent; it will be tried again")
        with transaction.atomic():
            AlertState.objects.filter(kind=kind).update(pending=True, sent_at=previous)
            retry = timezone.now() + datetime.timedelta(minutes=settings.OMBUDS_ALERT_MINUTES)
            transaction.on_commit(lambda: _enqueue(kind, retry))
        return 0
    return sent


def alerts_tidy() -> int:
    """Hourly (the scheduler's housekeeping): delete the finished rows of alert tasks and
    forget when the last alert went once its interval is over, so the server keeps the time
    of an alert for about an hour at most; requeue an alert whose task was lost. Returns how
    many rows were deleted or cleared."""
    done = sum(_clear_finished(kind) for kind in AlertKind)
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.OMBUDS_ALERT_MINUTES)
    done += AlertState.objects.filter(sent_at__lt=cutoff).update(sent_at=None)
    # An alert still to tell whose task was lost (a worker killed mid-run): queue it again.
    for state in AlertState.objects.filter(pending=True):
        kind = AlertKind(state.kind)
        running = DBTaskResult.objects.filter(
            task_path=_task(kind).module_path, status=TaskResultStatus.RUNNING
        ).exists()
        if not running and alerts_enabled():
            _enqueue(kind, _next_allowed(state))
    return done
