"""Complaints taken for a caller (hotline, walk-in): docs/hotline.md, issue 14.

An intake officer of the working group files the public form's complaint for a caller through
HTTP, with consent asked aloud; the caller gets a codename read out (or a reference only) and
can use the public site with it; a caller who calls again is found by codename or reference.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.test import Client

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.intake.models import (
    Channel,
    Complaint,
    ComplaintConsent,
    ComplaintKeyGrant,
    Message,
    OfficerNote,
)
from ombuds.intake.services import NoConsent
from tests.casework.helpers import signed_in
from tests.conftest import COMPLAINT_FORM, World, share_complaint, submit_complaint

pytestmark = pytest.mark.django_db

NEW = "/en/staff/callers/new/"
FIND = "/en/staff/callers/find/"
ACCOUNT = "My son was taken from the market in Shali by men in uniform."
NOTES = "Caller was frightened; prefers calls after 18:00 from a neighbour's phone."
PERSON = "Ruslan K."


def caller_form(client: Client, language: str = "ru", **overrides: Any) -> dict[str, Any]:
    """The staff form's fields with a real one-time token fetched from the page."""
    page = client.get(f"{NEW}?caller_language={language}").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token, page[:2000]
    data = dict(
        COMPLAINT_FORM,
        form_token=token.group(1),
        caller_language=language,
        channel="phone",
        account=ACCOUNT,
        contact="",
        codename_choice="codename",
        officer_notes=NOTES,
        consent_prosecutor="yes",
        consent_interior="no",
        **{"person-0-name": PERSON},
    )
    data.update(overrides)
    return data


def file_for_caller(client: Client, **overrides: Any) -> tuple[Complaint, str, str]:
    """File through HTTP; the complaint, the page, and the codename shown (or "")."""
    r = client.post(NEW, caller_form(client, **overrides))
    assert r.status_code == 200, r.content[:3000]
    page = r.content.decode()
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint is not None
    match = re.search(r'<p class="codename" id="codename"[^>]*>(.*?)</p>', page, re.S)
    codename = " ".join(re.findall(r"<span>([^<]+)</span>", match.group(1))) if match else ""
    return complaint, page, codename


def text(page: Any) -> str:
    raw = page if isinstance(page, str) else page.content.decode()
    return html.unescape(raw)


def test_officer_files_a_phone_complaint_with_consent_for_the_prosecutor_only(
    world: World,
) -> None:
    officer = signed_in(world, "intake_officer")
    complaint, page, codename = file_for_caller(officer)

    # Shown once, with its spell-out: numbered words, each letter by letter.
    words = codename.split()
    assert len(words) >= 6
    spelled = re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", page)
    assert [w for w, _letters in spelled] == words
    assert all(letters == " · ".join(w) for w, letters in spelled)
    assert str(complaint.public_id)[:8] in page

    # Stored as the public path stores it, sealed to the working group only.
    assert complaint.channel == Channel.PHONE
    assert complaint.lookup_id is not None and complaint.sealed_for_complainant is not None
    assert ACCOUNT.encode() not in bytes(complaint.ciphertext)
    assert {g.agency.slug for g in ComplaintKeyGrant.objects.filter(complaint=complaint)} == {
        "working-group"
    }
    assert {c.agency.slug for c in ComplaintConsent.objects.filter(complaint=complaint)} == {
        "prosecutor"
    }
    note = OfficerNote.objects.get(complaint=complaint)
    assert NOTES.encode() not in bytes(note.ciphertext)

    # The working group reads it, with the officer's notes and the channel.
    staff_page = text(officer.get(f"/en/staff/complaints/{complaint.public_id}/"))
    assert ACCOUNT in staff_page and NOTES in staff_page and PERSON in staff_page
    assert "Filed for a caller: By phone" in staff_page

    # The prosecutor's office reads nothing before the referral, then everything.
    prosecutor = signed_in(world, "prosecutor")
    url = f"/en/staff/complaints/{complaint.public_id}/"
    assert prosecutor.get(url).status_code == 404
    share_complaint(world, complaint, "prosecutor")
    shared = text(prosecutor.get(url))
    assert ACCOUNT in shared and NOTES in shared
    # The interior ministry was refused aloud: no referral can give it the key.
    with pytest.raises(NoConsent):
        share_complaint(world, complaint, "interior")
    assert signed_in(world, "liaison").get(url).status_code == 404


