"""Threat model 1: no code after the first middleware can read where a request came from.

Besides the address, user agent, referrer and proxy headers, a request carries the client's
source port (gunicorn sets ``REMOTE_PORT``: with a network operator's NAT log it names the
subscriber) and, from Chromium browsers, User-Agent Client Hints (``Sec-CH-UA-*``: brand,
version, platform, model), the user agent under another name.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from ombuds.intake.middleware import ScrubClientMetadataMiddleware

TRACES = {
    "REMOTE_ADDR": "203.0.113.77",
    "REMOTE_PORT": "51234",
    "HTTP_USER_AGENT": "CanaryBrowser/7.7",
    "HTTP_SEC_CH_UA": '"CanaryBrowser";v="7"',
    "HTTP_SEC_CH_UA_PLATFORM": '"CanaryOS"',
    "HTTP_SEC_CH_UA_MODEL": '"Canary phone"',
    "HTTP_SEC_CH_UA_FULL_VERSION_LIST": '"CanaryBrowser";v="7.7.7"',
    "HTTP_X_CLIENT_IP": "203.0.113.77",
    "HTTP_CLIENT_IP": "203.0.113.77",
    "HTTP_X_CLUSTER_CLIENT_IP": "203.0.113.77",
    "HTTP_X_ORIGINAL_FORWARDED_FOR": "203.0.113.77",
    "HTTP_FORWARDED_FOR": "203.0.113.77",
}


def test_client_port_and_user_agent_hints_are_removed_before_any_view() -> None:
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(request.META)
        return HttpResponse()

    ScrubClientMetadataMiddleware(view)(RequestFactory().get("/", **TRACES))
    left = {k: v for k, v in seen.items() if "canary" in str(v).lower() or "203.0.113" in str(v)}
    assert not left
    assert "REMOTE_PORT" not in seen
