from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def site(request: HttpRequest) -> dict[str, object]:
    """Site name, quick-exit address and links to this page in the other languages."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    switch = [
        (code, name, translate_url(request.path, code))
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {
        "SITE_NAME": settings.SITE_NAME or settings.SITE_NAMES.get(current, "ombuds"),
        "QUICK_EXIT_URL": settings.OMBUDS_QUICK_EXIT_URL,
        "language_switch": switch,
    }
