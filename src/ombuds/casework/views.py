"""Staff pages for cases: list, open from complaints, the case page and its forms.

Views stay thin: they unlock the agency key, ask a selector for what the user may see, validate
a form and call a service (POST/redirect/GET). Refusals: a member of an agency that does not
hold the case gets 404 (the case may as well not exist); a reader without write rights 403.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds import access, crypto
from ombuds.access import CASE_READER_ROLES, CASE_WRITER_ROLES
from ombuds.intake import selectors as complaint_selectors
from ombuds.intake.models import Complaint
from ombuds.staff.access import current_staff, staff_key, staff_required
from ombuds.staff.keyring import agency_private_key
from ombuds.staff.models import Agency, AgencyKeyGrant, StaffUser

from . import forms, selectors, services
from .models import (
    Case,
    CaseComplaint,
    CaseOutcome,
    CasePriority,
    CaseRecord,
    CaseStatus,
    RecordKind,
)
from .selectors import CaseKeys


def _agency_key(request: HttpRequest, user: StaffUser) -> crypto.PrivateKey:
    if user.agency is None:
        raise Http404
    try:
        return agency_private_key(user=user, user_key=staff_key(request), agency=user.agency)
    except AgencyKeyGrant.DoesNotExist as exc:
        raise Http404 from exc


def _load(
    request: HttpRequest, public_id: uuid.UUID, *, write: bool = False, steer: bool = False
) -> tuple[StaffUser, Case, CaseKeys]:
    """The case for a member who may read it (else 404), and, with ``write``, add material
    to it or, with ``steer``, steer it (else 403; ``ombuds.access``)."""
    user = current_staff(request)
    try:
        case, keys = selectors.case_get_for_user(
            user=user, public_id=public_id, agency_private_key=_agency_key(request, user)
        )
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if write and not access.may_add_case_material(user=user, case=case):
        raise PermissionDenied
    if steer and not access.may_steer_case(user=user, case=case):
        raise PermissionDenied
    return user, case, keys


@staff_required(roles=CASE_READER_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    user = current_staff(request)
    cases = selectors.case_list_for_user(user=user)
    return render(request, "casework/case_list.html", {"cases": cases[:500]})


@require_http_methods(["GET", "POST"])
@staff_required(roles=CASE_WRITER_ROLES)
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case from complaints given as ``?complaint=<uuid>`` (repeatable)."""
    user = current_staff(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = list(dict.fromkeys(uuid.UUID(v) for v in source.getlist("complaint")))
    except ValueError as exc:
        raise Http404 from exc
    if not ids or len(ids) > 20:
        raise Http404
    key = _agency_key(request, user)
    opened: list[tuple[Complaint, complaint_selectors.ComplaintView]] = []
    for public_id in ids:
        try:
            complaint, view, _data_key = complaint_selectors.complaint_get_for_user(
                user=user, public_id=public_id, agency_private_key=key
            )
        except Complaint.DoesNotExist as exc:
            raise Http404 from exc
        opened.append((complaint, view))
    # Someone held now (the complaint's answer) makes the case urgent unless staff decide
    # otherwise: the form starts there.
    held_now = any(complaint.urgent for complaint, _view in opened)
    form = forms.CaseOpenForm(
        request.POST or None,
        initial={"priority": CasePriority.URGENT if held_now else CasePriority.NORMAL},
    )
    if request.method == "POST" and form.is_valid():
        case, _keys = services.case_open(
            user=user, complaints=opened, priority=CasePriority(form.cleaned_data["priority"])
        )
        return HttpResponseRedirect(reverse("casework:case", args=[case.public_id]))
    existing = Case.objects.filter(
        case_complaints__complaint__in=[c for c, _v in opened], holdings__agency=user.agency
    ).distinct()
    return render(
        request,
        "casework/case_open.html",
        {"form": form, "complaints": [v for _c, v in opened], "existing": existing},
    )


def _source_choices(case: Case, keys: CaseKeys) -> tuple[tuple[str, str], ...]:
    """The case's complaints whose material the user's agency may read."""
    links = CaseComplaint.objects.filter(case=case).select_related("complaint").order_by("pk")
    return tuple(
        (str(link.complaint.public_id), str(link.complaint.public_id)[:8])
        for link in links
        if keys.agency.pk in selectors.complaint_consent_ids(link.complaint)
    )


def _sources(case: Case, values: list[str]) -> list[Complaint]:
    return list(Complaint.objects.filter(case_links__case=case, public_id__in=values))


RECORD_FORMS: dict[str, type[forms.RecordForm]] = {
    "person": forms.PersonForm,
    "event": forms.EventActForm,
    "act": forms.ActForm,
    "involvement": forms.InvolvementForm,
    "information": forms.InformationForm,
}


def _page(
    request: HttpRequest,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    kind = request.GET.get("kind") or None
    if kind is not None and kind not in RecordKind.values:
        raise Http404
    view = selectors.decrypt_case(
        case=case,
        keys=keys,
        page=request.GET.get("page"),
        kind=RecordKind(kind) if kind else None,
    )
    sources = _source_choices(case, keys)
    refs = {str(k): v for k, v in view.choices.items()}
    bound = bound or {}
    context: dict[str, Any] = {
        "view": view,
        "case": case,
        "can_write": access.may_add_case_material(user=user, case=case),
        "can_steer": access.may_steer_case(user=user, case=case),
        "can_export_file": access.may_export_case_file(user=user, case=case),
        "own_agency_id": user.agency_id,
    }
    for name, form_class in RECORD_FORMS.items():
        form = bound.get(name)
        if form is not None:
            # A refused form offers what it was sent with and what this page opened.
            form.offer(refs)
        context[f"{name}_form"] = form or form_class(prefix=name, sources=sources, refs=refs)
    holders = Agency.objects.filter(case_holdings__case=case)
    context["status_form"] = bound.get("status") or forms.StatusForm(
        initial={"status": case.status, "outcome": case.outcome}
    )
    context["assign_form"] = bound.get("assign") or forms.AssignForm(
        initial={"agency": case.agency_id, "investigator": case.investigator_id},
        holders=holders,
        workers=access.assignable_staff(user=user),
    )
    context["refer_form"] = bound.get("refer") or forms.ReferForm(
        others=Agency.objects.exclude(case_holdings__case=case)
    )
    context["complaint_form"] = bound.get("complaint") or forms.AddComplaintForm()
    return render(request, "casework/case.html", context, status=status)


@staff_required(roles=CASE_READER_ROLES)
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, case, keys = _load(request, public_id)
    return _page(request, user, case, keys)


def _back(case: Case) -> HttpResponse:
    return HttpResponseRedirect(reverse("casework:case", args=[case.public_id]))


@require_POST
@staff_required(roles=CASE_READER_ROLES)
def record_add(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    if kind not in RECORD_FORMS:
        raise Http404
    user, case, keys = _load(request, public_id, write=True)
    form_class = RECORD_FORMS[kind]
    # Check the references the form names against those records alone, not the whole case.
    named = [request.POST.get(f"{kind}-{name}", "") for name in form_class.REFERENCES]
    form = form_class(
        request.POST,
        prefix=kind,
        sources=_source_choices(case, keys),
        refs=selectors.record_choices(case=case, keys=keys, public_ids=named),
    )
    if not form.is_valid():
        return _page(request, user, case, keys, bound={kind: form}, status=400)
    sources = _sources(case, form.cleaned_data["sources"])
    try:
        if isinstance(form, forms.EventActForm):
            event, act = form.to_records()
            row, _act_row = services.event_add(
                user=user, case=case, keys=keys, event=event, act=act, sources=sources
            )
        else:
            record = form.to_record()
            row = services.record_add(
                user=user, case=case, keys=keys, record=record, sources=sources
            )
    except services.CaseworkError as exc:
        form.add_error(None, str(exc))
        return _page(request, user, case, keys, bound={kind: form}, status=400)
    # New records come last in creation order: show the page that holds the one just added.
    return HttpResponseRedirect(
        reverse("casework:case", args=[case.public_id]) + f"?page=last#r-{row.public_id}"
    )


@require_POST
@staff_required(roles=CASE_READER_ROLES)
def case_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, case, keys = _load(request, public_id, steer=True)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        return _page(request, user, case, keys, bound={"status": form}, status=400)
    services.case_set_status(
        user=user,
        case=case,
        status=CaseStatus(form.cleaned_data["status"]),
        outcome=CaseOutcome(form.cleaned_data["outcome"] or ""),
    )
    return _back(case)


@require_POST
@staff_required(roles=CASE_READER_ROLES)
def case_assign(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, case, keys = _load(request, public_id, steer=True)
    holders = Agency.objects.filter(case_holdings__case=case)
    form = forms.AssignForm(
        request.POST, holders=holders, workers=access.assignable_staff(user=user)
    )
    if form.is_valid():
        try:
            services.case_assign(
                user=user,
                case=case,
                agency=form.cleaned_data["agency"],
                investigator=form.cleaned_data["investigator"],
            )
            return _back(case)
        except services.CaseworkError as exc:
            form.add_error(None, str(exc))
    return _page(request, user, case, keys, bound={"assign": form}, status=400)


@require_POST
@staff_required(roles=CASE_READER_ROLES)
def case_refer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, case, keys = _load(request, public_id, steer=True)
    form = forms.ReferForm(request.POST, others=Agency.objects.exclude(case_holdings__case=case))
    if not form.is_valid():
        return _page(request, user, case, keys, bound={"refer": form}, status=400)
    referral = services.case_refer(
        user=user, case=case, keys=keys, agency=form.cleaned_data["agency"]
    )
    messages.info(
        request,
        _("Referred to %(agency)s: %(granted)d compartment(s) shared, %(withheld)d withheld.")
        % {
            "agency": referral.agency.display_name,
            "granted": len(referral.granted),
            "withheld": len(referral.withheld),
        },
    )
    return _back(case)


@require_POST
@staff_required(roles=CASE_READER_ROLES)
def case_add_complaint(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, case, keys = _load(request, public_id, steer=True)
    form = forms.AddComplaintForm(request.POST)
    if form.is_valid():
        try:
            complaint, view, _data_key = complaint_selectors.complaint_get_for_user(
                user=user,
                public_id=form.cleaned_data["complaint"],
                agency_private_key=_agency_key(request, user),
            )
            services.case_add_complaint(
                user=user, case=case, keys=keys, complaint=complaint, view=view
            )
            return _back(case)
        except Complaint.DoesNotExist:
            form.add_error("complaint", _("No complaint with this id that you may read."))
        except services.CaseworkError as exc:
            form.add_error(None, str(exc))
    return _page(request, user, case, keys, bound={"complaint": form}, status=400)


# --- correcting and removing a record ---------------------------------------------------------

#: The form that edits each kind of record (an event is edited without its acts: each act is
#: a record of its own).
EDIT_FORMS: dict[str, type[forms.RecordForm]] = {
    "person": forms.PersonForm,
    "event": forms.EventForm,
    "act": forms.ActForm,
    "involvement": forms.InvolvementForm,
    "information": forms.InformationForm,
}


def _load_record(
    request: HttpRequest, public_id: uuid.UUID, record_id: uuid.UUID
) -> tuple[StaffUser, Case, CaseKeys, selectors.OpenRecord]:
    """The case (the user must be allowed to add to it: 404 or 403 as for adding records) and
    the record; 404 for a record that is not in the case or that the agency cannot open, 403
    for one another agency wrote (``access.may_change_record``)."""
    user, case, keys = _load(request, public_id, write=True)
    try:
        opened = selectors.case_record_get(case=case, keys=keys, record_id=record_id)
    except CaseRecord.DoesNotExist as exc:
        raise Http404 from exc
    if not access.may_change_record(user=user, row=opened.row):
        raise PermissionDenied
    return user, case, keys, opened


def _listing_kind(request: HttpRequest) -> RecordKind | None:
    """The kind the case page was filtered to when the user left it (``?kind=``), if any."""
    kind = request.GET.get("kind") or ""
    return RecordKind(kind) if kind in RecordKind.values else None


def _listing_url(case: Case, kind: RecordKind | None, page: int, anchor: str) -> str:
    query = f"kind={kind.value}&" if kind else ""
    return reverse("casework:case", args=[case.public_id]) + f"?{query}page={page}#{anchor}"


def _record_location(
    case: Case, keys: CaseKeys, row: CaseRecord, kind: RecordKind | None
) -> tuple[RecordKind | None, int]:
    """The filter and page of the case page that show ``row`` (the filter dropped if the
    record is not of its kind)."""
    if kind is not None and kind != row.kind:
        kind = None
    return kind, selectors.record_page_number(case=case, keys=keys, row=row, kind=kind)


@require_http_methods(["GET", "POST"])
@staff_required(roles=CASE_READER_ROLES)
def record_edit(request: HttpRequest, public_id: uuid.UUID, record_id: uuid.UUID) -> HttpResponse:
    """Correct a record: a form of its kind filled with what it says; on save, the same row
    is re-encrypted (services.record_edit) and the case page opens where the record is."""
    user, case, keys, opened = _load_record(request, public_id, record_id)
    form_class = EDIT_FORMS[opened.kind]
    prefix = opened.kind.value
    status = 200
    if request.method == "POST":
        named = [request.POST.get(f"{prefix}-{name}", "") for name in form_class.REFERENCES]
        refs = selectors.record_edit_choices(
            case=case, keys=keys, record=opened.record, public_ids=named
        )
        form = form_class(request.POST, prefix=prefix, refs=refs, editing=True)
        if form.is_valid():
            try:
                row, changed = services.record_edit(
                    user=user,
                    case=case,
                    keys=keys,
                    record_id=record_id,
                    record=form.to_record(),
                )
            except CaseRecord.DoesNotExist as exc:
                raise Http404 from exc
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
            else:
                messages.info(
                    request, _("Record corrected.") if changed else _("Nothing was changed.")
                )
                kind, page = _record_location(case, keys, row, _listing_kind(request))
                return HttpResponseRedirect(_listing_url(case, kind, page, f"r-{row.public_id}"))
        status = 400
    else:
        form = form_class(
            prefix=prefix,
            initial=form_class.initial_for(opened.record),
            refs=selectors.record_edit_choices(case=case, keys=keys, record=opened.record),
            editing=True,
        )
    kind, page = _record_location(case, keys, opened.row, _listing_kind(request))
    source = opened.row.source_complaint
    return render(
        request,
        "casework/record_edit.html",
        {
            "case": case,
            "record": opened,
            "form": form,
            "copied_from": source.public_id if source else None,
            "back": _listing_url(case, kind, page, f"r-{opened.public_id}"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required(roles=CASE_READER_ROLES)
def record_delete(request: HttpRequest, public_id: uuid.UUID, record_id: uuid.UUID) -> HttpResponse:
    """Remove a record entered by mistake: a confirmation page, then services.record_delete.
    A record that others name is not removed: the page lists them, to change first."""
    user, case, keys, opened = _load_record(request, public_id, record_id)
    kind, page = _record_location(case, keys, opened.row, _listing_kind(request))
    form = forms.RecordDeleteForm(request.POST if request.method == "POST" else None)
    referrers: selectors.RecordReferrers | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_delete(user=user, case=case, keys=keys, record_id=record_id)
            except CaseRecord.DoesNotExist as exc:
                raise Http404 from exc
            except services.RecordNamed as exc:
                referrers = exc.referrers
                status = 409
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.info(request, _("Record deleted."))
                return HttpResponseRedirect(_listing_url(case, kind, page, "records"))
        else:
            status = 400
    if referrers is None:
        referrers = selectors.record_referrers(case=case, keys=keys, row=opened.row)
    return render(
        request,
        "casework/record_delete.html",
        {
            "case": case,
            "r": selectors.record_view(case=case, keys=keys, opened=opened),
            "copied": opened.row.source_complaint_id is not None,
            "referrers": referrers,
            "form": form,
            "kind_query": f"?kind={kind.value}" if kind else "",
            "back": _listing_url(case, kind, page, f"r-{opened.public_id}"),
        },
        status=status,
    )


@require_GET
@staff_required(roles=CASE_READER_ROLES)
def record_history(
    request: HttpRequest, public_id: uuid.UUID, record_id: uuid.UUID
) -> HttpResponse:
    """What a record says now and what it said before each edit, for any reader who can
    open its compartment (404 otherwise, as for the record itself)."""
    _user, case, keys = _load(request, public_id)
    try:
        opened = selectors.case_record_get(case=case, keys=keys, record_id=record_id)
    except CaseRecord.DoesNotExist as exc:
        raise Http404 from exc
    kind, page = _record_location(case, keys, opened.row, _listing_kind(request))
    return render(
        request,
        "casework/record_history.html",
        {
            "case": case,
            "r": selectors.record_view(case=case, keys=keys, opened=opened),
            "versions": selectors.record_versions(case=case, keys=keys, opened=opened),
            "back": _listing_url(case, kind, page, f"r-{opened.public_id}"),
        },
    )
