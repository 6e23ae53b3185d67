from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.audit.models import AuditAction
from ombuds.intake.datefield import DayField
from ombuds.staff.models import StaffUser


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("any")), *AuditAction.choices],
    )
    actor = forms.ModelChoiceField(
        label=_("Staff member"),
        required=False,
        queryset=StaffUser.objects.order_by("username"),
        to_field_name="username",
        empty_label=_("anyone"),
    )
    # Written as people write dates: "ноябрь 2016" from its first day to its last.
    since = DayField(label=_("From (UTC day)"), required=False)
    until = DayField(label=_("To (UTC day)"), required=False, end=True)
    subject = forms.CharField(
        label=_("Subject starts with"),
        required=False,
        max_length=200,
        help_text=_("e.g. complaint: or complaint:<id>"),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start day is after the end day."))
        return data
