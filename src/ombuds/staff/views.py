"""Staff pages: sign-in with a second factor, the complaint inbox, reading and replying."""

from __future__ import annotations

import uuid

import segno
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ombuds import crypto
from ombuds.access import COMPLAINT_READER_ROLES, may_file_for_caller
from ombuds.casework.selectors import complaint_cases_for_user
from ombuds.intake import selectors as complaint_selectors
from ombuds.intake import services as complaint_services
from ombuds.intake.forms import CallerEntryForm
from ombuds.intake.models import Complaint, ComplaintStatus

from . import selectors, services
from .access import current_staff, staff_key, staff_required
from .forms import CodeForm, InboxSearchForm, ReplyForm, SignInForm, StatusForm
from .keyring import agency_private_key, keyring_clear, keyring_store, user_private_key
from .models import AgencyKeyGrant, Role, SignInStage, StaffUser

PENDING_USER = "staff.pending_user"
PENDING_TOTP = "staff.pending_totp"


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_attempt(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
        )
        if result.outcome != services.SignInOutcome.REFUSED:
            assert result.user is not None and result.private_key is not None  # noqa: S101
            request.session.cycle_key()
            if result.outcome == services.SignInOutcome.SIGNED_IN:
                response = HttpResponseRedirect(reverse("staff:inbox"))
                login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
                services.sign_in_succeeded(user=result.user)
            else:
                request.session[PENDING_USER] = result.user.pk
                response = HttpResponseRedirect(reverse("staff:second_factor"))
            keyring_store(request, response, result.private_key)
            return response
        # One answer for every refusal (a wrong name, password or code; a right password
        # without its code on an account under attack): the page says nothing a guesser
        # could use, and from now on it asks for the code with the password.
        form.add_error(
            None,
            _(
                "Sign-in failed. Enter your user name and password again, together with "
                "the current code from your authenticator app."
            ),
        )
        shown_back = request.POST.copy()  # a code is tried once: never shown back
        shown_back.pop("code", None)
        form.data = shown_back
    return render(request, "staff/sign_in.html", {"form": form, "ask_code": form.is_bound})


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = StaffUser.objects.filter(pk=request.session.get(PENDING_USER, 0), is_active=True).first()
    key = user_private_key(request)
    if user is None or key is None:
        return HttpResponseRedirect(reverse("staff:login"))
    form = CodeForm(request.POST or None)
    enrolling = not user.totp_confirmed
    if enrolling:
        sealed = request.session.get(PENDING_TOTP)
        if sealed is None:
            secret = services.totp_new_secret()
            request.session[PENDING_TOTP] = crypto.seal(
                bytes(user.public_key), secret.encode()
            ).hex()
        else:
            secret = crypto.unseal(key, bytes.fromhex(sealed)).decode()
    else:
        secret = services.totp_secret(user=user, private_key=key)
    if request.method == "POST" and form.is_valid():
        if services.sign_in_locked(user):
            form.add_error("code", _("Too many failed attempts. Wait a few minutes and try again."))
        elif services.totp_check(user=user, secret=secret, code=form.cleaned_data["code"]):
            if enrolling:
                services.totp_enrol(user=user, secret=secret)
            request.session.pop(PENDING_USER, None)
            request.session.pop(PENDING_TOTP, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.sign_in_succeeded(user=user)
            return HttpResponseRedirect(reverse("staff:inbox"))
        else:
            code = form.cleaned_data["code"]
            user.refresh_from_db(fields=["totp_last_step"])
            reused = services.totp_code_reused(user=user, secret=secret, code=code)
            services.sign_in_failed(
                user=user, username=user.username, stage=SignInStage.SECOND_FACTOR
            )
            if reused:
                form.add_error(
                    "code",
                    _("This code was already used. Wait for the next code in your app."),
                )
            else:
                form.add_error(
                    "code", _("This code is not valid. Use the current code from your app.")
                )
    context: dict[str, object] = {"form": form, "enrolling": enrolling}
    if enrolling:
        uri = services.totp_uri(user=user, secret=secret)
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=4)
        context["secret"] = secret
    return render(request, "staff/second_factor.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    user = request.user if isinstance(request.user, StaffUser) else None
    response = HttpResponseRedirect(reverse("staff:login"))
    keyring_clear(request, response)
    if user is not None:
        from ombuds.audit.models import AuditAction
        from ombuds.audit.services import audit_record

        audit_record(action=AuditAction.SIGN_OUT, actor=user)
    logout(request)
    return response


@staff_required()
def inbox(request: HttpRequest) -> HttpResponse:
    user = current_staff(request)
    search = InboxSearchForm(request.GET)
    complaints: list[complaint_selectors.InboxRow] = []
    if user.reads_complaints and search.is_valid():
        status = search.cleaned_data["status"]
        complaints = complaint_selectors.complaint_inbox_for_user(
            user=user,
            reference=search.cleaned_data["reference"],
            status=ComplaintStatus(status) if status else None,
        )
    return render(
        request,
        "staff/inbox.html",
        {"complaints": complaints, "search": search, "reads_complaints": user.reads_complaints},
    )


def _open(request: HttpRequest, public_id: uuid.UUID):  # type: ignore[no-untyped-def]
    user = current_staff(request)
    if user.agency is None:
        raise Http404
    try:
        agency_key = agency_private_key(user=user, user_key=staff_key(request), agency=user.agency)
        return complaint_selectors.complaint_get_for_user(
            user=user, public_id=public_id, agency_private_key=agency_key
        )
    except (Complaint.DoesNotExist, AgencyKeyGrant.DoesNotExist) as exc:
        raise Http404 from exc


def complaint_page(
    request: HttpRequest,
    complaint: Complaint,
    view: complaint_selectors.ComplaintView,
    *,
    reply_form: ReplyForm | None = None,
    caller_form: CallerEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_staff(request)
    return render(
        request,
        "staff/complaint.html",
        {
            "complaint": view,
            "cases": complaint_cases_for_user(user=user, complaint=complaint),
            "reply_form": reply_form or ReplyForm(),
            "status_form": StatusForm(initial={"status": complaint.status}),
            "caller_form": (caller_form or CallerEntryForm())
            if may_file_for_caller(user)
            else None,
        },
        status=status,
    )


@staff_required(roles=COMPLAINT_READER_ROLES)
def complaint_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    complaint, view, _key = _open(request, public_id)
    return complaint_page(request, complaint, view)


@require_POST
@staff_required(roles=COMPLAINT_READER_ROLES)
def complaint_reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    complaint, view, data_key = _open(request, public_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return complaint_page(request, complaint, view, reply_form=form, status=400)
    user = current_staff(request)
    complaint_services.complaint_reply(
        user=user, complaint=complaint, data_key=data_key, text=form.cleaned_data["text"]
    )
    return HttpResponseRedirect(reverse("staff:complaint", args=[public_id]))


@require_POST
@staff_required(roles=COMPLAINT_READER_ROLES)
def complaint_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    complaint, _view, _key = _open(request, public_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        user = current_staff(request)
        complaint_services.complaint_set_status(
            user=user, complaint=complaint, status=ComplaintStatus(form.cleaned_data["status"])
        )
    return HttpResponseRedirect(reverse("staff:complaint", args=[public_id]))


@staff_required(roles=[Role.ADMIN])
def sign_in_failures(request: HttpRequest) -> HttpResponse:
    """Administrators: recent failed sign-ins per account (time, account, step; no address)."""
    failures = selectors.sign_in_failures_recent(viewer=current_staff(request))
    return render(
        request,
        "staff/sign_in_failures.html",
        {"failures": failures},
    )
