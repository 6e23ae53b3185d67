"""Writes about cases. Each service is atomic and records its audit entry in the same
transaction (house-style: ``<noun>_<verb>``, keyword-only arguments).

Plaintext exists only in memory here: every record is encrypted under its compartment's key
before a row is written. Keys are passed in as :class:`~.selectors.CaseKeys`, unsealed for the
request by the caller's agency key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from ombuds import crypto
from ombuds.access import (
    CASE_LIST_FILER_ROLES,
    CASE_WRITER_ROLES,
    access_case_list_filing,
    access_complaint,
    assignable_staff,
    may_add_case_material,
    may_change_record,
    may_steer_case,
)
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.intake.content import ComplaintContent, PersonConcerned, PersonRole
from ombuds.intake.labels import label, when_words
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import ComplaintView, complaint_data_key_for_agency
from ombuds.intake.services import complaint_share
from ombuds.staff.models import Agency, AgencyKind, StaffUser

from .models import (
    EVERYONE,
    Case,
    CaseComplaint,
    CaseHolding,
    CaseKeyGrant,
    CaseOutcome,
    CasePriority,
    CaseRecord,
    CaseRecordVersion,
    CaseStatus,
    Compartment,
    CompartmentSource,
)
from .records import (
    ActRecord,
    EventRecord,
    InformationRecord,
    InvolvementDegree,
    InvolvementRecord,
    PerpetratorType,
    PersonRecord,
    Record,
    Reliability,
    Sex,
    SourceType,
    ViolationStatus,
    changed_fields,
    record_from_bytes,
    references,
)
from .selectors import (
    CaseKeys,
    RecordReferrers,
    compartment_allowed_ids,
    complaint_consent_ids,
    record_referrers,
)


class CaseworkError(Exception):
    """A case operation was refused; the message is safe to show to the staff member."""


class RecordNamed(CaseworkError):
    """A record was not deleted: other records name it (``referrers`` says which)."""

    def __init__(self, referrers: RecordReferrers) -> None:
        super().__init__("other records name this record")
        self.referrers = referrers


def _require_writer(user: StaffUser, case: Case) -> Agency:
    """Raise :class:`CaseworkError` unless the user may add material to the case (records,
    notes, files: any agency holding it, ``access.may_add_case_material``)."""
    if user.agency is None or not may_add_case_material(user=user, case=case):
        raise CaseworkError("you may not change this case")
    return user.agency


def _require_steerer(user: StaffUser, case: Case) -> Agency:
    """Raise :class:`CaseworkError` unless the user may steer the case (status, assignment,
    referral, complaints: the responsible agency and the working group,
    ``access.may_steer_case``)."""
    if user.agency is None or not may_steer_case(user=user, case=case):
        raise CaseworkError("only the responsible agency and the working group steer this case")
    return user.agency


# --- compartments ---------------------------------------------------------------------------


def _signature(allowed: frozenset[int] | None) -> str:
    return EVERYONE if allowed is None else ",".join(str(i) for i in sorted(allowed))


def _holder_agencies(case: Case) -> list[Agency]:
    return [h.agency for h in case.holdings.select_related("agency")]


def _sources_lock(sources: Sequence[Complaint]) -> None:
    """Lock the source complaints' rows for this transaction; raise :class:`CaseworkError`
    if one was withdrawn meanwhile.

    A withdrawal locks its complaint's row before it looks for what cases copied or filed
    under it (``intake.services.complaint_withdraw``). So material written here either
    commits first, and the withdrawal then sees it, or waits for the withdrawal and is
    refused plainly, rather than failing at commit on a foreign key (a 500).
    """
    if not sources:
        return
    wanted = {c.pk for c in sources}
    found = set(
        Complaint.objects.select_for_update(no_key=True)
        .filter(pk__in=wanted)
        .order_by("pk")  # one order for every request: no two can deadlock on these
        .values_list("pk", flat=True)
    )
    if found != wanted:
        raise CaseworkError("a source complaint was withdrawn by its complainant")


def _sources_link(compartment: Compartment, sources: Sequence[Complaint]) -> None:
    for complaint in sources:
        CompartmentSource.objects.get_or_create(compartment=compartment, complaint=complaint)


def _compartment_for(
    *, case: Case, keys: CaseKeys, sources: Sequence[Complaint]
) -> tuple[Compartment, crypto.DataKey]:
    """The compartment for material from ``sources`` (none: staff material), and its key.

    The allowed set is the intersection of the sources' consents. A missing compartment is
    made with a fresh key sealed to every holding agency in the set. Raises
    :class:`CaseworkError` if the writer's own agency could not read the result.
    """
    # Row locks need a transaction; inside the caller's (the usual case) this adds nothing.
    with transaction.atomic(savepoint=False):
        _sources_lock(sources)
        allowed: frozenset[int] | None = None
        for complaint in sources:
            consent = complaint_consent_ids(complaint)
            allowed = consent if allowed is None else allowed & consent
        if allowed is not None and keys.agency.pk not in allowed:
            raise CaseworkError("your agency may not read material from these complaints")
        signature = _signature(allowed)
        compartment = Compartment.objects.filter(case=case, signature=signature).first()
        if compartment is None:
            # Two requests may both find the compartment missing; both creating it would
            # break ``one_compartment_per_set`` (an IntegrityError, a 500). Lock the case row,
            # then look again: the second waits for the first to commit and finds its
            # compartment (each statement reads what was committed before it, under READ
            # COMMITTED). FOR NO KEY UPDATE excludes the same lock taken by another request,
            # yet not the foreign-key checks (KEY SHARE) of requests merely adding rows to the
            # case. Only this path, a compartment's first use, takes it. SQLite has no row
            # locks and needs none: it runs one writer at a time.
            list(Case.objects.select_for_update(no_key=True).filter(pk=case.pk).values_list("pk"))
            compartment = Compartment.objects.filter(case=case, signature=signature).first()
        if compartment is not None:
            # Made after ``keys`` were unsealed (by a concurrent request): unseal its key now.
            key = keys.get_or_unseal(compartment)
            if key is None:
                raise CaseworkError("your agency does not hold the key for this material")
            _sources_link(compartment, sources)
            return compartment, key
        key = crypto.new_data_key()
        compartment = Compartment.objects.create(
            case=case, everyone=allowed is None, signature=signature
        )
        if allowed is not None:
            compartment.allowed.set(Agency.objects.filter(pk__in=allowed))
        _sources_link(compartment, sources)
        for agency in _holder_agencies(case):
            if allowed is None or agency.pk in allowed:
                CaseKeyGrant.objects.create(
                    case=case,
                    compartment=compartment,
                    agency=agency,
                    sealed_key=crypto.seal_data_key(bytes(agency.public_key), key),
                )
        keys.by_compartment[compartment.pk] = key
        return compartment, key


def compartment_for_material(
    *, user: StaffUser, case: Case, keys: CaseKeys, sources: Sequence[Complaint] = ()
) -> tuple[Compartment, crypto.DataKey]:
    """The compartment (made if missing) for new material from ``sources``, and its key.

    For other apps that file material under a case (evidence): no ``sources`` gives the
    compartment every agency holding the case may read. The user must be allowed to change the
    case, and the sources must be complaints of it. Call inside the caller's transaction.
    Raises :class:`CaseworkError`.
    """
    _require_writer(user, case)
    linked = set(CaseComplaint.objects.filter(case=case).values_list("complaint_id", flat=True))
    if any(c.pk not in linked for c in sources):
        raise CaseworkError("a source is not a complaint of this case")
    return _compartment_for(case=case, keys=keys, sources=sources)


def _record_write(
    *,
    user: StaffUser,
    case: Case,
    compartment: Compartment,
    key: crypto.DataKey,
    record: Record,
    copied_from: Complaint | None = None,
) -> CaseRecord:
    row = CaseRecord(
        case=case,
        compartment=compartment,
        kind=record.kind,
        created_on=timezone.localdate(),
        created_by=user,
        agency=user.agency,
        source_complaint=copied_from,
    )
    row.ciphertext = crypto.encrypt(key, record.to_bytes(), aad=row.aad)
    row.save(force_insert=True)
    return row


def list_filing_require(*, user: StaffUser, case: Case) -> None:
    """Raise :class:`CaseworkError` unless the user may file list material into the case
    (:func:`~.selectors.access_case_list_filing`), saying why: role or agency."""
    if not access_case_list_filing(user=user, case=case):
        if user.role not in CASE_LIST_FILER_ROLES or not user.is_active:
            raise CaseworkError(gettext("Your role may not file lists into cases."))
        raise CaseworkError(gettext("Your agency does not hold this case."))


#: Rows per INSERT when material is filed in bulk.
_BULK_BATCH = 1000


def list_material_add(
    *, user: StaffUser, case: Case, keys: CaseKeys, records: Sequence[tuple[uuid.UUID, Record]]
) -> list[CaseRecord]:
    """Encrypt and store records filed from an imported person list, in bulk.

    A building block of ``analysis.services.person_list_file``, which decrypts the list and
    writes the audit entry: call it inside the caller's transaction. Each record comes with
    the ``public_id`` its row gets, so records can name one another (an act its victim) before
    they are stored. List material is staff material: it goes in the compartment every agency
    holding the case may read, never in a complaint's consent compartment. The user must pass
    :func:`~.selectors.access_case_list_filing`. Raises :class:`CaseworkError`.
    """
    list_filing_require(user=user, case=case)
    compartment, key = _compartment_for(case=case, keys=keys, sources=[])
    today = timezone.localdate()
    rows = []
    for public_id, record in records:
        row = CaseRecord(
            case=case,
            compartment=compartment,
            public_id=public_id,
            kind=record.kind,
            created_on=today,
            created_by=user,
            agency=user.agency,
        )
        row.ciphertext = crypto.encrypt(key, record.to_bytes(), aad=row.aad)
        rows.append(row)
    return CaseRecord.objects.bulk_create(rows, batch_size=_BULK_BATCH)


# --- opening a case -------------------------------------------------------------------------


def _content_summary(content: ComplaintContent) -> str:
    """The complaint's answers as the case's Information record says them.

    Written once, in the language of the member filing the complaint into the case (a record
    is data from then on: staff may correct it), with the form's labels rather than its codes.
    """
    lines = [content.account]
    if content.acts:
        acts = label(content.acts, "acts") + (
            f" ({content.other_act})" if content.other_act else ""
        )
        lines.append(gettext("What happened: %(acts)s") % {"acts": acts})
    lines.append(gettext("When: %(when)s") % {"when": when_words(content)})
    if content.place:
        lines.append(gettext("Where: %(place)s") % {"place": content.place})
    if content.perpetrators or content.perpetrator_details:
        who = f"{label(content.perpetrators, 'perpetrators')} {content.perpetrator_details}"
        lines.append(gettext("By whom: %(who)s") % {"who": who.strip()})
    lines.append(
        gettext("Held now: %(held)s; filed by: %(filer)s")
        % {
            "held": label(content.held_now, "held_now"),
            "filer": label(content.filer_role, "filer_role"),
        }
    )
    return "\n".join(lines)


def _person_record(person: PersonConcerned) -> PersonRecord:
    return PersonRecord(
        name=person.name,
        sex=person.sex if person.sex in Sex.values else Sex.UNKNOWN,
        age=int(person.age) if person.age.isdigit() else None,
    )


def _complaint_perpetrator_type(content: ComplaintContent) -> str:
    """The complaint's one kind of perpetrator ("police"), or unknown when it names several."""
    kinds = {p for p in content.perpetrators if p in PerpetratorType.values}
    return kinds.pop() if len(kinds) == 1 else PerpetratorType.UNKNOWN


