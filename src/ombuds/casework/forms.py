"""Staff forms for cases. Each record form validates into one record dataclass."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ombuds.intake.datefield import (
    DATE_MAX_LENGTH,
    UnderstoodDateInput,
    date_read,
    refusal_message,
)
from ombuds.intake.dates import Refusal
from ombuds.intake.forms import TextField
from ombuds.staff.models import Agency, StaffUser

from .models import CaseOutcome, CasePriority, CaseStatus
from .records import (
    ActRecord,
    ActType,
    DatePrecision,
    DetentionType,
    EventRecord,
    FuzzyDate,
    InformationRecord,
    InvolvementDegree,
    InvolvementRecord,
    PerpetratorType,
    PersonRecord,
    Record,
    Reliability,
    Sex,
    SourceType,
    VictimStatus,
    ViolationStatus,
)

if TYPE_CHECKING:  # django-stubs is a development dependency only
    from django_stubs_ext import StrOrPromise

Choices = tuple[tuple[str, str], ...]


class CaseOpenForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL
    )


class RecordForm(forms.Form):
    """Base of the record forms: which complaints the material comes from.

    The record goes in the compartment of the intersection of their consents; none ticked
    means staff material that every agency holding the case may read. All are ticked by
    default, so forgetting to choose never widens who can read.
    """

    #: The fields that name another record by public_id; their choices come from ``refs``.
    REFERENCES: tuple[str, ...] = ()

    sources = forms.MultipleChoiceField(
        label=_("Comes from complaints (only agencies all of them consented to can read it)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        sources: Choices = (),
        refs: dict[str, Choices] | None = None,
        editing: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        if editing:
            # A record keeps its compartment when edited: who may read it does not change.
            del self.fields["sources"]
        else:
            field = self.fields["sources"]
            assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
            field.choices = sources
            if not self.is_bound:
                self.initial.setdefault("sources", [value for value, _label in sources])
        self.refs = refs or {}
        self.setup()

    #: Record fields whose form fields are named otherwise (a date's field prefix).
    FIELD_NAMES: ClassVar[dict[str, str]] = {}

    @classmethod
    def initial_for(cls, record: Record) -> dict[str, Any]:
        """The form's initial data showing ``record`` (for editing it); the inverse of
        :meth:`to_record`: an unchanged edit form gives back the same record. A date fills
        its value and precision fields, a list of names one line each."""
        initial: dict[str, Any] = {}
        for field in dataclasses.fields(record):
            value = getattr(record, field.name)
            name = cls.FIELD_NAMES.get(field.name, field.name)
            if isinstance(value, FuzzyDate):
                initial.update(_date_initial(name, value))
            elif isinstance(value, tuple):
                initial[name] = "\n".join(value)
            else:
                initial[name] = value
        return initial

    def setup(self) -> None:
        """Fill reference choices (persons, events, acts) in subclasses."""

    def offer(self, refs: dict[str, Choices]) -> None:
        """Offer ``refs`` too, after those the form has (a refused form shown again keeps
        the choices it was checked against and gains those of the page it is shown on)."""
        merged = {kind: dict(choices) for kind, choices in self.refs.items()}
        for kind, choices in refs.items():
            for value, label in choices:
                merged.setdefault(kind, {}).setdefault(value, label)
        self.refs = {kind: tuple(choices.items()) for kind, choices in merged.items()}
        self.setup()

    def to_record(self) -> Record:
        """The validated record (subclasses)."""
        raise NotImplementedError

    def _ref_choices(self, name: str, kind: str, *, blank: str | None) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        options = list(self.refs.get(kind, ()))
        field.choices = ([("", blank)] if blank is not None else []) + options

    def fuzzy(self, data: dict[str, Any], prefix: str) -> FuzzyDate | None:
        """The date of the ``<prefix>_value`` and ``<prefix>_precision`` fields, read as
        people write it (:func:`~ombuds.intake.dates.read_date`, as on the public form).

        What is written decides day, month or year; Estimate (chosen, or "около" written)
        makes it approximate. Empty is an unknown date. Adds the field's error and returns
        None for a date refused (unreadable, impossible, in the future).
        """
        value = data.get(f"{prefix}_value", "") or ""
        precision = data.get(f"{prefix}_precision") or DatePrecision.UNKNOWN
        if not value:
            return FuzzyDate()
        date = date_read(value)
        if isinstance(date, Refusal):
            self.add_error(f"{prefix}_value", refusal_message(date))
            return None
        estimate = date.estimate or precision == DatePrecision.ESTIMATE
        return FuzzyDate(
            value=date.iso, precision=DatePrecision.ESTIMATE if estimate else date.precision.value
        )


def _date_initial(prefix: str, date: FuzzyDate) -> dict[str, str]:
    return {f"{prefix}_value": date.value, f"{prefix}_precision": date.precision}


def _date_fields(label: StrOrPromise) -> tuple[forms.Field, forms.Field]:
    return (
        TextField(
            label=label,
            max_length=DATE_MAX_LENGTH,
            required=False,
            widget=UnderstoodDateInput,
            help_text=_(
                "For example 14.11.2016, November 2016, 11.2016 or 2016; empty when unknown."
            ),
        ),
        forms.ChoiceField(
            label=_("Precision"),
            choices=DatePrecision.choices,
            initial=DatePrecision.UNKNOWN,
            help_text=_("What is written sets day, month or year; choose Estimate if unsure."),
        ),
    )


class PersonForm(RecordForm):
    FIELD_NAMES: ClassVar[dict[str, str]] = {"birth_date": "birth"}

    name = TextField(label=_("Name (any script)"), max_length=300, required=False)
    other_names = TextField(
        label=_("Other names and spellings, one per line"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_value, birth_precision = _date_fields(_("Birth date"))
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    origin = TextField(label=_("Place of origin"), max_length=300, required=False)
    notes = TextField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["birth"] = self.fuzzy(data, "birth")
        if not data.get("name") and not data.get("other_names"):
            self.add_error("name", _("Give a name, or a description such as 'unknown man, 30s'."))
        return data

    def to_record(self) -> PersonRecord:
        d = self.cleaned_data
        names = tuple(n.strip() for n in d["other_names"].splitlines() if n.strip())
        return PersonRecord(
            name=d["name"],
            other_names=names,
            sex=d["sex"],
            birth_date=d["birth"],
            age=d["age"],
            origin=d["origin"],
            notes=d["notes"],
        )


class EventForm(RecordForm):
    """An event alone: for editing one (an event is added with its first act)."""

    title = TextField(label=_("Event"), max_length=300)
    date_value, date_precision = _date_fields(_("Date of the event"))
    place = TextField(label=_("Place"), max_length=300, required=False)
    description = TextField(
        label=_("What happened"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["date"] = self.fuzzy(data, "date")
        return data

    def to_record(self) -> EventRecord:
        d = self.cleaned_data
        return EventRecord(
            title=d["title"], date=d["date"], place=d["place"], description=d["description"]
        )


class EventActForm(EventForm):
    """An event and its first act, added in one step."""

    act_type = forms.ChoiceField(label=_("Act"), choices=ActType.choices)
    detention_type = forms.ChoiceField(
        label=_("Type of detention"), choices=DetentionType.choices, required=False
    )
    victim = forms.ChoiceField(label=_("Victim"), required=False)
    start_value, start_precision = _date_fields(_("Act began"))
    end_value, end_precision = _date_fields(_("Act ended"))
    victim_status = forms.ChoiceField(
        label=_("Victim's status at the end"),
        choices=VictimStatus.choices,
        initial=VictimStatus.UNKNOWN,
    )

    REFERENCES = ("victim",)

    def setup(self) -> None:
        self._ref_choices("victim", "person", blank="—")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["start"] = self.fuzzy(data, "start")
        data["end"] = self.fuzzy(data, "end")
        if data.get("detention_type") and data.get("act_type") != ActType.DETENTION:
            self.add_error("detention_type", _("A detention type goes with a detention only."))
        return data

    def to_records(self) -> tuple[EventRecord, ActRecord]:
        d = self.cleaned_data
        event = EventForm.to_record(self)
        act = ActRecord(
            event="",
            act_type=d["act_type"],
            victim=d["victim"],
            detention_type=d["detention_type"],
            start=d["start"],
            end=d["end"],
            place=d["place"],
            victim_status=d["victim_status"],
        )
        return event, act


class ActForm(RecordForm):
    event = forms.ChoiceField(label=_("Event"))
    act_type = forms.ChoiceField(label=_("Act"), choices=ActType.choices)
    detention_type = forms.ChoiceField(
        label=_("Type of detention"), choices=DetentionType.choices, required=False
    )
    victim = forms.ChoiceField(label=_("Victim"), required=False)
    start_value, start_precision = _date_fields(_("Act began"))
    end_value, end_precision = _date_fields(_("Act ended"))
    place = TextField(label=_("Place"), max_length=300, required=False)
    victim_status = forms.ChoiceField(
        label=_("Victim's status at the end"),
        choices=VictimStatus.choices,
        initial=VictimStatus.UNKNOWN,
    )
    notes = TextField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    REFERENCES = ("event", "victim")

    def setup(self) -> None:
        self._ref_choices("event", "event", blank=None)
        self._ref_choices("victim", "person", blank="—")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["start"] = self.fuzzy(data, "start")
        data["end"] = self.fuzzy(data, "end")
        if data.get("detention_type") and data.get("act_type") != ActType.DETENTION:
            self.add_error("detention_type", _("A detention type goes with a detention only."))
        return data

    def to_record(self) -> ActRecord:
        d = self.cleaned_data
        return ActRecord(
            event=d["event"],
            act_type=d["act_type"],
            victim=d["victim"],
            detention_type=d["detention_type"],
            start=d["start"],
            end=d["end"],
            place=d["place"],
            victim_status=d["victim_status"],
            notes=d["notes"],
        )


class InvolvementForm(RecordForm):
    act = forms.ChoiceField(label=_("Act"))
    perpetrator_type = forms.ChoiceField(
        label=_("Type of perpetrator"), choices=PerpetratorType.choices
    )
    degree = forms.ChoiceField(label=_("Degree of involvement"), choices=InvolvementDegree.choices)
    perpetrator_person = forms.ChoiceField(label=_("Perpetrator (a person)"), required=False)
    perpetrator_unit = TextField(label=_("or a unit"), max_length=300, required=False)
    notes = TextField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    REFERENCES = ("act", "perpetrator_person")

    def setup(self) -> None:
        self._ref_choices("act", "act", blank=None)
        self._ref_choices("perpetrator_person", "person", blank="—")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("perpetrator_person") and not data.get("perpetrator_unit"):
            self.add_error("perpetrator_unit", _("Name a person or a unit (or 'unknown')."))
        return data

    def to_record(self) -> InvolvementRecord:
        d = self.cleaned_data
        return InvolvementRecord(
            act=d["act"],
            perpetrator_type=d["perpetrator_type"],
            degree=d["degree"],
            perpetrator_person=d["perpetrator_person"],
            perpetrator_unit=d["perpetrator_unit"],
            notes=d["notes"],
        )


class InformationForm(RecordForm):
    source_type = forms.ChoiceField(label=_("Source"), choices=SourceType.choices)
    source_ref = TextField(
        label=_("Reference (title, date, document number)"), max_length=500, required=False
    )
    reliability = forms.ChoiceField(
        label=_("Reliability"), choices=Reliability.choices, initial=Reliability.UNKNOWN
    )
    violation_status = forms.ChoiceField(
        label=_("Violation status"), choices=ViolationStatus.choices
    )
    about = forms.ChoiceField(label=_("About"), required=False)
    summary = TextField(
        label=_("What the source says"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    REFERENCES = ("about",)

    def setup(self) -> None:
        field = self.fields["about"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = [
            ("", _("The whole case")),
            *self.refs.get("event", ()),
            *self.refs.get("act", ()),
        ]

    def to_record(self) -> InformationRecord:
        d = self.cleaned_data
        return InformationRecord(
            source_type=d["source_type"],
            reliability=d["reliability"],
            violation_status=d["violation_status"],
            about=d["about"],
            source_ref=d["source_ref"],
            summary=d["summary"],
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == CaseStatus.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("A closed case needs an outcome."))
        return data


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Responsible agency"), queryset=Agency.objects.none())
    investigator = forms.ModelChoiceField(
        label=_("Investigator"), queryset=StaffUser.objects.none(), required=False
    )

    def __init__(self, *args: Any, holders: Any, workers: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        agency = self.fields["agency"]
        investigator = self.fields["investigator"]
        assert isinstance(agency, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        assert isinstance(investigator, forms.ModelChoiceField)  # noqa: S101
        agency.queryset = holders
        investigator.queryset = workers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, investigator = data.get("agency"), data.get("investigator")
        if agency is not None and investigator is not None and investigator.agency_id != agency.pk:
            raise ValidationError(_("The investigator must belong to the responsible agency."))
        return data


class ReferForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Refer to"), queryset=Agency.objects.none())

    def __init__(self, *args: Any, others: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = others


class RecordDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete this record from the case"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class AddComplaintForm(forms.Form):
    complaint = forms.UUIDField(label=_("Complaint id"))
