"""Complaints taken for a caller (hotline, walk-in, letter, messenger): docs/hotline.md.

An intake officer of the working group files the public form's complaint for a caller, with
consent asked aloud, and the caller gets a codename read out (or a reference only). A caller
who calls again is found by codename or reference, never by name.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ombuds.access import CALLER_INTAKE_ROLES, may_file_for_caller
from ombuds.intake import selectors as complaint_selectors
from ombuds.intake import services as complaint_services
from ombuds.intake.forms import (
    CallerComplaintForm,
    CallerEntryForm,
    CallerFindForm,
    PersonFormSet,
    build_content,
    caller_languages,
    new_form_token,
)
from ombuds.intake.models import Channel

from .access import current_staff, staff_required
from .models import StaffUser


def _caller_officer(request: HttpRequest) -> StaffUser:
    user = current_staff(request)
    if not may_file_for_caller(user):
        raise PermissionDenied
    return user


@require_http_methods(["GET", "POST"])
@staff_required(roles=CALLER_INTAKE_ROLES)
def caller_complaint_new(request: HttpRequest) -> HttpResponse:
    """The public form, filled for a caller; on success the codename is shown once."""
    user = _caller_officer(request)
    if request.method == "POST":
        language = request.POST.get("caller_language", "")
        form = CallerComplaintForm(request.POST, caller_language=language)
        persons = PersonFormSet(request.POST, prefix="person")
        if form.is_valid() and persons.is_valid():
            if not any(p.is_filled() for p in persons.forms):
                persons.forms[0].add_error("name", _no_person_message())
            else:
                d = form.cleaned_data
                content = build_content(form, persons, language=d["caller_language"])
                try:
                    receipt = complaint_services.complaint_submit(
                        content=content,
                        form_token=d["form_token"],
                        on_behalf=complaint_services.OnBehalf(
                            officer=user,
                            channel=Channel(d["channel"]),
                            notes=d.get("officer_notes", ""),
                            codename=d["codename_choice"] == "codename",
                        ),
                    )
                except complaint_services.DuplicateSubmission:
                    return render(request, "staff/caller_duplicate.html", status=409)
                words = receipt.codename.reveal().split(" ") if receipt.codename else []
                return render(
                    request,
                    "staff/caller_filed.html",
                    {
                        "reference": receipt.reference,
                        "public_id": receipt.public_id,
                        "codename": words,
                        "spelled": [(n, w, list(w)) for n, w in enumerate(words, start=1)],
                        "caller_language": form.caller_language_code,
                    },
                )
    else:
        language = request.GET.get("caller_language", "")
        form = CallerComplaintForm(
            initial={"form_token": new_form_token()}, caller_language=language
        )
        persons = PersonFormSet(prefix="person")
    return render(
        request,
        "staff/caller_form.html",
        {
            "form": form,
            "persons": persons,
            "languages": caller_languages(),
            "caller_language": form.caller_language_code,
        },
        status=400 if request.method == "POST" else 200,
    )


def _no_person_message() -> str:
    from django.utils.translation import gettext

    return gettext("Please tell us about at least one person: a name, an age or a sex.")


@require_http_methods(["GET", "POST"])
@staff_required(roles=CALLER_INTAKE_ROLES)
def caller_find(request: HttpRequest) -> HttpResponse:
    """Find a caller's complaint by the codename they read out, or by its reference."""
    user = _caller_officer(request)
    form = CallerFindForm(request.POST or None)
    found: list[uuid.UUID] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        limit = settings.OMBUDS_CALLER_LOOKUPS_PER_10_MINUTES
        if not complaint_selectors.caller_lookups_left(user=user, limit=limit):
            # Nothing is looked up (and so nothing audited): the limit is what stops a member
            # from trying codenames or references one after another.
            form.add_error("codename_or_reference", _too_many_lookups_message())
            status = 429
        else:
            _by, found = complaint_selectors.complaint_find_for_caller(
                user=user, text=form.cleaned_data["codename_or_reference"]
            )
            if len(found) == 1:
                return HttpResponseRedirect(reverse("staff:complaint", args=[found[0]]))
            if not found:
                form.add_error("codename_or_reference", _not_found_message())
    return render(
        request,
        "staff/caller_find.html",
        {"form": form, "found": [str(f) for f in found]},
        status=status,
    )


def _too_many_lookups_message() -> str:
    from django.utils.translation import gettext

    return gettext(
        "You have looked up many complaints in the last ten minutes. Wait a few minutes and "
        "try again; if a caller is waiting, ask a colleague to look it up."
    )


def _not_found_message() -> str:
    from django.utils.translation import gettext

    return gettext(
        "No complaint your agency holds has this codename or reference. Ask the caller to "
        "read it again, word by word."
    )


@require_POST
@staff_required(roles=CALLER_INTAKE_ROLES)
def caller_entry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add what a caller said (as their message) or an officer's note to their complaint."""
    from .views import _open, complaint_page

    user = _caller_officer(request)
    complaint, view, data_key = _open(request, public_id)
    form = CallerEntryForm(request.POST)
    if not form.is_valid():
        return complaint_page(request, complaint, view, caller_form=form, status=400)
    text = form.cleaned_data["text"]
    if form.cleaned_data["kind"] == "note":
        complaint_services.complaint_note_add(
            user=user, complaint=complaint, data_key=data_key, text=text
        )
    else:
        complaint_services.complaint_caller_message(
            user=user, complaint=complaint, data_key=data_key, text=text
        )
    return HttpResponseRedirect(reverse("staff:complaint", args=[public_id]))
