"""The labels of a complaint's stored codes (``relative``, ``detention``...), in the reader's
language: for pages, and for the case records that copy a complaint's answers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from . import choices
from .content import ComplaintContent, PersonRole
from .datefield import date_words
from .dates import PartialDate, read_date

_CHOICES: dict[str, dict[str, object]] = {
    "filer_role": dict(choices.FILER_ROLES),
    "acts": dict(choices.ACTS),
    "when_kind": dict(choices.WHEN_KINDS),
    "perpetrators": dict(choices.PERPETRATORS),
    "held_now": dict(choices.HELD_NOW),
    "sex": dict(choices.SEXES),
    "person_role": dict(PersonRole.choices),
}


def label(value: str | Iterable[str], field: str) -> str:
    """The label of a code, or of each code joined by commas; an unknown code as it is."""
    choices = _CHOICES.get(field, {})
    if isinstance(value, str):
        return str(choices.get(value, value))
    return ", ".join(str(choices.get(v, v)) for v in value)


def when_words(content: ComplaintContent) -> str:
    """When it happened, in words ("14 ноября 2016", "около 2016",
    "It is still going on: 2016"). A stored date is read back with no "today": it was checked
    against the day it was sent. With "still going on" or "I do not know" the text is not
    checked (it may say "весной"): shown after the answer, in words when it is a date."""
    date = read_date(content.when_value, today=datetime.date.max) if content.when_value else None
    words = content.when_value
    if isinstance(date, PartialDate):
        words = date_words(
            PartialDate(date.year, date.month, date.day, date.estimate or content.when_estimate)
        )
    if content.when_kind in ("day", "month", "year") and words:
        return words
    answer = label(content.when_kind, "when_kind")
    return f"{answer}: {words}" if words else answer
