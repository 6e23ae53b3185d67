"""Reads of cases. Every read of case content goes through here, and asks
:mod:`ombuds.access` (``access_case``, ``may_open_compartment``) who may see what.

Reading is also cryptographic: an agency reads only the compartments whose keys were sealed to
it (:class:`~.models.CaseKeyGrant`). What it cannot open is listed, with the reason, never shown.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ombuds import crypto
from ombuds.access import (
    CASE_LIST_FILER_ROLES,
    CASE_READER_ROLES,
    access_case,
    may_open_compartment,
)
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, StaffUser

from .models import (
    Case,
    CaseComplaint,
    CaseHolding,
    CaseKeyGrant,
    CaseRecord,
    CaseRecordVersion,
    CaseStatus,
    Compartment,
    RecordKind,
)
from .records import (
    ActRecord,
    ActType,
    EventRecord,
    InformationRecord,
    InvolvementRecord,
    PersonRecord,
    Record,
    SourceType,
    record_from_bytes,
    references,
)

if TYPE_CHECKING:  # django-stubs is a development dependency only
    from django_stubs_ext import StrOrPromise


def cases_for_list_filing(*, user: StaffUser) -> QuerySet[Case]:
    """The cases the user may file list material into: those their agency holds."""
    if not user.is_active or user.role not in CASE_LIST_FILER_ROLES or user.agency_id is None:
        return Case.objects.none()
    return case_list_for_user(user=user)


def complaint_cases_for_user(*, user: StaffUser, complaint: Complaint) -> QuerySet[Case]:
    """The cases holding ``complaint`` that the user may open (for links on its page)."""
    return case_list_for_user(user=user).filter(case_complaints__complaint=complaint)


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
    """The compartment keys one agency could unseal, for one request; never stored.

    ``agency_private_key`` (None for the keys of a case being opened, which start empty) lets
    :meth:`get_or_unseal` open a compartment another request made after these keys were
    unsealed: two requests may need the same new compartment at once, and the one that finds
    it made by the other needs its key.
    """

    agency: Agency
    by_compartment: dict[int, crypto.DataKey] = field(default_factory=dict)
    agency_private_key: crypto.PrivateKey | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"CaseKeys(agency={self.agency.slug}, compartments={sorted(self.by_compartment)})"

    def get(self, compartment: Compartment) -> crypto.DataKey | None:
        return self.by_compartment.get(compartment.pk)

    def get_or_unseal(self, compartment: Compartment) -> crypto.DataKey | None:
        """The compartment's key: one unsealed already, or one sealed to the agency since."""
        key = self.by_compartment.get(compartment.pk)
        if key is not None or self.agency_private_key is None:
            return key
        sealed = (
            CaseKeyGrant.objects.filter(compartment=compartment, agency=self.agency)
            .values_list("sealed_key", flat=True)
            .first()
        )
        if sealed is None:
            return None
        key = crypto.unseal_data_key(self.agency_private_key, bytes(sealed))
        self.by_compartment[compartment.pk] = key
        return key


def case_keys_for_agency(
    *, case: Case, agency: Agency, agency_private_key: crypto.PrivateKey
) -> CaseKeys:
    """Unseal every compartment key of ``case`` sealed to ``agency``."""
    keys = CaseKeys(agency=agency, agency_private_key=agency_private_key)
    for grant in CaseKeyGrant.objects.filter(case=case, agency=agency):
        keys.by_compartment[grant.compartment_id] = crypto.unseal_data_key(
            agency_private_key, bytes(grant.sealed_key)
        )
    return keys


def case_keys_for_user(
    *, user: StaffUser, case: Case, agency_private_key: crypto.PrivateKey
) -> CaseKeys:
    """The compartment keys of ``case`` sealed to the user's agency that the user's role may
    open (:func:`ombuds.access.may_open_compartment`: an analyst, only staff material)."""
    if user.agency is None:
        raise Case.DoesNotExist
    keys = case_keys_for_agency(
        case=case, agency=user.agency, agency_private_key=agency_private_key
    )
    for compartment in Compartment.objects.filter(pk__in=list(keys.by_compartment)):
        if not may_open_compartment(user=user, compartment=compartment):
            del keys.by_compartment[compartment.pk]
    return keys