def _complaint_attach(
    *, user: StaffUser, case: Case, keys: CaseKeys, complaint: Complaint, view: ComplaintView
) -> None:
    """Link a complaint and copy its content into the case, in the complaint's compartment.

    Each person named goes in as their role says (HURIDOCS: a role is what names the person):
    a victim, "other" or a person of an older complaint without a role as a Person; a
    perpetrator as a Person named by an Involvement (suspected, of no act yet: staff tie it to
    one), so that nothing counts them among the victims (``analysis.selectors.case_persons``);
    a witness as a source, an Information record (witness statement), not as a Person.

    Every record copied names the complaint (``CaseRecord.source_complaint``), so that
    withdrawing the complaint removes it (:func:`case_source_withdraw`).
    """
    # Before the link is made: the complainant may be withdrawing at this moment.
    _sources_lock([complaint])
    if not access_complaint(user=user, complaint=complaint):
        raise CaseworkError("you may not read this complaint")
    CaseComplaint.objects.get_or_create(
        case=case, complaint=complaint, defaults={"added_on": timezone.localdate()}
    )
    compartment, key = _compartment_for(case=case, keys=keys, sources=[complaint])
    content = view.content
    _record_write(
        user=user,
        case=case,
        compartment=compartment,
        key=key,
        copied_from=complaint,
        record=InformationRecord(
            source_type=SourceType.COMPLAINT,
            reliability=Reliability.UNKNOWN,
            violation_status=ViolationStatus.POSSIBLE,
            source_ref=f"complaint:{complaint.public_id}",
            summary=_content_summary(content),
        ),
    )
    for person in content.persons:
        if not (person.name or person.age):
            continue
        if person.role == PersonRole.WITNESS:
            record: Record = InformationRecord(
                source_type=SourceType.WITNESS,
                reliability=Reliability.UNKNOWN,
                violation_status=ViolationStatus.POSSIBLE,
                source_ref=f"complaint:{complaint.public_id}",
                summary=", ".join(v for v in (person.name, person.age) if v),
            )
        else:
            record = _person_record(person)
        row = _record_write(
            user=user,
            case=case,
            compartment=compartment,
            key=key,
            copied_from=complaint,
            record=record,
        )
        if person.role == PersonRole.PERPETRATOR:
            _record_write(
                user=user,
                case=case,
                compartment=compartment,
                key=key,
                copied_from=complaint,
                record=InvolvementRecord(
                    act="",
                    perpetrator_type=_complaint_perpetrator_type(content),
                    degree=InvolvementDegree.SUSPECTED,
                    perpetrator_person=str(row.public_id),
                ),
            )


