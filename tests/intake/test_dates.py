"""The one date reader of every form: what people write, read to its precision, or refused
with a reason; never an exception, and what it understood reads back the same."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ombuds.intake.dates import PartialDate, Precision, Refusal, describe, read_date

TODAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.11.2016", PartialDate(2016, 11, 14)),
        ("14/11/2016", PartialDate(2016, 11, 14)),
        ("14-11-2016", PartialDate(2016, 11, 14)),
        ("2016-11-14", PartialDate(2016, 11, 14)),
        ("1.2.2016", PartialDate(2016, 2, 1)),
        ("14.11.16", PartialDate(2016, 11, 14)),
        ("03.05.45", PartialDate(1945, 5, 3)),
        ("11.2016", PartialDate(2016, 11)),
        ("2016-11", PartialDate(2016, 11)),
        ("ноябрь 2016", PartialDate(2016, 11)),
        ("Ноября 2016", PartialDate(2016, 11)),
        ("в ноябре 2016 года", PartialDate(2016, 11)),
        ("14 ноября 2016", PartialDate(2016, 11, 14)),
        ("14 ноября 2016 г.", PartialDate(2016, 11, 14)),
        ("14-го ноября 2016", PartialDate(2016, 11, 14)),
        ("1 мая 2016", PartialDate(2016, 5, 1)),
        ("November 2016", PartialDate(2016, 11)),
        ("14 November 2016", PartialDate(2016, 11, 14)),
        ("November 14, 2016", PartialDate(2016, 11, 14)),
        ("Nov 2016", PartialDate(2016, 11)),
        ("2016", PartialDate(2016)),
        ("2016г.", PartialDate(2016)),
        ("  2016 год ", PartialDate(2016)),
        ("около 2016", PartialDate(2016, estimate=True)),
        ("примерно в марте 2017", PartialDate(2017, 3, estimate=True)),
        ("about November 2016", PartialDate(2016, 11, estimate=True)),
        ("~2016-03", PartialDate(2016, 3, estimate=True)),
        ("2016?", PartialDate(2016, estimate=True)),
        ("12.2026", PartialDate(2026, 12)),
    ],
)
def test_the_forms_people_write_are_read_to_their_precision(
    text: str, expected: PartialDate
) -> None:
    assert read_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("31.02.2016", Refusal.IMPOSSIBLE),
        ("29.02.2015", Refusal.IMPOSSIBLE),
        ("13.2016", Refusal.IMPOSSIBLE),
        ("2016-13-01", Refusal.IMPOSSIBLE),
        ("0.11.2016", Refusal.IMPOSSIBLE),
        ("32 ноября 2016", Refusal.IMPOSSIBLE),
        ("1850", Refusal.IMPOSSIBLE),
        ("04.12.2026", Refusal.FUTURE),
        ("01.2027", Refusal.FUTURE),
        ("2030", Refusal.FUTURE),
        ("", Refusal.UNREADABLE),
        ("ноябрь", Refusal.UNREADABLE),
        ("вчера", Refusal.UNREADABLE),
        ("11/14", Refusal.UNREADABLE),
        ("14 ноября марта 2016", Refusal.UNREADABLE),
    ],
)
def test_impossible_future_and_unreadable_dates_are_refused_with_their_reason(
    text: str, refusal: Refusal
) -> None:
    assert read_date(text, today=TODAY) == refusal


def test_today_and_the_month_and_year_begun_are_not_in_the_future() -> None:
    for text in ("03.12.2026", "12.2026", "2026"):
        assert isinstance(read_date(text, today=TODAY), PartialDate)


@pytest.mark.parametrize(
    ("date", "ru", "en"),
    [
        (PartialDate(2016, 11, 14), "14 ноября 2016", "14 November 2016"),
        (PartialDate(2016, 11), "ноябрь 2016", "November 2016"),
        (PartialDate(2016), "2016", "2016"),
        (PartialDate(2016, 3, estimate=True), "около марта 2016", "about March 2016"),
        (PartialDate(2016, estimate=True), "около 2016 года", "about 2016"),
    ],
)
def test_a_date_is_described_in_words(date: PartialDate, ru: str, en: str) -> None:
    assert describe(date, "ru") == ru
    assert describe(date, "en") == en


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY))
    precision = draw(st.sampled_from(Precision))
    return PartialDate(
        year=day.year,
        month=None if precision == Precision.YEAR else day.month,
        day=day.day if precision == Precision.DAY else None,
        estimate=draw(st.booleans()),
    )


@given(partial_dates(), st.sampled_from(["ru", "en"]))
def test_a_date_reads_back_from_its_words_and_from_its_stored_form(
    date: PartialDate, language: str
) -> None:
    assert read_date(describe(date, language), today=TODAY) == date
    stored = read_date(date.iso, today=TODAY)
    assert stored == PartialDate(date.year, date.month, date.day)


@given(st.text(max_size=80))
def test_any_text_gives_a_date_or_a_reason_and_never_an_exception(text: str) -> None:
    result = read_date(text, today=TODAY)
    assert isinstance(result, PartialDate | Refusal)


@given(
    st.lists(
        st.sampled_from([*"0123456789./- ~?г", "ноября ", "около ", "May ", "года"]),
        max_size=20,
    ).map("".join)
)
def test_what_was_understood_from_any_text_reads_back_the_same(text: str) -> None:
    result = read_date(text, today=TODAY)
    if isinstance(result, PartialDate):
        assert result.first_day <= TODAY
        for language in ("ru", "en"):
            assert read_date(describe(result, language), today=TODAY) == result
        assert read_date(result.iso, today=TODAY) == PartialDate(
            result.year, result.month, result.day
        )