def compartment_allowed_ids(compartment: Compartment) -> frozenset[int] | None:
    """The agency ids allowed to read the compartment; None for everyone holding the case."""
    if compartment.everyone:
        return None
    return frozenset(compartment.allowed.values_list("pk", flat=True))


def complaint_consent_ids(complaint: Complaint) -> frozenset[int]:
    """The agencies that may read the complaint: those its key was sealed to at intake (the
    working group) and those its complainant consented to (sealed only on referral)."""
    return frozenset(complaint.key_grants.values_list("agency_id", flat=True)) | frozenset(
        complaint.consents.values_list("agency_id", flat=True)
    )


# --- the case page --------------------------------------------------------------------------

#: Records on one page of the case page. A page decrypts its own rows, the rows they name and
#: the newest records the forms offer: a case of 20,000 records costs what a case of 300 does.
RECORDS_PER_PAGE = 100
#: How many of the newest readable persons, events and acts the record forms offer besides
#: those the page opened, so that what was just added can be named at once.
RECENT_CHOICES = 25
#: The kinds a reference may point to, as offered in the forms.
REFERABLE_KINDS = (RecordKind.PERSON, RecordKind.EVENT, RecordKind.ACT)

Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RecordView:
    public_id: str
    kind: RecordKind
    record: Record
    created_on: datetime.date
    created_by: str
    #: References to other records resolved to labels ("withheld" where not readable).
    refs: Mapping[str, str]
    #: The agency that wrote the record: only its members may edit or delete it.
    agency_id: int | None = None
    #: The day of the last edit, if any (the earlier text is kept: :func:`record_versions`).
    changed_on: datetime.date | None = None
    changed_by: str = ""


@dataclass(frozen=True)
class Withholding:
    agency: Agency
    reason: str


@dataclass(frozen=True)
class CompartmentView:
    compartment: Compartment
    label: str
    readable: bool
    #: Every record in the compartment (counted in SQL, whether readable or not).
    record_count: int
    #: The compartment's records on this page only.
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


#: Headings of the record kinds on the case page (plural, where RecordKind's labels are not).
KIND_HEADINGS: Mapping[str, StrOrPromise] = {
    RecordKind.PERSON: _("Persons"),
    RecordKind.EVENT: _("Events"),
    RecordKind.ACT: _("Acts"),
    RecordKind.INVOLVEMENT: _("Involvements"),
    RecordKind.INFORMATION: _("Information"),
}


@dataclass(frozen=True)
class KindCount:
    kind: RecordKind
    count: int

    @property
    def heading(self) -> str:
        return str(KIND_HEADINGS[self.kind])


@dataclass(frozen=True)
class CaseView:
    """One page of a decrypted case for one request; never cached, never stored."""

    case: Case
    holdings: tuple[CaseHolding, ...]
    complaint_ids: tuple[uuid.UUID, ...]
    compartments: tuple[CompartmentView, ...]
    #: Why material of the case is withheld from the viewer, each reason once. Never which
    #: complaints it comes from nor how much there is: an agency without consent learns only
    #: that something is withheld (issue 9, item 8).
    withheld_here: tuple[str, ...]
    #: Labels of the persons, events and acts this page opened (those shown, those they name
    #: and the newest of each kind), by kind: the choices of the forms' references.
    choices: Mapping[str, Choices]
    #: The page of readable record rows shown (``page.paginator.count`` of them in all).
    page: Page[CaseRecord]
    #: The kind the records are filtered to, or None for every kind.
    kind: RecordKind | None
    #: Readable records per kind, in the order of :class:`RecordKind` (counted in SQL).
    kind_counts: tuple[KindCount, ...]

    @property
    def kind_query(self) -> str:
        """The filter as the start of a query string, for the pager's links."""
        return f"kind={self.kind.value}&" if self.kind else ""


