from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.intake.forms import TextField
from ombuds.intake.models import ComplaintStatus

_HEX = re.compile(r"^[0-9a-f]+$")


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=1024, widget=forms.PasswordInput)
    #: Shown after a refusal: the password and the code checked together, in one step.
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReplyForm(forms.Form):
    text = TextField(
        label=_("Reply to the complainant"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ComplaintStatus.choices)


class InboxSearchForm(forms.Form):
    """Find complaints by reference and status: their content is encrypted, so not by words."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        required=False,
        help_text=_("The first digits and letters of the reference, as in the list."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ComplaintStatus.choices],
        required=False,
    )

    def clean_reference(self) -> str:
        value: str = self.cleaned_data["reference"].strip().lower().replace("-", "")
        if value and ((len(value) > 8 and len(value) != 32) or not _HEX.match(value)):
            raise forms.ValidationError(
                _("A reference is the 8 digits and letters a to f shown in the list.")
            )
        return value