def test_an_invalid_form_keeps_what_was_typed_and_saves_nothing(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    data = caller_form(officer, place="", when_value="31.02.2017", when_kind="day")
    del data["consent_interior"]
    before = Complaint.objects.count()
    r = officer.post(NEW, data)
    assert r.status_code == 400
    page = text(r)
    assert Complaint.objects.count() == before
    assert ACCOUNT in page and NOTES in page and PERSON in page
    assert 'value="31.02.2017"' in page
    assert page.count('class="error"') >= 3  # the place, the date, the unanswered consent
    # Roles of each person named are required, as on the public form.
    r = officer.post(NEW, caller_form(officer, **{"person-0-role": ""}))
    assert r.status_code == 400 and Complaint.objects.count() == before


def test_the_caller_returns_on_the_public_site_with_the_codename(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    complaint, _page, codename = file_for_caller(officer)
    visitor = Client()
    r = visitor.post("/en/return/", {"codename": codename})
    assert r.status_code == 302
    mine = text(visitor.get("/en/return/complaint/"))
    assert ACCOUNT in mine and PERSON in mine
    assert NOTES not in mine, "the officer's notes never reach the complainant"
    assert "Caller was frightened" not in mine

    # Calling again: the officer adds what the caller said and a note of their own.
    url = f"/en/staff/complaints/{complaint.public_id}/for-caller/"
    said = "The caller adds: a neighbour saw the car's number."
    note = "Second call came from a different number."
    assert officer.post(url, {"kind": "message", "text": said}).status_code == 302
    assert officer.post(url, {"kind": "note", "text": note}).status_code == 302
    mine = text(visitor.get("/en/return/complaint/"))
    assert said in mine and note not in mine
    staff_page = text(officer.get(f"/en/staff/complaints/{complaint.public_id}/"))
    assert said in staff_page and note in staff_page
    assert "taken down for the caller by Working Group" in staff_page
    message = Message.objects.get(complaint=complaint)
    assert message.direction == "in" and message.author == world.personas["intake_officer"].user


def test_a_caller_who_wants_no_codename_gets_a_reference_only(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    complaint, page, codename = file_for_caller(officer, codename_choice="reference")
    assert codename == "" and 'id="codename"' not in page
    assert complaint.lookup_id is None
    assert complaint.sealed_for_complainant is None and complaint.complainant_public_key is None
    reference = str(complaint.public_id)[:8]
    assert re.search(rf'id="reference">{reference}<', page)
    # The staff still read it; the reference finds it.
    r = officer.post(FIND, {"codename_or_reference": reference})
    assert r.status_code == 302 and r["Location"].endswith(f"/{complaint.public_id}/")


def test_the_audit_entry_names_the_officer_and_the_channel_and_nothing_of_the_caller(
    world: World,
) -> None:
    officer = signed_in(world, "intake_officer")
    complaint, _page, codename = file_for_caller(officer, channel="in_person")
    entry = AuditEntry.objects.get(
        action=AuditAction.COMPLAINT_FILED_FOR_CALLER, subject=f"complaint:{complaint.public_id}"
    )
    assert entry.actor_username == "intake_officer"
    assert entry.details == {
        "urgent": True,
        "agencies": "working-group",
        "consent": "prosecutor",
        "on_behalf": True,
        "channel": "in_person",
    }
    everything = str(list(AuditEntry.objects.values_list("subject", "details", "actor_username")))
    for secret in (ACCOUNT, NOTES, PERSON, "Argun", *codename.split()):
        assert secret not in everything, secret
    # Not a complainant's own submission: that entry would be dated to the day only.
    assert not AuditEntry.objects.filter(action=AuditAction.COMPLAINT_SUBMITTED).exists()


def test_a_caller_is_found_by_codename_or_reference_never_by_name(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    complaint, _page, codename = file_for_caller(officer)
    submit_complaint(Client())  # another complaint, of someone else
    target = f"/{complaint.public_id}/"

    # As the caller reads it out: any case, extra spaces.
    r = officer.post(FIND, {"codename_or_reference": "  " + codename.upper().replace(" ", "  ")})
    assert r.status_code == 302 and r["Location"].endswith(target)
    r = officer.post(FIND, {"codename_or_reference": str(complaint.public_id)[:8].upper()})
    assert r.status_code == 302 and r["Location"].endswith(target)
    for wrong in (PERSON, "Ruslan", ACCOUNT[:40], "Shali"):
        r = officer.post(FIND, {"codename_or_reference": wrong})
        assert r.status_code == 200, wrong
        assert "No complaint your agency holds" in text(r)
    # The codename is never echoed back into the page.
    r = officer.post(FIND, {"codename_or_reference": codename + " extra"})
    assert codename.split()[0] not in text(r)
    lookups = AuditEntry.objects.filter(action=AuditAction.COMPLAINT_LOOKED_UP)
    assert [e.details["found"] for e in lookups.order_by("seq")] == [1, 1, 0, 0, 0, 0, 0]
    assert [e.details["by"] for e in lookups.order_by("seq")][:2] == ["codename", "reference"]


def test_only_the_working_groups_intake_officers_file_for_callers(world: World) -> None:
    for persona in ("prosecutor", "liaison", "analyst", "auditor"):
        client = signed_in(world, persona)
        assert client.get(NEW).status_code == 403, persona
        assert client.post(FIND, {"codename_or_reference": "abcdef12"}).status_code == 403
    officer_page = text(signed_in(world, "intake_officer").get("/en/staff/"))
    assert "/staff/callers/new/" in officer_page
    assert "/staff/callers/new/" not in text(signed_in(world, "prosecutor").get("/en/staff/"))


def test_the_consent_words_are_read_in_the_callers_language(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    english = text(officer.get(f"{NEW}?caller_language=en"))
    assert 'lang="en"' in english
    assert "May the working group share your complaint with Prosecutor?" in english
    russian = text(officer.get(f"{NEW}?caller_language=ru"))
    prosecutor_ru = world.agencies["prosecutor"].name_ru
    assert f"передать вашу жалобу в этот орган: {prosecutor_ru}?" in russian
    assert "May the working group share" not in russian
    # An English-speaking caller's codename is in English words.
    _complaint, _page, codename = file_for_caller(officer, caller_language="en")
    assert re.fullmatch(r"[a-z ]+", codename), codename


def test_a_form_sent_twice_files_one_complaint(world: World) -> None:
    officer = signed_in(world, "intake_officer")
    data = caller_form(officer)
    assert officer.post(NEW, data).status_code == 200
    assert officer.post(NEW, data).status_code == 409
    assert Complaint.objects.count() == 1


def test_the_progress_page_counts_complaints_taken_for_callers(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ombuds.reporting import selectors

    settings.OMBUDS_PUBLISH_MIN_CELL = 1
    officer = signed_in(world, "intake_officer")
    submit_complaint(Client())
    file_for_caller(officer)
    file_for_caller(officer, codename_choice="reference")
    Complaint.objects.update(received_on=datetime.date(2026, 11, 18))
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: datetime.date(2026, 11, 25))
    page = Client().get("/en/progress/").content.decode()
    assert "<td>3</td>" in page


def test_the_complaint_page_gives_each_field_its_own_id_so_each_label_names_its_field(
    world: World,
) -> None:
    # The "called again" form and the reply form both have a field named ``text``: with one id
    # for both, the reply's label named the other form's box (a browser filled the wrong one).
    officer = world.client_for("intake_officer")
    complaint, _page, _codename = file_for_caller(officer)
    page = officer.get(f"/ru/staff/complaints/{complaint.public_id}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert "caller_text" in ids and "id_text" in ids
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    for target in re.findall(r'<label for="([^"]+)"', page):
        assert target in ids, target


def test_a_member_who_looks_up_too_many_complaints_is_stopped(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each look-up is audited; past the limit in ten minutes nothing more is looked up (a 429
    that says to wait), so an insider cannot walk through codenames or references."""
    from ombuds.intake import selectors

    settings.OMBUDS_CALLER_LOOKUPS_PER_10_MINUTES = 3
    officer = signed_in(world, "intake_officer")
    complaint, _page, codename = file_for_caller(officer)
    for wrong in ("abcdef12", "abcdef13", "abcdef14"):
        assert officer.post(FIND, {"codename_or_reference": wrong}).status_code == 200
    r = officer.post(FIND, {"codename_or_reference": codename})
    assert r.status_code == 429
    assert "looked up many complaints in the last ten minutes" in text(r)
    lookups = AuditEntry.objects.filter(action=AuditAction.COMPLAINT_LOOKED_UP)
    assert lookups.count() == 3  # the refused one was not looked up
    # Once the window has passed, the right codename finds the complaint again.
    monkeypatch.setattr(selectors, "CALLER_LOOKUP_WINDOW", datetime.timedelta(0))
    r = officer.post(FIND, {"codename_or_reference": codename})
    assert r.status_code == 302 and r["Location"].endswith(f"/{complaint.public_id}/")
