"""Dates on forms, public and staff: one reader (:mod:`.dates`), one set of messages, and a
text box that says what it understood ("понято как: 14 ноября 2016") whenever the form is
shown again, with an error elsewhere or for editing. No JavaScript: the note comes with the
page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from .dates import PartialDate, Refusal, describe, read_date

#: Long enough for "примерно 14 ноября 2016 года"; the reader refuses longer text anyway.
DATE_MAX_LENGTH = 40


def date_read(text: str) -> PartialDate | Refusal:
    """:func:`.dates.read_date` against today's date (the server's local day)."""
    return read_date(text, today=timezone.localdate())


def date_words(date: PartialDate) -> str:
    """The date in words in the language of the request."""
    return describe(date, translation.get_language() or "ru")


def date_understood(text: str | None) -> str:
    """ "understood as: 14 November 2016", or "" when ``text`` is empty or not a date."""
    if not text or not isinstance(text, str):
        return ""
    date = date_read(text)
    if not isinstance(date, PartialDate):
        return ""
    return gettext("understood as: %(date)s") % {"date": date_words(date)}


def refusal_message(refusal: Refusal) -> str:
    """Why a date was refused, in words the person who typed it can act on."""
    if refusal == Refusal.IMPOSSIBLE:
        return gettext("There is no such date. Please check the day, the month and the year.")
    if refusal == Refusal.FUTURE:
        return gettext("This date is in the future. Please check the year.")
    return gettext(
        "We could not read this date. Write it, for example, as 14.11.2016, 11.2016, "
        "November 2016 or 2016."
    )


class UnderstoodDateInput(forms.TextInput):
    """A text box for a date followed by what the reader understood of its value."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        note = date_understood(value)
        attrs = dict(attrs or {})
        note_id = f"{attrs.get('id') or 'id_' + name}_understood"
        if note:
            attrs["aria-describedby"] = note_id
        html = super().render(name, value, attrs, renderer)
        if not note:
            return html
        return format_html('{} <span class="understood" id="{}">{}</span>', html, note_id, note)


class DayField(forms.CharField):
    """A day for a filter, written as people write dates: a month or a year stands for its
    first day, or with ``end`` its last ("ноябрь 2016" up to 30 November 2016). Dates in the
    future are allowed (a filter may reach past today); impossible ones are refused."""

    widget = UnderstoodDateInput

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", DATE_MAX_LENGTH)
        super().__init__(**kwargs)
        self.end = end

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        if not text:
            return None
        date = read_date(text, today=datetime.date.max)
        if isinstance(date, Refusal):
            raise forms.ValidationError(refusal_message(date), code=date.value)
        return date.last_day if self.end else date.first_day