def case_open(
    *,
    user: StaffUser,
    complaints: Sequence[tuple[Complaint, ComplaintView]],
    priority: CasePriority = CasePriority.NORMAL,
) -> tuple[Case, CaseKeys]:
    """Open a case held by the user's agency from complaints the user has read.

    Each complaint's content is copied in as an Information record (and its persons as Person
    records) in the compartment of that complaint's consents. Raises :class:`CaseworkError`
    if the user may not write cases or read one of the complaints.
    """
    agency = user.agency
    if agency is None or user.role not in CASE_WRITER_ROLES or not user.is_active:
        raise CaseworkError("you may not open cases")
    if not complaints:
        raise CaseworkError("a case is opened from at least one complaint")
    today = timezone.localdate()
    with transaction.atomic():
        case = Case.objects.create(
            agency=agency, priority=priority, opened_on=today, status_changed_on=today
        )
        CaseHolding.objects.create(case=case, agency=agency, since=today)
        keys = CaseKeys(agency=agency)
        # The compartment of staff-originated material exists from the start.
        _compartment_for(case=case, keys=keys, sources=[])
        for complaint, view in complaints:
            _complaint_attach(user=user, case=case, keys=keys, complaint=complaint, view=view)
        audit_record(
            action=AuditAction.CASE_CREATED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "complaints": ",".join(str(c.public_id) for c, _v in complaints)[:500],
                "priority": str(priority),
            },
        )
    return case, keys


