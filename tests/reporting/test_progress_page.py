"""The public progress page shows counts from metadata, hides small ones, and publishes once a
week so that day-to-day differences point at no one."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from ombuds.intake.models import Complaint, ComplaintStatus
from ombuds.reporting import selectors
from ombuds.reporting.models import PublishedFigures
from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db

# A Wednesday; its week's figures count complaints received before Monday 2026-11-23.
WEDNESDAY = datetime.date(2026, 11, 25)
LAST_WEEK = datetime.date(2026, 11, 18)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[datetime.date]:
    """The day the page thinks it is: set ``today[0]``."""
    day = [WEDNESDAY]
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: day[0])
    return day


def _submit(n: int, received_on: datetime.date) -> None:
    for _ in range(n):
        submit_complaint(Client())
    # The form stamps today's date; move the new ones to the day wanted.
    newest = Complaint.objects.order_by("-pk").values_list("pk", flat=True)[:n]
    Complaint.objects.filter(pk__in=list(newest)).update(received_on=received_on)


def test_progress_page_hides_a_count_that_could_point_at_someone(world, settings, today) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 3
    _submit(3, LAST_WEEK)
    page = Client().get("/en/progress/").content.decode()
    assert "<td>3</td>" in page, "three complaints of last week are published"
    assert "2026-11-23" in page, "the page says what day the figures are as of"

    _submit(1, LAST_WEEK)
    first = Complaint.objects.order_by("pk").first()
    assert first is not None
    Complaint.objects.filter(pk=first.pk).update(status=ComplaintStatus.CLOSED)
    today[0] = WEDNESDAY + datetime.timedelta(days=7)
    page = Client().get("/en/progress/").content.decode()
    assert "<td>1</td>" not in page, "a single closed complaint is hidden"
    assert "—" in page
    assert "<script" not in page


def test_figures_do_not_change_within_a_week(world, settings, today) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 1
    _submit(2, LAST_WEEK)
    before = Client().get("/en/progress/").content.decode()
    assert "<td>2</td>" in before

    # The next day: one more complaint of last week turns up and one is closed. A visitor who
    # compared the two days would learn of exactly these two events; the page stays the same.
    today[0] = WEDNESDAY + datetime.timedelta(days=1)
    _submit(1, LAST_WEEK)
    first = Complaint.objects.order_by("pk").first()
    assert first is not None
    Complaint.objects.filter(pk=first.pk).update(status=ComplaintStatus.CLOSED)
    after = Client().get("/en/progress/").content.decode()
    assert after == before
    assert PublishedFigures.objects.count() == 1

    # The next week, the figures are made again and show both.
    today[0] = WEDNESDAY + datetime.timedelta(days=6)  # Tuesday of the next week
    later = Client().get("/en/progress/").content.decode()
    assert later != before
    assert "<td>3</td>" in later, "three complaints of that week in all"
    assert PublishedFigures.objects.count() == 2


def test_complaints_of_the_current_week_wait_for_the_next(world, settings, today) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 1
    _submit(1, WEDNESDAY)  # received this week
    page = Client().get("/en/progress/").content.decode()
    assert "No complaint received before this day is counted yet" in page
    today[0] = WEDNESDAY + datetime.timedelta(days=7)
    page = Client().get("/en/progress/").content.decode()
    assert "No complaint received before this day is counted yet" not in page
    assert "2026-11" in page


def test_the_page_says_which_counts_are_hidden_in_plain_numbers(world, settings) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 5
    assert "every count from 1 to 4 is hidden" in Client().get("/en/progress/").content.decode()
    ru = Client().get("/ru/progress/").content.decode()
    assert "скрыто каждое число от 1 до 4 " in ru and "минус" not in ru


def test_publish_command_makes_the_weeks_figures_once(world, today, capsys) -> None:
    _submit(1, LAST_WEEK)
    call_command("publish")
    call_command("publish")
    out = capsys.readouterr().out
    assert out.count("figures as of 2026-11-23") == 2
    assert PublishedFigures.objects.count() == 1
    made = PublishedFigures.objects.get()
    assert made.made_on == WEDNESDAY


def test_stored_figures_read_back_as_they_were_made(world, settings, today) -> None:
    settings.OMBUDS_PUBLISH_MIN_CELL = 5
    _submit(6, LAST_WEEK)
    Complaint.objects.filter(pk=Complaint.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        status=ComplaintStatus.CLOSED
    )
    week = selectors.week_of(WEDNESDAY)
    made = selectors.complaints_by_month_and_status(received_before=week)
    figures = selectors.figures_of_the_week()
    assert figures.week == week
    assert figures.complaints == made
    assert figures.cases == selectors.cases_by_status()


@pytest.mark.django_db(transaction=True)
def test_two_first_visits_at_once_publish_one_set_of_figures(tx_world, today) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def visit() -> None:
        try:
            barrier.wait()
            selectors.figures_of_the_week()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=visit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert PublishedFigures.objects.count() == 1


def test_persons_named_count_nowhere_on_the_progress_page_perpetrators_included(
    world, settings, today
) -> None:
    """The page counts complaints and cases, never persons: three complaints naming a victim
    and two perpetrators each publish 3, and no figure of persons (issue 9, item 15)."""
    settings.OMBUDS_PUBLISH_MIN_CELL = 3
    for _ in range(3):
        submit_complaint(
            Client(),
            **{
                "person-1-name": "Captain Petrov",
                "person-1-role": "perpetrator",
                "person-2-name": "Sergeant Ivanov",
                "person-2-role": "perpetrator",
            },
        )
    Complaint.objects.update(received_on=LAST_WEEK)
    page = Client().get("/en/progress/").content.decode()
    assert "<td>3</td>" in page
    for figure in ("<td>9</td>", "<td>6</td>"):  # persons named, perpetrators named
        assert figure not in page