def _agency_names(agencies: Iterable[Agency]) -> str:
    return ", ".join(a.display_name for a in agencies)


def compartment_label(compartment: Compartment) -> str:
    """Who may read ``compartment``, in plain words: every holding agency, or the allowed
    agencies' names (prefetch ``allowed`` when labelling many)."""
    if compartment.everyone:
        return gettext("Every agency holding the case")
    return _agency_names(compartment.allowed.all())


def withheld_reason(compartment: Compartment, agency: Agency) -> str:
    """Why ``agency`` cannot read ``compartment`` (plain words for the case page)."""
    if compartment.allows(agency):
        return gettext(
            "Not yet shared with %(agency)s: an agency that can read it must refer the case again."
        ) % {"agency": agency.display_name}
    return gettext("The complainant did not consent to share with %(agency)s.") % {
        "agency": agency.display_name
    }


def _record_label(record: Record, public_id: str, labels: Mapping[str, str]) -> str:
    if isinstance(record, PersonRecord):
        return record.name or gettext("(no name)")
    if isinstance(record, EventRecord):
        return record.title
    if isinstance(record, ActRecord):
        victim = labels.get(record.victim, "") if record.victim else ""
        act = (
            str(ActType(record.act_type).label)
            if record.act_type in ActType.values
            else record.act_type
        )
        return f"{act}: {victim}" if victim else act
    return public_id[:8]


def _readable_records(case: Case, keys: CaseKeys) -> QuerySet[CaseRecord]:
    """The case's records in compartments ``keys`` open, in creation order."""
    return (
        CaseRecord.objects.filter(case=case, compartment_id__in=list(keys.by_compartment))
        .select_related("case", "compartment", "created_by", "changed_by")
        .order_by("pk")
    )


class _Opened:
    """The records of one case decrypted for one request, by public_id, each at most once.

    Only rows in compartments the keys open are ever fetched; a reference to anything else
    (another compartment, another case, nothing) stays unresolved and shows as "withheld".
    """

    def __init__(self, case: Case, keys: CaseKeys) -> None:
        self.case = case
        self.keys = keys
        self.rows: dict[str, tuple[CaseRecord, Record]] = {}
        self._absent: set[str] = set()

    def add(self, rows: Iterable[CaseRecord]) -> None:
        for row in rows:
            public_id = str(row.public_id)
            key = self.keys.by_compartment.get(row.compartment_id)
            if public_id in self.rows or key is None:
                continue
            plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
            self.rows[public_id] = (row, record_from_bytes(row.kind, plain))

    def fetch(self, public_ids: Iterable[str]) -> None:
        """Decrypt, in one query, the readable records among ``public_ids`` not yet open."""
        wanted: set[uuid.UUID] = set()
        for public_id in public_ids:
            if not public_id or public_id in self.rows or public_id in self._absent:
                continue
            try:
                wanted.add(uuid.UUID(public_id))
            except ValueError:
                self._absent.add(public_id)
        if wanted:
            self.add(_readable_records(self.case, self.keys).filter(public_id__in=wanted))
            self._absent |= {str(u) for u in wanted} - self.rows.keys()

    def fetch_victims(self) -> None:
        """An act's label names its victim: open the victims of the acts opened so far."""
        self.fetch(
            rec.victim
            for _row, rec in list(self.rows.values())
            if isinstance(rec, ActRecord) and rec.victim
        )

    def labels(self) -> dict[str, str]:
        # Persons and events first: an act's label uses its victim's.
        labels: dict[str, str] = {}
        for kinds in ((RecordKind.PERSON, RecordKind.EVENT), (RecordKind.ACT,)):
            for public_id, (row, rec) in self.rows.items():
                if row.kind in kinds:
                    labels[public_id] = _record_label(rec, public_id, labels)
        return labels

    def choices(self, labels: Mapping[str, str]) -> dict[str, Choices]:
        opened = sorted(self.rows.values(), key=lambda pair: pair[0].pk)
        return {
            kind: tuple(
                (str(row.public_id), labels[str(row.public_id)])
                for row, _rec in opened
                if row.kind == kind
            )
            for kind in REFERABLE_KINDS
        }


