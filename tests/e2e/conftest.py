"""Browser fixtures: Playwright driving Debian's Chromium, with JavaScript off.

The public site must work without JavaScript, so every context here has it disabled. Tests that
need the browser skip, saying why, where ``/usr/bin/chromium`` is absent (``apt-get install
chromium``); CI installs it (.ci/run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, Traffic


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, so Django's ORM, used
    # by the fixtures and the assertions here, would refuse to run ("SynchronousOnlyOperation").
    # The ORM calls are plain blocking calls and safe; the flag is set only while the browser is.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def traffic(live_server: Any) -> Traffic:
    return Traffic(origin=live_server.url)


@pytest.fixture
def new_context(browser: Any, traffic: Traffic) -> Iterator[Any]:
    """Make a fresh browser context (no cookies: a new visit) with JavaScript off."""
    contexts: list[Any] = []

    def make(locale: str = "ru-RU") -> Any:
        context = browser.new_context(
            java_script_enabled=False,
            viewport=PHONE,
            locale=locale,
            base_url=traffic.origin,
        )
        context.on("request", lambda request: traffic.requests.append(request.url))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
