"""``GET /healthz``: the install's health as JSON (``ombuds.monitoring.health``).

Answered here, before any other middleware but the one that strips client metadata, so that a
probe on loopback (``curl http://127.0.0.1:8000/healthz``) gets the JSON whatever the
deployment's settings: no redirect to HTTPS (``OMBUDS_HTTPS=1``), no check of the ``Host``
against ``OMBUDS_ALLOWED_HOSTS``, no language prefix, no session, no cookie. Nothing about the
request is read or logged. 200 when healthy, 503 when degraded. The proxy in front does not
pass ``/healthz`` on (deploy/nginx/ombuds.conf): it is for the operator's own monitoring.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from .health import health_check

PATH = "/healthz"


class HealthzMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH:
            return self.get_response(request)
        response: HttpResponse
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            health = health_check()
            response = JsonResponse(health.as_json(), status=200 if health.ok else 503)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        return response