def case_add_complaint(
    *, user: StaffUser, case: Case, keys: CaseKeys, complaint: Complaint, view: ComplaintView
) -> None:
    """Add one more complaint the user has read to a case they steer."""
    _require_steerer(user, case)
    with transaction.atomic():
        _complaint_attach(user=user, case=case, keys=keys, complaint=complaint, view=view)
        audit_record(
            action=AuditAction.CASE_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={"change": "complaint_added", "complaint": str(complaint.public_id)},
        )


# --- a source complaint withdrawn (threat model 9: deletion that means it) ------------------


@dataclass(frozen=True)
class SourceRemoval:
    """What one case lost when a source complaint went: counts only, never content."""

    case: Case
    records_removed: int
    compartments_removed: int


def _compartment_is_empty(compartment_id: int, complaint: Complaint) -> bool:
    """Nothing left in it but, perhaps, ``complaint`` as a source (on its way out)."""
    return not (
        Compartment.objects.filter(pk=compartment_id, everyone=True).exists()
        or CaseRecord.objects.filter(compartment_id=compartment_id).exists()
        or CompartmentSource.objects.filter(compartment_id=compartment_id)
        .exclude(complaint=complaint)
        .exists()
        or Compartment.objects.filter(pk=compartment_id, evidence__isnull=False).exists()
    )


