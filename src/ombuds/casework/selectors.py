"""Reads of cases. Every read of case content goes through here and through
:func:`access_case`, the one place that decides who may see a case.

Reading is also cryptographic: an agency reads only the compartments whose keys were sealed to
it (:class:`~.models.CaseKeyGrant`). What it cannot open is listed, with the reason, never shown.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, Role, StaffUser

from .models import (
    Case,
    CaseComplaint,
    CaseHolding,
    CaseKeyGrant,
    CaseRecord,
    CaseStatus,
    Compartment,
    RecordKind,
)
from .records import (
    ActRecord,
    ActType,
    EventRecord,
    PersonRecord,
    Record,
    record_from_bytes,
)

#: Roles that read and write cases of an agency holding them.
CASE_WRITER_ROLES = frozenset({Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.LIAISON})
#: Roles that read cases of an agency holding them. Analysts read (they link persons);
#: auditors read no case content at all, only the audit log.
CASE_READER_ROLES = CASE_WRITER_ROLES | {Role.ANALYST}
#: Roles that may file material from an imported person list into a case (and change nothing
#: else): case writers, and analysts, who import the lists.
CASE_LIST_FILER_ROLES = CASE_WRITER_ROLES | {Role.ANALYST}


def access_case(*, user: StaffUser, case: Case, write: bool = False) -> bool:
    """May ``user`` read (or, with ``write``, change) ``case``?

    Only active members, in a case role, of an agency that holds the case. Passing this check
    is not enough to read material: that also needs the compartment keys sealed to the agency.
    """
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return False
    roles = CASE_WRITER_ROLES if write else CASE_READER_ROLES
    if user.role not in roles:
        return False
    return CaseHolding.objects.filter(case=case, agency_id=user.agency_id).exists()


def access_case_list_filing(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` file records from an imported person list into ``case``?

    Active case writers and analysts of an agency that holds the case. It grants nothing
    else: an analyst still may not add records by hand, change the status, assign or refer
    (:func:`access_case` with ``write``).
    """
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return False
    if user.role not in CASE_LIST_FILER_ROLES:
        return False
    return CaseHolding.objects.filter(case=case, agency_id=user.agency_id).exists()


def cases_for_list_filing(*, user: StaffUser) -> QuerySet[Case]:
    """The cases the user may file list material into: those their agency holds."""
    if not user.is_active or user.role not in CASE_LIST_FILER_ROLES or user.agency_id is None:
        return Case.objects.none()
    return case_list_for_user(user=user)


def case_list_for_user(*, user: StaffUser) -> QuerySet[Case]:
    """Metadata of the cases the user's agency holds: open ones first, newest first."""
    if user.role not in CASE_READER_ROLES or user.agency_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(holdings__agency_id=user.agency_id)
        .select_related("agency", "investigator")
        .order_by("status", "-opened_on", "-pk")
    )


# --- keys -----------------------------------------------------------------------------------


@dataclass
class CaseKeys:
    """The compartment keys one agency could unseal, for one request; never stored."""

    agency: Agency
    by_compartment: dict[int, crypto.DataKey] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"CaseKeys(agency={self.agency.slug}, compartments={sorted(self.by_compartment)})"

    def get(self, compartment: Compartment) -> crypto.DataKey | None:
        return self.by_compartment.get(compartment.pk)


def case_keys_for_agency(
    *, case: Case, agency: Agency, agency_private_key: crypto.PrivateKey
) -> CaseKeys:
    """Unseal every compartment key of ``case`` sealed to ``agency``."""
    keys = CaseKeys(agency=agency)
    for grant in CaseKeyGrant.objects.filter(case=case, agency=agency):
        keys.by_compartment[grant.compartment_id] = crypto.unseal_data_key(
            agency_private_key, bytes(grant.sealed_key)
        )
    return keys


def compartment_allowed_ids(compartment: Compartment) -> frozenset[int] | None:
    """The agency ids allowed to read the compartment; None for everyone holding the case."""
    if compartment.everyone:
        return None
    return frozenset(compartment.allowed.values_list("pk", flat=True))


def complaint_consent_ids(complaint: Complaint) -> frozenset[int]:
    """The agencies the complainant consented to: those the complaint key was sealed to."""
    return frozenset(complaint.key_grants.values_list("agency_id", flat=True))


