"""The blank complaint form page, rendered once per process and per variant, tokens per request.

The blank form is the same page for every visitor but for two values: the CSRF token (Django
masks the cookie's secret anew for every page) and the signed one-time ``form_token``.
Rendering it cost about 12 ms of CPU (Django renders every widget and option through its own
templates), three times a whole complaint POST (issue 13). Here it is rendered once with two
placeholders, split there, and every request gets the pieces joined around its own tokens,
made exactly as before (``django.middleware.csrf.get_token`` and ``forms.new_form_token``):
CSRF and the one-time token are as strong as they were, and the CSRF middleware still sets
its cookie and ``Vary: Cookie`` because ``get_token`` was called.

What else the page depends on is in the key: the language, the path (the language links
are made from it), the script prefix (every URL in it) and the consent boxes (the agencies'
names and notes, read on every request: intake/snapshot.py). Settings do not change in a
running server; the test suite changes them, so the pages are forgotten on
``setting_changed``. A form sent back with its errors is rendered in full as before.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape

from .forms import new_form_token

#: Stand-ins for the two tokens while the page is rendered: letters and digits only, so
#: they pass HTML escaping unchanged, and random, so no page text can contain them.
CSRF_PLACEHOLDER = "csrf" + secrets.token_hex(16)
FORM_TOKEN_PLACEHOLDER = "formtoken" + secrets.token_hex(16)

#: Renders the blank page with the CSRF token and the one-time token given.
Renderer = Callable[[str, str], HttpResponse]


@dataclass(frozen=True)
class _Page:
    parts: tuple[str, ...]  # the page cut at the placeholders
    order: tuple[str, ...]  # which placeholder stood between each two parts
    content_type: str


_PAGES: dict[Hashable, _Page] = {}
#: More variants than this means agencies were edited many times: start again.
_MAX_PAGES = 32


def forget_pages(**_kwargs: Any) -> None:
    _PAGES.clear()


setting_changed.connect(forget_pages, dispatch_uid="ombuds.intake.formpage")


def _cut(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Cut the page at the placeholders; each must occur exactly once."""
    for placeholder in (CSRF_PLACEHOLDER, FORM_TOKEN_PLACEHOLDER):
        if html.count(placeholder) != 1:
            raise RuntimeError(
                "the complaint form page must show the CSRF token and the form token once each"
            )
    first, second = sorted((CSRF_PLACEHOLDER, FORM_TOKEN_PLACEHOLDER), key=lambda p: html.index(p))
    head, rest = html.split(first)
    middle, tail = rest.split(second)
    return (head, middle, tail), (first, second)


def blank_form_page(request: HttpRequest, variant: Hashable, render: Renderer) -> HttpResponse:
    """The blank form page for this request: from the rendered pages, or rendered now.

    ``variant``: what the page shows besides the language, path and script prefix (the
    consent boxes); ``render`` makes the page with the two tokens it is given.
    """
    key = (translation.get_language(), request.path, get_script_prefix(), variant)
    page = _PAGES.get(key)
    if page is None:
        rendered = render(CSRF_PLACEHOLDER, FORM_TOKEN_PLACEHOLDER)
        if rendered.status_code != 200:  # pragma: no cover - the blank form always renders
            return rendered
        parts, order = _cut(rendered.content.decode(rendered.charset))
        page = _Page(parts, order, rendered["Content-Type"])
        if len(_PAGES) >= _MAX_PAGES:
            _PAGES.clear()
        _PAGES[key] = page
    tokens = {
        CSRF_PLACEHOLDER: escape(get_token(request)),
        FORM_TOKEN_PLACEHOLDER: escape(new_form_token()),
    }
    head, middle, tail = page.parts
    html = head + tokens[page.order[0]] + middle + tokens[page.order[1]] + tail
    return HttpResponse(html, content_type=page.content_type)
