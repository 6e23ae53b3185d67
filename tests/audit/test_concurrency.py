"""Concurrent appends from threads and processes keep one unbroken chain."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush, audit_record
from ombuds.audit.verification import audit_verify

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 6
APPENDS = 25


def _append(worker: int) -> None:
    for i in range(APPENDS):
        with transaction.atomic():  # as a caller's own transaction would
            audit_record(
                action=AuditAction.COMPLAINT_SUBMITTED,
                subject=f"complaint:{worker}-{i}",
                details={"worker": worker},
            )


def _assert_one_chain(total: int) -> None:
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    report = audit_verify(trusted_keys=None)
    assert report.ok, report.problems
    assert report.entries == total


def test_threads_appending_at_once_keep_one_chain() -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _append(worker)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _assert_one_chain(WORKERS * APPENDS)


def test_yesterdays_public_entries_are_chained_once_while_staff_and_public_write() -> None:
    today = timezone.now().astimezone(dt.UTC).date()
    waiting = 40
    PendingAuditEntry.objects.bulk_create(
        PendingAuditEntry(
            day=today - dt.timedelta(days=1),
            action=AuditAction.COMPLAINT_SUBMITTED,
            subject=f"complaint:yesterday-{i}",
        )
        for i in range(waiting)
    )
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(APPENDS):
                with transaction.atomic():
                    if worker % 2:  # the public side, today
                        audit_record(
                            action=AuditAction.COMPLAINANT_FOLLOWED_UP,
                            subject=f"complaint:{worker}-{i}",
                            day_only=True,
                        )
                    elif i % 5 == 0:
                        audit_pending_flush()
                    else:
                        audit_record(action=AuditAction.EXPORT, subject=f"x:{worker}-{i}")
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    chained = AuditEntry.objects.filter(subject__startswith="complaint:yesterday-")
    assert sorted(chained.values_list("subject", flat=True)) == sorted(
        f"complaint:yesterday-{i}" for i in range(waiting)
    )
    public_workers = WORKERS // 2
    assert PendingAuditEntry.objects.count() == public_workers * APPENDS  # today's wait
    staff = (WORKERS - public_workers) * (APPENDS - APPENDS // 5)
    _assert_one_chain(waiting + staff)


def _process_main(worker: int) -> None:  # pragma: no cover - runs in a child process
    code = 0
    try:
        _append(worker)
    except BaseException:
        code = 1
    finally:
        connections.close_all()
        os._exit(code)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_processes_appending_at_once_keep_one_chain() -> None:
    # Each process opens its own connection, as each gunicorn worker does.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_process_main, args=(w,)) for w in range(WORKERS)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * WORKERS
    _assert_one_chain(WORKERS * APPENDS)


def test_flush_erases_the_log_and_keeps_the_guards() -> None:
    audit_record(action=AuditAction.SIGN_IN)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    entry = audit_record(action=AuditAction.SIGN_IN)
    assert entry.seq == 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
