"""Forms of the analysis pages: import a list, file it into a case, start a run, decide a pair."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ombuds.casework.models import Case
from ombuds.casework.records import Reliability, SourceType
from ombuds.linkage import DEFAULT_THRESHOLD

from .models import PersonList
from .services import LIST_SOURCE_TYPES

MAX_UPLOAD = 20 * 1024 * 1024


class ImportForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the list"),
        max_length=120,
        help_text=_(
            'Where the list comes from ("NGO list 2019"). Stored unencrypted: no names of people.'
        ),
    )
    file = forms.FileField(
        label=_("CSV file"), help_text=_("The person-list format, UTF-8 or CP1251.")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


if TYPE_CHECKING:  # django-stubs makes the field generic; Django's own class is not
    _CaseField = forms.ModelChoiceField[Case]
else:
    _CaseField = forms.ModelChoiceField


class CaseChoiceField(_CaseField):
    """A case by its public id, shown by its short id, status and day opened: never a name."""

    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.short_id} · {obj.get_status_display()} · {obj.opened_on:%Y-%m-%d}"


class FileForm(forms.Form):
    """File an imported list into a case: each record becomes Information from the list."""

    case = CaseChoiceField(
        label=_("Case"),
        queryset=Case.objects.none(),
        to_field_name="public_id",
        empty_label=None,
        help_text=_("Cases your agency holds."),
    )
    source_type = forms.ChoiceField(
        label=_("Kind of source"),
        choices=[(v, label) for v, label in SourceType.choices if v in LIST_SOURCE_TYPES],
        initial=SourceType.NGO_LIST,
    )
    reliability = forms.ChoiceField(
        label=_("Reliability of the list"),
        choices=Reliability.choices,
        initial=Reliability.UNKNOWN,
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = cases


class RunForm(forms.Form):
    lists = forms.ModelMultipleChoiceField(
        label=_("Lists to link"),
        queryset=PersonList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unique_lists = forms.ModelMultipleChoiceField(
        label=_("Lists that name each person at most once"),
        queryset=PersonList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_cases = forms.BooleanField(
        label=_("Also the persons recorded in our cases"), required=False
    )
    threshold = forms.FloatField(
        label=_("Threshold (match probability needed to join two records)"),
        min_value=0.01,
        max_value=1.0,
        initial=DEFAULT_THRESHOLD,
    )

    def __init__(self, *args: Any, lists: QuerySet[PersonList], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lists", "unique_lists"):
            field = self.fields[name]
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.queryset = lists

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("lists") and not data.get("include_cases"):
            raise forms.ValidationError(_("Choose at least one list, or the persons in cases."))
        return data


class DecisionForm(forms.Form):
    pair = forms.IntegerField(widget=forms.HiddenInput)
    same = forms.TypedChoiceField(
        choices=[("yes", _("Same person")), ("no", _("Different persons"))],
        coerce=lambda v: v == "yes",
    )
