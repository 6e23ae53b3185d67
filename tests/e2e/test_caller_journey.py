"""A complaint taken by phone, through a real browser with JavaScript off, in Russian (issue 14,
"Must show", first half).

The working group's intake officer signs in, files a relative's complaint taken by phone, reads
the consent words aloud and records "yes" for the prosecutor's office only, and reads the
codename out (the page spells it word by word). The caller later opens the public site in
their own browser, types the codename and finds their complaint, without the officer's notes.
The officer then finds the complaint again by the codename the caller reads out.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ombuds.intake.models import Channel, Complaint, ComplaintConsent, ComplaintKeyGrant
from tests.e2e.browser import Traffic
from tests.e2e.test_casework_journey import sign_in
from tests.e2e.test_complaint_journey import assert_confined_small_and_script_free, click, go

pytestmark = pytest.mark.e2e

ACCOUNT = "Сына увезли с рынка в Шали люди в форме. Звонит мать."
NOTES = "Мать напугана; звонить после 18:00 с телефона соседки."


def file_by_phone(page: Any, traffic: Traffic, prosecutor_ru: str) -> str:
    click(page, traffic, page.get_by_role("link", name="За обратившегося"))
    assert page.get_by_role("heading", level=1).inner_text() == "Подать жалобу за обратившегося"
    page.get_by_label("По телефону", exact=True).check()
    page.get_by_label("Родственник или родственница", exact=True).check()
    page.get_by_label("Задержание", exact=True).check()
    page.get_by_label("Знаю месяц", exact=True).check()
    page.get_by_label("Дата, месяц или год").fill("март 2017")
    page.get_by_label("Где это случилось?").fill("Шали")
    page.locator('[name="person-0-name"]').fill("Ислам Х.")
    page.locator('[name="person-0-role"][value="victim"]').check()
    page.get_by_label("Полиция", exact=True).check()
    page.get_by_label("Да, человека держат прямо сейчас", exact=True).check()
    page.get_by_label("Расскажите своими словами, что случилось.").fill(ACCOUNT)

    # Consent asked aloud: the words name the body, in the caller's language (Russian).
    words = page.locator("blockquote.read-aloud").all_inner_texts()
    assert len(words) == 2
    assert f"передать вашу жалобу в этот орган: {prosecutor_ru}?" in words[0]
    page.locator('[name="consent_prosecutor"][value="yes"]').check()
    page.locator('[name="consent_interior"][value="no"]').check()
    page.locator('[name="codename_choice"][value="codename"]').check()
    page.get_by_label("Заметки сотрудника").fill(NOTES)
    click(page, traffic, page.get_by_role("button", name="Подать жалобу", exact=True))

    assert page.get_by_role("heading", level=1).inner_text() == "Жалоба подана"
    codename = page.locator("#codename span").all_inner_texts()
    assert len(codename) == 7 and all(re.fullmatch(r"[а-яё]+", w) for w in codename)
    spelled = page.locator("ol.spelled li").all_inner_texts()
    assert spelled == [f"{w}: {' · '.join(w)}" for w in codename]
    return " ".join(codename)


def test_officer_files_a_phone_complaint_and_the_caller_returns_with_the_codename(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic
) -> None:
    prosecutor_ru = tx_world.agencies["prosecutor"].name_ru
    officer = new_context().new_page()
    sign_in(officer, traffic, tx_world.personas["intake_officer"])
    codename = file_by_phone(officer, traffic, prosecutor_ru)

    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.PHONE
    assert [c.agency.slug for c in ComplaintConsent.objects.filter(complaint=complaint)] == [
        "prosecutor"
    ]
    assert [g.agency.slug for g in ComplaintKeyGrant.objects.filter(complaint=complaint)] == [
        "working-group"
    ]

    # The caller, later, in their own browser.
    caller = new_context().new_page()
    go(caller, traffic, "/ru/")
    click(caller, traffic, caller.get_by_role("link", name="Вернуться по кодовой фразе"))
    caller.get_by_label("Ваша кодовая фраза").fill(codename)
    click(caller, traffic, caller.get_by_role("button", name="Открыть"))
    assert caller.get_by_role("heading", level=1).inner_text() == "Ваша жалоба"
    caller.get_by_text("Что вы написали").click()  # opens its <details>, no script
    assert caller.get_by_text(ACCOUNT).is_visible()
    assert NOTES not in caller.content(), "the officer's notes never reach the caller"
    caller.context.close()

    # The caller phones again and reads the codename out: the officer finds the complaint.
    click(officer, traffic, officer.get_by_role("link", name="Найти жалобу обратившегося"))
    officer.get_by_label("Кодовая фраза или номер жалобы").fill(codename)
    click(officer, traffic, officer.get_by_role("button", name="Найти", exact=True))
    assert officer.get_by_role("heading", level=1).inner_text().startswith("Жалоба")
    assert officer.get_by_text(ACCOUNT).is_visible()
    assert officer.get_by_text(NOTES).is_visible()
    assert officer.get_by_text("Подана за обратившегося: По телефону").is_visible()
    assert_confined_small_and_script_free(traffic)
