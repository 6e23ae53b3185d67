"""Writes of the analysis app: import a list, file it into a case, start a linkage run, record a
reviewer's decision.

Each is atomic and writes its audit entry in the same transaction. The run itself (decrypting
the inputs, the engine, storing the result) is in :mod:`ombuds.analysis.jobs`.
"""

from __future__ import annotations

import csv
import datetime
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.casework import records as case_records
from ombuds.casework import selectors as case_selectors
from ombuds.casework import services as case_services
from ombuds.casework.models import Case
from ombuds.linkage import PersonRecord, RowError, parse_person_list
from ombuds.linkage.records import decode_bytes
from ombuds.staff.models import Agency, StaffUser

from .models import (
    FAILURE_STOPPED,
    Decision,
    FiledRecord,
    LinkageRun,
    ListRecord,
    PersonList,
    RunStatus,
)

#: The most records one list may hold (the engine takes minutes per hundred thousand).
MAX_LIST_RECORDS = 200_000

RecordKey = tuple[str, str]


class AnalysisError(Exception):
    """A refused action; the message is safe to show (it quotes no personal data)."""


class RunAlreadyActive(AnalysisError):
    """The agency has a run waiting or running (``run``): one at a time per agency."""

    def __init__(self, run: LinkageRun) -> None:
        super().__init__(f"run {run.number} of this agency is still running")
        self.run = run


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
    rows = [
        {"row": e.row, "column": e.column, "message": e.message, "code": e.code, "value": e.value}
        for e in errors
    ]
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
        raise ImportRefused(gettext("The file is neither UTF-8 nor CP1251 text.")) from exc
    try:
        records, errors = parse_person_list(text, filename)
    except csv.Error as exc:
        raise ImportRefused(gettext("The file is not a CSV file.")) from exc
    if len(records) > MAX_LIST_RECORDS:
        raise ImportRefused(
            gettext("The list has more than %(n)d records: split it.") % {"n": MAX_LIST_RECORDS}
        )
    if not records:
        raise ImportRefused(gettext("No row could be imported."), errors)

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


# --- filing a list into a case --------------------------------------------------------------

#: List records decrypted and filed at a time: bounds memory for a list of 200,000.
FILE_CHUNK = 2000

#: The most records one filing (one request, one transaction) files, so that it ends well
#: inside ``ombuds serve``'s 60-second worker timeout: filing costs about 0.4 ms a record on
#: SQLite and 0.65 ms on PostgreSQL, 1 ms on a 2-core machine with two other busy processes
#: (25,000 records: 10 s, 16 s, 26 s; docs/analysis.md). Filing again files the next ones.
FILE_MAX_PER_REQUEST = 25_000

#: Source types an analyst may give list material: any but "complaint", which is material
#: from intake, bound to its complainant's consent.
LIST_SOURCE_TYPES: tuple[str, ...] = tuple(
    t.value for t in case_records.SourceType if t != case_records.SourceType.COMPLAINT
)

#: Lists' ``event_type`` words that name a case act type other than by its own value (the
#: inverse of what ``selectors.case_persons`` tells the engine).
_EVENT_AS_ACT = {"disappearance": case_records.ActType.ENFORCED_DISAPPEARANCE}

_PRECISION_BY_LENGTH = {
    4: case_records.DatePrecision.YEAR,
    7: case_records.DatePrecision.MONTH,
    10: case_records.DatePrecision.DAY,
}


@dataclass(frozen=True)
class FilingResult:
    case: Case
    #: Records filed now (each a Person and an Information record, and an Event and an Act
    #: when it has an event date or type).
    filed: int
    #: Records of the list filed before (into this case or another), left as they were.
    skipped: int
    #: Records of the list still to file: filing again files them (the next
    #: :data:`FILE_MAX_PER_REQUEST`, in list order).
    remaining: int


def _fuzzy_date(value: str) -> case_records.FuzzyDate:
    """A list's ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a date of that precision."""
    precision = _PRECISION_BY_LENGTH.get(len(value))
    if not value or precision is None:
        return case_records.FuzzyDate()
    try:
        return case_records.FuzzyDate(value, precision)
    except ValueError:
        return case_records.FuzzyDate()


_ACT_TYPES = frozenset(case_records.ActType.values)


def _act_type(event_type: str) -> str:
    if event_type in _ACT_TYPES:
        return event_type
    return _EVENT_AS_ACT.get(event_type, case_records.ActType.OTHER)


