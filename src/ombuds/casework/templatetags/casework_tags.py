"""Template filters for case pages: vocabulary codes shown as their translated labels."""

from __future__ import annotations

from django import template
from django.db.models import TextChoices

from ombuds.casework import records

register = template.Library()

VOCABULARIES: dict[str, type[TextChoices]] = {
    "act": records.ActType,
    "detention": records.DetentionType,
    "victim_status": records.VictimStatus,
    "perpetrator": records.PerpetratorType,
    "degree": records.InvolvementDegree,
    "source": records.SourceType,
    "reliability": records.Reliability,
    "violation": records.ViolationStatus,
    "sex": records.Sex,
}


@register.filter
def vocab(value: str, name: str) -> str:
    """``{{ x.act_type|vocab:"act" }}``: the label of a code, or the code if unknown."""
    choices = VOCABULARIES.get(name)
    if choices is None or value not in choices.values:
        return value
    return str(choices(value).label)
