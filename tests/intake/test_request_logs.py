"""Threat model 1: the request loggers are silent, not merely handler-less.

A logger with no handlers and ``propagate=False`` is not silent in Python: its records fall
through to ``logging.lastResort``, which prints every warning and error to stderr (the server's
log). Django logs each 404 with its path, each CSRF refusal and each 500 with its traceback.
Unhandled errors (500) are logged, scrubbed: tests/test_logs.py.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client

SILENCED = ("django.request", "django.server", "django.security", "django.security.csrf")


@pytest.mark.django_db
def test_request_errors_print_nothing_to_the_server_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As deployed: without the handlers pytest adds to catch log records for its reports.
    for logger in [logging.getLogger(), *map(logging.getLogger, SILENCED)]:
        kept = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        monkeypatch.setattr(logger, "handlers", kept)
    Client().get("/ru/canary-page-that-does-not-exist/")
    Client(enforce_csrf_checks=True).post("/ru/return/", {"codename": "canary words"})
    for name in SILENCED:
        logging.getLogger(name).error("canary record from %s", name)
    captured = capsys.readouterr()
    assert "canary" not in captured.err
    assert "canary" not in captured.out
