"""The Russian site is Russian everywhere: catalogue complete, compiled, and used on every page.

Not a browser test (no ``e2e`` mark): it runs with the fast suite, through the test client.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import ombuds
from tests.conftest import fresh_form, submit_complaint
from tests.e2e.po import Entry, read_po

LOCALE = Path(ombuds.__file__).parent / "locale"
TEMPLATES = Path(ombuds.__file__).parent / "templates"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")

# Latin-script words that are the same in Russian: product, protocol and file-format names.
LATIN_ALLOWED = {"English", "JavaScript", "IP", "Tor", "Browser", "UTC", "FreeOTP", "Aegis"}
LATIN_ALLOWED |= {"JPEG", "PNG", "WebP", "PDF", "MP", "ZIP", "SHA"}


def ru_entries() -> list[Entry]:
    return [e for e in read_po(LOCALE / "ru/LC_MESSAGES/django.po") if not e.is_header]


def test_every_russian_message_is_translated_and_not_fuzzy() -> None:
    entries = [e for e in ru_entries() if not e.obsolete]
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if not e.translated]
    assert untranslated == []


def test_russian_plurals_have_every_form_russian_needs() -> None:
    for e in ru_entries():
        if e.msgid_plural and not e.obsolete:
            assert sorted(e.msgstr) == [0, 1, 2, 3], e.msgid


def test_russian_translations_keep_their_placeholders() -> None:
    for e in ru_entries():
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        for text in e.msgstr.values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (e.msgid, text)


def test_the_codename_has_one_name_in_russian() -> None:
    texts = " ".join(t for e in ru_entries() for t in e.msgstr.values()).lower()
    assert "кодов" in texts
    assert "кодовое имя" not in texts and "кодовое слово" not in texts


@pytest.mark.parametrize("language", ["ru", "en", "ce"])
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    """The .mo in git is what ``compilemessages`` makes of the .po (run it after editing)."""
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for e in read_po(directory / "django.po"):
        if e.is_header or e.obsolete or not e.translated:
            continue
        # An entry with a context ("case status") is looked up with it, apart from the bare
        # msgid: that is what lets "Open" be a verb on a button and a case's status.
        if e.msgid_plural:
            for n, form in ((1, 0), (3, 1), (5, 2)):
                found = (
                    compiled.ngettext(e.msgid, e.msgid_plural, n)
                    if e.msgctxt is None
                    else compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                )
                assert found == e.msgstr[form], e.msgid
        else:
            found = (
                compiled.gettext(e.msgid)
                if e.msgctxt is None
                else compiled.pgettext(e.msgctxt, e.msgid)
            )
            assert found == e.msgstr[0], (e.msgctxt, e.msgid)


def test_every_template_string_is_in_the_catalogue() -> None:
    """A string added to a template without re-running ``makemessages`` shows in English."""
    msgids = {e.msgid for e in ru_entries() if not e.obsolete}
    tag = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
    missing = []
    roots = [TEMPLATES, *Path(ombuds.__file__).parent.glob("*/templates")]
    for root in roots:
        for template in root.rglob("*.html"):
            missing += [
                f"{template.name}: {m[1]}"
                for m in tag.findall(template.read_text("utf-8"))
                if m[1] not in msgids
            ]
    assert missing == []


# --- the pages ------------------------------------------------------------------------------


class TextNodes(HTMLParser):
    """The visible text of a page, one normalised string per text node or labelled attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value:
                self._add(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if re.search(r"[^\W\d_]", text):  # a letter: "—" or "2017" are not language
            self.texts.append(text)


def texts_of(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.texts


def latin_words(texts: list[str]) -> set[str]:
    site_words = set(settings.SITE_NAME.split())
    words = {w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t)}
    return words - LATIN_ALLOWED - site_words


def assert_russian(ru_html: str, en_html: str) -> None:
    ru, en = texts_of(ru_html), texts_of(en_html)
    # The language switch names each language in itself, on every page.
    shared = (set(ru) & set(en)) - {settings.SITE_NAME, *dict(settings.LANGUAGES).values()}
    assert shared == set(), "English text on the Russian page"
    assert latin_words(ru) == set(), "Latin-script words on the Russian page"


def page(client: Client, path: str, data: dict[str, object] | None = None) -> str:
    r = client.post(path, data) if data is not None else client.get(path)
    assert r.status_code in (200, 400, 409), (path, r.status_code)
    return r.content.decode()


@pytest.mark.parametrize("path", ["/", "/complaint/", "/return/", "/staff/sign-in/"])
def test_russian_pages_show_no_english(world, path: str) -> None:
    assert_russian(page(Client(), f"/ru{path}"), page(Client(), f"/en{path}"))


def test_russian_complaint_form_labels_choices_and_help_are_russian(world) -> None:
    ru = page(Client(), "/ru/complaint/")
    for text in (
        "Кто пишет жалобу?",
        "Родственник или родственница",
        "Что случилось? Отметьте всё, что подходит.",
        "Задержание",
        "Знаю месяц",
        "Кто этот человек?",
        "С этим человеком это случилось",
        "Полиция",
        "Да, человека держат прямо сейчас",
        "Примерный возраст",
        "Мужской",
        "Человек 1",
        "Прокуратура тоже может видеть эту жалобу.",
        "Отправить жалобу",
    ):
        assert text in ru


def test_russian_form_errors_are_russian(world) -> None:
    ru_client, en_client = Client(), Client()
    bad = {"person-0-age": "200", "when_kind": "day", "when_value": "March"}
    ru = page(ru_client, "/ru/complaint/", fresh_form(ru_client, "ru", **bad, acts=[], account=""))
    en = page(en_client, "/en/complaint/", fresh_form(en_client, "en", **bad, acts=[], account=""))
    assert "Some answers need attention" in en
    assert "Некоторые ответы нужно исправить" in ru
    assert "Обязательное поле." in ru  # Django's own messages come in Russian too
    assert "Не удалось прочитать дату." in ru
    assert_russian(ru, en)


def test_russian_no_person_and_unknown_codename_messages(world) -> None:
    client = Client()
    nobody = {"person-0-name": "", "person-0-age": "", "person-0-sex": ""}
    ru = page(client, "/ru/complaint/", fresh_form(client, "ru", **nobody))
    assert "Расскажите хотя бы об одном человеке" in ru
    ru = page(Client(), "/ru/return/", {"codename": "яблоко груша слива"})
    assert "Жалоба с такой кодовой фразой не найдена." in ru


# What a Russian-speaking complainant types, so that any Latin word left is the site's own.
RUSSIAN_ANSWERS = {
    "place": "Аргун",
    "person-0-name": "Магомед Д.",
    "account": "Брата забрали из дома ночью.",
}


def test_russian_receipt_and_return_visit_are_russian(world) -> None:
    ru_client, en_client = Client(), Client()
    ru_receipt = page(ru_client, "/ru/complaint/", fresh_form(ru_client, "ru", **RUSSIAN_ANSWERS))
    en_receipt = page(en_client, "/en/complaint/", fresh_form(en_client, "en"))
    # The codename's words are the complainant's own, in their language: compare the rest.
    codename = re.compile(r'<p class="codename" id="codename">.*?</p>', re.S)
    assert "кодовая фраза" in ru_receipt
    assert_russian(codename.sub("", ru_receipt), codename.sub("", en_receipt))

    ru_words = submit_complaint(Client(), "ru", **RUSSIAN_ANSWERS)
    en_words = submit_complaint(Client(), "en")
    ru_visitor, en_visitor = Client(), Client()
    assert ru_visitor.post("/ru/return/", {"codename": ru_words}).status_code == 302
    assert en_visitor.post("/en/return/", {"codename": en_words}).status_code == 302
    ru = page(ru_visitor, "/ru/return/complaint/")
    assert "Ваша жалоба" in ru and "Новая" in ru
    assert_russian(ru, page(en_visitor, "/en/return/complaint/"))
