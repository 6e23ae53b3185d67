"""Housekeeping runs by itself: the scheduler enqueues retention, the audit flush and the week's
public figures, the django-tasks worker runs them, and nothing piles up while the worker is
away."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ombuds.audit.models import AuditAction, AuditEntry, PendingAuditEntry
from ombuds.intake.models import Complaint
from ombuds.reporting.models import PublishedFigures
from ombuds.reporting.selectors import week_of
from ombuds.staff.housekeeping import HOUSEKEEPING_TASKS, housekeeping_enqueue
from tests.conftest import submit_complaint


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_and_the_worker_applies_retention_and_publishes(
    tx_world, capsys
) -> None:
    submit_complaint(Client())
    Complaint.objects.update(received_on=timezone.localdate() - datetime.timedelta(days=4000))
    # The submission's audit entry waits outside the chain until its day is over.
    PendingAuditEntry.objects.update(day=timezone.now().date() - datetime.timedelta(days=1))

    call_command("scheduler", "--once")
    assert "enqueued:" in capsys.readouterr().out
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(queued.values_list("task_path", flat=True)) == sorted(
        t.module_path for t in HOUSEKEEPING_TASKS
    )
    # The worker is away: another round adds nothing.
    assert housekeeping_enqueue() == []
    assert DBTaskResult.objects.count() == len(HOUSEKEEPING_TASKS)
    # Nothing a complainant sent is in the task table: the tasks take no arguments.
    for row in DBTaskResult.objects.all():
        assert row.args_kwargs == {"args": [], "kwargs": {}}

    call_command("db_worker", "--batch", "--no-startup-delay")
    done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == len(HOUSEKEEPING_TASKS), [
        (r.task_path, r.status, r.exception_class_path) for r in DBTaskResult.objects.all()
    ]
    assert not Complaint.objects.exists(), "the expired complaint was shredded"
    assert PublishedFigures.objects.filter(week=week_of(timezone.localdate())).exists()
    assert not PendingAuditEntry.objects.exists(), "yesterday's entries are chained"
    assert AuditEntry.objects.filter(action=AuditAction.COMPLAINT_SUBMITTED).exists()
    retention = done.get(task_path__endswith="retention_task")
    assert retention.return_value["complaints_deleted"] == 1

    # Once done, the next round enqueues them again.
    assert len(housekeeping_enqueue()) == len(HOUSEKEEPING_TASKS)