def case_source_withdraw(
    *, complaint: Complaint, reason: str, day_only: bool = False
) -> list[SourceRemoval]:
    """Remove from every case what was copied from ``complaint``, which is being destroyed.

    The rule (docs/casework.md, "Withdrawal"), per case that holds the complaint:

    - the records copied from it when it was added (``CaseRecord.source_complaint``) are
      deleted: its Information record and its Person records;
    - records staff wrote themselves stay, even those filed under its compartment: they are
      staff work, and the same agencies as before read them;
    - its links to the case and to compartments go; a compartment left with no record, no
      file and no other source complaint is deleted with its key grants (no key is left to
      read anything by);
    - the case counts the withdrawn source (:attr:`Case.sources_withdrawn`, for the notice on
      the case page) and gets an audit entry that says so, with counts and no content,
      stamped with the day only when ``day_only`` (the complainant acted: an exact time would
      tell when they were online).

    Records of other complaints, in the same compartment or not, are untouched. A building
    block of ``intake.services.complaint_shred``: call it inside that transaction, before the
    complaint row is deleted (the foreign key protects the records until then).
    """
    case_ids = set(
        CaseComplaint.objects.filter(complaint=complaint).values_list("case_id", flat=True)
    )
    case_ids |= set(
        CaseRecord.objects.filter(source_complaint=complaint).values_list("case_id", flat=True)
    )
    case_ids |= set(
        CompartmentSource.objects.filter(complaint=complaint).values_list(
            "compartment__case_id", flat=True
        )
    )
    removals: list[SourceRemoval] = []
    for case in Case.objects.filter(pk__in=case_ids).order_by("pk"):
        copied = CaseRecord.objects.filter(case=case, source_complaint=complaint)
        links = CompartmentSource.objects.filter(compartment__case=case, complaint=complaint)
        touched = set(copied.values_list("compartment_id", flat=True))
        touched |= set(links.values_list("compartment_id", flat=True))
        _total, by_model = copied.delete()
        links.delete()
        CaseComplaint.objects.filter(case=case, complaint=complaint).delete()
        emptied = [pk for pk in sorted(touched) if _compartment_is_empty(pk, complaint)]
        CaseKeyGrant.objects.filter(compartment_id__in=emptied).delete()
        Compartment.objects.filter(pk__in=emptied).delete()
        Case.objects.filter(pk=case.pk).update(sources_withdrawn=F("sources_withdrawn") + 1)
        removals.append(
            SourceRemoval(
                case=case,
                records_removed=by_model.get(CaseRecord._meta.label, 0),
                compartments_removed=len(emptied),
            )
        )
    # Audit entries last: the chain head stays locked from the first one until the commit.
    for removal in removals:
        audit_record(
            action=AuditAction.CASE_CHANGED,
            subject=f"case:{removal.case.public_id}",
            details={
                "change": "source_withdrawn",
                "reason": reason,
                "records_removed": removal.records_removed,
                "compartments_removed": removal.compartments_removed,
            },
            day_only=day_only,
        )
    return removals


# --- records --------------------------------------------------------------------------------


def record_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    record: Record,
    sources: Sequence[Complaint] = (),
) -> CaseRecord:
    """Encrypt and store one record in the compartment of its source complaints.

    With no ``sources`` the record is staff material, readable by every agency holding the
    case. Sources must be complaints of this case. Raises :class:`CaseworkError`.
    """
    _require_writer(user, case)
    linked = set(CaseComplaint.objects.filter(case=case).values_list("complaint_id", flat=True))
    if any(c.pk not in linked for c in sources):
        raise CaseworkError("a source is not a complaint of this case")
    with transaction.atomic():
        compartment, key = _compartment_for(case=case, keys=keys, sources=sources)
        _references_lock(case, references(record).values())
        row = _record_write(user=user, case=case, compartment=compartment, key=key, record=record)
        audit_record(
            action=AuditAction.CASE_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={"change": "record_added", "kind": record.kind, "record": str(row.public_id)},
        )
    return row


