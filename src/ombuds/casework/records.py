"""What case records say: one frozen dataclass per record kind, serialised to JSON for
encryption (HURIDOCS Events format: who did what to whom, when, where, and who says so).

Records refer to one another by ``public_id`` (an act names its event and victim, an
involvement its act). A reference may point into a compartment the reader cannot open: the
page then says "withheld" rather than failing.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SCHEMA_VERSION = 1


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    ESTIMATE = "estimate", _("Estimate")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ActType(models.TextChoices):
    ARREST = "arrest", _("Arrest")
    DETENTION = "detention", _("Detention")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    ABDUCTION = "abduction", _("Abduction")
    KILLING = "killing", _("Killing")
    DEATH_IN_CUSTODY = "death_in_custody", _("Death in custody")
    TORTURE = "torture", _("Torture or ill-treatment")
    THREATS = "threats", _("Threats")
    DEATH_THREATS = "death_threats", _("Death threats")
    EXTORTION = "extortion", _("Extortion")
    FORCED_DISCLOSURE = "forced_disclosure", _("Forced disclosure of sexual orientation")
    FAMILY_PRESSURE = "family_pressure", _("Pressure on the family")
    OTHER = "other", _("Other")


class DetentionType(models.TextChoices):
    NONE = "", _("Not a detention")
    OFFICIAL = "official", _("Official, recorded")
    UNACKNOWLEDGED = "unacknowledged", _("Unacknowledged (secret)")
    INCOMMUNICADO = "incommunicado", _("Incommunicado")
    ADMINISTRATIVE = "administrative", _("Administrative")
    UNKNOWN = "unknown", _("Unknown")


class VictimStatus(models.TextChoices):
    RELEASED = "released", _("Released")
    STILL_HELD = "still_held", _("Still held")
    MISSING = "missing", _("Missing")
    DEAD = "dead", _("Dead")
    UNKNOWN = "unknown", _("Unknown")


class PerpetratorType(models.TextChoices):
    POLICE = "police", _("Police")
    SECURITY_FORCES = "security_forces", _("Other security forces")
    OFFICIALS = "officials", _("Officials")
    RELATIVES = "relatives", _("Relatives")
    UNKNOWN = "unknown", _("Unknown")


class InvolvementDegree(models.TextChoices):
    CARRIED_OUT = "carried_out", _("Carried out")
    ORDERED = "ordered", _("Ordered")
    PRESENT = "present", _("Present")
    FAILED_TO_PREVENT = "failed_to_prevent", _("Failed to prevent")
    SUSPECTED = "suspected", _("Suspected")


class SourceType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    MEDIA = "media", _("Media report")
    NGO_LIST = "ngo_list", _("NGO list")
    WITNESS = "witness", _("Witness statement")
    DOCUMENT = "document", _("Document")


# Said of "reliability" (надёжность, feminine in Russian), unlike a priority's "High"
# (приоритет, masculine): hence the context.
class Reliability(models.TextChoices):
    HIGH = "high", pgettext_lazy("reliability", "High")
    MEDIUM = "medium", pgettext_lazy("reliability", "Medium")
    LOW = "low", pgettext_lazy("reliability", "Low")
    UNKNOWN = "unknown", _("Unknown")


class ViolationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    LIKELY = "likely", _("Likely")
    POSSIBLE = "possible", _("Possible")


_DATE_PATTERNS = {
    DatePrecision.DAY: re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    DatePrecision.MONTH: re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    DatePrecision.YEAR: re.compile(r"^\d{4}$"),
    # An estimate is written like any of the three, and read as "about".
    DatePrecision.ESTIMATE: re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"),
}


@dataclass(frozen=True)
class FuzzyDate:
    """A date known to some precision: "2017-03" with MONTH, "" with UNKNOWN."""

    value: str = ""
    precision: str = DatePrecision.UNKNOWN

    def __post_init__(self) -> None:
        precision = DatePrecision(self.precision)
        if precision == DatePrecision.UNKNOWN:
            if self.value:
                raise ValueError("an unknown date has no value")
        elif not _DATE_PATTERNS[precision].match(self.value):
            raise ValueError(f"{self.value!r} is not a date of precision {precision.value}")

    def __str__(self) -> str:
        if self.precision == DatePrecision.UNKNOWN:
            return "?"
        if self.precision == DatePrecision.ESTIMATE:
            return f"~{self.value}"
        return self.value


@dataclass(frozen=True)
class Record:
    """Base of the record kinds; ``kind`` names the :class:`~.models.RecordKind`."""

    kind: ClassVar[str] = ""

    def to_bytes(self) -> bytes:
        data = asdict(self)
        data["v"] = SCHEMA_VERSION
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class PersonRecord(Record):
    kind: ClassVar[str] = "person"
    name: str
    other_names: tuple[str, ...] = ()
    sex: str = Sex.UNKNOWN
    birth_date: FuzzyDate = field(default_factory=FuzzyDate)
    age: int | None = None
    origin: str = ""
    notes: str = ""


@dataclass(frozen=True)
class EventRecord(Record):
    kind: ClassVar[str] = "event"
    title: str
    date: FuzzyDate = field(default_factory=FuzzyDate)
    place: str = ""
    description: str = ""


@dataclass(frozen=True)
class ActRecord(Record):
    kind: ClassVar[str] = "act"
    event: str  # EventRecord public_id
    act_type: str
    victim: str = ""  # PersonRecord public_id
    detention_type: str = DetentionType.NONE
    start: FuzzyDate = field(default_factory=FuzzyDate)
    end: FuzzyDate = field(default_factory=FuzzyDate)
    place: str = ""
    victim_status: str = VictimStatus.UNKNOWN
    notes: str = ""


@dataclass(frozen=True)
class InvolvementRecord(Record):
    kind: ClassVar[str] = "involvement"
    act: str  # ActRecord public_id
    perpetrator_type: str
    degree: str
    perpetrator_person: str = ""  # PersonRecord public_id, or empty for a unit
    perpetrator_unit: str = ""
    notes: str = ""


@dataclass(frozen=True)
class InformationRecord(Record):
    kind: ClassVar[str] = "information"
    source_type: str
    reliability: str
    violation_status: str
    about: str = ""  # an ActRecord or EventRecord public_id, or empty for the whole case
    source_ref: str = ""  # e.g. "complaint:<uuid>", a URL, a document number
    summary: str = ""


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (PersonRecord, EventRecord, ActRecord, InvolvementRecord, InformationRecord)
}


def changed_fields(old: Record, new: Record) -> tuple[str, ...]:
    """The names of the fields whose values differ between two records of one kind, in the
    order of the dataclass (for an audit entry that says *what* was corrected, never how).
    Raises ``ValueError`` for records of two kinds."""
    if type(old) is not type(new):
        raise ValueError(f"a {old.kind} record is not edited into a {new.kind} record")
    return tuple(f.name for f in fields(old) if getattr(old, f.name) != getattr(new, f.name))


#: The fields by which a record of each kind names other records (by ``public_id``).
REFERENCE_FIELDS: dict[str, tuple[str, ...]] = {
    "person": (),
    "event": (),
    "act": ("event", "victim"),
    "involvement": ("act", "perpetrator_person"),
    "information": ("about",),
}


def references(record: Record) -> dict[str, str]:
    """The records ``record`` names, by field: ``{"victim": "<public_id>", ...}``."""
    return {
        name: ref for name in REFERENCE_FIELDS[record.kind] if (ref := getattr(record, name, ""))
    }


def record_from_bytes(kind: str, raw: bytes) -> Record:
    """Inverse of :meth:`Record.to_bytes`; raises ``ValueError`` for a malformed payload."""
    cls = RECORD_TYPES[kind]
    data: dict[str, Any] = json.loads(raw.decode("utf-8"))
    data.pop("v", None)
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            raise ValueError(f"unknown field {name!r} in a {kind} record")
        if isinstance(value, dict):
            value = FuzzyDate(**value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
