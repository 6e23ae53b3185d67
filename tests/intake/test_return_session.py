"""A seized server's session table does not say which complaint was opened when (A2 with A1).

A return visit's session row once carried its last-use time (``expire_date`` minus the
session age, to the microsecond; now the day only: test_session_times.py). If it also named
the complaint, a seized server and a network
operator's records of who connected when would tie a complaint to a subscriber. The complaint
id is therefore wrapped with the complaint's key, under the key in the visitor's cookie.
"""

from __future__ import annotations

import json
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from ombuds.intake.models import Complaint
from tests.conftest import submit_complaint


def test_the_session_store_does_not_name_the_complaint_of_a_return_visit(world) -> None:
    codename = submit_complaint(Client(), account="Canary account for the session test.")
    complaint = Complaint.objects.get()
    visitor = Client()
    assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    page = visitor.get("/en/return/complaint/")
    assert page.status_code == 200 and "Canary account" in page.content.decode()
    engine = import_module(settings.SESSION_ENGINE)
    stored = [
        json.dumps(engine.SessionStore().decode(s.session_data)) for s in Session.objects.all()
    ]
    assert any("complainant.key" in data for data in stored)
    for data in stored:
        assert str(complaint.public_id) not in data
        assert complaint.public_id.hex not in data
    # and the follow-up, the file form and withdrawal still find the complaint
    r = visitor.post("/en/return/complaint/", {"text": "More news."})
    assert r.status_code == 302
    r = visitor.post("/en/return/withdraw/", {"confirm": "on"})
    assert r.status_code == 200 and not Complaint.objects.exists()
