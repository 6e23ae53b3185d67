"""Public pages that are the same for everyone but a few values, rendered once per process.

The blank complaint form is the same page for every visitor but for two values: the CSRF
token (Django masks the cookie's secret anew for every page) and the signed one-time
``form_token``. Rendering it cost about 12 ms of CPU (Django renders every widget and option
through its own templates), three times a whole complaint POST (issue 13). The receipt page
after a complaint is the same for everyone who files on a day but for the seven words of the
codename. Each is rendered once with placeholders ("holes"), cut there, and every request
gets the pieces joined around its own values, escaped as the template would have escaped
them:

* the form's tokens are made exactly as before (``django.middleware.csrf.get_token`` and
  ``forms.new_form_token``), so CSRF and the one-time token are as strong as they were, and
  the CSRF middleware still sets its cookie and ``Vary: Cookie`` because ``get_token`` ran;
* the kept pieces never hold a codename or a token: those exist only in the response.

What else a page depends on is in its key: the language, the path (the language links are
made from it), the script prefix (every URL in it) and the caller's ``variant`` (the consent
boxes, read on every request: intake/snapshot.py; the receipt's last day of keeping).
Settings do not change in a running server; the test suite changes them, so the pages are
forgotten on ``setting_changed``. A form sent back with its errors is rendered in full.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape

from .forms import new_form_token

#: Makes the placeholders: letters and digits only, so they pass HTML escaping unchanged, and
#: random per process, so no text on a page can contain one.
_SALT = secrets.token_hex(16)

#: Renders a page with the given text in each hole (by name).
Renderer = Callable[[Mapping[str, str]], HttpResponse]


def placeholder(hole: str) -> str:
    return f"hole{hole}x{_SALT}"


@dataclass(frozen=True)
class _Page:
    parts: tuple[str, ...]  # the page cut at the holes
    holes: tuple[str, ...]  # the hole between each two parts, in page order
    content_type: str


_PAGES: dict[Hashable, _Page] = {}
#: More variants than this means agencies were edited, or days passed: start again.
_MAX_PAGES = 64


def forget_pages(**_kwargs: Any) -> None:
    _PAGES.clear()


setting_changed.connect(forget_pages, dispatch_uid="ombuds.intake.formpage")


def _cut(html: str, holes: tuple[str, ...]) -> _Page:
    """Cut the page at the holes; each must occur exactly once."""
    at = []
    for hole in holes:
        if html.count(placeholder(hole)) != 1:
            raise RuntimeError(f"a page rendered once must show {hole!r} exactly once")
        at.append((html.index(placeholder(hole)), hole))
    parts, start = [], 0
    for index, hole in sorted(at):
        parts.append(html[start:index])
        start = index + len(placeholder(hole))
    parts.append(html[start:])
    return _Page(tuple(parts), tuple(hole for _i, hole in sorted(at)), "")


def filled_page(
    request: HttpRequest,
    variant: Hashable,
    render: Renderer,
    values: Mapping[str, str],
) -> HttpResponse:
    """The page of ``render`` for this request with ``values`` in its holes (HTML-escaped).

    ``variant``: what the page shows besides the language, path and script prefix; the
    page is rendered (with placeholders) the first time a key is seen in this process.
    """
    holes = tuple(sorted(values))
    key = (translation.get_language(), request.path, get_script_prefix(), variant, holes)
    page = _PAGES.get(key)
    if page is None:
        rendered = render({hole: placeholder(hole) for hole in holes})
        cut = _cut(rendered.content.decode(rendered.charset), holes)
        page = _Page(cut.parts, cut.holes, rendered["Content-Type"])
        if len(_PAGES) >= _MAX_PAGES:
            _PAGES.clear()
        _PAGES[key] = page
    pieces = [page.parts[0]]
    for hole, part in zip(page.holes, page.parts[1:], strict=True):
        pieces += [escape(values[hole]), part]
    return HttpResponse("".join(pieces), content_type=page.content_type)


def blank_form_page(request: HttpRequest, variant: Hashable, render: Renderer) -> HttpResponse:
    """The blank complaint form with this request's CSRF token and a new one-time form token.

    ``render`` gets the holes ``csrf_token`` and ``form_token``.
    """
    values = {"csrf_token": get_token(request), "form_token": new_form_token()}
    return filled_page(request, variant, render, values)
