"""Staff pages for evidence: list and attach, details and custody, download, export.

Views stay thin: the selectors decide access (a 404 says nothing about existence), the services
check files and write custody entries.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds import crypto
from ombuds.access import (
    CASE_READER_ROLES,
    CASE_WRITER_ROLES,
    COMPLAINT_READER_ROLES,
    EVIDENCE_ITEM_READER_ROLES,
    may_add_case_material,
    may_export_case_file,
)
from ombuds.audit.signing import SigningKeyError
from ombuds.casework.models import Case
from ombuds.casework.selectors import CaseKeys
from ombuds.casework.services import CaseworkError
from ombuds.intake.models import Complaint
from ombuds.staff.access import current_staff, staff_key, staff_required

from . import files, selectors, services
from .casefile import (
    CaseFileRefused,
    FontMissing,
    case_file_export,
    case_file_person_choices,
    pdf_font,
)
from .files import FileRefused
from .forms import CaseEvidenceUploadForm, CaseFileForm, EvidenceUploadForm, ExportForm
from .models import EvidenceItem, FileRole
from .package import case_evidence_export, evidence_export
from .selectors import EvidenceForbidden, EvidenceNotFound

#: Served files are never rendered as a page: no scripts, no plugins, no framing.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _complaint(request: HttpRequest, complaint_id: uuid.UUID) -> tuple[Complaint, crypto.DataKey]:
    try:
        return selectors.complaint_for_evidence(
            user=current_staff(request), user_key=staff_key(request), complaint_id=complaint_id
        )
    except EvidenceNotFound as exc:
        raise Http404 from exc


def _item(request: HttpRequest, item_id: uuid.UUID) -> tuple[EvidenceItem, crypto.DataKey]:
    try:
        return selectors.item_for_user(
            user=current_staff(request), user_key=staff_key(request), item_id=item_id
        )
    except EvidenceNotFound as exc:
        raise Http404 from exc
    except EvidenceForbidden as exc:
        raise PermissionDenied from exc


def _case(request: HttpRequest, case_id: uuid.UUID, *, write: bool) -> tuple[Case, CaseKeys]:
    try:
        return selectors.case_for_evidence(
            user=current_staff(request), user_key=staff_key(request), case_id=case_id, write=write
        )
    except EvidenceNotFound as exc:
        raise Http404 from exc
    except EvidenceForbidden as exc:
        raise PermissionDenied from exc


@require_http_methods(["GET", "POST"])
@staff_required(roles=COMPLAINT_READER_ROLES)
def complaint_evidence(request: HttpRequest, complaint_id: uuid.UUID) -> HttpResponse:
    complaint, data_key = _complaint(request, complaint_id)
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.evidence_attach(
                    complaint=complaint,
                    data_key=data_key,
                    upload=form.cleaned_data["file"],
                    by_complainant=False,
                    actor=current_staff(request),
                )
                return HttpResponseRedirect(
                    reverse("evidence:complaint", args=[complaint_id]) + "?added=1"
                )
            except FileRefused as exc:
                form.add_error("file", str(exc))
        status = 400
    items = selectors.evidence_list(complaint=complaint, data_key=data_key)
    services.evidence_record_list(
        user=current_staff(request), complaint=complaint, count=len(items)
    )
    return render(
        request,
        "evidence/complaint.html",
        {
            "complaint_id": complaint_id,
            "items": items,
            "form": form,
            "export_form": ExportForm(),
            "added": request.GET.get("added") == "1",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required(roles=CASE_READER_ROLES)
def case_evidence(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A case's evidence that the user's agency can read; members who may change the case
    attach files here: into the compartment every holding agency reads, or, with source
    complaints ticked, into the compartment of their consents (as records are filed)."""
    case, keys = _case(request, case_id, write=request.method == "POST")
    user = current_staff(request)
    form = CaseEvidenceUploadForm(
        request.POST or None,
        request.FILES or None,
        sources=selectors.case_source_choices(case=case, keys=keys),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = list(dict.fromkeys(form.cleaned_data["sources"]))
            sources = selectors.case_sources(public_ids=chosen)
            try:
                if len(sources) != len(chosen):
                    # Withdrawn since the page was shown: filing without it would widen who
                    # may read the file.
                    raise CaseworkError(_("A complaint you chose is no longer part of the case."))
                services.evidence_attach_to_case(
                    user=user,
                    case=case,
                    keys=keys,
                    upload=form.cleaned_data["file"],
                    sources=sources,
                )
                return HttpResponseRedirect(reverse("evidence:case", args=[case_id]) + "?added=1")
            except FileRefused as exc:
                form.add_error("file", str(exc))
            except CaseworkError as exc:
                form.add_error(None, str(exc))
        status = 400
    evidence = selectors.case_evidence_list(case=case, keys=keys)
    services.evidence_record_case_list(user=user, case=case, count=len(evidence.items))
    return render(
        request,
        "evidence/case.html",
        {
            "case": case,
            "items": evidence.items,
            "withheld": evidence.withheld,
            "can_write": may_add_case_material(user=user, case=case),
            "form": form,
            "export_form": ExportForm(),
            "added": request.GET.get("added") == "1",
        },
        status=status,
    )


@require_POST
@staff_required(roles=CASE_WRITER_ROLES)
def case_export(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case, keys = _case(request, case_id, write=True)
    form = ExportForm(request.POST)
    originals = form.is_valid() and bool(form.cleaned_data["include_originals"])
    try:
        name, data = case_evidence_export(
            user=current_staff(request), case=case, keys=keys, include_originals=originals
        )
    except (SigningKeyError, services.IntegrityError):
        return render(request, "evidence/integrity_error.html", status=500)
    return _attachment(data, "application/zip", name)


@require_http_methods(["GET", "POST"])
@staff_required(roles=CASE_WRITER_ROLES)
def case_file(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The prosecutor's case file: a page to choose whom to leave out, then (POST) the signed
    ZIP with casefile.pdf and the evidence files, of what the user's agency reads."""
    case, keys = _case(request, case_id, write=False)
    user = current_staff(request)
    if not may_export_case_file(user=user, case=case):
        raise PermissionDenied
    persons = case_file_person_choices(case=case, keys=keys)
    form = CaseFileForm(
        request.POST if request.method == "POST" else None,
        persons=tuple((p.public_id, p.label) for p in persons),
    )
    font_error = ""
    try:
        pdf_font()
    except FontMissing as exc:
        font_error = str(exc)
    status = 200
    if request.method == "POST":
        if font_error:
            status = 500
        elif form.is_valid():
            try:
                name, data = case_file_export(
                    user=user,
                    case=case,
                    keys=keys,
                    left_out=form.cleaned_data["leave_out"],
                    include_originals=bool(form.cleaned_data["include_originals"]),
                )
            except CaseFileRefused as exc:
                raise PermissionDenied from exc
            except (SigningKeyError, services.IntegrityError):
                return render(request, "evidence/integrity_error.html", status=500)
            except FontMissing as exc:
                font_error, status = str(exc), 500
            else:
                return _attachment(data, "application/zip", name)
        else:
            status = 400
    services.evidence_record_case_file_page(user=user, case=case, persons=len(persons))
    return render(
        request,
        "evidence/case_file.html",
        {"case": case, "form": form, "font_error": font_error},
        status=status,
    )


@require_GET
@staff_required(roles=EVIDENCE_ITEM_READER_ROLES)
def item_detail(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    item, data_key = _item(request, item_id)
    view = selectors.evidence_view(item=item, data_key=data_key)
    services.evidence_record_view(user=current_staff(request), item=item)
    return render(
        request,
        "evidence/item.html",
        {
            "item": view,
            "complaint_id": item.complaint.public_id if item.complaint else None,
            "case_id": item.case.public_id if item.case else None,
            "custody": selectors.custody_log(items=[item]),
        },
    )


def _attachment(data: bytes, media_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required(roles=EVIDENCE_ITEM_READER_ROLES)
def item_download(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """The working copy. Originals leave only inside a signed export package."""
    item, data_key = _item(request, item_id)
    try:
        download = services.evidence_download(
            user=current_staff(request), item=item, data_key=data_key, role=FileRole.WORKING
        )
    except services.IntegrityError:
        return render(request, "evidence/integrity_error.html", status=500)
    name = files.download_name(download.facts.name, files.Kind(item.kind), suffix="-working")
    return _attachment(download.data, download.facts.media_type, name)


@require_POST
@staff_required(roles=COMPLAINT_READER_ROLES)
def complaint_export(request: HttpRequest, complaint_id: uuid.UUID) -> HttpResponse:
    complaint, data_key = _complaint(request, complaint_id)
    form = ExportForm(request.POST)
    originals = form.is_valid() and bool(form.cleaned_data["include_originals"])
    try:
        name, data = evidence_export(
            user=current_staff(request),
            complaint=complaint,
            data_key=data_key,
            include_originals=originals,
        )
    except (SigningKeyError, services.IntegrityError):
        return render(request, "evidence/integrity_error.html", status=500)
    return _attachment(data, "application/zip", name)