def _case_records_of(
    record: PersonRecord,
    *,
    person_list: PersonList,
    row: ListRecord,
    source_type: str,
    reliability: str,
) -> tuple[uuid.UUID, list[tuple[uuid.UUID, case_records.Record]]]:
    """What one list record says, as case records: the person's id and every record to store.

    The texts written here are record content (encrypted), in English like the summaries of
    complaints, not interface strings.
    """
    name = " ".join(p for p in (record.family_name, record.given_name, record.patronymic) if p)
    name = name or record.full_name
    person_id = uuid.uuid4()
    out: list[tuple[uuid.UUID, case_records.Record]] = [
        (
            person_id,
            case_records.PersonRecord(
                name=name,
                sex=record.sex if record.sex in ("m", "f") else case_records.Sex.UNKNOWN,
                birth_date=_fuzzy_date(record.birth_date),
                age=record.age,
                origin=record.place,
            ),
        )
    ]
    summary = [
        f'Named in the imported list "{person_list.name}", record {record.record_id} '
        f"(source: {record.source})."
    ]
    if name:
        summary.append(f"Person: {name}")
    about = ""
    if record.event_date or record.event_type:
        act_type = _act_type(record.event_type)
        when = _fuzzy_date(record.event_date)
        event_id, act_id = uuid.uuid4(), uuid.uuid4()
        title = ", ".join(
            p for p in (record.event_type.capitalize() or "Event", record.event_date, name) if p
        )
        notes = f"The list says: {record.event_type}" if record.event_type != act_type else ""
        out.append(
            (
                event_id,
                case_records.EventRecord(title=title, date=when, place=record.place),
            )
        )
        out.append(
            (
                act_id,
                case_records.ActRecord(
                    event=str(event_id),
                    act_type=act_type,
                    victim=str(person_id),
                    start=when,
                    place=record.place,
                    notes=notes,
                ),
            )
        )
        about = str(act_id)
        act = ", ".join(
            p for p in (record.event_type or "act", record.event_date, record.place) if p
        )
        summary.append(f"Act: {act}")
    out.append(
        (
            uuid.uuid4(),
            case_records.InformationRecord(
                source_type=source_type,
                reliability=reliability,
                violation_status=case_records.ViolationStatus.POSSIBLE,
                about=about,
                source_ref=f"list:{person_list.public_id}#{row.public_id}",
                summary="\n".join(summary),
            ),
        )
    )
    return person_id, out


