"""Staff helpers for tests: run a command with passwords on standard input, sign in through
HTTP enrolling a second factor as a person would (reading the key off the page)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client

from ombuds.intake.models import Complaint


def run(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> str:
    """``ombuds <args>`` with ``stdin`` as standard input (not a terminal); its output."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def enrol_and_sign_in(username: str, password: str) -> tuple[Client, str]:
    """Sign in for the first time (or after a reset): enrol a second factor from the page.

    Returns the signed-in client and the second-factor secret.
    """
    client = Client()
    r = client.post("/en/staff/sign-in/", {"username": username, "password": password})
    assert r.status_code == 302, r.content[:500]
    page = client.get("/en/staff/sign-in/code/").content.decode()
    match = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert match, "a first sign-in shows a new second-factor key"
    secret = match.group(1)
    r = client.post("/en/staff/sign-in/code/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"].endswith("/staff/"), r.content[:500]
    return client, secret


def sign_in_refused(username: str, password: str) -> bool:
    r = Client().post("/en/staff/sign-in/", {"username": username, "password": password})
    return r.status_code == 200 and "Sign-in failed" in html.unescape(r.content.decode())


def latest_complaint() -> Any:
    return Complaint.objects.order_by("-pk").first()
