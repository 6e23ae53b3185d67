"""The labels of a complaint's stored codes (``relative``, ``detention``...), in the reader's
language: for pages, and for the case records that copy a complaint's answers."""

from __future__ import annotations

from collections.abc import Iterable

from . import forms

_CHOICES: dict[str, dict[str, object]] = {
    "filer_role": dict(forms.FILER_ROLES),
    "acts": dict(forms.ACTS),
    "when_kind": dict(forms.WHEN_KINDS),
    "perpetrators": dict(forms.PERPETRATORS),
    "held_now": dict(forms.HELD_NOW),
    "sex": dict(forms.SEXES),
}


def label(value: str | Iterable[str], field: str) -> str:
    """The label of a code, or of each code joined by commas; an unknown code as it is."""
    choices = _CHOICES.get(field, {})
    if isinstance(value, str):
        return str(choices.get(value, value))
    return ", ".join(str(choices.get(v, v)) for v in value)
