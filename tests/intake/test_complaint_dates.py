"""The complaint form reads dates as people write them, says what it understood, and refuses
an impossible or future date next to the box, keeping what was typed (issue 9, item 12)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.intake.models import Complaint
from tests.conftest import fresh_form, submit_complaint

pytestmark = pytest.mark.django_db


def _what_you_wrote(codename: str, language: str = "ru") -> str:
    visitor = Client()
    assert visitor.post(f"/{language}/return/", {"codename": codename}).status_code == 302
    return visitor.get(f"/{language}/return/complaint/").content.decode()


@pytest.mark.parametrize(
    ("kind", "typed", "understood"),
    [
        ("day", "14.11.2016", "14 ноября 2016"),
        ("day", "14/11/2016", "14 ноября 2016"),
        ("day", "2016-11-14", "14 ноября 2016"),
        ("day", "14 ноября 2016", "14 ноября 2016"),
        ("day", "14 November 2016", "14 ноября 2016"),
        ("month", "11.2016", "ноябрь 2016"),
        ("month", "ноябрь 2016", "ноябрь 2016"),
        ("month", "ноября 2016", "ноябрь 2016"),
        ("month", "November 2016", "ноябрь 2016"),
        ("year", "2016", "2016"),
        ("year", "около 2016", "около 2016 года"),
    ],
)
def test_a_date_written_as_people_write_it_is_accepted_and_shown_as_understood(
    world, kind: str, typed: str, understood: str
) -> None:
    codename = submit_complaint(Client(), "ru", when_kind=kind, when_value=typed)
    page = _what_you_wrote(codename)
    assert f'<dd class="when">{understood}</dd>' in page


def test_the_date_as_written_decides_its_precision_whatever_was_ticked(world) -> None:
    submit_complaint(Client(), "ru", when_kind="day", when_value="ноябрь 2016")
    officer = world.client_for("intake_officer")
    complaint = Complaint.objects.get()
    page = officer.get(f"/ru/staff/complaints/{complaint.public_id}/").content.decode()
    assert "<dd>ноябрь 2016</dd>" in page


def test_the_form_shown_again_says_what_it_understood_of_the_date(world) -> None:
    client = Client()
    data = fresh_form(client, "ru", when_kind="day", when_value="14.11.2016", account="")
    page = client.post("/ru/complaint/", data).content.decode()
    assert 'value="14.11.2016"' in page
    assert "понято как: 14 ноября 2016" in page
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31.02.2016", "Такой даты нет. Проверьте день, месяц и год."),
        ("13.2016", "Такой даты нет. Проверьте день, месяц и год."),
        ("вчера вечером", "Не удалось прочитать дату."),
    ],
)
def test_an_impossible_or_unreadable_date_is_refused_keeping_what_was_typed(
    world, typed: str, message: str
) -> None:
    client = Client()
    page = client.post(
        "/ru/complaint/", fresh_form(client, "ru", when_kind="day", when_value=typed)
    ).content.decode()
    assert message in page
    assert f'value="{typed}"' in page
    assert "понято как" not in page
    assert not Complaint.objects.exists()


def test_a_date_in_the_future_is_refused(world) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    typed = tomorrow.strftime("%d.%m.%Y")
    client = Client()
    page = client.post(
        "/ru/complaint/", fresh_form(client, "ru", when_kind="day", when_value=typed)
    ).content.decode()
    assert "Эта дата ещё не наступила. Проверьте год." in page
    assert f'value="{typed}"' in page
    assert not Complaint.objects.exists()


def test_no_date_is_asked_for_what_is_still_going_on(world) -> None:
    codename = submit_complaint(Client(), "en", when_kind="ongoing", when_value="")
    assert '<dd class="when">It is still going on</dd>' in _what_you_wrote(codename, "en")


def test_what_was_typed_with_still_going_on_is_shown_after_it(world) -> None:
    codename = submit_complaint(Client(), "en", when_kind="ongoing", when_value="11.2016")
    assert '<dd class="when">It is still going on: November 2016</dd>' in _what_you_wrote(
        codename, "en"
    )
