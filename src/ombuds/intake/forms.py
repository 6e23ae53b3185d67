"""Public forms. Every field is bounded and checked; a rejected form keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import ACTS, FILER_ROLES, HELD_NOW, PERPETRATORS, SEXES, WHEN_KINDS
from .content import ComplaintContent, PersonConcerned, PersonRole
from .datefield import DATE_MAX_LENGTH, UnderstoodDateInput, date_read, refusal_message
from .dates import Refusal
from .snapshot import AgencyFacts, intake_snapshot


def consent_field_name(agency: AgencyFacts) -> str:
    """The consent box of an agency: ``consent_<slug>`` (``-`` becomes ``_``)."""
    return "consent_" + agency.slug.replace("-", "_")


#: The kinds of "when" that need a date; the date as read decides which of them is kept.
_DATED_KINDS = ("day", "month", "year")
# Control characters other than tab and newlines, lone surrogates, and the replacement
# character that Django substitutes for bytes that are not valid UTF-8.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd]")
FORM_TOKEN_SALT = "ombuds.intake.form-token"  # noqa: S105 - a salt name
FORM_TOKEN_MAX_AGE = 24 * 3600


def clean_text(value: str) -> str:
    if _BAD_CHARS.search(value):
        raise ValidationError(
            _("This contains characters that are not valid text. Please retype it."),
            code="invalid_unicode",
        )
    return value.strip()


class TextField(forms.CharField):
    def clean(self, value: Any) -> str:
        return clean_text(super().clean(value))


def new_form_token() -> str:
    """A signed one-time token: made without touching the database (a GET writes nothing)."""
    import secrets

    return signing.dumps(secrets.token_urlsafe(24), salt=FORM_TOKEN_SALT)


class ComplaintForm(forms.Form):
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    filer_role = forms.ChoiceField(
        label=_("Who is filing this complaint?"), choices=FILER_ROLES, widget=forms.RadioSelect
    )
    acts = forms.MultipleChoiceField(
        label=_("What happened? Tick all that apply."),
        choices=ACTS,
        widget=forms.CheckboxSelectMultiple,
    )
    other_act = TextField(label=_("If other, what?"), max_length=300, required=False)
    when_kind = forms.ChoiceField(
        label=_("When did it happen?"), choices=WHEN_KINDS, widget=forms.RadioSelect
    )
    when_value = TextField(
        label=_("Date, month or year"),
        max_length=DATE_MAX_LENGTH,
        required=False,
        widget=UnderstoodDateInput,
        help_text=_(
            'For example 14.11.2016, November 2016, 11.2016 or 2016; "about 2016" if unsure.'
        ),
    )
    place = TextField(
        label=_("Where did it happen?"),
        max_length=300,
        help_text=_("Town, village, district or the name of the place."),
    )
    perpetrators = forms.MultipleChoiceField(
        label=_("Who did it?"), choices=PERPETRATORS, widget=forms.CheckboxSelectMultiple
    )
    perpetrator_details = TextField(
        label=_("What do you know about them?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    held_now = forms.ChoiceField(
        label=_("Is someone held right now?"), choices=HELD_NOW, widget=forms.RadioSelect
    )
    account = TextField(
        label=_("Tell us what happened, in your own words."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    contact = TextField(
        label=_("How can we reach you safely, if at all?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty if you prefer to come back with your codename only."),
    )

    def __init__(
        self, *args: Any, consent_agencies: tuple[AgencyFacts, ...] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # One box per agency that complaints may be shared with (an administrator's choice),
        # named and explained in the complainant's language. The view passes the agencies it
        # read for the whole request (intake/snapshot.py); otherwise they are read here.
        language = translation.get_language() or "ru"
        if consent_agencies is None:
            consent_agencies = intake_snapshot().consent_agencies
        self.consent_agencies = list(consent_agencies)
        for agency in self.consent_agencies:
            self.fields[consent_field_name(agency)] = forms.BooleanField(
                label=gettext("%(agency)s may also see this complaint.")
                % {"agency": agency.name(language)},
                required=False,
                help_text=agency.consent_note(language),
            )

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[consent_field_name(a)] for a in self.consent_agencies]

    def clean_form_token(self) -> str:
        token: str = self.cleaned_data["form_token"]
        try:
            signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
        except signing.BadSignature as exc:
            raise ValidationError(
                _("This form has expired. Please check your answers and send it again."),
                code="expired",
            ) from exc
        return token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when_kind") in _DATED_KINDS:
            self._clean_when(data)
        if "other" in data.get("acts", []) and not data.get("other_act"):
            self.add_error("other_act", _("Please say briefly what happened."))
        return data

    def _clean_when(self, data: dict[str, Any]) -> None:
        """Read the date as written (14.11.2016, ноябрь 2016...): keep it as 2016-11-14 and
        its precision as the kind, whichever of day, month or year was ticked; the page shows
        what was understood next to the text typed, which stays as typed."""
        value = data.get("when_value") or ""
        if not value:
            self.add_error("when_value", _("Please give the date, the month or the year."))
            return
        date = date_read(value)
        if isinstance(date, Refusal):
            self.add_error("when_value", refusal_message(date))
            return
        data["when_kind"] = date.precision.value
        data["when_value"] = date.iso
        data["when_estimate"] = date.estimate


class PersonForm(forms.Form):
    name = TextField(label=_("Name, as you know it"), max_length=200, required=False)
    age = forms.IntegerField(label=_("Approximate age"), min_value=0, max_value=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=SEXES, required=False)
    # Required: a person named without a role was once copied into a case as a victim. An
    # untouched empty slot is not validated at all (the formset's empty_permitted).
    role = forms.ChoiceField(
        label=_("Who is this person?"),
        choices=[(r.value, r.label) for r in PersonRole if r != PersonRole.UNKNOWN],
        widget=forms.RadioSelect,
    )

    def is_filled(self) -> bool:
        d = self.cleaned_data
        return bool(d.get("name") or d.get("age") is not None or d.get("sex"))


PERSON_SLOTS = 3


class BasePersonFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The person slots, with their bounds stated in words a complainant understands.

    The slot count comes from the form itself (``person-TOTAL_FORMS``), so it is bounded both
    ways: ``absolute_max`` stops a forged count from building more than three forms, and
    ``validate_min``/``validate_max`` refuse a count outside 1..3 with a message rather than
    an error page.
    """

    default_error_messages = {
        "too_few_forms": _("Please tell us about at least one person: a name, an age or a sex."),
        "too_many_forms": _("You can tell us about at most 3 people here."),
    }


