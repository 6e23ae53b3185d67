"""The account page (every member) and the administrator's pages: agencies and staff.

Plain forms, POST/redirect/GET, no JavaScript. These pages show no complaint content and
need no agency key; a new or reset member receives their agency's key from a colleague of
that agency, on that colleague's account page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ombuds import crypto
from ombuds.intake.budget import refusals_this_week

from . import services
from .access import current_staff, staff_key, staff_required
from .admin_forms import (
    AgencyCreateForm,
    AgencyForm,
    DutyForm,
    NewPasswordForm,
    PasswordChangeForm,
    RoleForm,
    StaffAddForm,
)
from .keyring import agency_private_key
from .models import Agency, AgencyKeyGrant, AgencyKind, Role, StaffUser

ADMIN = frozenset({Role.ADMIN})


def _awaiting_key(user: StaffUser) -> list[StaffUser]:
    """Active colleagues of ``user``'s agency who hold no grant of its key yet."""
    if user.agency is None:
        return []
    return list(
        StaffUser.objects.filter(agency=user.agency, is_active=True)
        .exclude(agency_key_grants__agency=user.agency)
        .order_by("username")
    )


def _account_page(
    request: HttpRequest, form: PasswordChangeForm | None = None, status: int = 200
) -> HttpResponse:
    user = current_staff(request)
    return render(
        request,
        "staff/account.html",
        {
            "form": form or PasswordChangeForm(username=user.username),
            "awaiting": _awaiting_key(user),
        },
        status=status,
    )


