"""The staff site's gate: signed in (password and second factor) with keys unlocked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ombuds import crypto

from .keyring import user_private_key
from .models import Role, StaffUser

View = Callable[..., HttpResponse]


def staff_required(roles: Iterable[Role] | None = None) -> Callable[[View], View]:
    """Require a signed-in staff member whose keys are unlocked, optionally of some roles.

    The unlocked key is passed to the view as ``request.staff_key``. A session whose key
    cookie is gone (another browser, a cleared cookie) is signed out: without the key, nothing
    can be read anyway.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            login_url = reverse("staff:login")
            if not request.user.is_authenticated:
                return HttpResponseRedirect(login_url)
            key = user_private_key(request)
            if key is None:
                logout(request)
                return HttpResponseRedirect(login_url)
            user = request.user
            if not isinstance(user, StaffUser):
                raise PermissionDenied
            if allowed is not None and user.role not in allowed:
                raise PermissionDenied
            request.staff_key = key  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def current_staff(request: HttpRequest) -> StaffUser:
    """The signed-in staff member (views behind :func:`staff_required` only)."""
    user = request.user
    if not isinstance(user, StaffUser):
        raise PermissionDenied
    return user


def staff_key(request: HttpRequest) -> crypto.PrivateKey:
    key: crypto.PrivateKey = request.staff_key  # type: ignore[attr-defined]
    return key
