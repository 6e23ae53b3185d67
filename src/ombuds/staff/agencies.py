"""The agencies a new install starts with: the default three, or those of an agencies file.

An agencies file (``ombuds init --agencies FILE``) is TOML with one ``[[agency]]`` table per
agency (docs/staff.md shows an example)::

    [[agency]]
    slug = "working-group"          # letters, digits, - and _; used on the command line
    kind = "working_group"          # working_group, prosecutor, interior or other
    name_ru = "Рабочая группа"
    name_en = "Working group"
    receives_all = true             # receives every complaint (at least one agency must)
    offered_for_consent = false     # a box on the public form: complaints may be shared with it
    retention_days = 730            # optional, default 730
    consent_note_ru = ""            # optional: shown under its box on the public form
    consent_note_en = ""
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from django.db import transaction

from . import services
from .models import Agency, AgencyKind


@dataclass(frozen=True)
class AgencySpec:
    slug: str
    kind: AgencyKind
    name_ru: str
    name_en: str
    receives_all: bool = False
    offered_for_consent: bool = True
    retention_days: int = 730
    consent_note_ru: str = ""
    consent_note_en: str = ""


DEFAULT_AGENCIES = (
    AgencySpec(
        slug="working-group",
        kind=AgencyKind.WORKING_GROUP,
        name_ru="Рабочая группа уполномоченного по правам человека",
        name_en="Ombudsperson's working group",
        receives_all=True,
        offered_for_consent=False,
    ),
    AgencySpec(
        slug="prosecutor",
        kind=AgencyKind.PROSECUTOR,
        name_ru="Прокуратура",
        name_en="Prosecutor's office",
        consent_note_ru="Прокуратура может возбудить уголовное дело. Она увидит всё, что вы "
        "здесь напишете, в том числе имена и контакты.",
        consent_note_en="The prosecutor's office can open a criminal investigation. It will "
        "see everything you write here, including names and contacts.",
    ),
    AgencySpec(
        slug="interior",
        kind=AgencyKind.INTERIOR,
        name_ru="Министерство внутренних дел",
        name_en="Interior ministry",
        consent_note_ru="МВД руководит полицией, в том числе местной. Отметьте это, только если "
        "вы согласны, что МВД прочитает то, что вы пишете.",
        consent_note_en="The interior ministry is in charge of the police, including the local "
        "police. Tick this only if you accept that it reads what you write.",
    ),
)


class AgencyFileError(ValueError):
    """An agencies file that cannot be used; the message names the agency and the field."""


def agency_specs_from_file(path: Path) -> tuple[AgencySpec, ...]:
    """Read and check an agencies file. Raises :class:`AgencyFileError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AgencyFileError(f"{path}: {exc}") from exc
    tables = data.get("agency")
    if not isinstance(tables, list) or not tables:
        raise AgencyFileError(f"{path}: no [[agency]] tables")
    known = {f.name: f.type for f in fields(AgencySpec)}
    specs = []
    for number, table in enumerate(tables, start=1):
        where = f"{path}: agency {number}"
        unknown = set(table) - set(known)
        if unknown:
            raise AgencyFileError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
        missing = {"slug", "kind", "name_ru", "name_en"} - set(table)
        if missing:
            raise AgencyFileError(f"{where}: missing {', '.join(sorted(missing))}")
        if table["kind"] not in AgencyKind.values:
            raise AgencyFileError(f"{where}: kind must be one of {', '.join(AgencyKind.values)}")
        values: dict[str, Any] = dict(table, kind=AgencyKind(table["kind"]))
        for name in ("receives_all", "offered_for_consent"):
            if name in values and not isinstance(values[name], bool):
                raise AgencyFileError(f"{where}: {name} must be true or false")
        if "retention_days" in values and (
            not isinstance(values["retention_days"], int) or values["retention_days"] < 1
        ):
            raise AgencyFileError(f"{where}: retention_days must be a positive whole number")
        specs.append(AgencySpec(**values))
    if not any(s.receives_all for s in specs):
        raise AgencyFileError(f"{path}: one agency must receive every complaint (receives_all)")
    slugs = [s.slug for s in specs]
    if len(set(slugs)) != len(slugs):
        raise AgencyFileError(f"{path}: a slug appears twice")
    return tuple(specs)


def agencies_create(specs: tuple[AgencySpec, ...]) -> list[Agency]:
    """Create the agencies of a new install, all or none. Their private keys are kept only
    sealed to escrow; a first member of each is added with ``ombuds staff add
    --escrow-key-file``. Raises :class:`services.StaffError`."""
    with transaction.atomic():
        return [
            services.agency_create(
                slug=s.slug,
                kind=s.kind,
                name_ru=s.name_ru,
                name_en=s.name_en,
                receives_all=s.receives_all,
                offered_for_consent=s.offered_for_consent,
                retention_days=s.retention_days,
                consent_note_ru=s.consent_note_ru,
                consent_note_en=s.consent_note_en,
            )[0]
            for s in specs
        ]
