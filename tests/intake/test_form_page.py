"""The blank complaint form is rendered once (intake/formpage.py); each visitor still gets a
CSRF token and a one-time form token of their own, and a complaint costs a fixed, small number
of queries (issue 13)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ombuds.intake import formpage, selectors
from ombuds.intake.models import Complaint
from ombuds.intake.snapshot import intake_snapshot
from ombuds.staff.models import Agency
from ombuds.staff.services import agency_edit, agency_key_rotate
from tests.conftest import COMPLAINT_FORM, fresh_form, submit_complaint

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def tokens(page: str) -> tuple[str, str]:
    csrf, token = _CSRF.findall(page), _FORM_TOKEN.findall(page)
    assert len(csrf) == 1 and len(token) == 1, "one CSRF token and one form token per page"
    return csrf[0], token[0]


def without_tokens(page: str) -> str:
    return _FORM_TOKEN.sub("FORM", _CSRF.sub("CSRF", page))


def test_two_visits_get_their_own_tokens_and_otherwise_the_same_bytes(world) -> None:
    formpage.forget_pages()
    first = Client().get("/en/complaint/")  # rendered now
    second = Client().get("/en/complaint/")  # from the rendered page
    again = Client().get("/en/complaint/")
    pages = [r.content.decode() for r in (first, second, again)]
    assert len({tokens(p)[0] for p in pages}) == 3
    assert len({tokens(p)[1] for p in pages}) == 3
    assert len({without_tokens(p) for p in pages}) == 1
    assert "Send the complaint" in pages[1] and 'name="person-0-role"' in pages[1]
    for r in (first, second):
        assert r.status_code == 200
        assert r["Content-Type"] == "text/html; charset=utf-8"
        assert r["Content-Language"] == "en"
        assert r["Cache-Control"] == "no-store"
        assert r["Vary"] == "Cookie"  # the CSRF cookie is set, as before
        assert "csrftoken" in r.cookies
        assert "sessionid" not in r.cookies  # a page view makes no session


def test_the_same_visitor_gets_a_new_mask_of_the_same_csrf_secret(world) -> None:
    client = Client()
    a = tokens(client.get("/en/complaint/").content.decode())
    cookie = client.cookies["csrftoken"].value
    b = tokens(client.get("/en/complaint/").content.decode())
    assert a[0] != b[0] and a[1] != b[1]
    assert client.cookies["csrftoken"].value == cookie


def test_a_token_from_the_rendered_page_files_once_and_is_refused_the_second_time(
    world,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/en/complaint/")
    csrf, token = tokens(client.get("/en/complaint/").content.decode())
    data = dict(COMPLAINT_FORM, form_token=token, csrfmiddlewaretoken=csrf)
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200 and b'id="codename"' in r.content
    replay = client.post("/en/complaint/", data)
    assert replay.status_code == 409
    assert Complaint.objects.count() == 1


def test_a_csrf_token_from_another_visitors_page_is_refused(world) -> None:
    mine, theirs = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    _csrf, token = tokens(mine.get("/en/complaint/").content.decode())
    their_csrf, _token = tokens(theirs.get("/en/complaint/").content.decode())
    r = mine.post(
        "/en/complaint/", dict(COMPLAINT_FORM, form_token=token, csrfmiddlewaretoken=their_csrf)
    )
    assert r.status_code == 403
    assert not Complaint.objects.exists()


def test_each_language_has_its_own_page(world) -> None:
    client = Client()
    for _ in range(2):  # the second time from the rendered pages
        ru = client.get("/ru/complaint/")
        en = client.get("/en/complaint/")
        assert ru["Content-Language"] == "ru" and en["Content-Language"] == "en"
        ru_page, en_page = ru.content.decode(), en.content.decode()
        assert '<html lang="ru">' in ru_page and "Подать жалобу" in ru_page
        assert "File a complaint" not in ru_page
        assert '<html lang="en">' in en_page and "File a complaint" in en_page
        assert 'href="/en/complaint/"' in ru_page and 'href="/ru/complaint/"' in en_page
        assert 'action="/ru/complaint/"' in ru_page and 'action="/en/complaint/"' in en_page


def test_an_agency_edit_shows_on_the_next_page(world) -> None:
    client = Client()
    assert "Prosecutor" in client.get("/en/complaint/").content.decode()
    agency_edit(agency=world.agencies["prosecutor"], actor=None, name_en="Regional Procuracy")
    page = client.get("/en/complaint/").content.decode()
    assert "Regional Procuracy may also see this complaint." in page
    agency_edit(agency=world.agencies["prosecutor"], actor=None, offered_for_consent=False)
    page = client.get("/en/complaint/").content.decode()
    assert 'name="consent_prosecutor"' not in page and 'name="consent_interior"' in page


def test_the_quick_exit_address_follows_the_settings(world, settings) -> None:
    Client().get("/en/complaint/")
    settings.OMBUDS_QUICK_EXIT_URL = "https://weather.example/"
    page = Client().get("/en/complaint/").content.decode()
    assert '<a class="exit" href="https://weather.example/"' in page


def test_a_form_with_errors_is_rendered_in_full_and_keeps_its_form_token(world) -> None:
    client = Client()
    data = fresh_form(client, place="")
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200 and b"Some answers need attention" in r.content
    _csrf, token = tokens(r.content.decode())
    assert token == data["form_token"]  # the same form, sent back
    assert not Complaint.objects.exists()


# --- queries --------------------------------------------------------------------------------


def test_the_form_page_costs_one_query(world, django_assert_num_queries) -> None:
    client = Client()
    client.get("/en/complaint/")
    with django_assert_num_queries(1):  # the install's agencies (intake/snapshot.py)
        assert client.get("/en/complaint/").status_code == 200


def test_a_complaint_costs_nine_queries(world, django_assert_num_queries) -> None:
    client = Client()
    # The hour's first complaint also clears the intake budget's past hours (one DELETE);
    # the count below is every later complaint's.
    assert client.post("/en/complaint/", fresh_form(client)).status_code == 200
    data = fresh_form(client, consent_prosecutor="on")
    # The install key and agencies (one read); the intake budget's count for the hour (one
    # upsert); in one transaction (a savepoint here, as the test runs inside one): the form
    # token, the complaint, its key grant, its consent, the day-only audit entry. The receipt
    # page reads nothing back.
    with django_assert_num_queries(9):
        r = client.post("/en/complaint/", data)
    assert r.status_code == 200 and b'id="codename"' in r.content


def test_the_receipt_states_the_keeping_the_complaint_page_will_state(world) -> None:
    r = Client().post("/en/complaint/", fresh_form(Client()))
    day = re.search(r"deleted after (\d{4}-\d\d-\d\d)", r.content.decode())
    assert day, r.content.decode()
    keeping = selectors.complaint_keeping(public_id=Complaint.objects.get().public_id)
    assert keeping.last_day is not None and day.group(1) == keeping.last_day.isoformat()


def test_the_snapshot_reads_the_agencies_as_they_are_now(world) -> None:
    before = intake_snapshot()
    assert [a.slug for a in before.agencies] == ["working-group", "prosecutor", "interior"]
    assert [a.slug for a in before.consent_agencies] == ["prosecutor", "interior"]
    agency_edit(agency=world.agencies["interior"], actor=None, offered_for_consent=False)
    assert [a.slug for a in intake_snapshot().consent_agencies] == ["prosecutor"]
    sealed, consented = intake_snapshot().recipients(("prosecutor", "interior", "working-group"))
    assert [a.slug for a in sealed] == ["working-group"]
    assert [a.slug for a in consented] == ["prosecutor"]


def test_a_rotated_agency_key_is_sealed_to_from_the_next_complaint(world) -> None:
    old = bytes(world.agencies["working-group"].public_key)
    assert intake_snapshot().agencies[0].public_key == old
    agency_key_rotate(agency=world.agencies["working-group"], actor=None)
    new = bytes(Agency.objects.get(slug="working-group").public_key)
    assert new != old and intake_snapshot().agencies[0].public_key == new


def test_receipts_differ_only_in_the_codename_which_is_not_kept(world) -> None:
    formpage.forget_pages()
    pages, codenames = [], []
    for _ in range(2):
        client = Client()
        r = client.post("/ru/complaint/", fresh_form(client, "ru"))
        assert r.status_code == 200
        pages.append(r.content.decode())
        codenames.append(
            " ".join(re.findall(r"<span>([^<]+)</span>", pages[-1].split('id="codename">')[1]))
        )
    assert codenames[0] != codenames[1] and all(len(c.split()) == 7 for c in codenames)
    codename_paragraph = re.compile(r'<p class="codename" id="codename">.*?</p>', re.S)
    assert codename_paragraph.sub("", pages[0]) == codename_paragraph.sub("", pages[1])
    assert "Ваша жалоба получена" in pages[0]
    # What the process keeps of the receipt is the page without the codename: a codename word
    # may also be an ordinary word of the page's text (so a plain substring test is flaky),
    # but it must occur in the kept page exactly as often as outside the codename paragraph.
    receipts = [page for key, page in formpage._PAGES.items() if key[3][0] == "receipt"]
    assert len(receipts) == 1
    kept = "".join(receipts[0].parts)
    for page, codename in zip(pages, codenames, strict=True):
        outside = codename_paragraph.sub("", page)
        for word in codename.split():
            assert f"<span>{word}</span>" not in kept
            assert kept.count(word) == outside.count(word), word
    # The codename on the page opens the complaint.
    visitor = Client()
    r = visitor.post("/en/return/", {"codename": codenames[1]})
    assert r.status_code == 302
    assert submit_complaint(Client())  # and an English receipt after the Russian ones
