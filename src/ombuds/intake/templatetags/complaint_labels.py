"""Show the stored codes of a complaint (``relative``, ``detention``...) as their labels."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from ombuds.intake import forms

register = template.Library()

_CHOICES: dict[str, dict[str, object]] = {
    "filer_role": dict(forms.FILER_ROLES),
    "acts": dict(forms.ACTS),
    "when_kind": dict(forms.WHEN_KINDS),
    "perpetrators": dict(forms.PERPETRATORS),
    "held_now": dict(forms.HELD_NOW),
    "sex": dict(forms.SEXES),
}


@register.filter
def label(value: str | Iterable[str], field: str) -> str:
    """``{{ c.acts|label:"acts" }}``: the label of a code, or of each code joined by commas."""
    choices = _CHOICES.get(field, {})
    if isinstance(value, str):
        return str(choices.get(value, value))
    return ", ".join(str(choices.get(v, v)) for v in value)
