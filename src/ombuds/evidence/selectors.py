"""Reads of evidence. Who may read a complaint's evidence is decided by
:func:`ombuds.intake.selectors.access_complaint`, and enforced by the keys: the file keys are
under the complaint's data key, which only consented agencies (and the complainant) can open.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch

from ombuds import crypto
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import access_complaint, complaint_data_key_for_agency
from ombuds.staff.keyring import agency_private_key
from ombuds.staff.models import AgencyKeyGrant, StaffUser

from .models import CustodyEntry, EvidenceFile, EvidenceItem, EvidenceKind
from .services import Facts, facts_of, file_key_of


class EvidenceNotFound(Exception):
    """No such complaint or item, or the user may not see it (callers cannot tell which)."""


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


def item_for_user(
    *, user: StaffUser, user_key: crypto.PrivateKey, item_id: uuid.UUID
) -> tuple[EvidenceItem, crypto.DataKey]:
    """An item and its owner's data key, if ``user`` may read it.

    Raises :class:`EvidenceNotFound`.
    """
    item = EvidenceItem.objects.select_related("complaint").filter(public_id=item_id).first()
    if item is None or item.complaint is None:
        raise EvidenceNotFound
    _complaint, data_key = complaint_for_evidence(
        user=user, user_key=user_key, complaint_id=item.complaint.public_id
    )
    return item, data_key


def _view(item: EvidenceItem, data_key: crypto.DataKey) -> EvidenceView:
    facts = facts_of(item=item, file_key=file_key_of(item=item, data_key=data_key))
    ids = {f.role: f.public_id for f in item.files.all()}
    return EvidenceView(
        public_id=item.public_id,
        kind=EvidenceKind(item.kind),
        received_on=item.received_on,
        by_complainant=item.by_complainant,
        facts=facts,
        original_file=ids["original"],
        working_file=ids["working"],
    )


def evidence_list(*, complaint: Complaint, data_key: crypto.DataKey) -> list[EvidenceView]:
    """A complaint's items with their names and hashes (decrypted with ``data_key``)."""
    items = (
        EvidenceItem.objects.filter(complaint=complaint)
        .select_related("complaint")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.defer("ciphertext")))
    )
    return [_view(item, data_key) for item in items]


def evidence_view(*, item: EvidenceItem, data_key: crypto.DataKey) -> EvidenceView:
    return _view(item, data_key)


def custody_log(*, items: list[EvidenceItem]) -> list[CustodyEntry]:
    return list(
        CustodyEntry.objects.filter(item__in=items)
        .select_related("item", "file", "agency")
        .order_by("pk")
    )