def _references_lock(case: Case, public_ids: Iterable[str]) -> None:
    """Lock the rows of the records a record being written names; raise
    :class:`CaseworkError` if one was deleted meanwhile.

    :func:`record_delete` locks the row it deletes, then looks for records that name it. So
    a record naming it either commits first, and the deletion sees it and is refused, or
    waits for the deletion and is refused here, rather than naming a record that is gone.
    Call inside the writer's transaction. (SQLite runs one writer at a time.)
    """
    try:
        wanted = {uuid.UUID(ref) for ref in public_ids}
    except ValueError as exc:
        raise CaseworkError("a reference is not a record id") from exc
    if not wanted:
        return
    found = set(
        CaseRecord.objects.select_for_update(no_key=True)
        .filter(case=case, public_id__in=wanted)
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    if found != wanted:
        raise CaseworkError(gettext("A record it names has been deleted meanwhile."))


def _record_locked(
    *, case: Case, keys: CaseKeys, record_id: uuid.UUID
) -> tuple[CaseRecord, crypto.DataKey]:
    """The row of ``record_id`` in ``case``, locked for this transaction, and its key.

    Raises ``CaseRecord.DoesNotExist`` when there is no such record or ``keys`` do not open
    its compartment (the caller answers both the same way: not found).
    """
    row = (
        CaseRecord.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case", "compartment")
        .filter(case=case, public_id=record_id)
        .first()
    )
    key = keys.get(row.compartment) if row is not None else None
    if row is None or key is None:
        raise CaseRecord.DoesNotExist
    return row, key


def record_edit(
    *, user: StaffUser, case: Case, keys: CaseKeys, record_id: uuid.UUID, record: Record
) -> tuple[CaseRecord, tuple[str, ...]]:
    """Replace what record ``record_id`` says by ``record``, in the same row, keeping the
    earlier text as a version.

    Only members of the agency that wrote the record may (``access.may_change_record``).
    The row keeps its ``public_id`` (records that name it still do), its kind, compartment
    and provenance; the new payload is encrypted under the compartment's key with the row's
    associated data. The text it replaces is kept, encrypted under the same key, as a
    :class:`~.models.CaseRecordVersion` with who wrote it and when and who replaced it and
    when: nothing is silently destroyed. The audit entry names the record, its kind and the
    *names* of the fields that changed, never their values. Returns the row and those names;
    nothing is written when nothing changed.

    Raises :class:`CaseworkError` (may not change the case or this record, another kind, a
    newly named record deleted meanwhile) and ``CaseRecord.DoesNotExist`` (no such record, or
    not readable).
    """
    _require_writer(user, case)
    with transaction.atomic():
        row, key = _record_locked(case=case, keys=keys, record_id=record_id)
        if not may_change_record(user=user, row=row):
            raise CaseworkError(gettext("Only the agency that wrote a record may change it."))
        if row.kind != record.kind:
            raise CaseworkError("a record keeps its kind")
        old = record_from_bytes(row.kind, crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad))
        changed = changed_fields(old, record)
        if not changed:
            return row, ()
        kept = set(references(old).values())
        _references_lock(case, (r for r in references(record).values() if r not in kept))
        _version_keep(user=user, row=row, key=key)
        row.ciphertext = crypto.encrypt(key, record.to_bytes(), aad=row.aad)
        row.changed_on = timezone.localdate()
        row.changed_by = user
        row.save(update_fields=["ciphertext", "changed_on", "changed_by"])
        audit_record(
            action=AuditAction.CASE_RECORD_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "record": str(row.public_id),
                "kind": row.kind,
                "fields": ",".join(changed),
                "copy": row.source_complaint_id is not None,
            },
        )
    return row, changed


def _version_keep(*, user: StaffUser, row: CaseRecord, key: crypto.DataKey) -> CaseRecordVersion:
    """Keep what ``row`` says now as its next version, re-encrypted under the compartment's
    ``key`` with the version's own associated data (a version cannot pass for the record or
    for another version). Call inside the edit's transaction, the row locked."""
    number = row.versions.count() + 1
    version = CaseRecordVersion(
        record=row,
        number=number,
        written_on=row.changed_on or row.created_on,
        written_by=row.changed_by if row.changed_on else row.created_by,
        replaced_on=timezone.localdate(),
        replaced_by=user,
    )
    plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
    version.ciphertext = crypto.encrypt(key, plain, aad=version.aad_for(row))
    version.save(force_insert=True)
    return version