@staff_required()
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@require_POST
@staff_required()
def account_password(request: HttpRequest) -> HttpResponse:
    user = current_staff(request)
    form = PasswordChangeForm(request.POST, username=user.username)
    if form.is_valid():
        try:
            services.staff_password_change(
                user=user,
                old_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except crypto.WrongPassword:
            form.add_error("current_password", _("This is not your current password."))
        except services.StaffError as exc:
            form.add_error("new_password", str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.info(request, _("Your password was changed."))
            return HttpResponseRedirect(reverse("staff:account"))
    return _account_page(request, form, status=400)


@require_POST
@staff_required()
def account_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    """Grant the agency's key (with the retired ones) to a colleague who has none yet."""
    user = current_staff(request)
    colleague = next((c for c in _awaiting_key(user) if c.pk == user_id), None)
    if colleague is None or user.agency is None:
        raise Http404
    try:
        key = agency_private_key(user=user, user_key=staff_key(request), agency=user.agency)
    except AgencyKeyGrant.DoesNotExist as exc:
        raise Http404 from exc
    services.agency_grant_key(
        agency=user.agency, agency_private_key=key, user=colleague, granted_by=user
    )
    messages.info(request, _("%(name)s now holds the agency's key.") % {"name": colleague.username})
    return HttpResponseRedirect(reverse("staff:account"))


# --- administrators -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(roles=ADMIN)
def agencies(request: HttpRequest) -> HttpResponse:
    form = AgencyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.agency_create(
                slug=d["slug"],
                kind=AgencyKind(d["kind"]),
                name_ru=d["name_ru"],
                name_en=d["name_en"],
                offered_for_consent=d["offered_for_consent"],
                retention_days=d["retention_days"],
                consent_note_ru=d["consent_note_ru"],
                consent_note_en=d["consent_note_en"],
                actor=current_staff(request),
            )
        except services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(request, _("Agency created."))
            return HttpResponseRedirect(reverse("staff:admin_agencies"))
    return render(
        request,
        "staff/admin/agencies.html",
        {"agencies": Agency.objects.all(), "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(roles=ADMIN)
def agency_edit(request: HttpRequest, slug: str) -> HttpResponse:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise Http404
    initial = {name: getattr(agency, name) for name in services.AGENCY_EDITABLE}
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_edit(agency=agency, actor=current_staff(request), **form.cleaned_data)
        except services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(request, _("Agency saved."))
            return HttpResponseRedirect(reverse("staff:admin_agencies"))
    return render(
        request,
        "staff/admin/agency.html",
        {"agency": agency, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(roles=ADMIN)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member = services.staff_create(
                username=d["username"],
                password=d["new_password"],
                agency=d["agency"],
                role=Role(d["role"]),
                agency_private_key=None,
                granted_by=current_staff(request),
            )
        except services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(
                request,
                _(
                    "%(name)s was added. A colleague of the same agency grants them its key on "
                    "their account page; the second factor is enrolled at the first sign-in."
                )
                % {"name": member.username},
            )
            return HttpResponseRedirect(reverse("staff:admin_staff"))
    holders = set(AgencyKeyGrant.objects.values_list("user_id", flat=True))
    members = [
        (m, m.pk in holders)
        for m in StaffUser.objects.select_related("agency").order_by("-is_active", "username")
    ]
    refused_budget, refused_disk = refusals_this_week()
    return render(
        request,
        "staff/admin/staff.html",
        {
            "members": members,
            "form": form,
            "refused_budget": refused_budget,
            "refused_disk": refused_disk,
        },
        status=400 if form.errors else 200,
    )


def _member(pk: int) -> StaffUser:
    member = StaffUser.objects.select_related("agency").filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def _member_page(
    request: HttpRequest,
    member: StaffUser,
    *,
    role_form: RoleForm | None = None,
    reset_form: NewPasswordForm | None = None,
    duty_form: DutyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/admin/member.html",
        {
            "member": member,
            "holds_key": AgencyKeyGrant.objects.filter(user=member).exists(),
            "role_form": role_form or RoleForm(initial={"role": member.role}),
            "reset_form": reset_form or NewPasswordForm(username=member.username),
            "duty_form": duty_form
            or DutyForm(initial={"on_duty": member.on_duty, "email": member.email}),
        },
        status=status,
    )


@staff_required(roles=ADMIN)
def member(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_page(request, _member(pk))


@require_POST
@staff_required(roles=ADMIN)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _member(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _member_page(request, target, role_form=form, status=400)
    if target.pk == current_staff(request).pk:
        form.add_error("role", _("You cannot change your own role."))
        return _member_page(request, target, role_form=form, status=400)
    services.staff_set_role(
        user=target, role=Role(form.cleaned_data["role"]), actor=current_staff(request)
    )
    messages.info(request, _("Role saved."))
    return HttpResponseRedirect(reverse("staff:admin_member", args=[target.pk]))


@require_POST
@staff_required(roles=ADMIN)
def member_duty(request: HttpRequest, pk: int) -> HttpResponse:
    """On duty or not, and the address alerts go to."""
    target = _member(pk)
    form = DutyForm(request.POST)
    if form.is_valid():
        try:
            services.staff_set_duty(
                user=target,
                on_duty=form.cleaned_data["on_duty"],
                email=form.cleaned_data["email"],
                actor=current_staff(request),
            )
        except services.StaffError as exc:
            form.add_error("email", str(exc))
        else:
            messages.info(request, _("Alerts saved."))
            return HttpResponseRedirect(reverse("staff:admin_member", args=[target.pk]))
    return _member_page(request, target, duty_form=form, status=400)


@require_POST
@staff_required(roles=ADMIN)
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    target = _member(pk)
    try:
        services.staff_deactivate(user=target, actor=current_staff(request))
    except services.StaffError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(
            request,
            _("%(name)s was deactivated: no sign-in, no keys; their agency's key was rotated.")
            % {"name": target.username},
        )
    return HttpResponseRedirect(reverse("staff:admin_member", args=[target.pk]))


@require_POST
@staff_required(roles=ADMIN)
def member_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A new password and second factor. Without the escrow key (never on this server for
    routine work) the member gets a new key pair: a colleague grants the agency key again."""
    target = _member(pk)
    form = NewPasswordForm(request.POST, username=target.username)
    if form.is_valid():
        try:
            services.staff_reset(
                user=target,
                new_password=form.cleaned_data["new_password"],
                actor=current_staff(request),
            )
        except services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(
                request,
                _(
                    "%(name)s has a new password and enrols a new second factor at the next "
                    "sign-in. A colleague of the same agency grants them its key again."
                )
                % {"name": target.username},
            )
            return HttpResponseRedirect(reverse("staff:admin_member", args=[target.pk]))
    return _member_page(request, target, reset_form=form, status=400)