# --- the case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordView:
    public_id: str
    kind: RecordKind
    record: Record
    created_on: datetime.date
    created_by: str
    #: References to other records resolved to labels ("withheld" where not readable).
    refs: Mapping[str, str]


@dataclass(frozen=True)
class Withholding:
    agency: Agency
    reason: str


@dataclass(frozen=True)
class CompartmentView:
    compartment: Compartment
    label: str
    readable: bool
    record_count: int
    records: tuple[RecordView, ...]
    complaint_ids: tuple[uuid.UUID, ...]
    #: Holding agencies that cannot read this compartment, and why.
    withheld_from: tuple[Withholding, ...]

    def of_kind(self, kind: str) -> tuple[RecordView, ...]:
        return tuple(r for r in self.records if r.kind == kind)

    @property
    def persons(self) -> tuple[RecordView, ...]:
        return self.of_kind(RecordKind.PERSON)

    @property
    def events(self) -> tuple[RecordView, ...]:
        return self.of_kind(RecordKind.EVENT)

    @property
    def acts(self) -> tuple[RecordView, ...]:
        return self.of_kind(RecordKind.ACT)

    @property
    def involvements(self) -> tuple[RecordView, ...]:
        return self.of_kind(RecordKind.INVOLVEMENT)

    @property
    def information(self) -> tuple[RecordView, ...]:
        return self.of_kind(RecordKind.INFORMATION)


@dataclass(frozen=True)
class CaseView:
    """A decrypted case for one request; never cached, never stored."""

    case: Case
    holdings: tuple[CaseHolding, ...]
    complaint_ids: tuple[uuid.UUID, ...]
    compartments: tuple[CompartmentView, ...]
    #: Compartments the viewer's own agency cannot open, with the reason.
    withheld_here: tuple[tuple[CompartmentView, str], ...]
    #: Readable records by kind, for the forms' choices (persons, events, acts).
    choices: Mapping[str, tuple[tuple[str, str], ...]]


def _agency_names(agencies: Iterable[Agency]) -> str:
    return ", ".join(a.name_en for a in agencies)


def withheld_reason(compartment: Compartment, agency: Agency) -> str:
    """Why ``agency`` cannot read ``compartment`` (plain words for the case page)."""
    if compartment.allows(agency):
        return _g(
            "Not yet shared with %(agency)s: an agency that can read it must refer the case again."
        ) % {"agency": agency.name_en}
    return _g("The complainant did not consent to share with %(agency)s.") % {
        "agency": agency.name_en
    }


def _record_label(view: RecordView, labels: Mapping[str, str]) -> str:
    r = view.record
    if isinstance(r, PersonRecord):
        return r.name or _g("(no name)")
    if isinstance(r, EventRecord):
        return r.title
    if isinstance(r, ActRecord):
        victim = labels.get(r.victim, "") if r.victim else ""
        act = str(ActType(r.act_type).label) if r.act_type in ActType.values else r.act_type
        return f"{act}: {victim}" if victim else act
    return view.public_id[:8]


