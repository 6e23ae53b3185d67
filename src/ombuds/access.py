"""Who may do what on the staff site: every role set and every ``access_*`` / ``may_*`` rule.

One place answers "may this member of this agency do this to that?" (docs/access.md holds
the same rules as tables). Views, selectors and services ask here and decide nothing
themselves. This module imports models only, never a view, form, selector or service, so
that every package may import it.

Passing a check here is never enough to *read* protected material: that also needs a key
sealed to the member's agency (a complaint's data key, a case compartment's key). These
rules decide what a member may attempt; the keys decide what can be opened at all.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from ombuds.staff.models import AgencyKind, Role, StaffUser

if TYPE_CHECKING:  # models of the apps that ask here; imported for types only
    from django.db.models import QuerySet

    from ombuds.casework.models import Case, CaseRecord, Compartment
    from ombuds.intake.models import Complaint

# --- roles ----------------------------------------------------------------------------------

#: Roles that read and answer complaints (of an agency the complainant consented to).
COMPLAINT_READER_ROLES = frozenset({Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.LIAISON})
#: Roles that work on cases of an agency holding them: add records, notes and files, and
#: (for the responsible agency and the working group) steer them.
CASE_WRITER_ROLES = frozenset({Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.LIAISON})
#: Roles that read cases of an agency holding them. Analysts read (they link persons), but
#: only staff material (:func:`may_open_compartment`); auditors and administrators read no
#: case content at all.
CASE_READER_ROLES = CASE_WRITER_ROLES | {Role.ANALYST}
#: Roles that may file material from an imported person list into a case (and change
#: nothing else): case writers, and analysts, who import the lists.
CASE_LIST_FILER_ROLES = CASE_WRITER_ROLES | {Role.ANALYST}
#: Roles that read cases but only the compartment every holding agency reads (staff
#: material): never a complaint's consent compartment, so never what a complainant wrote.
STAFF_MATERIAL_ONLY_ROLES = frozenset({Role.ANALYST})
#: Roles that use the analysis pages (person lists, linkage runs).
ANALYSIS_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
#: Who may read the audit log. Nobody else, not even staff who read complaints.
AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
#: Roles that file complaints for callers (hotline, walk-in, letter) and find a caller's
#: complaint again by codename or reference: intake officers, and only of an agency that
#: receives every complaint (the working group), which is what such a complaint is sealed to.
CALLER_INTAKE_ROLES = frozenset({Role.INTAKE_OFFICER})
#: Who may open an evidence item page or download a working copy: complaint readers
#: (complaint evidence) and case readers (case evidence); the item's owner then decides.
EVIDENCE_ITEM_READER_ROLES = COMPLAINT_READER_ROLES | CASE_READER_ROLES


def _active_member(user: StaffUser) -> bool:
    """Signed in, active, and a member of an agency."""
    return bool(user.is_authenticated and user.is_active and user.agency_id is not None)


# --- complaints -----------------------------------------------------------------------------


def reads_complaints(user: StaffUser) -> bool:
    """Is ``user`` in a role that reads complaints, as a member of an agency?"""
    return user.role in COMPLAINT_READER_ROLES and user.agency_id is not None


def access_complaint(*, user: StaffUser, complaint: Complaint) -> bool:
    """May ``user`` read (and answer) ``complaint``? Only active complaint readers of an agency
    the complaint's data key was sealed to (its complainant consented to it)."""
    from ombuds.intake.models import ComplaintKeyGrant

    if not _active_member(user) or not reads_complaints(user) or user.agency_id is None:
        return False
    return ComplaintKeyGrant.objects.filter(complaint=complaint, agency_id=user.agency_id).exists()


def may_file_for_caller(user: StaffUser) -> bool:
    """May ``user`` file a complaint for a caller, find one by codename or reference, and add
    what the caller says or an officer's note to it? Active intake officers of an agency that
    receives every complaint (docs/hotline.md). Reading the complaint found still needs
    :func:`access_complaint` and the agency's key."""
    if not _active_member(user) or user.role not in CALLER_INTAKE_ROLES:
        return False
    agency = user.agency
    return agency is not None and bool(agency.receives_all)


# --- cases ----------------------------------------------------------------------------------


class CaseStanding(enum.Enum):
    """How the member's agency stands to a case (docs/access.md, "Cases")."""

    #: The agency does not hold the case: it may as well not exist (404).
    NONE = "none"
    #: The case was referred to the agency: it reads what it was given, adds its own material.
    REFERRED = "referred"
    #: The agency is responsible for the case, or is the working group holding it: it steers.
    STEERING = "steering"


