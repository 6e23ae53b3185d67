"""The auditor's view of the log (staff site). Looking at the log is itself logged."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ombuds.access import AUDIT_READER_ROLES
from ombuds.audit.export import audit_export
from ombuds.audit.forms import AuditFilterForm
from ombuds.audit.models import AuditAction
from ombuds.audit.selectors import (
    audit_entries_filter,
    audit_last_checkpoint,
    audit_pending_by_day,
)
from ombuds.audit.services import audit_record
from ombuds.staff.access import staff_required
from ombuds.staff.models import StaffUser

PAGE_SIZE = 100


@staff_required(roles=AUDIT_READER_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, str | int | None] = {}
    entries = audit_entries_filter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        actor: StaffUser | None = data["actor"]
        entries = audit_entries_filter(
            action=data["action"],
            actor_id=actor.pk if actor else None,
            since=data["since"],
            until=data["until"],
            subject=data["subject"],
        )
        filters = {
            "action": data["action"] or None,
            "actor": actor.get_username() if actor else None,
            "since": data["since"].isoformat() if data["since"] else None,
            "until": data["until"].isoformat() if data["until"] else None,
            "subject": data["subject"] or None,
        }
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = request.user
    assert isinstance(viewer, StaffUser)  # noqa: S101 - staff_required guarantees it
    audit_record(
        action=AuditAction.AUDIT_VIEWED,
        actor=viewer,
        details={**{k: v for k, v in filters.items() if v is not None}, "page": page.number},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "checkpoint": audit_last_checkpoint(),
            # After the record above, which chained any earlier day: normally today's only.
            "pending": audit_pending_by_day(),
        },
    )


@require_POST
@staff_required(roles=AUDIT_READER_ROLES)
def audit_download(request: HttpRequest) -> HttpResponse:
    """The whole log as JSON lines, to verify away from the server (the download is logged)."""
    viewer = request.user
    assert isinstance(viewer, StaffUser)  # noqa: S101 - staff_required guarantees it
    response = StreamingHttpResponse(audit_export(actor=viewer), content_type="application/jsonl")
    response["Content-Disposition"] = 'attachment; filename="audit-log.jsonl"'
    response["Cache-Control"] = "no-store"
    # staff_required is typed for HttpResponse; Django serves any HttpResponseBase.
    return cast(HttpResponse, response)
