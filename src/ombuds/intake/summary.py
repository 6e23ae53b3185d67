"""What a complainant wrote, as labelled rows for their return page ("What you wrote").

The labels are the complaint form's own questions and the answers its choices' words, so the
page reads back what the complainant saw when writing, in the page's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from ombuds.evidence.selectors import EvidenceView
from ombuds.staff.models import Agency

from .choices import ACTS, FILER_ROLES, HELD_NOW, PERPETRATORS, SEXES
from .content import ComplaintContent, PersonConcerned
from .forms import ComplaintForm
from .labels import label, when_words


@dataclass(frozen=True)
class SummaryRow:
    label: str
    text: str
    #: What the row answers, for the page's markup (``class="when"``).
    key: str = ""


def _words(choices: Iterable[tuple[str, object]], values: Sequence[str]) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values)


def _person(person: PersonConcerned) -> str:
    parts = [
        person.name,
        person.age,
        _words(SEXES, [person.sex]) if person.sex else "",
        label(person.role, "person_role") if person.role else "",
    ]
    return ", ".join(p for p in parts if p)


def complaint_summary(
    *,
    content: ComplaintContent,
    agencies: Sequence[Agency],
    files: Sequence[EvidenceView],
) -> list[SummaryRow]:
    """Every answer of the complaint form, who may read the complaint now (the agencies
    holding its key, not the boxes once ticked: retention may have removed one) and the files
    the complainant sent, each as one labelled row. An empty answer reads "—"."""
    fields = ComplaintForm.base_fields
    acts = _words(ACTS, content.acts)
    if content.other_act:
        acts = f"{acts}: {content.other_act}"
    when = when_words(content)
    perpetrators = _words(PERPETRATORS, content.perpetrators)
    if content.perpetrator_details:
        perpetrators = f"{perpetrators}\n{content.perpetrator_details}"
    rows = [
        (fields["filer_role"].label, _words(FILER_ROLES, [content.filer_role])),
        (fields["acts"].label, acts),
        (fields["when_kind"].label, when),
        (fields["place"].label, content.place),
        (gettext("About whom?"), "\n".join(_person(p) for p in content.persons)),
        (fields["perpetrators"].label, perpetrators),
        (fields["held_now"].label, _words(HELD_NOW, [content.held_now])),
        (fields["account"].label, content.account),
        (fields["contact"].label, content.contact),
        (gettext("Who may see your complaint?"), ", ".join(a.display_name for a in agencies)),
        (
            gettext("Files you sent"),
            "\n".join(f"{f.facts.name} ({f.received_on:%Y-%m-%d})" for f in files),
        ),
    ]
    keys = {str(fields["when_kind"].label): "when"}
    return [
        SummaryRow(label=str(label), text=text or "—", key=keys.get(str(label), ""))
        for label, text in rows
    ]
