"""Threat model 1 and A1: a seized phone keeps nothing typed into the public forms.

Browsers save what is typed into text boxes (form history, autofill) and offer it again on any
site, unless the form or the box says ``autocomplete="off"``. On a complainant's phone that
history would hold the names and places of a complaint, readable by whoever seizes it.
"""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import submit_complaint


def _forms(page: str) -> list[str]:
    return re.findall(r"<form\b[^>]*>", page)


def test_public_forms_ask_the_browser_to_keep_no_form_history(world) -> None:
    client = Client()
    pages = [client.get("/en/complaint/"), client.get("/en/return/")]
    codename = submit_complaint(client)
    client.post("/en/return/", {"codename": codename})
    pages.append(client.get("/en/return/complaint/"))
    forms = [tag for r in pages for tag in _forms(r.content.decode())]
    assert len(forms) >= 6
    for tag in forms:
        assert 'autocomplete="off"' in tag, tag
