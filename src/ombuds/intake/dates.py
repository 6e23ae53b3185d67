"""Reading a date as people write it: one pure function for every form with a date.

``read_date("14.11.2016", today=...)`` understands the forms people use in Russian and in
English (14.11.2016, 14/11/2016, 2016-11-14, 11.2016, "ноябрь 2016", "14 ноября 2016 г.",
"November 2016", "14 November 2016", 2016) to the precision they give (day, month or year),
and "около 2016" or "about 2016" as an estimate. It never raises: it returns either the
:class:`PartialDate` it understood or a :class:`Refusal` saying why not (unreadable, no such
date, in the future). :func:`describe` writes a date back in words ("14 ноября 2016"), and
:attr:`PartialDate.iso` as stored (2016-11-14, 2016-11, 2016); both read back to the same date
(the property tests in ``tests/intake/test_dates.py`` check it on any string).

No Django here: the forms (public and staff) add the messages and the "understood as" note.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

#: Dates before this year are refused as impossible: nothing ombuds records is older (a
#: birth date included), and a year like 0216 is a typo.
EARLIEST_YEAR = 1900
#: Longer input is not a date (the forms' fields allow less anyway).
MAX_LENGTH = 60


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Refusal(enum.StrEnum):
    """Why a text was not understood as a date."""

    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"  # 31.02.2016, month 13, before EARLIEST_YEAR
    FUTURE = "future"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or the year; ``estimate`` when it is approximate.

    Only valid dates are made by :func:`read_date`; the constructor itself checks nothing.
    """

    year: int
    month: int | None = None
    day: int | None = None
    estimate: bool = False

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def iso(self) -> str:
        """2016-11-14, 2016-11 or 2016 (the estimate flag is not part of it)."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> datetime.date:
        if self.day is not None:
            return self.first_day
        if self.month is None or self.month == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, self.month + 1, 1) - datetime.timedelta(days=1)


# Month names: (nominative, genitive, prepositional, abbreviations...) in Russian; full and
# short in English. Every form is accepted in every position: people write "ноябрь 2016",
# "ноября 2016" and "в ноябре 2016" alike.
_RU_MONTHS = (
    ("январь", "января", "январе", "янв"),
    ("февраль", "февраля", "феврале", "фев", "февр"),
    ("март", "марта", "марте", "мар"),
    ("апрель", "апреля", "апреле", "апр"),
    ("май", "мая", "мае"),
    ("июнь", "июня", "июне", "июн"),
    ("июль", "июля", "июле", "июл"),
    ("август", "августа", "августе", "авг"),
    ("сентябрь", "сентября", "сентябре", "сен", "сент"),
    ("октябрь", "октября", "октябре", "окт"),
    ("ноябрь", "ноября", "ноябре", "ноя", "нояб"),
    ("декабрь", "декабря", "декабре", "дек"),
)
_EN_MONTHS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_MONTH_WORDS: dict[str, int] = {
    word: number
    for table in (_RU_MONTHS, _EN_MONTHS)
    for number, words in enumerate(table, start=1)
    for word in words
}

#: Words that make a date an estimate, as a whole phrase at the start ("около", "примерно
#: в", "about", "c.") or a "?" / "~" anywhere.
_ESTIMATE_PREFIXES = (
    "приблизительно",
    "примерно",
    "около",
    "ориентировочно",
    "ок.",
    "ок",
    "approximately",
    "approx.",
    "approx",
    "about",
    "around",
    "circa",
    "ca.",
    "c.",
)
#: Words around a date that say nothing about it: "в ноябре 2016 года", "in 2016", "2016 г.".
_FILLER = frozenset(
    {"в", "во", "на", "in", "on", "of", "the", "года", "год", "году", "г.", "г", "гг.", "гг"}
)

_DMY = re.compile(r"^([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4}|[0-9]{2})$")
_YMD = re.compile(r"^([0-9]{4})[./-]([0-9]{1,2})[./-]([0-9]{1,2})$")
_MY = re.compile(r"^([0-9]{1,2})[./-]([0-9]{4})$")
_YM = re.compile(r"^([0-9]{4})[./-]([0-9]{1,2})$")
_YEAR = re.compile(r"^[0-9]{4}$")
_YEAR_WORD_SUFFIX = re.compile(r"(?<=[0-9])(?:гг|г|года|год|году)\.?(?= |$)")
_DAY = re.compile(r"^([0-9]{1,2})(?:-?(?:е|го|ое|st|nd|rd|th))?$")


def _strip_estimate(text: str) -> tuple[str, bool]:
    estimate = False
    if "?" in text or "~" in text:
        estimate = True
        text = text.replace("?", " ").replace("~", " ")
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for prefix in _ESTIMATE_PREFIXES:
            if text.startswith(prefix) and (
                prefix.endswith(".") or len(text) == len(prefix) or not text[len(prefix)].isalnum()
            ):
                text = text[len(prefix) :].strip()
                estimate = changed = True
                break
    return text, estimate


def _year(text: str, today: datetime.date) -> int:
    """A four-digit year, or a two-digit one read as the latest year not after today's."""
    year = int(text)
    if len(text) == 2:
        century = today.year - today.year % 100
        year += century if century + year <= today.year else century - 100
    return year


