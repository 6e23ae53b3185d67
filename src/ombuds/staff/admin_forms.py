"""Forms of the account page and the administrator's pages (staff/admin_views.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Agency, AgencyKind, Role, StaffUser


class NewPasswordForm(forms.Form):
    """A new password, typed twice, checked by Django's validators against ``username``."""

    new_password = forms.CharField(
        label=_("New password"),
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, username: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_name = username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("new_password")
        if password and password != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        elif password:
            name = data.get("username") or self.account_name
            try:
                validate_password(password, user=StaffUser(username=name))
            except ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "new_password_again"]


class AgencyForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = [
            "name_ru",
            "name_en",
            "retention_days",
            "offered_for_consent",
            "consent_note_ru",
            "consent_note_en",
        ]
        labels = {
            "name_ru": _("Name in Russian"),
            "name_en": _("Name in English"),
            "retention_days": _("Retention period (days)"),
            "offered_for_consent": _(
                "Complaints may be shared with it (a box on the public complaint form)"
            ),
            "consent_note_ru": _("What a complainant should know before ticking it (Russian)"),
            "consent_note_en": _("What a complainant should know before ticking it (English)"),
        }
        widgets = {
            "consent_note_ru": forms.Textarea(attrs={"rows": 3}),
            "consent_note_en": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_retention_days(self) -> int:
        days: int = self.cleaned_data["retention_days"]
        if days < 1:
            raise ValidationError(_("At least one day."))
        return days


class AgencyCreateForm(AgencyForm):
    slug = forms.SlugField(label=_("Short name (for the command line)"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)
    field_order = ["slug", "kind"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Agency.objects.filter(slug=slug).exists():
            raise ValidationError(_("There is already an agency with this short name."))
        return slug


class StaffAddForm(NewPasswordForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("Every member but an administrator belongs to an agency."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    field_order = ["username", "agency", "role", "new_password", "new_password_again"]

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"].strip()
        if StaffUser.objects.filter(username__iexact=name).exists():
            raise ValidationError(_("There is already a staff member with this name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") and data["role"] != Role.ADMIN and not data.get("agency"):
            self.add_error("agency", _("Every member but an administrator belongs to an agency."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DutyForm(forms.Form):
    """Whether a member is on duty, and where alerts go (staff/alerts.py)."""

    on_duty = forms.BooleanField(
        label=_("On duty: mailed when an urgent complaint arrives or intake refuses something"),
        required=False,
    )
    email = forms.EmailField(
        label=_("Email address for alerts"),
        required=False,
        max_length=254,
        help_text=_(
            "The mail says only that something happened and where to sign in: no names, "
            "places or complaint numbers."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on_duty") and not data.get("email") and not self.has_error("email"):
            self.add_error("email", _("A member on duty needs an email address for alerts."))
        return data
