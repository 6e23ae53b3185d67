"""What a complainant sends, as a plain value, and its (de)serialisation for encryption."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = 1


class PersonRole(models.TextChoices):
    """What a person named in a complaint is to what happened."""

    VICTIM = "victim", _("It happened to this person")
    WITNESS = "witness", _("A witness")
    PERPETRATOR = "perpetrator", _("This person did it, or took part")
    OTHER = "other", _("Someone else")
    #: Complaints filed before persons had a role (their content has none).
    UNKNOWN = "unknown", _("Not said")


@dataclass(frozen=True)
class PersonConcerned:
    name: str = ""
    age: str = ""
    sex: str = ""
    role: str = PersonRole.UNKNOWN


@dataclass(frozen=True)
class ComplaintContent:
    filer_role: str
    acts: tuple[str, ...]
    when_kind: str
    when_value: str
    place: str
    persons: tuple[PersonConcerned, ...]
    perpetrators: tuple[str, ...]
    perpetrator_details: str
    held_now: str
    account: str
    contact: str
    language: str
    other_act: str = ""
    #: The date in ``when_value`` is approximate ("около 2016").
    when_estimate: bool = False
    consent: tuple[str, ...] = field(default_factory=tuple)

    def to_bytes(self) -> bytes:
        data = asdict(self)
        data["v"] = SCHEMA_VERSION
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> ComplaintContent:
        data: dict[str, Any] = json.loads(raw.decode("utf-8"))
        data.pop("v", None)
        data["persons"] = tuple(PersonConcerned(**p) for p in data.get("persons", ()))
        for key in ("acts", "perpetrators", "consent"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)