def person_list_file(
    *,
    user: StaffUser,
    person_list: PersonList,
    case: Case,
    agency_key: crypto.PrivateKey,
    source_type: str,
    reliability: str,
) -> FilingResult:
    """File an imported list's records into a case the user's agency holds, as Information
    from that source.

    Each record not filed before becomes, encrypted in the case compartment every holding
    agency may read (list material is staff material, never a complaint's consent
    compartment): a Person; when it has an event date or type, an Event and an Act (the act
    type is the list's ``event_type`` where it is a case act type, ``disappearance`` is an
    enforced disappearance, anything else "other"; the person is the victim); and an
    Information record (``source_type`` and ``reliability`` as given, violation "possible",
    about the act, referenced as ``list:<list id>#<record id>``, which names nobody). Each
    list record remembers the case person it became (:class:`FiledRecord`), so it is filed
    once: records filed before, into this case or another, are skipped and counted.

    One call files at most :data:`FILE_MAX_PER_REQUEST` records, the first not filed in list
    order, so that a request stays well inside the web worker's timeout; the result says how
    many remain, and calling again files the next ones.

    ``agency_key`` is the user's agency private key, unsealed for the request: it opens the
    list and the case. Atomic (a call files its whole batch or nothing), audited
    (``list_filed``, no content: filed, skipped, remaining). Raises
    :class:`AnalysisError` (a list of another agency, a bad source type or reliability, every
    record filed already) or ``CaseworkError`` (the agency does not hold the case, or the
    role may not file lists: only case writers and analysts may).
    """
    agency = _agency_of(user)
    if person_list.agency_id != agency.pk:
        raise AnalysisError(gettext("This list belongs to another agency."))
    if source_type not in LIST_SOURCE_TYPES:
        raise AnalysisError(gettext("Choose the kind of source the list is."))
    if reliability not in case_records.Reliability.values:
        raise AnalysisError(gettext("Choose how reliable the list is."))
    case_services.list_filing_require(user=user, case=case)
    key = crypto.unseal_data_key(agency_key, bytes(person_list.sealed_key))
    with transaction.atomic():
        # One filing of a list at a time: the second sees what the first filed.
        PersonList.objects.select_for_update().filter(pk=person_list.pk).first()
        keys = case_selectors.case_keys_for_agency(
            case=case, agency=agency, agency_private_key=agency_key
        )
        rows = ListRecord.objects.filter(person_list=person_list)
        skipped = rows.filter(filed__isnull=False).count()
        pending = rows.filter(filed__isnull=True).order_by("pk")
        to_file = pending.count()
        limit = FILE_MAX_PER_REQUEST
        today = timezone.localdate()
        filed = 0
        last_pk = 0
        while filed < limit:
            chunk = list(pending.filter(pk__gt=last_pk)[: min(FILE_CHUNK, limit - filed)])
            if not chunk:
                break
            last_pk = chunk[-1].pk
            to_store: list[tuple[uuid.UUID, case_records.Record]] = []
            links = []
            for row in chunk:
                record = record_from_bytes(
                    crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad(person_list))
                )
                person_id, written = _case_records_of(
                    record,
                    person_list=person_list,
                    row=row,
                    source_type=source_type,
                    reliability=reliability,
                )
                to_store.extend(written)
                links.append(
                    FiledRecord(
                        list_record=row, case_person_id=person_id, filed_by=user, filed_on=today
                    )
                )
            case_services.list_material_add(user=user, case=case, keys=keys, records=to_store)
            FiledRecord.objects.bulk_create(links, batch_size=FILE_CHUNK)
            filed += len(chunk)
        if not filed:
            raise AnalysisError(gettext("Every record of this list is already filed in a case."))
        audit_record(
            action=AuditAction.LIST_FILED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "list": str(person_list.public_id),
                "filed": filed,
                "skipped": skipped,
                "remaining": to_file - filed,
                "source_type": source_type,
                "reliability": reliability,
            },
        )
    return FilingResult(case=case, filed=filed, skipped=skipped, remaining=to_file - filed)


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
    :class:`AnalysisError` for an input list of another agency or an empty input, and
    :class:`RunAlreadyActive` (nothing created) while another run of the agency waits or
    runs: a run without a heartbeat for ``services.DEAD_AFTER`` is marked failed first. The
    agency row is locked, and the database refuses a second active run of an agency
    (``one_active_run_per_agency``) whichever process starts it.
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
        # Lock the agency row so two runs started at once get different numbers, and the
        # second sees the first as active.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        runs_mark_dead(agency_id=agency.pk)
        active = LinkageRun.objects.filter(
            agency=agency, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).first()
        if active is not None:
            raise RunAlreadyActive(active)
        last = LinkageRun.objects.filter(agency=agency).aggregate(n=Max("number"))["n"] or 0
        try:
            with transaction.atomic():
                run = LinkageRun.objects.create(
                    agency=agency,
                    number=last + 1,
                    started_by=user,
                    threshold=threshold,
                    include_cases=include_cases,
                )
        except IntegrityError:
            # Another process started one between the check and the insert.
            active = LinkageRun.objects.filter(
                agency=agency, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
            ).first()
            if active is None:
                raise
            raise RunAlreadyActive(active) from None
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


#: A queued or running run without a heartbeat for this long died with its process (the
#: heartbeat is written every ``jobs.HEARTBEAT_EVERY`` while it waits or works).
DEAD_AFTER = datetime.timedelta(minutes=5)


def dead_runs(now: datetime.datetime | None = None) -> Q:
    """Active runs without a heartbeat (or, never started, created) for :data:`DEAD_AFTER`."""
    since = (now or timezone.now()) - DEAD_AFTER
    return Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]) & (
        Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, created_at__lt=since)
    )


_STOPPED = "the run stopped without finishing (no heartbeat); start it again"


def runs_mark_dead(*, agency_id: int | None = None) -> int:
    """Mark failed every queued or running run (of ``agency_id``, or all) that has no
    heartbeat for :data:`DEAD_AFTER`: its process died (a restart, a killed worker).
    Returns how many were marked."""
    runs = LinkageRun.objects.filter(dead_runs())
    if agency_id is not None:
        runs = runs.filter(agency_id=agency_id)
    now = timezone.now()
    return runs.update(
        status=RunStatus.FAILED, failure=_STOPPED, finished_at=now, updated_at=now,
        details={"failure": {"code": FAILURE_STOPPED}},
    )  # fmt: skip


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
