"""An unhandled error leaves its traceback in the server log, and nothing the client sent.

The log is read from the handlers settings.LOGGING configures, exactly as deployed (only
their stream is swapped for one the test can read).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from ombuds.logs import GunicornScrubFilter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.server_log_urls")]

CANARY = "CANARY-e3b0c44298fc1c14"


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handlers = list(
        {
            h: None
            for name in ("django.request", "ombuds", "")
            for h in logging.getLogger(name).handlers
            if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")
        }
    )
    assert handlers, "settings.LOGGING gives django.request a handler"
    old = [h.setStream(stream) for h in handlers]
    try:
        yield stream
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            if previous is not None:
                handler.setStream(previous)


def test_an_unhandled_error_is_logged_with_its_traceback_and_no_client_data(
    server_log: io.StringIO,
) -> None:
    client = Client(raise_request_exception=False, HTTP_USER_AGENT=f"agent-{CANARY}")
    r = client.post(
        f"/failing/path-{CANARY}/?q={CANARY}",
        {"account": f"text-{CANARY}"},
        HTTP_X_CUSTOM=f"header-{CANARY}",
    )
    assert r.status_code == 500
    log = server_log.getvalue()
    assert "Unhandled exception in failing (status 500)" in log
    assert "Traceback (most recent call last):" in log
    assert "in failing_view" in log  # the frame that failed
    assert "builtins.ValueError" in log and "builtins.KeyError" in log  # the whole chain
    assert CANARY not in log, log


def test_client_errors_leave_no_line_with_their_path(server_log: io.StringIO) -> None:
    Client().get(f"/ru/no-such-page-{CANARY}/")
    Client(enforce_csrf_checks=True).post("/ru/return/", {"codename": CANARY})
    assert server_log.getvalue() == ""


def test_application_loggers_print_tracebacks_without_exception_messages(
    server_log: io.StringIO,
) -> None:
    for name in ("ombuds.test", "django_tasks.worker"):  # ours, and a library's
        try:
            raise RuntimeError(CANARY)
        except RuntimeError:
            logging.getLogger(name).exception("housekeeping failed in %s", name)
        log = server_log.getvalue()
        assert f"housekeeping failed in {name}" in log and "builtins.RuntimeError" in log
    assert CANARY not in log


def test_gunicorns_lines_keep_the_kind_of_error_and_drop_the_client_and_each_request() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("tests.gunicorn.error")
    log.addHandler(handler)
    log.addFilter(GunicornScrubFilter())
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        log.debug("%s %s", "GET", f"/{CANARY}")  # gunicorn's pre_request at --log-level debug
        log.warning(f"Invalid request from ip=198.51.100.7: Invalid HTTP method: '{CANARY}'")
        log.warning(f"Invalid request from ip=2001:db8::7: Proxy request from '{CANARY}' no")
        log.error("Error handling request %s %s", "POST", f"/{CANARY}")
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "Invalid request refused: Invalid HTTP method",
        "Invalid request refused: Proxy request from",
        "Error handling request",
    ]
