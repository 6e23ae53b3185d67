"""Upload and export forms, for the staff pages and the complainant's return visit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LIMITS_HELP = _(
    "Photos (JPEG, PNG, WebP), PDF and MP4 up to 20 MB; plain text up to 2 MB. "
    "The file's type is read from its content. Location and camera details are removed from "
    "the copy that is shared; the file exactly as sent is kept, encrypted."
)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=LIMITS_HELP,
        allow_empty_file=False,
        error_messages={
            "required": _(
                "No file arrived. Choose a file; files larger than 20 MB cannot be received."
            ),
            "empty": _("The file is empty."),
        },
    )


class OptionalEvidenceForm(forms.Form):
    """The file field of the first complaint form: a file may come with the complaint."""

    file = forms.FileField(
        label=_("A photo, document or video (optional)"),
        help_text=LIMITS_HELP,
        required=False,
        allow_empty_file=False,
        error_messages={"empty": _("The file is empty.")},
    )


class ExportForm(forms.Form):
    include_originals = forms.BooleanField(
        label=_("Include the originals (with their metadata) as well as the working copies"),
        required=False,
    )
