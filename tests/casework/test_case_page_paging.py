"""A case of thousands of records (a filed person list) pages its records: a page shows and
decrypts its own rows and what they name, never the whole case, and works without script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ombuds import crypto
from ombuds.casework.models import Case, CaseRecord
from ombuds.casework.selectors import RECENT_CHOICES, RECORDS_PER_PAGE
from tests.casework.helpers import (
    add_person,
    case_url,
    file_complaint,
    file_many,
    open_case,
    signed_in,
)

pytestmark = pytest.mark.django_db

RECORD_ANCHOR = re.compile(r'<li id="r-([0-9a-f-]{36})">')


def _long_case(world: Any, groups: int = 40) -> Case:
    """A case opened from one complaint (its copied records first), then ``groups`` × 4 list
    records: more than one page."""
    case = open_case(signed_in(world, "intake_officer"), file_complaint("none"))
    file_many(world, case, groups)
    return case


def _page(world: Any, case: Case, query: str = "") -> str:
    r = signed_in(world, "intake_officer").get(case_url(case) + query)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _shown(html: str) -> list[str]:
    return RECORD_ANCHOR.findall(html)


def test_a_case_longer_than_a_page_shows_the_first_page_with_a_link_to_the_next(world) -> None:
    case = _long_case(world)
    total = CaseRecord.objects.filter(case=case).count()
    assert total > RECORDS_PER_PAGE
    html = _page(world, case)
    assert len(_shown(html)) == RECORDS_PER_PAGE
    assert "Listed person 00000" in html
    assert "Listed summary 00039" not in html
    assert 'href="?page=2#records" rel="next"' in html
    assert f"Records 1–{RECORDS_PER_PAGE} of {total}" in html
    assert "Persons (41)" in html, "counts per kind: 40 filed, 1 copied from the complaint"


def test_page_two_shows_the_rest_and_every_record_is_on_exactly_one_page(world) -> None:
    case = _long_case(world)
    first, second = _page(world, case), _page(world, case, "?page=2")
    assert "Listed summary 00039" in second and "Listed person 00000" not in second
    assert 'href="?page=1#records" rel="prev"' in second
    assert 'rel="next"' not in second
    stored = {
        str(p) for p in CaseRecord.objects.filter(case=case).values_list("public_id", flat=True)
    }
    shown = _shown(first) + _shown(second)
    assert len(shown) == len(set(shown)) and set(shown) == stored


def test_references_across_pages_still_resolve(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    assert add_person(officer, case, "Adam from page one").status_code == 302
    person = CaseRecord.objects.filter(case=case, kind="person").order_by("-pk").first()
    file_many(world, case, 30)
    event = CaseRecord.objects.filter(case=case, kind="event").order_by("pk").first()
    # The person is on page 1 and among none of the newest persons: the form's check finds it
    # by its id all the same.
    r = officer.post(
        case_url(case, "records/act/"),
        {
            "act-event": str(event.public_id),
            "act-act_type": "abduction",
            "act-victim": str(person.public_id),
            "act-start_precision": "unknown",
            "act-end_precision": "unknown",
            "act-victim_status": "missing",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    act = CaseRecord.objects.filter(case=case, kind="act").order_by("-pk").first()
    assert r["Location"].endswith(f"/?page=last#r-{act.public_id}")
    last = _page(world, case, "?page=last")
    assert str(act.public_id) in _shown(last)
    assert str(person.public_id) not in _shown(last)
    assert "victim: Adam from page one" in last
    assert "event: Listed event 00000" in last


def test_a_reference_the_reader_cannot_open_says_withheld(world) -> None:
    officer = signed_in(world, "intake_officer")
    private = file_complaint("none", account="Not for the prosecutor.")
    case = open_case(officer, file_complaint("prosecutor"), private)
    assert add_person(officer, case, "Withheld victim", sources=[private]).status_code == 302
    person = CaseRecord.objects.filter(case=case, kind="person").order_by("-pk").first()
    r = officer.post(
        case_url(case, "records/event/"),
        {
            "event-title": "Shared event",
            "event-date_precision": "unknown",
            "event-act_type": "threats",
            "event-victim": str(person.public_id),
            "event-start_precision": "unknown",
            "event-end_precision": "unknown",
            "event-victim_status": "unknown",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    page = signed_in(world, "prosecutor").get(case_url(case)).content.decode()
    assert "Shared event" in page and "victim: withheld" in page
    assert "Withheld victim" not in page


def test_a_reference_the_sender_may_not_read_is_refused(world) -> None:
    officer = signed_in(world, "intake_officer")
    private = file_complaint("none")
    case = open_case(officer, file_complaint("prosecutor"), private)
    add_person(officer, case, "Withheld victim", sources=[private])
    person = CaseRecord.objects.filter(case=case, kind="person").order_by("-pk").first()
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    r = signed_in(world, "prosecutor").post(
        case_url(case, "records/event/"),
        {
            "event-title": "Event",
            "event-date_precision": "unknown",
            "event-act_type": "threats",
            "event-victim": str(person.public_id),
            "event-start_precision": "unknown",
            "event-end_precision": "unknown",
            "event-victim_status": "unknown",
        },
    )
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert "Withheld victim" not in r.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?page=abc", 1),
        ("?page=", 1),
        ("?page=1.5", 1),
        ("?page=%00", 1),
        ("?page=999999", 2),
        ("?page=" + "9" * 400, 2),
        ("?page=last", 2),
        ("?page=0", 2),
        ("?page=-1", 2),
    ],
)
def test_a_garbage_or_out_of_range_page_number_gives_the_first_or_last_page(
    world, query: str, expected: int
) -> None:
    case = _long_case(world)
    assert f"Page {expected} of 2" in _page(world, case, query)


def test_an_unknown_kind_is_not_found(world) -> None:
    case = _long_case(world, groups=1)
    r = signed_in(world, "intake_officer").get(case_url(case) + "?kind=secrets")
    assert r.status_code == 404


def test_the_records_can_be_shown_one_kind_at_a_time(world) -> None:
    case = _long_case(world, groups=120)
    html = _page(world, case, "?kind=event&page=2")
    shown = _shown(html)
    assert len(shown) == 20
    kinds = set(CaseRecord.objects.filter(public_id__in=shown).values_list("kind", flat=True))
    assert kinds == {"event"}
    assert "Records 101–120 of 120" in html
    assert 'href="?kind=event&amp;page=1#records" rel="prev"' in html


@pytest.fixture
def record_decryptions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The associated data of every case record decrypted while the fixture is active."""
    calls: list[bytes] = []
    real = crypto.decrypt

    def counting(key: crypto.DataKey, ciphertext: bytes, *, aad: bytes) -> bytes:
        if aad.startswith(b"case-record|"):
            calls.append(aad)
        return real(key, ciphertext, aad=aad)

    monkeypatch.setattr(crypto, "decrypt", counting)
    yield calls


def test_the_page_does_not_decrypt_every_record(world, record_decryptions: list[bytes]) -> None:
    case = _long_case(world, groups=75)
    assert CaseRecord.objects.filter(case=case).count() == 302
    signed_in(world, "intake_officer")  # sign in before counting
    _page(world, case)
    first = len(record_decryptions)
    assert RECORDS_PER_PAGE <= first <= RECORDS_PER_PAGE + 3 * RECENT_CHOICES
    # Twice the records, the same cost: the page does not grow with the case.
    file_many(world, case, 75)
    record_decryptions.clear()
    html = _page(world, case)
    assert len(_shown(html)) == RECORDS_PER_PAGE
    assert len(record_decryptions) <= first
    assert len(record_decryptions) == len(set(record_decryptions)), "each row at most once"