def _references(record: Record) -> dict[str, str]:
    return references(record)


def decrypt_case(
    *,
    case: Case,
    keys: CaseKeys,
    page: str | int | None = 1,
    kind: RecordKind | None = None,
) -> CaseView:
    """Decrypt one page of what ``keys`` open; list the rest as withheld, with reasons.

    The readable records (of ``kind``, or all) are paged in creation order,
    :data:`RECORDS_PER_PAGE` to a page. ``page`` is a page number as the query string gives
    it: "last" is the last page, a number past the end the last page, anything else that is
    not a number the first. Only the rows of that page are decrypted, with the records they
    name (looked up by public_id) and the :data:`RECENT_CHOICES` newest persons, events and
    acts for the forms; counts come from SQL.
    """
    holdings = tuple(case.holdings.select_related("agency", "referred_by").order_by("pk"))
    holders = [h.agency for h in holdings]
    # Only the complaints the viewer's agency was given: the ids of the others are theirs.
    complaint_ids = tuple(
        CaseComplaint.objects.filter(case=case, complaint__key_grants__agency_id=keys.agency.pk)
        .order_by("pk")
        .values_list("complaint__public_id", flat=True)
    )
    grants: dict[int, set[int]] = {}
    for compartment_id, agency_id in CaseKeyGrant.objects.filter(case=case).values_list(
        "compartment_id", "agency_id"
    ):
        grants.setdefault(compartment_id, set()).add(agency_id)
    counts: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    for compartment_id, row_kind, n in (
        CaseRecord.objects.filter(case=case)
        .order_by()
        .values_list("compartment_id", "kind")
        .annotate(n=Count("pk"))
    ):
        counts[compartment_id] = counts.get(compartment_id, 0) + n
        if compartment_id in keys.by_compartment:
            by_kind[row_kind] = by_kind.get(row_kind, 0) + n

    readable = _readable_records(case, keys)
    paginator = Paginator(readable.filter(kind=kind) if kind else readable, RECORDS_PER_PAGE)
    page_obj = paginator.get_page(paginator.num_pages if page == "last" else page)
    page_rows = list(page_obj.object_list)
    opened = _Opened(case, keys)
    opened.add(page_rows)
    for referable in REFERABLE_KINDS:
        opened.add(readable.filter(kind=referable).order_by("-pk")[:RECENT_CHOICES])
    opened.fetch(
        ref
        for row in page_rows
        if str(row.public_id) in opened.rows
        for ref in _references(opened.rows[str(row.public_id)][1]).values()
    )
    opened.fetch_victims()
    labels = opened.labels()
    withheld = gettext("withheld")

    on_page: dict[int, list[RecordView]] = {}
    for row in page_rows:
        _row, rec = opened.rows[str(row.public_id)]
        on_page.setdefault(row.compartment_id, []).append(
            RecordView(
                public_id=str(row.public_id),
                kind=RecordKind(row.kind),
                record=rec,
                created_on=row.created_on,
                created_by=row.created_by.username if row.created_by else "",
                refs={name: labels.get(ref, withheld) for name, ref in _references(rec).items()},
                agency_id=row.agency_id,
                changed_on=row.changed_on,
                changed_by=row.changed_by.username if row.changed_by else "",
            )
        )
    views: list[CompartmentView] = []
    for comp in case.compartments.prefetch_related("allowed", "sources__complaint"):
        label = compartment_label(comp)
        granted = grants.get(comp.pk, set())
        views.append(
            CompartmentView(
                compartment=comp,
                label=label,
                readable=comp.pk in keys.by_compartment,
                record_count=counts.get(comp.pk, 0),
                records=tuple(on_page.get(comp.pk, ())),
                complaint_ids=tuple(link.complaint.public_id for link in comp.sources.all()),
                withheld_from=tuple(
                    Withholding(a, withheld_reason(comp, a)) for a in holders if a.pk not in granted
                ),
            )
        )
    reasons: dict[str, None] = {}
    for v in views:
        if v.readable or not v.record_count:
            continue
        if keys.agency.pk in grants.get(v.compartment.pk, set()):
            # Sealed to the agency, yet not opened for this reader: their role's rule.
            reasons[gettext("Your role reads what staff wrote, not what complaints said.")] = None
        else:
            reasons[withheld_reason(v.compartment, keys.agency)] = None
    withheld_here = tuple(reasons)
    return CaseView(
        case=case,
        holdings=holdings,
        complaint_ids=complaint_ids,
        compartments=tuple(views),
        withheld_here=withheld_here,
        choices=opened.choices(labels),
        page=page_obj,
        kind=kind,
        kind_counts=tuple(KindCount(k, by_kind[k]) for k in RecordKind if by_kind.get(k)),
    )


