"""No page has an accessibility violation that axe-core finds: public, complainant and staff.

Chromium loads each kind of page a crawl of the exercised demo reaches (one page per URL shape:
ids replaced), as each member and as the complainant, and axe-core checks it. The pages have
no script of their own; axe is injected into a context that allows it (``bypass_csp``), which
is the only reason JavaScript is on here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.e2e.crawl import PUBLIC_SKIP, STAFF_SKIP, USERNAMES, crawl, exercise_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def one_per_shape(paths: list[str]) -> list[str]:
    shapes: dict[str, str] = {}
    for path in paths:
        shapes.setdefault(ID.sub("<id>", path.split("?", 1)[0]), path)
    return sorted(shapes.values())


def violations(browser: Any, origin: str, client: Client, paths: list[str]) -> dict[str, list[str]]:
    """axe-core's violations on each page, as ``rule id: how many nodes``, for the client's
    cookies (its session) copied into a browser context."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="ru-RU")
    context.add_cookies(
        [{"name": name, "value": m.value, "url": origin} for name, m in client.cookies.items()]
    )
    axe = Axe()
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for path in paths:
            page.goto(origin + path)
            result = axe.run(page).response
            bad = [f"{v['id']}: {len(v['nodes'])}" for v in result["violations"]]
            if bad:
                found[path] = bad
    finally:
        context.close()
    return found


def test_no_page_of_any_persona_has_an_axe_violation(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    demo = exercise_demo(settings, tmp_path)
    found: dict[str, list[str]] = {}
    checked = 0
    for username in USERNAMES:
        client = demo.clients[username]
        pages: list[str] = []
        crawl(client, "/ru/staff/", "/ru/staff/", STAFF_SKIP, pages)
        shapes = one_per_shape(pages)
        checked += len(shapes)
        found |= {
            f"{username} {p}": v
            for p, v in violations(browser, live_server.url, client, shapes).items()
        }

    visitor = Client()
    assert visitor.post("/ru/return/", {"codename": demo.codenames[0]}).status_code == 302
    pages = []
    crawl(visitor, "/ru/return/complaint/", "/ru/", PUBLIC_SKIP, pages)
    crawl(Client(), "/ru/", "/ru/", PUBLIC_SKIP, pages)
    shapes = one_per_shape([*pages, "/ru/complaint/", "/ru/return/", "/ru/staff/sign-in/"])
    checked += len(shapes)
    found |= {
        f"public {p}": v for p, v in violations(browser, live_server.url, visitor, shapes).items()
    }
    assert checked > 30
    assert found == {}