def record_delete(
    *, user: StaffUser, case: Case, keys: CaseKeys, record_id: uuid.UUID
) -> CaseRecord:
    """Delete record ``record_id`` from ``case``, unless another record names it.

    A record that an act, involvement or information record the user's agency can open names
    (:func:`~.selectors.record_referrers`) is not deleted: :class:`RecordNamed` says which
    records to change first. Records in compartments the agency cannot open are not searched
    (their references are inside ciphertext it cannot read); if one names the record, its
    reference reads "withheld" afterwards, as after a withdrawal. The row goes, ciphertext
    and all; the compartment and its keys stay. The audit entry names the record and its
    kind, no content. Returns the deleted row (unsaved).

    Raises :class:`RecordNamed`, :class:`CaseworkError` (may not change the case) and
    ``CaseRecord.DoesNotExist`` (no such record, or not readable).
    """
    _require_writer(user, case)
    with transaction.atomic():
        row, _key = _record_locked(case=case, keys=keys, record_id=record_id)
        if not may_change_record(user=user, row=row):
            raise CaseworkError(gettext("Only the agency that wrote a record may change it."))
        referrers = record_referrers(case=case, keys=keys, row=row)
        if referrers:
            raise RecordNamed(referrers)
        row.delete()
        audit_record(
            action=AuditAction.CASE_RECORD_DELETED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "record": str(record_id),
                "kind": row.kind,
                "copy": row.source_complaint_id is not None,
            },
        )
    return row


def person_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    person: PersonRecord,
    sources: Sequence[Complaint] = (),
) -> CaseRecord:
    return record_add(user=user, case=case, keys=keys, record=person, sources=sources)


def event_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    event: EventRecord,
    act: ActRecord | None = None,
    sources: Sequence[Complaint] = (),
) -> tuple[CaseRecord, CaseRecord | None]:
    """An event and, optionally, its first act (``act.event`` is filled in), in one step."""
    with transaction.atomic():
        event_row = record_add(user=user, case=case, keys=keys, record=event, sources=sources)
        act_row = None
        if act is not None:
            act = replace(act, event=str(event_row.public_id))
            act_row = record_add(user=user, case=case, keys=keys, record=act, sources=sources)
    return event_row, act_row


def act_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    act: ActRecord,
    sources: Sequence[Complaint] = (),
) -> CaseRecord:
    return record_add(user=user, case=case, keys=keys, record=act, sources=sources)


def involvement_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    involvement: InvolvementRecord,
    sources: Sequence[Complaint] = (),
) -> CaseRecord:
    return record_add(user=user, case=case, keys=keys, record=involvement, sources=sources)


def information_add(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    information: InformationRecord,
    sources: Sequence[Complaint] = (),
) -> CaseRecord:
    return record_add(user=user, case=case, keys=keys, record=information, sources=sources)


# --- workflow -------------------------------------------------------------------------------


def case_set_status(
    *, user: StaffUser, case: Case, status: CaseStatus, outcome: CaseOutcome = CaseOutcome.NONE
) -> None:
    """Change the status; a closed case needs an outcome, an open one has none."""
    _require_steerer(user, case)
    if status == CaseStatus.CLOSED and outcome == CaseOutcome.NONE:
        raise CaseworkError("a closed case needs an outcome")
    if status != CaseStatus.CLOSED:
        outcome = CaseOutcome.NONE
    today = timezone.localdate()
    with transaction.atomic():
        old = case.status
        Case.objects.filter(pk=case.pk).update(
            status=status,
            outcome=outcome,
            status_changed_on=today,
            closed_on=today if status == CaseStatus.CLOSED else None,
        )
        audit_record(
            action=AuditAction.CASE_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={"change": "status", "from": old, "to": str(status), "outcome": str(outcome)},
        )
    case.refresh_from_db()