def case_standing(*, agency_id: int | None, case: Case) -> CaseStanding:
    """How the agency ``agency_id`` stands to ``case``, whatever the member's role."""
    from ombuds.casework.models import CaseHolding

    if agency_id is None:
        return CaseStanding.NONE
    holding = (
        CaseHolding.objects.filter(case=case, agency_id=agency_id)
        .values_list("agency__kind", flat=True)
        .first()
    )
    if holding is None:
        return CaseStanding.NONE
    if case.agency_id == agency_id or holding == AgencyKind.WORKING_GROUP:
        return CaseStanding.STEERING
    return CaseStanding.REFERRED


def access_case(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` read ``case``? Active members, in a case-reading role, of an agency that
    holds it. What they can open also depends on the keys sealed to their agency and on
    :func:`may_open_compartment`."""
    if not _active_member(user) or user.role not in CASE_READER_ROLES:
        return False
    return case_standing(agency_id=user.agency_id, case=case) != CaseStanding.NONE


def may_add_case_material(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` add records, notes and evidence files to ``case``? Active case writers of
    any agency holding it: a referred agency adds its own material too."""
    if not _active_member(user) or user.role not in CASE_WRITER_ROLES:
        return False
    return case_standing(agency_id=user.agency_id, case=case) != CaseStanding.NONE


def may_export_case_file(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` export ``case``'s case file (the PDF with the evidence, signed)? Active
    case workers of any agency holding it, a referred one included: the file holds only what
    their agency's keys open. Never analysts (the file holds what complaints said), auditors
    or administrators (they read no case content)."""
    if not _active_member(user) or user.role not in CASE_WRITER_ROLES:
        return False
    return case_standing(agency_id=user.agency_id, case=case) != CaseStanding.NONE


def may_steer_case(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` set the status (close included), assign, refer or add complaints to
    ``case``? Active case writers of the responsible agency or of the working group holding
    it; never of an agency the case was merely referred to."""
    if not _active_member(user) or user.role not in CASE_WRITER_ROLES:
        return False
    return case_standing(agency_id=user.agency_id, case=case) == CaseStanding.STEERING


def may_change_record(*, user: StaffUser, row: CaseRecord) -> bool:
    """May ``user`` edit or delete the case record ``row``? Only case writers of the agency
    that wrote it (:attr:`CaseRecord.agency`), while that agency holds the case. A record
    whose writing agency is unknown is changed by nobody."""
    if row.agency_id is None or row.agency_id != user.agency_id:
        return False
    return may_add_case_material(user=user, case=row.case)


def access_case_list_filing(*, user: StaffUser, case: Case) -> bool:
    """May ``user`` file records from an imported person list into ``case``?

    Active case writers and analysts of an agency that holds the case. It grants nothing
    else: an analyst still may not add records by hand, change the status, assign or refer.
    """
    if not _active_member(user) or user.role not in CASE_LIST_FILER_ROLES:
        return False
    return case_standing(agency_id=user.agency_id, case=case) != CaseStanding.NONE


def may_open_compartment(*, user: StaffUser, compartment: Compartment) -> bool:
    """May ``user``'s role open ``compartment``, given that its key is sealed to the agency?

    Analysts read only the compartment every holding agency reads (staff material, lists
    filed into the case): never a complaint's consent compartment, where what was copied
    from the complaint lies. They are refused complaint pages, so they are refused the same
    text in a case too (docs/access.md, "What analysts read").
    """
    if user.role in STAFF_MATERIAL_ONLY_ROLES:
        return bool(compartment.everyone)
    return True


def assignable_staff(*, user: StaffUser) -> QuerySet[StaffUser]:
    """The members ``user`` may make a case's investigator: active case writers of the
    user's own agency only. An agency assigns its own people; making another holding agency
    responsible leaves the choice of its investigator to that agency."""
    if user.agency_id is None:
        return StaffUser.objects.none()
    return StaffUser.objects.filter(
        agency_id=user.agency_id, role__in=CASE_WRITER_ROLES, is_active=True
    ).order_by("username")


# --- analysis and audit ---------------------------------------------------------------------


def access_analysis(*, user: StaffUser) -> bool:
    """May ``user`` use the analysis pages at all (an analyst or administrator of an agency)?"""
    return _active_member(user) and user.role in ANALYSIS_ROLES


def access_audit(*, user: StaffUser) -> bool:
    """May ``user`` read the audit log (auditors and administrators)?"""
    return bool(user.is_authenticated and user.is_active and user.role in AUDIT_READER_ROLES)
