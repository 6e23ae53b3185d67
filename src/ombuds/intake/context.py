from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from .languages import languages_for


def site(request: HttpRequest) -> dict[str, object]:
    """Site name, quick-exit address and links to this page in the other languages (staff
    pages are not offered in the public-only languages: intake/languages.py)."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    switch = [
        (code, name, translate_url(request.path, code))
        for code, name in languages_for(request.path_info)
        if code != current
    ]
    # A language with no default name of its own (Chechen) shows the Russian one.
    default_name = settings.SITE_NAMES.get(current) or settings.SITE_NAMES[settings.LANGUAGE_CODE]
    return {
        "SITE_NAME": settings.SITE_NAME or default_name,
        "QUICK_EXIT_URL": settings.OMBUDS_QUICK_EXIT_URL,
        "language_switch": switch,
    }
