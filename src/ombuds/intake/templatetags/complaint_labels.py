"""Show the stored codes of a complaint (``relative``, ``detention``...) as their labels."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from ombuds.intake import labels
from ombuds.intake.content import ComplaintContent

register = template.Library()


@register.filter
def label(value: str | Iterable[str], field: str) -> str:
    """``{{ c.acts|label:"acts" }}``: the label of a code, or of each code joined by commas."""
    return labels.label(value, field)


@register.filter
def when_words(content: ComplaintContent) -> str:
    """``{{ c|when_words }}``: when it happened, in words (see :func:`labels.when_words`)."""
    return labels.when_words(content)
