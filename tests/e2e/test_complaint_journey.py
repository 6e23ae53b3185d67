"""A complaint's whole journey through a real browser with JavaScript off, in Russian.

A relative files a complaint from a phone and notes the codename; an intake officer signs in
with a password and a TOTP code and replies; the relative comes back later (a new browser, no
cookies), types the codename and reads the reply. Along the way: no request leaves the site, no
page carries a script, and every page is under 100 KB.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.e2e.browser import MAX_PAGE_BYTES, Traffic

pytestmark = pytest.mark.e2e

ACCOUNT = "Брата забрали из дома ночью. Сказали, что из полиции."
REPLY = "Мы получили вашу жалобу. В какой день его забрали?"


class CsrfRefused(AssertionError):
    """The site refused a form the browser posted from the site's own page."""


def loaded(traffic: Traffic, response: Any) -> Any:
    assert response is not None, "the page did not load"
    if response.status == 403 and response.request.method == "POST":
        raise CsrfRefused(f"{response.url}: 403 to a form posted from the site's own page")
    assert response.ok, (response.url, response.status)
    traffic.pages.append((response.url, response.status, response.body()))
    return response


def go(page: Any, traffic: Traffic, path: str) -> Any:
    return loaded(traffic, page.goto(path))


def click(page: Any, traffic: Traffic, target: Any) -> Any:
    """Click a link or a submit button and wait for the page it leads to (a plain request)."""
    with page.expect_navigation() as navigation:
        target.click()
    return loaded(traffic, navigation.value)


def screenshot_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("OMBUDS_E2E_SCREENSHOTS")
    return Path(wanted) if wanted else tmp_path


def file_complaint(page: Any, traffic: Traffic) -> str:
    go(page, traffic, "/ru/")
    assert page.locator("html").get_attribute("lang") == "ru"
    click(page, traffic, page.get_by_role("link", name="Подать жалобу"))
    assert page.get_by_role("heading", level=1).inner_text() == "Подать жалобу"

    page.get_by_label("Родственник или родственница", exact=True).check()
    page.get_by_label("Задержание", exact=True).check()
    page.get_by_label("Исчезновение", exact=True).check()
    page.get_by_label("Знаю месяц", exact=True).check()
    page.get_by_label("Дата, месяц или год").fill("март 2017")
    page.get_by_label("Где это случилось?").fill("Аргун")
    page.locator('[name="person-0-name"]').fill("Магомед Д.")
    page.locator('[name="person-0-age"]').fill("27")
    page.locator('[name="person-0-sex"]').select_option(label="Мужской")
    page.locator('[name="person-0-role"][value="victim"]').check()
    page.get_by_label("Полиция", exact=True).check()
    page.get_by_label("Да, человека держат прямо сейчас", exact=True).check()
    page.get_by_label("Расскажите своими словами, что случилось.").fill(ACCOUNT)
    assert not page.get_by_label("Прокуратура тоже может видеть эту жалобу.").is_checked()
    click(page, traffic, page.get_by_role("button", name="Отправить жалобу"))

    assert page.get_by_role("heading", level=1).inner_text() == "Ваша жалоба получена"
    words = page.locator("#codename span").all_inner_texts()
    assert len(words) == 7
    assert all(re.fullmatch(r"[а-яё]+", w) for w in words), words
    return " ".join(words)


def reply_as_intake_officer(page: Any, traffic: Traffic, officer: Any) -> None:
    go(page, traffic, "/ru/staff/")  # not signed in: sent to the sign-in page
    assert page.get_by_role("heading", level=1).inner_text() == "Вход для сотрудников"
    page.get_by_label("Имя пользователя").fill(officer.username)
    page.get_by_label("Пароль").fill(officer.password)
    click(page, traffic, page.get_by_role("button", name="Продолжить"))

    assert page.get_by_role("heading", level=1).inner_text() == "Второй фактор"
    code = pyotp.TOTP(officer.totp_secret).now()
    page.get_by_label("Код из приложения-аутентификатора").fill(code)
    click(page, traffic, page.get_by_role("button", name="Войти"))

    assert page.get_by_role("heading", level=1).inner_text() == "Жалобы"
    assert page.get_by_text("Человека держат сейчас").count() == 1
    click(page, traffic, page.get_by_role("link", name="Открыть"))
    assert page.get_by_text(ACCOUNT).is_visible(), "the officer reads the decrypted account"
    page.get_by_label("Ответ заявителю").fill(REPLY)
    click(page, traffic, page.get_by_role("button", name="Отправить ответ"))
    assert page.get_by_text(REPLY).is_visible()


def come_back_and_read(page: Any, traffic: Traffic, codename: str, replied_by: str) -> None:
    go(page, traffic, "/ru/")
    click(page, traffic, page.get_by_role("link", name="Вернуться по кодовой фразе"))
    page.get_by_label("Ваша кодовая фраза").fill(codename)
    click(page, traffic, page.get_by_role("button", name="Открыть"))

    assert page.get_by_role("heading", level=1).inner_text() == "Ваша жалоба"
    assert page.get_by_text(REPLY).is_visible()
    assert page.get_by_text("Есть ответ").is_visible()
    # signed with the replying agency's name in the page's language (issue 9, item 14)
    assert page.locator(".message.from-staff .meta").inner_text().endswith(replied_by)


def test_a_form_sent_from_a_real_browser_is_accepted(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic
) -> None:
    page = new_context().new_page()
    go(page, traffic, "/ru/return/")
    page.get_by_label("Ваша кодовая фраза").fill("яблоко груша слива")
    click(page, traffic, page.get_by_role("button", name="Открыть"))
    assert page.get_by_text("Жалоба с такой кодовой фразой не найдена.").is_visible()


def test_relative_files_in_russian_officer_replies_relative_reads_reply(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic
) -> None:
    complainant = new_context().new_page()
    codename = file_complaint(complainant, traffic)
    complainant.context.close()  # the phone's browser is closed: the visit is over

    officer = tx_world.personas["intake_officer"]
    reply_as_intake_officer(new_context().new_page(), traffic, officer)

    replied_by = tx_world.agencies["working-group"].name_ru
    come_back_and_read(new_context().new_page(), traffic, codename, replied_by)

    assert len(traffic.pages) >= 10
    assert_confined_small_and_script_free(traffic)


def assert_confined_small_and_script_free(traffic: Traffic) -> None:
    assert traffic.foreign_requests() == []
    assert any(url.endswith(".css") for url in traffic.requests), "the stylesheet is served"
    for url, _status, body in traffic.pages:
        assert b"<script" not in body.lower(), url
        assert len(body) < MAX_PAGE_BYTES, (url, len(body))


def test_pages_reached_by_links_come_from_this_site_only_small_and_script_free(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic, tmp_path: Path
) -> None:
    page = new_context().new_page()
    go(page, traffic, "/ru/")
    click(page, traffic, page.get_by_role("link", name="Подать жалобу"))
    page.screenshot(path=str(screenshot_dir(tmp_path) / "ombuds-ru-form-phone.png"), full_page=True)
    click(page, traffic, page.get_by_role("link", name="English"))
    assert page.get_by_role("heading", level=1).inner_text() == "File a complaint"
    click(page, traffic, page.get_by_role("link", name="Русский"))
    click(page, traffic, page.locator(".site a"))
    click(page, traffic, page.get_by_role("link", name="Вернуться по кодовой фразе"))
    assert page.get_by_label("Ваша кодовая фраза").is_visible()
    go(page, traffic, "/ru/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Вход для сотрудников"
    assert len(traffic.pages) == 7
    assert_confined_small_and_script_free(traffic)
