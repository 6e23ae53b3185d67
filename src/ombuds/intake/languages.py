"""Which languages a page offers: the public site speaks Chechen too, the staff site does not.

Chechen (``ce``) is a language of the public pages only (settings.OMBUDS_PUBLIC_ONLY_LANGUAGES):
the staff site is used by the working group and the agencies, in Russian or English. A staff
address under such a language (``/ce/staff/...``, from a typed address or a browser that
prefers Chechen) redirects to the same page in Russian, rather than showing a staff page in a
language it was never written for.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import get_script_prefix, re_path


def is_staff_path(path_info: str) -> bool:
    """True for ``/<language>/staff/...`` (the staff site under any language prefix)."""
    parts = path_info.lstrip("/").split("/", 2)
    return len(parts) >= 2 and parts[1] == "staff"


def languages_for(path_info: str) -> list[tuple[str, str]]:
    """The (code, name) pairs a page at ``path_info`` is offered in."""
    if is_staff_path(path_info):
        return [
            (code, name)
            for code, name in settings.LANGUAGES
            if code not in settings.OMBUDS_PUBLIC_ONLY_LANGUAGES
        ]
    return list(settings.LANGUAGES)


def staff_in_default_language(request: HttpRequest, rest: str) -> HttpResponseRedirect:
    """``/ce/staff/<rest>`` -> ``/ru/staff/<rest>`` (with its query): no Chechen staff site."""
    target = f"{get_script_prefix()}{settings.LANGUAGE_CODE}/staff/{rest}"
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{target}?{query}" if query else target)


def public_only_redirects() -> list[object]:
    """URL patterns sending staff addresses under a public-only language to Russian; listed
    before the language-prefixed patterns so that they are matched first."""
    return [
        re_path(rf"^{code}/staff/(?P<rest>.*)$", staff_in_default_language)
        for code in settings.OMBUDS_PUBLIC_ONLY_LANGUAGES
    ]
