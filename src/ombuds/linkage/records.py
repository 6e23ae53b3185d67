"""Person records and the person-list CSV format (see docs/linkage.md)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

COLUMNS: tuple[str, ...] = (
    "record_id",
    "source",
    "given_name",
    "patronymic",
    "family_name",
    "full_name",
    "sex",
    "birth_date",
    "age",
    "place",
    "event_date",
    "event_type",
    "role",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "source")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SEX = {
    "m": "m", "male": "m", "man": "m", "м": "m", "муж": "m", "мужской": "m", "1": "m",
    "f": "f", "female": "f", "woman": "f", "ж": "f", "жен": "f", "женский": "f", "2": "f",
}  # fmt: skip

#: What a list says a person was: ``role`` of a record. Empty means victim (lists of victims
#: are the common case); only victims are counted (unique persons, estimates).
ROLES: tuple[str, ...] = ("victim", "witness", "perpetrator", "reporter")
_ROLE = {
    "": "victim", "victim": "victim", "жертва": "victim", "потерпевший": "victim",
    "потерпевшая": "victim", "пострадавший": "victim", "пострадавшая": "victim",
    "witness": "witness", "свидетель": "witness", "свидетельница": "witness",
    "perpetrator": "perpetrator", "исполнитель": "perpetrator", "виновный": "perpetrator",
    "reporter": "reporter", "заявитель": "reporter", "заявительница": "reporter",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One mention of a person in one source list. Every field but the keys may be empty."""

    record_id: str
    source: str
    given_name: str = ""
    patronymic: str = ""
    family_name: str = ""
    full_name: str = ""
    sex: str = ""  # "m", "f" or ""
    birth_date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    age: int | None = None  # age at event_date
    place: str = ""
    event_date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    event_type: str = ""
    role: str = "victim"  # one of ROLES

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.record_id)

    @property
    def is_victim(self) -> bool:
        """Whether the list names this person as a victim (an empty role means victim)."""
        return self.role in ("", "victim")


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that was not imported: ``row`` counts lines of the file, the header is row 1."""

    file: str
    row: int
    column: str
    message: str
    #: What went wrong, as a code the staff site translates (the message is English, for the
    #: command line); ``value`` is the offending text, when there is one.
    code: str = ""
    value: str = ""

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None
    day: int | None


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` otherwise."""
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not 1800 <= year <= 2100:
        raise ValueError(f"year {year} is out of range")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} is out of range")
    if day is not None and month is not None:
        date(year, month, day)  # raises ValueError for 2001-02-30
    return PartialDate(year, month, day)


def decode_bytes(data: bytes) -> str:
    """Decode a list file: UTF-8 (with or without a byte-order mark), else CP1251.

    CP1251 maps almost every byte, so UTF-8 is tried first: Cyrillic in CP1251 is almost
    never valid UTF-8, while UTF-8 read as CP1251 would silently give mojibake.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _clean_row(
    raw: dict[str, str], file: str, row: int
) -> tuple[PersonRecord | None, list[RowError]]:
    errors: list[RowError] = []
    values = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            errors.append(RowError(file, row, name, "is required and empty", "required"))
    for name in ("birth_date", "event_date"):
        if values[name]:
            try:
                parse_partial_date(values[name])
            except ValueError as exc:
                errors.append(RowError(file, row, name, str(exc), "date", values[name]))
    age: int | None = None
    if values["age"]:
        try:
            age = int(values["age"])
            if not 0 <= age <= 130:
                raise ValueError
        except ValueError:
            message = f"{values['age']!r} is not an age in years"
            errors.append(RowError(file, row, "age", message, "age", values["age"]))
    sex = values["sex"].lower()
    if sex:
        if sex not in _SEX:
            message = f"{values['sex']!r} is not m or f"
            errors.append(RowError(file, row, "sex", message, "sex", values["sex"]))
        sex = _SEX.get(sex, "")
    role = _ROLE.get(values["role"].lower())
    if role is None:
        message = f"{values['role']!r} is not one of {', '.join(ROLES)} (empty means victim)"
        errors.append(RowError(file, row, "role", message, "role", values["role"]))
    if errors or role is None:
        return None, errors
    record = PersonRecord(
        record_id=values["record_id"],
        source=values["source"],
        given_name=values["given_name"],
        patronymic=values["patronymic"],
        family_name=values["family_name"],
        full_name=values["full_name"],
        sex=sex,
        birth_date=values["birth_date"],
        age=age,
        place=values["place"],
        event_date=values["event_date"],
        event_type=values["event_type"].lower(),
        role=role,
    )
    return record, []


def parse_person_list(text: str, file: str) -> tuple[list[PersonRecord], list[RowError]]:
    """Parse the text of a person list; bad rows become errors, good rows are kept."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(file, 1, c, "missing from the header", "missing") for c in missing]
    records: list[PersonRecord] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(reader):
        row = reader.line_num if reader.line_num else index + 2
        if None in raw:
            errors.append(RowError(file, row, "", "has more fields than the header", "fields"))
            continue
        record, row_errors = _clean_row(raw, file, row)
        if record is None:
            errors.extend(row_errors)
            continue
        if record.key in seen:
            message = "repeats a record_id of this source"
            errors.append(RowError(file, row, "record_id", message, "repeated", record.record_id))
            continue
        seen.add(record.key)
        records.append(record)
    return records, errors


def read_person_list(path: str | Path) -> tuple[list[PersonRecord], list[RowError]]:
    """Read one person-list CSV (UTF-8 or CP1251, detected). See ``docs/linkage.md``.

    Returns the good records and one ``RowError`` per problem; a bad row never stops the
    good rows from being read. Raises ``OSError`` if the file cannot be read.
    """
    path = Path(path)
    return parse_person_list(decode_bytes(path.read_bytes()), str(path))


def write_person_list(records: Iterable[PersonRecord], path: str | Path) -> None:
    """Write records in the person-list format (UTF-8)."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for record in records:
            writer.writerow(_as_row(record))


def _as_row(record: PersonRecord) -> Iterator[str]:
    for field in fields(record):
        value = getattr(record, field.name)
        yield "" if value is None else str(value)
