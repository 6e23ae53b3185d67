"""Keys unlocked at sign-in, held only for the session (architecture.md, "Unlocking").

The staff member's private key is wrapped under a random key that lives only in their cookie;
the session store holds the wrapped key. Neither alone yields it. Agency keys are unsealed from
the member's grant per request and dropped with the request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ombuds import crypto

from .models import Agency, AgencyKeyGrant, AgencyPastKey, AgencyPastKeyGrant, StaffUser

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

    When the agency's key was rotated (a member left) and the user also holds the retired
    keys, the result is a :class:`crypto.RotatedPrivateKey` that opens material sealed to
    them too (decision 0005). Raises ``AgencyKeyGrant.DoesNotExist`` if the user holds no
    grant of the agency's current key.
    """
    grant = AgencyKeyGrant.objects.get(user=user, agency=agency)
    current = crypto.unseal_private_key(user_key, bytes(grant.sealed_private_key))
    past = AgencyPastKeyGrant.objects.filter(user=user, past_key__agency=agency).order_by(
        "-past_key__retired_at", "-past_key__pk"
    )
    earlier = tuple(crypto.unseal_private_key(user_key, bytes(g.sealed_private_key)) for g in past)
    if not earlier:
        return current
    return crypto.RotatedPrivateKey(current.reveal(), earlier)


def agency_private_key_from_escrow(
    *, agency: Agency, escrow_private_key: crypto.PrivateKey
) -> crypto.PrivateKey:
    """The agency's private key (with every retired one) recovered with the escrow key.

    Raises :class:`crypto.DecryptionFailed` if the key is not this install's escrow key.
    """
    current = crypto.unseal_private_key(escrow_private_key, bytes(agency.escrow_wrapped))
    earlier = tuple(
        crypto.unseal_private_key(escrow_private_key, bytes(p.escrow_wrapped))
        for p in AgencyPastKey.objects.filter(agency=agency).order_by("-retired_at", "-pk")
    )
    if not earlier:
        return current
    return crypto.RotatedPrivateKey(current.reveal(), earlier)
