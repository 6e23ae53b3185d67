"""Reads of evidence. Who may read a complaint's evidence is decided by
:func:`ombuds.intake.selectors.access_complaint`, and enforced by the keys: the file keys are
under the complaint's data key, which only consented agencies (and the complainant) can open.

A case's evidence: :func:`ombuds.access.access_case` decides who may see the case,
and the file keys are under compartment keys, so an agency reads exactly the items of the
compartments sealed to it; the others are counted as withheld, never shown.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext

from ombuds import crypto
from ombuds.access import (
    CASE_READER_ROLES,
    COMPLAINT_READER_ROLES,
    access_case,
    access_complaint,
    may_add_case_material,
)
from ombuds.casework.models import Case, CaseComplaint
from ombuds.casework.selectors import (
    CaseKeys,
    case_keys_for_user,
    compartment_label,
    complaint_consent_ids,
)
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import complaint_data_key_for_agency
from ombuds.staff.keyring import agency_private_key
from ombuds.staff.models import AgencyKeyGrant, StaffUser

from .models import CustodyEntry, EvidenceFile, EvidenceItem, EvidenceKind
from .services import Facts, facts_of, file_key_of


class EvidenceNotFound(Exception):
    """No such complaint, case or item, or the user may not see it (callers cannot tell which)."""


class EvidenceForbidden(Exception):
    """The user's role may not do this with evidence of this kind of owner (a 403)."""


@dataclass(frozen=True)
class EvidenceView:
    """One item as shown to a reader; decrypted for one request, never stored."""

    public_id: uuid.UUID
    kind: EvidenceKind
    received_on: datetime.date
    by_complainant: bool
    facts: Facts
    original_file: uuid.UUID
    working_file: uuid.UUID
    #: A case's item: who may read its compartment ("Every agency holding the case", or the
    #: allowed agencies' names), and the short ids of the complaints whose consent bound it
    #: (none: staff material). Empty for a complaint's item.
    readable_by: str = ""
    from_complaints: tuple[str, ...] = ()


def complaint_for_evidence(
    *, user: StaffUser, user_key: crypto.PrivateKey, complaint_id: uuid.UUID
) -> tuple[Complaint, crypto.DataKey]:
    """The complaint and its data key, if ``user`` may read it. Raises :class:`EvidenceNotFound`."""
    complaint = Complaint.objects.filter(public_id=complaint_id).first()
    if complaint is None or not access_complaint(user=user, complaint=complaint):
        raise EvidenceNotFound
    if user.agency is None:  # excluded by access_complaint; for the type checker
        raise EvidenceNotFound
    try:
        agency_key = agency_private_key(user=user, user_key=user_key, agency=user.agency)
        data_key = complaint_data_key_for_agency(
            complaint=complaint, agency=user.agency, agency_private_key=agency_key
        )
    except (AgencyKeyGrant.DoesNotExist, crypto.DecryptionFailed) as exc:
        raise EvidenceNotFound from exc
    return complaint, data_key


def case_for_evidence(
    *, user: StaffUser, user_key: crypto.PrivateKey, case_id: uuid.UUID, write: bool = False
) -> tuple[Case, CaseKeys]:
    """The case and the compartment keys the user's agency holds for it, if ``user`` may read
    it (with ``write``: change it). Raises :class:`EvidenceNotFound` (no such case, or not held
    by the user's agency) or :class:`EvidenceForbidden` (a reader who may not write).
    """
    case = Case.objects.filter(public_id=case_id).first()
    if case is None or user.agency is None or not access_case(user=user, case=case):
        raise EvidenceNotFound
    if write and not may_add_case_material(user=user, case=case):
        raise EvidenceForbidden
    try:
        agency_key = agency_private_key(user=user, user_key=user_key, agency=user.agency)
        keys = case_keys_for_user(user=user, case=case, agency_private_key=agency_key)
    except (AgencyKeyGrant.DoesNotExist, crypto.DecryptionFailed) as exc:
        raise EvidenceNotFound from exc
    return case, keys


