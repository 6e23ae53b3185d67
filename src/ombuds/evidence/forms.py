"""Upload and export forms, for the staff pages and the complainant's return visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

Choices = tuple[tuple[str, str], ...]

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


class CaseEvidenceUploadForm(EvidenceUploadForm):
    """A file attached to a case, and which of the case's complaints it comes from.

    None ticked: staff material, which every agency holding the case may read. Ticked: the
    file is bound by those complaints' consent (only agencies all of them consented to can
    read it), as records are. Only complaints the user's agency may read are offered, by
    short id and day received, never by content. As on the record forms, every source is
    ticked at first: forgetting to choose never lets more agencies read a file.
    """

    sources = forms.MultipleChoiceField(
        label=_("Comes from complaints (only agencies all of them consented to can read it)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, sources: Choices = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["sources"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
        field.choices = sources
        self.initial.setdefault("sources", [value for value, _label in sources])


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


class CaseFileForm(ExportForm):
    """The case file's choices: the persons (and witnesses) to leave out, and the originals.

    Nobody is ticked at first: the file holds everyone the agency reads unless the officer
    leaves someone out; the PDF then says that someone was left out, never whom.
    """

    leave_out = forms.MultipleChoiceField(
        label=_("Leave out of the file"),
        help_text=_(
            "Tick a person (a witness, say) to leave them out: their record is not in the "
            "file, and records that name them say “left out”. The file says that someone was "
            "left out, never whom. Free text (an account, notes) is not changed."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, persons: Choices = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["leave_out"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
        field.choices = persons
