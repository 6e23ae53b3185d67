"""The audit log's day filter reads days as people write dates: a month or a year stands for
all its days (issue 9, item 12: every staff form with a date)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.intake.dates import PartialDate, describe

pytestmark = pytest.mark.django_db

URL = "/ru/staff/audit/"


def _month_words(day: datetime.date) -> str:
    return describe(PartialDate(day.year, day.month), "ru")


def test_the_audit_filter_takes_a_month_in_words_as_all_its_days(world: Any) -> None:
    officer = world.personas["intake_officer"].user
    audit_record(action=AuditAction.COMPLAINT_READ, actor=officer, subject="complaint:aaaa")
    today = timezone.now().date()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    auditor = world.client_for("auditor")

    this_month = auditor.get(URL, {"since": _month_words(today), "until": _month_words(today)})
    assert "complaint:aaaa" in this_month.content.decode()

    before = auditor.get(URL, {"until": _month_words(last_month)}).content.decode()
    assert "complaint:aaaa" not in before
    assert f"понято как: {_month_words(last_month)}" in before

    dotted = auditor.get(URL, {"since": today.strftime("%d.%m.%Y")}).content.decode()
    assert "complaint:aaaa" in dotted


def test_an_impossible_day_in_the_audit_filter_is_refused_with_the_reason(world: Any) -> None:
    page = world.client_for("auditor").get(URL, {"since": "31.02.2016"}).content.decode()
    assert "Такой даты нет." in page and 'value="31.02.2016"' in page
