"""Chechen (``ce``) on the public site: Russian where Chechen has no translation, the language
switch and the quick-exit link on every Chechen page, Russian codenames that work from either
language, and no Chechen staff site (issue 14, "Chechen")."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext
from tools.public_catalogue import Key, missing, public_keys

import ombuds
from ombuds import crypto
from ombuds.intake.models import Complaint
from tests.conftest import fresh_form, submit_complaint

pytestmark = pytest.mark.django_db

LOCALE = Path(ombuds.__file__).parent / "locale"
#: What a complainant types, in Cyrillic, so that the pages carry no Latin data.
ANSWERS = {"place": "Аргун", "person-0-name": "Магомед Д.", "account": "Брата забрали ночью."}
PUBLIC_PATHS = ["/", "/complaint/", "/return/", "/progress/"]


def _html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match, html[:300]
    return match[1]


def _switch(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="lang"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, html[:1500]
    return {code: href for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav[1])}


# --- falling back to Russian ----------------------------------------------------------------


def test_a_string_without_chechen_translation_is_shown_in_russian_not_english() -> None:
    gaps = missing("ce")
    assert Key(None, "Send the complaint") in gaps  # not translated (yet): the example here
    with translation.override("ce"):
        assert gettext("Send the complaint") == "Отправить жалобу"
        assert gettext("Language") == "Мотт"  # a translated one is Chechen
        lazy = gettext_lazy("Who is filing this complaint?")
        assert str(lazy) == "Кто пишет жалобу?"  # a lazy string too, evaluated in Chechen
        assert str(pgettext("case status", "Open")) == pgettext_ru("case status", "Open")
        # Django's own messages: it has no Chechen catalogue, so Russian.
        assert gettext("This field is required.") == "Обязательное поле."


def pgettext_ru(context: str, message: str) -> str:
    with translation.override("ru"):
        return pgettext(context, message)


@pytest.mark.parametrize(("n", "russian"), [(1, "запись внесена"), (3, "записи внесены")])
def test_a_plural_without_chechen_translation_follows_russian_plural_rules(
    n: int, russian: str
) -> None:
    with translation.override("ce"):
        text = ngettext(
            "%(n)s record filed into case %(case)s.", "%(n)s records filed into case %(case)s.", n
        )
    assert russian in text
    with translation.override("ce"):
        five = ngettext(
            "%(n)s record filed into case %(case)s.", "%(n)s records filed into case %(case)s.", 5
        )
    assert "записей внесено" in five  # Russian's third form: Chechen's rule has two


def test_the_missing_chechen_strings_are_listed_and_each_has_its_russian(capsys) -> None:
    gaps = missing("ce")
    public = public_keys()
    print(f"\n{len(gaps)} of {len(public)} public messages have no Chechen translation:")
    for key in gaps:
        print(f"  {key.msgctxt + ': ' if key.msgctxt else ''}{key.msgid}")
    assert 0 < len(gaps) < len(public)
    # Every public string has a Russian translation to fall back to.
    with translation.override("ru"):
        untranslated = [
            k
            for k in public
            if not k.msgid_plural
            and (gettext(k.msgid) if k.msgctxt is None else pgettext(k.msgctxt, k.msgid)) == k.msgid
        ]
    assert untranslated == []


def test_an_agency_name_and_consent_note_on_a_chechen_page_are_russian(world) -> None:
    page = Client().get("/ce/complaint/").content.decode()
    assert "Прокуратура тоже может видеть эту жалобу." in page
    assert "may also see" not in page


# --- the language switch, the page's language, the quick exit ------------------------------


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_chechen_page_says_so_and_links_to_itself_in_russian_and_english(
    world, path: str
) -> None:
    html = Client().get(f"/ce{path}").content.decode()
    assert _html_lang(html) == "ce"
    assert _switch(html) == {"ru": f"/ru{path}", "en": f"/en{path}"}
    ru = Client().get(f"/ru{path}").content.decode()
    assert _switch(ru) == {"en": f"/en{path}", "ce": f"/ce{path}"}
    assert '<a href="/ce' in ru and ">Нохчийн</a>" in ru


def test_after_switching_to_chechen_the_quick_exit_leaves_at_once(world, settings) -> None:
    settings.OMBUDS_QUICK_EXIT_URL = "https://weather.example/"
    client = Client()
    ru = client.get("/ru/return/").content.decode()
    r = client.get(_switch(ru)["ce"])
    assert r.status_code == 200
    html = r.content.decode()
    assert _html_lang(html) == "ce"
    # The first link of the page, before the site's own, going straight off the site.
    first = re.search(r"<a ([^>]*)>([^<]*)</a>", html)
    assert first
    assert 'class="exit"' in first[1] and 'href="https://weather.example/"' in first[1]
    assert 'rel="noreferrer"' in first[1]
    assert first[2] == "Сихха кху сайтера дӀагӀо"


def test_staff_pages_offer_no_chechen_and_a_chechen_staff_address_goes_to_russian(world) -> None:
    html = Client().get("/ru/staff/sign-in/").content.decode()
    assert set(_switch(html)) == {"en"}
    r = Client().get("/ce/staff/sign-in/?next=/ru/staff/")
    assert r.status_code == 302
    assert r["Location"] == "/ru/staff/sign-in/?next=/ru/staff/"
    officer = world.client_for("intake_officer")
    r = officer.get("/ce/staff/")
    assert (r.status_code, r["Location"]) == (302, "/ru/staff/")
    assert set(_switch(officer.get("/ru/staff/").content.decode())) == {"en"}


# --- codenames ------------------------------------------------------------------------------


def test_a_complaint_filed_in_chechen_gets_a_russian_codename_and_the_page_says_so(world) -> None:
    client = Client()
    r = client.post("/ce/complaint/", fresh_form(client, "ce", **ANSWERS))
    assert r.status_code == 200
    html = r.content.decode()
    assert _html_lang(html) == "ce"
    assert "Хьан кодан дешнаш оьрсийн маттахь ду" in html
    words = re.findall(r"<span>([^<]+)</span>", html.split('id="codename">', 1)[1].split("</p>")[0])
    assert len(words) == crypto.WORDS_PER_CODENAME
    assert set(words) <= set(crypto.wordlist("ru"))
    # The staff see that the complainant wrote on the Chechen site.
    complaint = Complaint.objects.get()
    officer = world.client_for("intake_officer")
    staff_page = officer.get(f"/ru/staff/complaints/{complaint.public_id}/").content.decode()
    assert "чеченский" in staff_page


def test_a_russian_or_english_receipt_says_nothing_about_the_codename_language(world) -> None:
    for language in ("ru", "en"):
        client = Client()
        html = client.post(f"/{language}/complaint/", fresh_form(client, language)).content
        assert b"codename-language" not in html


@pytest.mark.parametrize(("filed_in", "back_in"), [("ce", "ce"), ("ru", "ce"), ("ce", "ru")])
def test_a_russian_codename_opens_the_complaint_from_either_language(
    world, filed_in: str, back_in: str
) -> None:
    codename = submit_complaint(Client(), filed_in, **ANSWERS)
    visitor = Client()
    form = visitor.get(f"/{back_in}/return/").content.decode()
    assert ("codename-language" in form) == (back_in == "ce")
    r = visitor.post(f"/{back_in}/return/", {"codename": codename})
    assert (r.status_code, r["Location"]) == (302, f"/{back_in}/return/complaint/")
    page = visitor.get(r["Location"]).content.decode()
    assert _html_lang(page) == back_in
    assert ("Хьан арз" in page) == (back_in == "ce")
    assert "Брата забрали ночью." in page


def test_an_unknown_codename_on_a_chechen_page_is_refused_in_russian(world) -> None:
    r = Client().post("/ce/return/", {"codename": "яблоко груша слива"})
    assert r.status_code == 200
    assert "Жалоба с такой кодовой фразой не найдена." in r.content.decode()


# --- the catalogue --------------------------------------------------------------------------


def _ce_entries() -> list[object]:
    import polib

    return [e for e in polib.pofile(str(LOCALE / "ce/LC_MESSAGES/django.po")) if not e.obsolete]


def test_every_chechen_translation_awaits_review_and_is_written_in_cyrillic() -> None:
    translated = [e for e in _ce_entries() if e.msgstr or any(e.msgstr_plural.values())]
    assert len(translated) >= 20
    for e in translated:
        assert "needs review by a native speaker" in e.comment, e.msgid
        text = e.msgstr or " ".join(e.msgstr_plural.values())
        # The palochka is the letter Ӏ, never a Latin I or l or the digit 1; no Russian paste.
        assert not re.search(r"[A-Za-z]", text), (e.msgid, text)
        with translation.override("ru"):
            russian = gettext(e.msgid) if e.msgctxt is None else pgettext(e.msgctxt, e.msgid)
        assert text != russian, (e.msgid, "the Russian pasted as Chechen")


def test_every_chechen_entry_is_a_public_string() -> None:
    public = set(public_keys())
    assert [
        e.msgid for e in _ce_entries() if Key(e.msgctxt, e.msgid, e.msgid_plural) not in public
    ] == []


def test_ombuds_compilemessages_compiles_the_chechen_catalogue(tmp_path, settings, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE / "ce", locale / "ce")
    (locale / "ce/LC_MESSAGES/django.mo").unlink()
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(tmp_path)
    call_command("compilemessages", locale=["ce"], verbosity=0)
    import gettext as gnu

    with (locale / "ce/LC_MESSAGES/django.mo").open("rb") as f:
        compiled = gnu.GNUTranslations(f)
    assert compiled.gettext("Language") == "Мотт"
    assert compiled.pgettext("complaint status", "New") == "Керла"