def record_choices(*, case: Case, keys: CaseKeys, public_ids: Iterable[str]) -> dict[str, Choices]:
    """Labels, by kind, of the persons, events and acts among ``public_ids`` that ``keys``
    open in ``case``: the choices against which a submitted record form's references are
    checked. Decrypts only those records (and the victims their acts name); ids that are
    malformed, of another case or unreadable are simply left out."""
    opened = _Opened(case, keys)
    opened.fetch(public_ids)
    opened.fetch_victims()
    return opened.choices(opened.labels())


def case_records_readable(*, case: Case, keys: CaseKeys) -> list[tuple[CaseRecord, Record]]:
    """Every record of ``case`` that ``keys`` open, decrypted, in creation order (for the
    case file, which holds the whole case as the agency reads it; the page is paged)."""
    opened = _Opened(case, keys)
    opened.add(_readable_records(case, keys))
    return sorted(opened.rows.values(), key=lambda pair: pair[0].pk)


@dataclass(frozen=True)
class WithheldKinds:
    """Why some of a case's material is withheld from an agency, as two facts; never how
    much, nor from which complaint (issue 9, item 8)."""

    #: Some comes from complaints whose complainants did not consent to the agency.
    no_consent: bool
    #: Some the agency may read has not been shared with it yet (a referral is due).
    not_yet_shared: bool


def case_withheld_kinds(
    *, case: Case, keys: CaseKeys, compartment_ids: Iterable[int]
) -> WithheldKinds:
    """Of the compartments ``compartment_ids`` (those holding material: records, files), why
    those ``keys`` do not open are withheld from ``keys.agency``."""
    no_consent = not_yet_shared = False
    wanted = [pk for pk in compartment_ids if pk not in keys.by_compartment]
    for compartment in Compartment.objects.filter(case=case, pk__in=wanted):
        if compartment.allows(keys.agency):
            not_yet_shared = True
        else:
            no_consent = True
    return WithheldKinds(no_consent=no_consent, not_yet_shared=not_yet_shared)


# --- one record: editing and deleting it ------------------------------------------------------

#: Which kinds of record may name a record of each kind (``records.REFERENCE_FIELDS``): only
#: these are searched for references to a record about to be deleted.
NAMED_BY: Mapping[str, tuple[RecordKind, ...]] = {
    RecordKind.PERSON: (RecordKind.ACT, RecordKind.INVOLVEMENT),
    RecordKind.EVENT: (RecordKind.ACT, RecordKind.INFORMATION),
    RecordKind.ACT: (RecordKind.INVOLVEMENT, RecordKind.INFORMATION),
    RecordKind.INVOLVEMENT: (),
    RecordKind.INFORMATION: (),
}
#: The kind of choices a reference field offers (``about`` offers events and acts; a current
#: reference the reader cannot open is offered among the events).
_REF_CHOICE_KIND = {
    "event": RecordKind.EVENT,
    "victim": RecordKind.PERSON,
    "act": RecordKind.ACT,
    "perpetrator_person": RecordKind.PERSON,
    "about": RecordKind.EVENT,
}