PersonFormSet = forms.formset_factory(
    PersonForm,
    formset=BasePersonFormSet,
    extra=PERSON_SLOTS - 1,
    min_num=1,
    validate_min=True,
    max_num=PERSON_SLOTS,
    validate_max=True,
    absolute_max=PERSON_SLOTS,
)


def build_content(form: ComplaintForm, persons: Any, *, language: str) -> ComplaintContent:
    d = form.cleaned_data
    people = tuple(
        PersonConcerned(
            name=p.cleaned_data.get("name", ""),
            age="" if p.cleaned_data.get("age") is None else str(p.cleaned_data["age"]),
            sex=p.cleaned_data.get("sex", ""),
            role=p.cleaned_data["role"],
        )
        for p in persons.forms
        if p.is_filled()
    )
    consent = [a.slug for a in form.consent_agencies if d.get(consent_field_name(a))]
    return ComplaintContent(
        filer_role=d["filer_role"],
        acts=tuple(d["acts"]),
        other_act=d.get("other_act", ""),
        when_kind=d["when_kind"],
        when_value=d.get("when_value", ""),
        when_estimate=d.get("when_estimate", False),
        place=d["place"],
        persons=people,
        perpetrators=tuple(d["perpetrators"]),
        perpetrator_details=d.get("perpetrator_details", ""),
        held_now=d["held_now"],
        account=d["account"],
        contact=d.get("contact", ""),
        language=language,
        consent=tuple(consent),
    )


class SecretTextInput(forms.TextInput):
    """A text box that never echoes its value back into the page (a codename is a secret)."""

    def format_value(self, value: Any) -> str | None:
        return None