def _words_date(tokens: list[str], today: datetime.date) -> tuple[int, int | None, int | None]:
    """[day] month year, month [day] year (English) or year; raises ValueError if not."""
    months = [i for i, t in enumerate(tokens) if t.rstrip(".") in _MONTH_WORDS]
    if len(months) != 1 or not tokens or not _YEAR.match(tokens[-1]):
        raise ValueError("no month name and year")
    month = _MONTH_WORDS[tokens[months[0]].rstrip(".")]
    year = int(tokens[-1])
    rest = [t for i, t in enumerate(tokens[:-1]) if i != months[0]]
    if not rest:
        return year, month, None
    if len(rest) == 1 and (day := _DAY.match(rest[0])):
        return year, month, int(day.group(1))
    raise ValueError("words other than a day")


def _numbers(text: str, today: datetime.date) -> tuple[int, int | None, int | None]:
    """Raises ValueError when ``text`` is none of the numeric forms."""
    if m := _DMY.match(text):
        return _year(m.group(3), today), int(m.group(2)), int(m.group(1))
    if m := _YMD.match(text):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m := _MY.match(text):
        return int(m.group(2)), int(m.group(1)), None
    if m := _YM.match(text):
        return int(m.group(1)), int(m.group(2)), None
    if _YEAR.match(text):
        return int(text), None, None
    raise ValueError("not a numeric date")


def read_date(text: str, *, today: datetime.date) -> PartialDate | Refusal:
    """The date ``text`` gives, to its precision, or why it gives none. Never raises.

    A date whose first day is after ``today`` is :attr:`Refusal.FUTURE` (a month or year
    that has begun is not); one that does not exist (31.02.2016, 13.2016) or is before
    :data:`EARLIEST_YEAR` is :attr:`Refusal.IMPOSSIBLE`; anything else not understood is
    :attr:`Refusal.UNREADABLE`. Empty text is unreadable: a form decides what empty means.
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return Refusal.UNREADABLE
    lowered = " ".join(text.lower().replace(",", " ").split())
    lowered = _YEAR_WORD_SUFFIX.sub("", lowered)  # "2016г." is "2016 г."
    lowered, estimate = _strip_estimate(lowered)
    tokens = [t for t in lowered.split() if t not in _FILLER]
    if not tokens:
        return Refusal.UNREADABLE
    try:
        if len(tokens) == 1 and not tokens[0].rstrip(".").isalpha():
            year, month, day = _numbers(tokens[0].rstrip("."), today)
        else:
            year, month, day = _words_date(tokens, today)
    except ValueError:
        return Refusal.UNREADABLE
    if year < EARLIEST_YEAR or year > 9999:
        return Refusal.IMPOSSIBLE
    if month is not None and not 1 <= month <= 12:
        return Refusal.IMPOSSIBLE
    try:
        datetime.date(year, month or 1, 1 if day is None else day)
    except ValueError:
        return Refusal.IMPOSSIBLE
    date = PartialDate(year=year, month=month, day=day, estimate=estimate)
    if date.first_day > today:
        return Refusal.FUTURE
    return date


def describe(date: PartialDate, language: str) -> str:
    """The date in words, in ``language`` ("en", else Russian: a Chechen page shows Russian
    dates, as it does any string without a Chechen translation): "14 ноября 2016",
    "ноябрь 2016", "около марта 2016"; :func:`read_date` reads it back as ``date``."""
    if language != "en":
        # "около" takes the genitive: "около марта 2016", "около 2016 года".
        if date.month is None:
            words = f"{date.year} года" if date.estimate else str(date.year)
        else:
            forms = _RU_MONTHS[date.month - 1]
            month = forms[1] if date.day is not None or date.estimate else forms[0]
            words = (
                f"{month} {date.year}" if date.day is None else f"{date.day} {month} {date.year}"
            )
        return f"около {words}" if date.estimate else words
    if date.month is None:
        words = str(date.year)
    else:
        name = _EN_MONTHS[date.month - 1][0].capitalize()
        words = f"{name} {date.year}" if date.day is None else f"{date.day} {name} {date.year}"
    return f"about {words}" if date.estimate else words