@dataclass(frozen=True)
class OpenRecord:
    """One record of a case, decrypted for one request."""

    row: CaseRecord
    record: Record

    @property
    def public_id(self) -> str:
        return str(self.row.public_id)

    @property
    def kind(self) -> RecordKind:
        return RecordKind(self.row.kind)


def case_record_get(*, case: Case, keys: CaseKeys, record_id: uuid.UUID) -> OpenRecord:
    """The record ``record_id`` of ``case``, decrypted with ``keys``.

    Raises ``CaseRecord.DoesNotExist`` when the case has no such record *or* its compartment
    is one ``keys`` do not open: a refusal says nothing about whether it exists. Access to the
    case itself is the caller's check (:func:`case_get_for_user`, :func:`access_case`).
    """
    row = _readable_records(case, keys).filter(public_id=record_id).first()
    key = keys.by_compartment.get(row.compartment_id) if row is not None else None
    if row is None or key is None:
        raise CaseRecord.DoesNotExist
    plain = crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
    return OpenRecord(row=row, record=record_from_bytes(row.kind, plain))


def record_view(*, case: Case, keys: CaseKeys, opened: OpenRecord) -> RecordView:
    """``opened`` as the case page shows it, its references resolved to labels."""
    records = _Opened(case, keys)
    records.add([opened.row])
    records.fetch(references(opened.record).values())
    records.fetch_victims()
    labels = records.labels()
    withheld = gettext("withheld")
    return RecordView(
        public_id=opened.public_id,
        kind=opened.kind,
        record=opened.record,
        created_on=opened.row.created_on,
        created_by=opened.row.created_by.username if opened.row.created_by else "",
        refs={n: labels.get(ref, withheld) for n, ref in references(opened.record).items()},
        agency_id=opened.row.agency_id,
        changed_on=opened.row.changed_on,
        changed_by=opened.row.changed_by.username if opened.row.changed_by else "",
    )


@dataclass(frozen=True)
class VersionView:
    """An earlier text of a record: who wrote it and when, who replaced it and when."""

    number: int
    record: RecordView
    written_on: datetime.date
    written_by: str
    replaced_on: datetime.date
    replaced_by: str


def record_versions(*, case: Case, keys: CaseKeys, opened: OpenRecord) -> tuple[VersionView, ...]:
    """The earlier texts of ``opened``, newest first, decrypted with the compartment key that
    opened the record (the caller opened it: :func:`case_record_get`)."""
    key = keys.by_compartment[opened.row.compartment_id]
    rows = list(
        CaseRecordVersion.objects.filter(record=opened.row)
        .select_related("written_by", "replaced_by")
        .order_by("-number")
    )
    records = _Opened(case, keys)
    texts: list[tuple[CaseRecordVersion, Record]] = []
    for version in rows:
        plain = crypto.decrypt(key, bytes(version.ciphertext), aad=version.aad_for(opened.row))
        rec = record_from_bytes(opened.row.kind, plain)
        texts.append((version, rec))
        records.fetch(references(rec).values())
    records.fetch_victims()
    labels = records.labels()
    withheld = gettext("withheld")
    return tuple(
        VersionView(
            number=version.number,
            record=RecordView(
                public_id=opened.public_id,
                kind=opened.kind,
                record=rec,
                created_on=version.written_on,
                created_by=version.written_by.username if version.written_by else "",
                refs={n: labels.get(ref, withheld) for n, ref in references(rec).items()},
            ),
            written_on=version.written_on,
            written_by=version.written_by.username if version.written_by else "",
            replaced_on=version.replaced_on,
            replaced_by=version.replaced_by.username if version.replaced_by else "",
        )
        for version, rec in texts
    )