def item_for_user(
    *, user: StaffUser, user_key: crypto.PrivateKey, item_id: uuid.UUID
) -> tuple[EvidenceItem, crypto.DataKey]:
    """An item and its owner's key (the complaint's data key or the compartment's key), if
    ``user`` may read it.

    Raises :class:`EvidenceNotFound`, and :class:`EvidenceForbidden` for a role that reads
    no evidence of that kind of owner (analysts read case evidence, not complaints').
    """
    item = (
        EvidenceItem.objects.select_related("complaint", "case", "compartment")
        .filter(public_id=item_id)
        .first()
    )
    if item is None:
        raise EvidenceNotFound
    if item.complaint is not None:
        if user.role not in COMPLAINT_READER_ROLES:
            raise EvidenceForbidden
        _complaint, data_key = complaint_for_evidence(
            user=user, user_key=user_key, complaint_id=item.complaint.public_id
        )
        return item, data_key
    if item.case is None or item.compartment is None:  # excluded by the check constraint
        raise EvidenceNotFound
    if user.role not in CASE_READER_ROLES:
        raise EvidenceForbidden
    _case, keys = case_for_evidence(user=user, user_key=user_key, case_id=item.case.public_id)
    key = keys.get(item.compartment)
    if key is None:  # the compartment is not sealed to the user's agency
        raise EvidenceNotFound
    return item, key


def _view(item: EvidenceItem, data_key: crypto.DataKey) -> EvidenceView:
    facts = facts_of(item=item, file_key=file_key_of(item=item, data_key=data_key))
    ids = {f.role: f.public_id for f in item.files.all()}
    compartment = item.compartment if item.compartment_id else None
    return EvidenceView(
        public_id=item.public_id,
        kind=EvidenceKind(item.kind),
        received_on=item.received_on,
        by_complainant=item.by_complainant,
        facts=facts,
        original_file=ids["original"],
        working_file=ids["working"],
        readable_by=compartment_label(compartment) if compartment else "",
        from_complaints=tuple(
            str(link.complaint.public_id)[:8] for link in compartment.sources.all()
        )
        if compartment
        else (),
    )


def evidence_list(*, complaint: Complaint, data_key: crypto.DataKey) -> list[EvidenceView]:
    """A complaint's items with their names and hashes (decrypted with ``data_key``)."""
    items = (
        EvidenceItem.objects.filter(complaint=complaint)
        .select_related("complaint")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.defer("ciphertext")))
    )
    return [_view(item, data_key) for item in items]


@dataclass(frozen=True)
class CaseEvidence:
    """A case's evidence as one agency sees it: what it can read, and how much it cannot."""

    items: list[EvidenceView]
    withheld: int


def case_evidence_list(*, case: Case, keys: CaseKeys) -> CaseEvidence:
    """The case's items in compartments ``keys`` open, decrypted; the rest only counted."""
    items = (
        EvidenceItem.objects.filter(case=case)
        .select_related("case", "compartment")
        .prefetch_related(
            Prefetch("files", queryset=EvidenceFile.objects.defer("ciphertext")),
            "compartment__allowed",
            "compartment__sources__complaint",
        )
    )
    readable: list[EvidenceView] = []
    withheld = 0
    for item in items:
        key = keys.by_compartment.get(item.compartment_id) if item.compartment_id else None
        if key is None:
            withheld += 1
            continue
        readable.append(_view(item, key))
    return CaseEvidence(items=readable, withheld=withheld)


def evidence_view(*, item: EvidenceItem, data_key: crypto.DataKey) -> EvidenceView:
    return _view(item, data_key)


Choices = tuple[tuple[str, str], ...]


def case_source_choices(*, case: Case, keys: CaseKeys) -> Choices:
    """The case's complaints whose material the user's agency may read (its consent includes
    that agency), as (public id, "short id, received day"): the sources a file attached to
    the case may be bound to. Metadata only: nothing of a complaint's content."""
    links = CaseComplaint.objects.filter(case=case).select_related("complaint").order_by("pk")
    return tuple(
        (
            str(link.complaint.public_id),
            gettext("%(id)s, received %(day)s")
            % {
                "id": str(link.complaint.public_id)[:8],
                "day": link.complaint.received_on.isoformat(),
            },
        )
        for link in links
        if keys.agency.pk in complaint_consent_ids(link.complaint)
    )


def case_sources(*, public_ids: list[str]) -> list[Complaint]:
    """The complaints with these public ids, whichever case they belong to: the service
    refuses one that is not the case's (never silently dropped, which would widen who may
    read the file). Fewer than asked for means one no longer exists (withdrawn)."""
    return list(Complaint.objects.filter(public_id__in=public_ids).order_by("pk"))


def custody_log(*, items: list[EvidenceItem]) -> list[CustodyEntry]:
    return list(
        CustodyEntry.objects.filter(item__in=items)
        .select_related("item", "file", "agency")
        .order_by("pk")
    )
