"""Filing a complaint, coming back with the codename, and what is stored."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ombuds.intake.models import (
    Complaint,
    ComplaintConsent,
    ComplaintKeyGrant,
    Message,
    UsedFormToken,
)
from tests.conftest import fresh_form, submit_complaint

pytestmark = pytest.mark.django_db


def test_complaint_is_received_and_a_seven_word_codename_is_shown_once(world) -> None:
    client = Client()
    codename = submit_complaint(client, "ru")
    assert len(codename.split()) == 7
    complaint = Complaint.objects.get()
    assert complaint.urgent is True
    assert b"Magomed" not in bytes(complaint.ciphertext)
    assert not Message.objects.exists()


def test_working_group_alone_receives_the_key_and_the_consent_is_recorded(world) -> None:
    client = Client()
    submit_complaint(client, consent_prosecutor="on")
    grants = set(ComplaintKeyGrant.objects.values_list("agency__slug", flat=True))
    assert grants == {"working-group"}
    consents = set(ComplaintConsent.objects.values_list("agency__slug", flat=True))
    assert consents == {"prosecutor"}


def test_consent_boxes_are_unticked_by_default_and_explained(world) -> None:
    page = Client().get("/en/complaint/").content.decode()
    for name in ("consent_prosecutor", "consent_interior"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "checked" not in tag
    assert "in charge of the police" in page


def test_complainant_returns_with_codename_reads_reply_and_follows_up(world) -> None:
    client = Client()
    codename = submit_complaint(client)
    officer = world.client_for("intake_officer")
    complaint = Complaint.objects.get()
    r = officer.post(
        f"/en/staff/complaints/{complaint.public_id}/reply/",
        {"text": "We received it. When exactly was he taken?"},
    )
    assert r.status_code == 302

    visitor = Client()
    r = visitor.post("/en/return/", {"codename": codename.upper()})
    assert r.status_code == 302
    page = visitor.get("/en/return/complaint/").content.decode()
    assert "When exactly was he taken?" in page
    assert "Answered" in page
    r = visitor.post("/en/return/complaint/", {"text": "On the night of 28 March."})
    assert r.status_code == 302
    assert "On the night of 28 March." in visitor.get("/en/return/complaint/").content.decode()
    staff_page = officer.get(f"/en/staff/complaints/{complaint.public_id}/").content.decode()
    assert "On the night of 28 March." in staff_page


def test_unknown_and_nearly_right_codenames_get_the_same_answer(world) -> None:
    client = Client()
    codename = submit_complaint(client)
    words = codename.split()
    typo = " ".join([*words[:-1], words[0]])
    pages = []
    for attempt in (typo, "apple " * 7, "zebra"):
        r = Client().post("/en/return/", {"codename": attempt})
        assert r.status_code == 200
        page = r.content.decode()
        assert attempt not in page, "a codename is never echoed back"
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert pages[0] == pages[1] == pages[2]


def test_a_flood_of_wrong_codenames_never_keeps_out_the_right_one(world, settings) -> None:
    settings.OMBUDS_RETURN_ATTEMPTS_PER_MINUTE = 3
    codename = submit_complaint(Client())
    answers = [Client().post("/en/return/", {"codename": "wrong " * 7}) for _ in range(10)]
    assert [r.status_code for r in answers] == [200] * 3 + [429] * 7
    assert b"wait a minute" in answers[-1].content
    visitor = Client()
    r = visitor.post("/en/return/", {"codename": codename})
    assert r.status_code == 302 and r["Location"].endswith("/return/complaint/")
    assert visitor.get("/en/return/complaint/").status_code == 200
    # and the wrong ones are still answered "wait a minute", unparseable ones too
    assert Client().post("/en/return/", {"codename": "wrong " * 7}).status_code == 429
    assert Client().post("/en/return/", {"codename": "zebra"}).status_code == 429


def test_leaving_forgets_the_visit(world) -> None:
    codename = submit_complaint(Client())
    visitor = Client()
    visitor.post("/en/return/", {"codename": codename})
    assert visitor.get("/en/return/complaint/").status_code == 200
    visitor.post("/en/return/leave/")
    assert visitor.get("/en/return/complaint/").status_code == 302


def test_public_cookies_end_with_the_browser_session(world) -> None:
    client = Client()
    codename = submit_complaint(client)
    r = client.post("/en/return/", {"codename": codename})
    assert r.cookies, "a return visit sets its session cookies"
    for morsel in [*r.cookies.values(), *client.cookies.values()]:
        assert not morsel["expires"] and not morsel["max-age"], morsel.key


# --- bad input ------------------------------------------------------------------------------


def test_rejected_form_keeps_everything_typed_and_says_what_to_fix(world) -> None:
    client = Client()
    data = fresh_form(client, when_value="last spring", account="Он пропал. " * 5, place="Аргун")
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200
    page = r.content.decode()
    assert "We could not read this date." in page
    assert "last spring" in page and "Он пропал." in page and "Аргун" in page
    assert 'value="detention" checked' in page or re.search(r'value="detention"[^>]*checked', page)
    assert not Complaint.objects.exists()


def test_oversized_field_is_refused_next_to_the_field_and_nothing_saved(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, place="x" * 301))
    assert r.status_code == 200
    assert b"Ensure this value has at most 300 characters" in r.content
    assert not Complaint.objects.exists()


def test_request_too_large_is_refused_plainly(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, account="x" * 300_000))
    assert r.status_code == 400
    assert b"too large" in r.content
    assert not Complaint.objects.exists()


def test_invalid_unicode_is_refused_and_nothing_saved(world) -> None:
    client = Client()
    data = fresh_form(client)
    from urllib.parse import urlencode

    body = urlencode({k: v for k, v in data.items() if k != "account"}, doseq=True).encode()
    body += b"&account=caf%C3%A9%FF%FE%ED%A0%80"
    r = client.post("/en/complaint/", body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    assert b"not valid text" in r.content
    assert not Complaint.objects.exists()


def test_form_posted_twice_saves_one_complaint(world) -> None:
    client = Client()
    data = fresh_form(client)
    assert client.post("/en/complaint/", data).status_code == 200
    r = client.post("/en/complaint/", data)
    assert r.status_code == 409
    assert b"already sent" in r.content
    assert Complaint.objects.count() == 1 and UsedFormToken.objects.count() == 1


def test_missing_csrf_token_is_refused_and_nothing_saved(world) -> None:
    client = Client(enforce_csrf_checks=True)
    data = fresh_form(client)
    r = client.post("/en/complaint/", data)
    assert r.status_code == 403
    assert b"security check failed" in r.content
    assert not Complaint.objects.exists()


def test_forged_form_token_is_refused(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, form_token="forged:token"))
    assert b"This form has expired" in r.content
    assert not Complaint.objects.exists()


# --- the pages themselves -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ru/", "/en/", "/ru/complaint/", "/en/return/"])
def test_public_pages_are_small_script_free_and_strictly_confined(world, path: str) -> None:
    r = Client().get(path)
    assert r.status_code == 200
    assert len(r.content) < 100_000
    page = r.content.decode()
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="https://ya.ru/"', ""))
    assert r["Content-Security-Policy"].startswith("default-src 'self'")
    assert re.search(r'<a class="exit" href="[^"]+"', page), "a quick-exit link on every page"


def test_language_switches_without_javascript(world) -> None:
    page = Client().get("/en/complaint/").content.decode()
    assert 'href="/ru/complaint/"' in page


def test_complainant_sees_in_plain_words_that_a_case_was_opened(world) -> None:
    codename = submit_complaint(Client())
    complaint = Complaint.objects.get()
    visitor = Client()
    visitor.post("/en/return/", {"codename": codename})
    assert b"part of an investigation" not in visitor.get("/en/return/complaint/").content
    officer = world.client_for("intake_officer")
    r = officer.post(
        "/en/staff/cases/open/", {"complaint": str(complaint.public_id), "priority": "normal"}
    )
    assert r.status_code == 302, r.content[:1000]
    page = visitor.get("/en/return/complaint/").content.decode()
    assert "Your complaint is part of an investigation." in page
