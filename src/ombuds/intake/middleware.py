"""Middleware that keeps the public side free of client traces (threat model, property 1)."""

from __future__ import annotations

from collections.abc import Callable

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
