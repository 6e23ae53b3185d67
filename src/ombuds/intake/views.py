from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A rejected form (missing or stale security token): say so plainly, save nothing."""
    return render(request, "intake/csrf_failure.html", status=403)
