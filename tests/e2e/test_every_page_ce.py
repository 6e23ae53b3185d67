"""Every public page in Chechen (``/ce/``) renders, says it is Chechen, and shows no English.

What has no reviewed Chechen translation is shown in Russian (docs/languages.md), so the
Latin-word check of the Russian crawl applies unchanged. Like ``test_every_page_ru``, the demo
install is put through every kind of action first, so the complainant's pages show replies,
investigations and referrals. Not a browser test: it runs with the fast suite.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import fresh_form
from tests.e2e.crawl import PUBLIC_SKIP, Demo, crawl, exercise_demo, foreign_words, texts_of

pytestmark = pytest.mark.django_db(transaction=False)

#: Russian browsers call them "файлы cookie": the word the security-check page uses to say
#: which setting to change (its Russian text, shown where Chechen has none yet).
BROWSER_WORDS = {"cookie"}
ANSWERS = {"place": "Аргун", "person-0-name": "Магомед Д.", "account": "Брата забрали ночью."}


@pytest.fixture
def exercised_demo(settings, tmp_path) -> Demo:
    return exercise_demo(settings, tmp_path)


def _problems_of(r, expected_status: int) -> list[object]:
    """What a Chechen page has wrong: its status, its language, Latin-script words."""
    html = r.content.decode()
    problems: list[object] = []
    if r.status_code != expected_status:
        problems.append(r.status_code)
    if '<html lang="ce">' not in html:
        problems.append("not lang=ce")
    if latin := foreign_words(texts_of(html)) - BROWSER_WORDS:
        problems.append(sorted(latin))
    return problems


def test_every_chechen_page_a_complainant_reaches_is_chechen_or_russian_and_none_fails(
    exercised_demo: Demo,
) -> None:
    pages: list[str] = []
    visitor = Client()
    assert visitor.post("/ce/return/", {"codename": exercised_demo.codenames[0]}).status_code == 302
    problems = crawl(visitor, "/ce/", "/ce/", PUBLIC_SKIP, pages)
    problems |= crawl(visitor, "/ce/return/complaint/", "/ce/", PUBLIC_SKIP, pages)
    assert problems == {}
    assert {"/ce/", "/ce/complaint/", "/ce/return/", "/ce/progress/"} <= set(pages)
    assert "/ce/return/complaint/" in pages
    for path in pages:
        assert '<html lang="ce">' in visitor.get(path).content.decode(), path


def test_the_chechen_pages_of_errors_and_endings_are_chechen_or_russian(world) -> None:
    """The pages the crawl cannot reach by links: errors, refusals, a second send, the end."""
    problems = {}
    client = Client()
    problems["404"] = _problems_of(client.get("/ce/no-such-page/"), 404)
    empty = fresh_form(client, "ce", acts=[], account="", **{"person-0-age": "200"})
    problems["form errors"] = _problems_of(client.post("/ce/complaint/", empty), 200)
    problems["unknown codename"] = _problems_of(
        client.post("/ce/return/", {"codename": "яблоко груша слива"}), 200
    )
    form = fresh_form(client, "ce", **ANSWERS)
    receipt = client.post("/ce/complaint/", form)
    problems["receipt"] = _problems_of(receipt, 200)
    problems["sent twice"] = _problems_of(client.post("/ce/complaint/", form), 409)
    words = re.findall(r"<span>([^<]+)</span>", receipt.content.decode().split('id="codename"')[1])
    visitor = Client()
    visitor.post("/ce/return/", {"codename": " ".join(words[:7])})
    problems["withdrawn"] = _problems_of(
        visitor.post("/ce/return/withdraw/", {"confirm": "on"}), 200
    )
    refused = Client(enforce_csrf_checks=True)
    problems["csrf"] = _problems_of(refused.post("/ce/return/", {"codename": "а б в"}), 403)
    assert {name: p for name, p in problems.items() if p} == {}


def test_a_string_known_to_be_missing_renders_in_russian_on_the_chechen_page(world) -> None:
    ce = Client().get("/ce/complaint/").content.decode()
    assert "Отправить жалобу" in ce  # "Send the complaint": no Chechen translation yet
    assert "Арз яздан" in ce  # "File a complaint": translated, awaiting review
    assert "Send the complaint" not in ce
