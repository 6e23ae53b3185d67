"""Keys unlocked at sign-in, held only for the session (architecture.md, "Unlocking").

The staff member's private key is wrapped under a random key that lives only in their cookie;
the session store holds the wrapped key. Neither alone yields it. Agency keys are unsealed from
the member's grant per request and dropped with the request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ombuds import crypto

from .models import Agency, AgencyKeyGrant, StaffUser

SESSION_KEY = "staff.wrapped_key"
COOKIE = "ombuds_sk"


def password_cost() -> crypto.PasswordCost:
    return {"minimum": crypto.MINIMUM, "interactive": crypto.INTERACTIVE}.get(
        settings.OMBUDS_PASSWORD_COST, crypto.MODERATE
    )


def keyring_store(
    request: HttpRequest, response: HttpResponse, private_key: crypto.PrivateKey
) -> None:
    cookie_key, wrapped = crypto.session_wrap(private_key.reveal())
    request.session[SESSION_KEY] = wrapped.hex()
    response.set_cookie(
        COOKIE,
        cookie_key.reveal().hex(),
        max_age=None,
        httponly=True,
        samesite="Strict",
        secure=settings.SECURE_HTTPS,
    )


def keyring_clear(request: HttpRequest, response: HttpResponse) -> None:
    request.session.pop(SESSION_KEY, None)
    response.delete_cookie(COOKIE)


def user_private_key(request: HttpRequest) -> crypto.PrivateKey | None:
    wrapped = request.session.get(SESSION_KEY)
    cookie = request.COOKIES.get(COOKIE)
    if not wrapped or not cookie:
        return None
    try:
        return crypto.PrivateKey(
            crypto.session_unwrap(crypto.SessionKey(bytes.fromhex(cookie)), bytes.fromhex(wrapped))
        )
    except (crypto.DecryptionFailed, ValueError):
        return None


def agency_private_key(
    *, user: StaffUser, user_key: crypto.PrivateKey, agency: Agency
) -> crypto.PrivateKey:
    """The agency's private key, unsealed from the user's own grant.

    Raises ``AgencyKeyGrant.DoesNotExist`` if the user holds no grant for the agency.
    """
    grant = AgencyKeyGrant.objects.get(user=user, agency=agency)
    return crypto.unseal_private_key(user_key, bytes(grant.sealed_private_key))