def record_page_number(
    *, case: Case, keys: CaseKeys, row: CaseRecord, kind: RecordKind | None
) -> int:
    """The page of the case page (of ``kind``, or of every kind) that shows ``row``."""
    readable = _readable_records(case, keys)
    if kind is not None:
        readable = readable.filter(kind=kind)
    return readable.filter(pk__lt=row.pk).count() // RECORDS_PER_PAGE + 1


def record_edit_choices(
    *, case: Case, keys: CaseKeys, record: Record, public_ids: Iterable[str] = ()
) -> dict[str, Choices]:
    """The reference choices of the form editing ``record``: its current references, the
    records among ``public_ids`` (those a submitted form names) and the
    :data:`RECENT_CHOICES` newest persons, events and acts, where ``keys`` open them.

    A current reference ``keys`` do not open (material withheld from the reader, or a record
    removed since) is offered as "withheld", so that saving the form keeps it unchanged.
    """
    current = references(record)
    opened = _Opened(case, keys)
    readable = _readable_records(case, keys)
    for referable in REFERABLE_KINDS:
        opened.add(readable.filter(kind=referable).order_by("-pk")[:RECENT_CHOICES])
    opened.fetch([*current.values(), *public_ids])
    opened.fetch_victims()
    choices = {str(k): list(v) for k, v in opened.choices(opened.labels()).items()}
    withheld = gettext("withheld")
    for name, ref in current.items():
        kind = str(_REF_CHOICE_KIND[name])
        if ref not in opened.rows and all(ref != value for value, _l in choices[kind]):
            choices[kind].append((ref, withheld))
    return {kind: tuple(values) for kind, values in choices.items()}


#: How a referrer names a record, by reference field, for the deletion page.
REFERENCE_LABELS: Mapping[str, StrOrPromise] = {
    "event": _("as its event"),
    "victim": _("as its victim"),
    "act": _("as its act"),
    "perpetrator_person": _("as the perpetrator"),
    "about": _("as what it is about"),
}


@dataclass(frozen=True)
class Referrer:
    """A record that names another, as the reader of the case sees it."""

    public_id: str
    kind: RecordKind
    #: The field by which it names the record ("victim", "about", ...).
    field: str
    label: str

    @property
    def how(self) -> str:
        return str(REFERENCE_LABELS.get(self.field, self.field))


@dataclass(frozen=True)
class RecordReferrers:
    """What names a record: the records the reader can open that name it, and how many
    records of a kind that could name it lie in compartments the reader cannot open (those
    cannot be searched: who names whom is said only inside the ciphertext)."""

    named_by: tuple[Referrer, ...]
    unsearched: int

    def __bool__(self) -> bool:
        return bool(self.named_by)


def _referrer_label(
    record: Record, public_id: str, labels: Mapping[str, str], withheld: str
) -> str:
    if isinstance(record, InvolvementRecord):
        who = labels.get(record.perpetrator_person, withheld) if record.perpetrator_person else ""
        return who or record.perpetrator_unit or public_id[:8]
    if isinstance(record, InformationRecord):
        source = (
            str(SourceType(record.source_type).label)
            if record.source_type in SourceType.values
            else record.source_type
        )
        return f"{source}: {record.source_ref}" if record.source_ref else source
    if isinstance(record, ActRecord) and record.victim and record.victim not in labels:
        return f"{_record_label(record, public_id, labels)}: {withheld}"
    return _record_label(record, public_id, labels)


