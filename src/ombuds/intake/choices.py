"""The choices of the public complaint form: no models imported, so the benchmark's plain
form (bench/intake_baseline) uses the very same lists without ombuds' apps."""

from django.utils.translation import gettext_lazy as _

FILER_ROLES = [
    ("victim", _("I am the person it happened to")),
    ("relative", _("A relative")),
    ("witness", _("A witness")),
    ("other", _("Someone else")),
]
ACTS = [
    ("detention", _("Detention")),
    ("disappearance", _("Disappearance")),
    ("killing", _("Killing")),
    ("torture", _("Torture or ill-treatment")),
    ("threats", _("Threats")),
    ("extortion", _("Extortion")),
    ("forced_disclosure", _("Forced disclosure of sexual orientation")),
    ("family_pressure", _("Pressure on the family")),
    ("other", _("Other")),
]
WHEN_KINDS = [
    ("day", _("On a date")),
    ("month", _("In a month")),
    ("year", _("In a year")),
    ("ongoing", _("It is still going on")),
    ("unknown", _("I do not know")),
]
PERPETRATORS = [
    ("police", _("Police")),
    ("security_forces", _("Other security forces")),
    ("officials", _("Officials")),
    ("relatives", _("Relatives")),
    ("unknown", _("Unknown")),
]
HELD_NOW = [
    ("yes", _("Yes, someone is held right now")),
    ("no", _("No")),
    ("unknown", _("I do not know")),
]
SEXES = [("", "—"), ("m", _("Male")), ("f", _("Female")), ("other", _("Other"))]