class CodenameForm(forms.Form):
    codename = TextField(
        label=_("Your codename"),
        max_length=200,
        widget=SecretTextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class FollowUpForm(forms.Form):
    text = TextField(
        label=_("Add information or answer a question"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my complaint and all messages will be destroyed for good."),
        required=True,
    )


# --- complaints taken for a caller (hotline, walk-in, letter: docs/hotline.md) ---------------

CALLER_CHANNELS = [
    ("phone", _("By phone")),
    ("in_person", _("In person")),
    ("letter", _("By letter")),
    ("messenger", _("By messenger")),
]
CONSENT_ANSWERS = [("yes", _("Yes, the caller agrees")), ("no", _("No, the caller does not agree"))]
CODENAME_CHOICES = [
    ("codename", _("A codename, to read out to the caller now")),
    ("reference", _("No codename: a reference number only")),
]


def caller_languages() -> list[tuple[str, str]]:
    """The languages the site speaks (settings.LANGUAGES): the words read to a caller come in
    each of them, so a language added to the site (and its catalogue) slots in here too."""
    from django.conf import settings

    return [(code, name) for code, name in settings.LANGUAGES]


def consent_words(agency: AgencyFacts, language: str) -> str:
    """What the officer reads aloud to ask for consent to share with ``agency``, in the
    caller's ``language`` (a translatable text, like every other one)."""
    with translation.override(language):
        words = gettext(
            "May the working group share your complaint with %(agency)s? If you say yes, "
            "that body may receive it when the working group refers your case there, and "
            "will then read everything you have told us. If you say no, it will not see it, "
            "and the working group will still deal with your complaint. Do you agree?"
        ) % {"agency": agency.name(language)}
    note = agency.consent_note(language)
    return f"{words} {note}" if note else words


class CallerComplaintForm(ComplaintForm):
    """The public complaint form, filled by an intake officer for a caller: the same fields
    and checks, plus how it came, the officer's notes, the caller's language, consent asked
    aloud (a yes or no for each agency) and whether the caller wants a codename."""

    caller_language = forms.ChoiceField(
        label=_("The caller's language"), choices=caller_languages, widget=forms.HiddenInput
    )
    channel = forms.ChoiceField(
        label=_("How was it received?"), choices=CALLER_CHANNELS, widget=forms.RadioSelect
    )
    officer_notes = TextField(
        label=_("Officer's notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For staff only: the caller never sees them. Encrypted with the complaint and "
            "read by the staff who read it."
        ),
    )
    codename_choice = forms.ChoiceField(
        label=_("Does the caller want a codename?"),
        choices=CODENAME_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "With a codename the caller can read replies and add information on the public "
            "site. Without one, they give the reference when they call again."
        ),
    )

    def __init__(self, *args: Any, caller_language: str = "ru", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = [code for code, _name in caller_languages()]
        self.caller_language_code = caller_language if caller_language in codes else codes[0]
        self.fields["caller_language"].initial = self.caller_language_code
        # Consent is asked aloud and answered: a yes or no for every agency, never a box
        # left unticked by default. The words to read are in the caller's language.
        self.consent_words: dict[str, str] = {}
        for agency in self.consent_agencies:
            name = consent_field_name(agency)
            self.consent_words[name] = consent_words(agency, self.caller_language_code)
            self.fields[name] = forms.ChoiceField(
                label=gettext("Consent to share with %(agency)s") % {"agency": agency.display_name},
                choices=CONSENT_ANSWERS,
                widget=forms.RadioSelect,
            )

    def consent_items(self) -> list[tuple[str, forms.BoundField]]:
        """Each agency's words to read aloud, with the field recording the answer."""
        return [
            (self.consent_words[consent_field_name(a)], self[consent_field_name(a)])
            for a in self.consent_agencies
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for agency in self.consent_agencies:
            name = consent_field_name(agency)
            if name in data:
                data[name] = data[name] == "yes"
        return data


class CallerFindForm(forms.Form):
    """Find a caller's complaint by what the caller holds: the codename, or the reference."""

    codename_or_reference = TextField(
        label=_("Codename or reference"),
        max_length=200,
        widget=SecretTextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_(
            "The words of the codename as the caller reads them out, or the 8 digits and "
            "letters of the reference. Names cannot be searched: complaints are encrypted."
        ),
    )


CALLER_ENTRY_KINDS = [
    ("message", _("What the caller said: added as the caller's message, which they can read")),
    ("note", _("An officer's note: for staff only, never shown to the caller")),
]


class CallerEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=CALLER_ENTRY_KINDS, widget=forms.RadioSelect
    )
    text = TextField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on the complaint page beside the reply form, whose field is also ``text``: ids
        # of their own, so that each label names its own field (one id, two fields, sent the
        # reply's label to this form's box).
        kwargs.setdefault("auto_id", "caller_%s")
        super().__init__(*args, **kwargs)
