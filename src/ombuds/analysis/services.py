"""Writes of the analysis app: import a list, start a linkage run, record a reviewer's decision.

Each is atomic and writes its audit entry in the same transaction. The run itself (decrypting
the inputs, the engine, storing the result) is in :mod:`ombuds.analysis.jobs`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Max

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.linkage import PersonRecord, RowError, parse_person_list
from ombuds.linkage.records import decode_bytes
from ombuds.staff.models import Agency, StaffUser

from .models import Decision, LinkageRun, ListRecord, PersonList

#: The most records one list may hold (the engine takes minutes per hundred thousand).
MAX_LIST_RECORDS = 200_000

RecordKey = tuple[str, str]


class AnalysisError(Exception):
    """A refused action; the message is safe to show (it quotes no personal data)."""


class ImportRefused(AnalysisError):
    """Nothing could be imported; ``errors`` says which row and column, and why."""

    def __init__(self, message: str, errors: Iterable[RowError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    person_list: PersonList
    errors: list[RowError]


def _agency_of(user: StaffUser) -> Agency:
    if user.agency is None:
        raise AnalysisError("you belong to no agency")
    return user.agency


def record_to_bytes(record: PersonRecord) -> bytes:
    return json.dumps(asdict(record), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_from_bytes(raw: bytes) -> PersonRecord:
    return PersonRecord(**json.loads(raw.decode("utf-8")))


def errors_to_bytes(errors: Iterable[RowError]) -> bytes:
    rows = [{"row": e.row, "column": e.column, "message": e.message} for e in errors]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def person_list_import(*, user: StaffUser, name: str, filename: str, data: bytes) -> ImportResult:
    """Import a person list (docs/linkage.md) for the user's agency, encrypted.

    Good rows are stored, each encrypted under a fresh data key sealed to the agency; bad rows
    come back as :class:`RowError` (row and column), and are stored encrypted with the list so
    the list's page can show them again. The ``source`` column is kept with each record; for
    linkage, every imported list is one source. Raises :class:`ImportRefused` when no row is
    good (nothing is stored then) or the file cannot be read.
    """
    agency = _agency_of(user)
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError as exc:
        raise ImportRefused("the file is neither UTF-8 nor CP1251 text") from exc
    try:
        records, errors = parse_person_list(text, filename)
    except csv.Error as exc:
        raise ImportRefused("the file is not a CSV file") from exc
    if len(records) > MAX_LIST_RECORDS:
        raise ImportRefused(f"the list has more than {MAX_LIST_RECORDS} records; split it")
    if not records:
        raise ImportRefused("no row could be imported", errors)

    key = crypto.new_data_key()
    with transaction.atomic():
        person_list = PersonList.objects.create(
            agency=agency,
            name=name,
            imported_by=user,
            record_count=len(records),
            error_count=len(errors),
            sealed_key=crypto.seal_data_key(bytes(agency.public_key), key),
        )
        person_list.errors_ciphertext = crypto.encrypt(
            key, errors_to_bytes(errors), aad=person_list.errors_aad
        )
        person_list.save(update_fields=["errors_ciphertext"])
        rows = []
        for record in records:
            row = ListRecord(person_list=person_list)
            row.ciphertext = crypto.encrypt(key, record_to_bytes(record), aad=row.aad(person_list))
            rows.append(row)
        ListRecord.objects.bulk_create(rows, batch_size=1000)
        audit_record(
            action=AuditAction.LIST_IMPORTED,
            actor=user,
            subject=f"person-list:{person_list.public_id}",
            details={"records": len(records), "rejected_rows": len({e.row for e in errors})},
        )
    return ImportResult(person_list, errors)


def linkage_run_create(
    *,
    user: StaffUser,
    lists: Iterable[PersonList],
    unique_lists: Iterable[PersonList],
    threshold: float,
    include_cases: bool,
) -> LinkageRun:
    """Record a new run (queued) with its settings and inputs, audited.

    The caller starts it with :func:`ombuds.analysis.jobs.linkage_run_start`. Raises
    :class:`AnalysisError` for an input list of another agency or an empty input.
    """
    agency = _agency_of(user)
    lists = list(lists)
    unique_lists = list(unique_lists)
    if not lists and not include_cases:
        raise AnalysisError("choose at least one list, or the persons in cases")
    if any(pl.agency_id != agency.pk for pl in lists + unique_lists):
        raise AnalysisError("a list of another agency")
    if not 0.0 < threshold <= 1.0:
        raise AnalysisError("the threshold must be above 0 and at most 1")
    with transaction.atomic():
        # Lock the agency row so two runs started at once get different numbers.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        last = LinkageRun.objects.filter(agency=agency).aggregate(n=Max("number"))["n"] or 0
        run = LinkageRun.objects.create(
            agency=agency,
            number=last + 1,
            started_by=user,
            threshold=threshold,
            include_cases=include_cases,
        )
        run.lists.set(lists)
        run.unique_lists.set([pl for pl in unique_lists if pl in lists])
        audit_record(
            action=AuditAction.LINKAGE_RUN_STARTED,
            actor=user,
            subject=f"linkage-run:{run.public_id}",
            details={
                "number": run.number,
                "threshold": f"{threshold:g}",
                "lists": ",".join(str(pl.public_id)[:8] for pl in lists)[:500],
                "unique_within": len(unique_lists),
                "include_cases": include_cases,
            },
        )
    return run


def pair_order(left: RecordKey, right: RecordKey) -> tuple[RecordKey, RecordKey]:
    """A pair in one canonical order, so a verdict on (a, b) is one on (b, a)."""
    return (left, right) if left <= right else (right, left)


def decision_record(
    *, user: StaffUser, run: LinkageRun, left: RecordKey, right: RecordKey, same: bool
) -> Decision:
    """Keep a reviewer's verdict on a pair; it overrides the model on later runs.

    A new verdict on the same pair replaces the old one (the audit log keeps both). Raises
    :class:`AnalysisError` for a run of another agency.
    """
    agency = _agency_of(user)
    if run.agency_id != agency.pk:
        raise AnalysisError("a run of another agency")
    (ls, li), (rs, ri) = pair_order(left, right)
    with transaction.atomic():
        decision, _created = Decision.objects.update_or_create(
            agency=agency,
            left_source=ls,
            left_id=li,
            right_source=rs,
            right_id=ri,
            defaults={"same": same, "decided_by": user, "run": run},
        )
        audit_record(
            action=AuditAction.LINKAGE_DECISION,
            actor=user,
            subject=f"linkage-run:{run.public_id}",
            details={"left": f"{ls}/{li}"[:200], "right": f"{rs}/{ri}"[:200], "same": same},
        )
    return decision
