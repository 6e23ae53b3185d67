from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.intake.forms import TextField
from ombuds.intake.models import ComplaintStatus


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