def record_referrers(*, case: Case, keys: CaseKeys, row: CaseRecord) -> RecordReferrers:
    """The records of ``case`` that name ``row`` (an act its victim or event, an involvement
    its act or perpetrator, information what it is about), among those ``keys`` open.

    References live inside the ciphertext, so this decrypts the readable records of the
    kinds that may name ``row`` (:data:`NAMED_BY`): a cost that grows with the case, paid
    only when a record is deleted. Records in compartments ``keys`` do not open are counted
    in :attr:`RecordReferrers.unsearched`, not searched.
    """
    kinds = NAMED_BY[RecordKind(row.kind)]
    if not kinds:
        return RecordReferrers(named_by=(), unsearched=0)
    target = str(row.public_id)
    opened = _Opened(case, keys)
    found: list[tuple[str, str]] = []
    candidates = _readable_records(case, keys).filter(kind__in=kinds).exclude(pk=row.pk)
    for candidate in candidates.iterator(chunk_size=2000):
        opened.add([candidate])
        public_id = str(candidate.public_id)
        _row, rec = opened.rows[public_id]
        found += [(public_id, name) for name, ref in references(rec).items() if ref == target]
        if not any(public_id == f for f, _n in found):
            del opened.rows[public_id]  # keep only what is shown: the page lists these
    opened.fetch(
        ref
        for public_id in {f for f, _n in found}
        for ref in references(opened.rows[public_id][1]).values()
    )
    opened.fetch_victims()
    labels = opened.labels()
    withheld = gettext("withheld")
    unsearched = (
        CaseRecord.objects.filter(case=case, kind__in=kinds)
        .exclude(compartment_id__in=list(keys.by_compartment))
        .count()
    )
    return RecordReferrers(
        named_by=tuple(
            Referrer(
                public_id=public_id,
                kind=RecordKind(opened.rows[public_id][0].kind),
                field=name,
                label=_referrer_label(opened.rows[public_id][1], public_id, labels, withheld),
            )
            for public_id, name in found
        ),
        unsearched=unsearched,
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
    keys = case_keys_for_user(user=user, case=case, agency_private_key=agency_private_key)
    with transaction.atomic():
        audit_record(action=AuditAction.CASE_READ, actor=user, subject=f"case:{public_id}")
    return case, keys


# --- the complainant's side -----------------------------------------------------------------


def complaint_shared_with(complaint: Complaint) -> list[Agency]:
    """The agencies that live cases were referred to *and* that received this complaint's
    material: they hold the key of a compartment made from it. A referral of a case whose
    material from this complaint was withheld (no consent) shares nothing of it, so it is
    not among them, whatever the case's status says."""
    live = Case.objects.filter(case_complaints__complaint=complaint).exclude(
        status=CaseStatus.CLOSED
    )
    referred = CaseHolding.objects.filter(case__in=live, referred_by__isnull=False)
    holding = set(referred.values_list("case_id", "agency_id"))
    granted = set(
        CaseKeyGrant.objects.filter(
            case__in=live, compartment__sources__complaint=complaint
        ).values_list("case_id", "agency_id")
    )
    ids = {agency_id for _case, agency_id in holding & granted}
    return list(Agency.objects.filter(pk__in=ids).order_by("pk"))


def complaint_public_status(complaint: Complaint) -> str | None:
    """A plain-language status for the complainant's return page; None if no case yet.

    It says how far the inquiry has come and, when a case was referred, to which agencies the
    complainant's own material went (their names in the page's language), computed from the
    keys that were actually shared (:func:`complaint_shared_with`), never from a case's
    status: a case referred to the prosecutor's office with this complaint's material
    withheld is, for this complainant, still an investigation of the working group. Never
    what was found: the page may be read by whoever takes the complainant's phone and
    codename (threat model A1).
    """
    statuses = set(
        Case.objects.filter(case_complaints__complaint=complaint).values_list("status", flat=True)
    )
    shared = complaint_shared_with(complaint)
    if shared:
        return gettext("Your complaint has been referred to: %(agencies)s.") % {
            "agencies": ", ".join(a.display_name for a in shared)
        }
    if statuses - {CaseStatus.CLOSED}:
        return gettext("Your complaint is part of an investigation.")
    if statuses:
        return gettext("The investigation your complaint is part of has been closed.")
    return None