def case_assign(
    *, user: StaffUser, case: Case, agency: Agency, investigator: StaffUser | None
) -> None:
    """Make ``agency`` (a holding agency) responsible, with an optional investigator of it."""
    _require_steerer(user, case)
    if not CaseHolding.objects.filter(case=case, agency=agency).exists():
        raise CaseworkError("refer the case to that agency before assigning it")
    if investigator is not None and (
        investigator.agency_id != agency.pk
        or not assignable_staff(user=user).filter(pk=investigator.pk).exists()
    ):
        # An agency assigns its own people; making another agency responsible leaves the
        # choice of its investigator to that agency (docs/access.md).
        raise CaseworkError(
            gettext("The investigator must be an active case worker of your own agency.")
        )
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(agency=agency, investigator=investigator)
        audit_record(
            action=AuditAction.CASE_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "change": "assigned",
                "agency": agency.slug,
                "investigator": investigator.username if investigator else "",
            },
        )
    case.refresh_from_db()


@dataclass(frozen=True)
class Referral:
    agency: Agency
    granted: tuple[Compartment, ...]
    withheld: tuple[Compartment, ...]


def _complaint_keys_share(*, user: StaffUser, case: Case, keys: CaseKeys, agency: Agency) -> None:
    """Seal the data key of each complaint of ``case`` whose complainant consented to
    ``agency`` to that agency (it reads the complaint, its messages and its files from now on),
    each share audited. Consent bounds it: a complaint without it is never sealed there."""
    if keys.agency_private_key is None:
        return
    complaints = Complaint.objects.filter(
        case_links__case=case, consents__agency=agency, key_grants__agency=keys.agency
    ).exclude(key_grants__agency=agency)
    for complaint in complaints.distinct():
        data_key = complaint_data_key_for_agency(
            complaint=complaint, agency=keys.agency, agency_private_key=keys.agency_private_key
        )
        complaint_share(
            user=user, complaint=complaint, agency=agency, data_key=data_key, reason="case referred"
        )


def case_refer(*, user: StaffUser, case: Case, keys: CaseKeys, agency: Agency) -> Referral:
    """Refer the case to ``agency``: it holds the case from now on and gets the keys of the
    compartments it is allowed to read, and of no other.

    Keys are re-wrapped from those the referrer's agency can open; a compartment the referrer
    cannot open stays withheld until an agency that can refers again. A referral to a
    prosecutor's office sets the status to "referred". Raises :class:`CaseworkError`.
    """
    # Evidence files its items under case compartments, so it imports this module; imported
    # here, at call time, to keep the modules free of an import cycle.
    from ombuds.evidence.services import evidence_record_transfer

    _require_steerer(user, case)
    today = timezone.localdate()
    granted: list[Compartment] = []
    withheld: list[Compartment] = []
    newly_granted: list[Compartment] = []
    with transaction.atomic():
        CaseHolding.objects.get_or_create(
            case=case, agency=agency, defaults={"since": today, "referred_by": user.agency}
        )
        for compartment in case.compartments.all():
            allowed = compartment_allowed_ids(compartment)
            key = keys.get(compartment)
            if (allowed is not None and agency.pk not in allowed) or key is None:
                withheld.append(compartment)
                continue
            _grant, created = CaseKeyGrant.objects.update_or_create(
                compartment=compartment,
                agency=agency,
                defaults={
                    "case": case,
                    "sealed_key": crypto.seal_data_key(bytes(agency.public_key), key),
                },
            )
            granted.append(compartment)
            if created:
                newly_granted.append(compartment)
        # The chain of custody of each file the new agency can now read says so.
        evidence_record_transfer(user=user, agency=agency, compartments=newly_granted)
        _complaint_keys_share(user=user, case=case, keys=keys, agency=agency)
        changes: dict[str, object] = {}
        if agency.kind == AgencyKind.PROSECUTOR and case.status != CaseStatus.CLOSED:
            changes = {"status": CaseStatus.REFERRED, "status_changed_on": today}
            Case.objects.filter(pk=case.pk).update(**changes)
        audit_record(
            action=AuditAction.CASE_CHANGED,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "change": "referred",
                "to": agency.slug,
                "granted": len(granted),
                "withheld": len(withheld),
            },
        )
    case.refresh_from_db()
    return Referral(agency=agency, granted=tuple(granted), withheld=tuple(withheld))
