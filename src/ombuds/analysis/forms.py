"""Forms of the analysis pages: import a list, start a run, decide a pair."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ombuds.linkage import DEFAULT_THRESHOLD

from .models import PersonList

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
