"""Middleware that keeps the public side free of client traces (threat model, property 1)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

#: Request metadata that identifies a client or where they came from. It is removed before any
#: view, logger or error report can see it: what no code can read, no code can log or store.
CLIENT_METADATA = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "REMOTE_PORT",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_FORWARDED_FOR",
    "HTTP_VIA",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
)
#: Header families removed by prefix: User-Agent Client Hints (brand, platform, model).
CLIENT_METADATA_PREFIXES = ("HTTP_SEC_CH_UA",)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; img-src 'self' data:"
)


class ScrubClientMetadataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key in CLIENT_METADATA:
            request.META.pop(key, None)
        for key in [k for k in request.META if k.startswith(CLIENT_METADATA_PREFIXES)]:
            del request.META[key]
        # Django and some libraries expect REMOTE_ADDR to exist; give them a constant.
        request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104 - not an address of anyone
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        # Nothing a complainant sees may linger in a shared phone's cache.
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class OnionLocationMiddleware:
    """Tell Tor Browser, on the clear-web name, where the same page is on the onion service.

    Set by ``OMBUDS_ONION_LOCATION`` (the onion origin). Tor Browser only honours the header on
    HTTPS pages; it is not sent on the onion address itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        onion = settings.OMBUDS_ONION_LOCATION
        if onion and not request.get_host().endswith(".onion"):
            response.headers["Onion-Location"] = onion + request.get_full_path()
        return response


#: The complainant's key cookie: the key that unwraps the complaint's key in the session. Its
#: value is signed with the time of the complainant's last request, so the idle limit
#: (``OMBUDS_COMPLAINANT_IDLE_SECONDS``) is enforced without any session row holding the time
#: of a visit (intake/sessions.py): the time stays on the complainant's own device, in a cookie
#: that dies with the browser.
KEY_COOKIE = "ombuds_ck"
_KEY_COOKIE_SALT = "ombuds.intake.key-cookie"


class KeyCookieExpired(Exception):
    """The complainant's key cookie is older than the idle limit."""


def key_cookie_value(cookie_key_hex: str) -> str:
    return signing.TimestampSigner(salt=_KEY_COOKIE_SALT).sign(cookie_key_hex)


def key_cookie_open(value: str) -> str | None:
    """The key in a key cookie, or None if it is forged; raises KeyCookieExpired if idle."""
    try:
        return signing.TimestampSigner(salt=_KEY_COOKIE_SALT).unsign(
            value, max_age=settings.OMBUDS_COMPLAINANT_IDLE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise KeyCookieExpired from exc
    except signing.BadSignature:
        return None


def key_cookie_set(response: HttpResponse, cookie_key_hex: str) -> None:
    response.set_cookie(
        KEY_COOKIE,
        key_cookie_value(cookie_key_hex),
        max_age=None,
        httponly=True,
        samesite="Strict",
        secure=settings.SECURE_HTTPS,
    )


class ComplainantIdleClockMiddleware:
    """Each request of a complainant within the idle limit restarts the clock in their cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = request.COOKIES.get(KEY_COOKIE)
        if value and KEY_COOKIE not in response.cookies:  # not just set or deleted
            try:
                key = key_cookie_open(value)
            except KeyCookieExpired:
                key = None
            if key is not None:
                key_cookie_set(response, key)
        return response