def decrypt_case(*, case: Case, keys: CaseKeys) -> CaseView:
    """Decrypt what ``keys`` open; list the rest as withheld, with reasons."""
    holdings = tuple(case.holdings.select_related("agency", "referred_by").order_by("pk"))
    holders = [h.agency for h in holdings]
    complaint_ids = tuple(
        CaseComplaint.objects.filter(case=case)
        .order_by("pk")
        .values_list("complaint__public_id", flat=True)
    )
    grants: dict[int, set[int]] = {}
    for compartment_id, agency_id in CaseKeyGrant.objects.filter(case=case).values_list(
        "compartment_id", "agency_id"
    ):
        grants.setdefault(compartment_id, set()).add(agency_id)
    records = list(case.records.select_related("created_by", "case", "compartment"))
    decrypted: dict[int, list[tuple[CaseRecord, Record]]] = {}
    for row in records:
        key = keys.by_compartment.get(row.compartment_id)
        if key is None:
            continue
        plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
        decrypted.setdefault(row.compartment_id, []).append(
            (row, record_from_bytes(row.kind, plain))
        )
    # Labels for cross references: persons and events first, then acts that name them.
    labels: dict[str, str] = {}
    flat = [(row, rec) for rows in decrypted.values() for row, rec in rows]
    for kinds in ((RecordKind.PERSON, RecordKind.EVENT), (RecordKind.ACT,)):
        for row, rec in flat:
            if row.kind in kinds:
                view = RecordView(
                    str(row.public_id), RecordKind(row.kind), rec, row.created_on, "", {}
                )
                labels[str(row.public_id)] = _record_label(view, labels)
    withheld = _g("withheld")

    def refs(rec: Record) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in ("event", "victim", "act", "perpetrator_person", "about"):
            ref = getattr(rec, name, "")
            if ref:
                out[name] = labels.get(ref, withheld)
        return out

    counts: dict[int, int] = {}
    for row in records:
        counts[row.compartment_id] = counts.get(row.compartment_id, 0) + 1
    views: list[CompartmentView] = []
    for comp in case.compartments.prefetch_related("allowed", "sources__complaint"):
        allowed = list(comp.allowed.all())
        label = _g("Every agency holding the case") if comp.everyone else _agency_names(allowed)
        readable = comp.pk in keys.by_compartment
        rows = decrypted.get(comp.pk, [])
        record_views = tuple(
            RecordView(
                public_id=str(row.public_id),
                kind=RecordKind(row.kind),
                record=rec,
                created_on=row.created_on,
                created_by=row.created_by.username if row.created_by else "",
                refs=refs(rec),
            )
            for row, rec in rows
        )
        granted = grants.get(comp.pk, set())
        withheld_from = tuple(
            Withholding(a, withheld_reason(comp, a)) for a in holders if a.pk not in granted
        )
        views.append(
            CompartmentView(
                compartment=comp,
                label=label,
                readable=readable,
                record_count=counts.get(comp.pk, 0),
                records=record_views,
                complaint_ids=tuple(link.complaint.public_id for link in comp.sources.all()),
                withheld_from=withheld_from,
            )
        )
    withheld_here = tuple(
        (v, withheld_reason(v.compartment, keys.agency))
        for v in views
        if not v.readable and v.record_count
    )
    choices: dict[str, tuple[tuple[str, str], ...]] = {}
    for kind in (RecordKind.PERSON, RecordKind.EVENT, RecordKind.ACT):
        choices[kind] = tuple(
            (str(row.public_id), labels[str(row.public_id)])
            for row, _rec in flat
            if row.kind == kind
        )
    return CaseView(
        case=case,
        holdings=holdings,
        complaint_ids=complaint_ids,
        compartments=tuple(views),
        withheld_here=withheld_here,
        choices=choices,
    )


def case_get_for_user(
    *, user: StaffUser, public_id: uuid.UUID, agency_private_key: crypto.PrivateKey
) -> tuple[Case, CaseKeys]:
    """The case and the keys the user's agency holds for it; the read is audited.

    Raises ``Case.DoesNotExist`` when there is no such case *or* the user may not read it,
    so a refusal says nothing about whether it exists.
    """
    case = Case.objects.select_related("agency", "investigator").filter(public_id=public_id).first()
    if case is None or user.agency is None or not access_case(user=user, case=case):
        raise Case.DoesNotExist
    keys = case_keys_for_agency(
        case=case, agency=user.agency, agency_private_key=agency_private_key
    )
    with transaction.atomic():
        audit_record(action=AuditAction.CASE_READ, actor=user, subject=f"case:{public_id}")
    return case, keys


# --- the complainant's side -----------------------------------------------------------------

_PUBLIC_STATUS = {
    CaseStatus.OPEN: _("Your complaint is part of an investigation."),
    CaseStatus.INVESTIGATING: _("Your complaint is part of an investigation."),
    CaseStatus.REFERRED: _("Your complaint has been referred to the prosecutor's office."),
    CaseStatus.CLOSED: _("The investigation your complaint is part of has been closed."),
}
#: When one complaint is in several cases, the most advanced live one speaks.
_STATUS_ORDER = [CaseStatus.REFERRED, CaseStatus.INVESTIGATING, CaseStatus.OPEN, CaseStatus.CLOSED]


def complaint_public_status(complaint: Complaint) -> str | None:
    """A plain-language status for the complainant's return page; None if no case yet.

    It says only how far the inquiry has come, never who investigates or what was found: the
    page may be read by whoever takes the complainant's phone and codename (threat model A1).
    """
    statuses = set(
        Case.objects.filter(case_complaints__complaint=complaint).values_list("status", flat=True)
    )
    for status in _STATUS_ORDER:
        if status in statuses:
            return str(_PUBLIC_STATUS[status])
    return None
