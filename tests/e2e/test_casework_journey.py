"""A case's journey through a real browser with JavaScript off, in Russian.

The working group's intake officer signs in with a password and a TOTP code, opens a case from
a complaint (shared with the prosecutor's office), adds a person and an event with its act,
attaches a photo and refers the case to the prosecutor's office. The prosecutor's investigator
then signs in and finds the case with what was shared: the records, the photo (its working copy
without the GPS the original carries) and the transfer in the photo's chain of custody.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.test import Client
from PIL import Image

from tests.conftest import submit_complaint
from tests.e2e.browser import Traffic
from tests.e2e.test_complaint_journey import click, go

pytestmark = pytest.mark.e2e

PERSON = "Ахмед Т."
EVENT = "Задержание на блокпосту"
PHOTO = "blokpost.jpg"


def photo_with_gps(path: Path) -> Path:
    img = Image.new("RGB", (160, 120), (30, 60, 150))
    exif = Image.Exif()
    exif[0x010F] = "Witness phone maker"  # Make
    exif[0x8825] = {1: "N", 2: (43.0, 17.0, 0.0), 3: "E", 4: (45.0, 52.0, 0.0)}  # GPS
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def sign_in(page: Any, traffic: Traffic, persona: Any) -> None:
    go(page, traffic, "/ru/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Вход для сотрудников"
    page.get_by_label("Имя пользователя").fill(persona.username)
    page.get_by_label("Пароль").fill(persona.password)
    click(page, traffic, page.get_by_role("button", name="Продолжить"))
    page.get_by_label("Код из приложения-аутентификатора").fill(
        pyotp.TOTP(persona.totp_secret).now()
    )
    click(page, traffic, page.get_by_role("button", name="Войти"))
    assert page.get_by_role("heading", level=1).inner_text() == "Жалобы"


def test_officer_opens_codes_attaches_and_refers_prosecutor_sees_what_was_shared(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic, tmp_path: Path
) -> None:
    submit_complaint(Client(), "ru", consent_prosecutor="on")
    photo = photo_with_gps(tmp_path / PHOTO)

    # The intake officer opens a case from the complaint.
    page = new_context().new_page()
    sign_in(page, traffic, tx_world.personas["intake_officer"])
    click(page, traffic, page.get_by_role("link", name="Открыть"))
    click(page, traffic, page.locator('a[href*="/staff/cases/open/"]'))
    click(page, traffic, page.get_by_role("button", name="Завести дело"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Дело")
    case_url = page.url

    # A person, then an event with its act (whose victim is that person).
    person = page.locator('form[action$="/records/person/"]')
    person.locator('[name="person-name"]').fill(PERSON)
    person.locator('[name="person-age"]').fill("34")
    click(page, traffic, person.get_by_role("button", name="Добавить человека"))
    page.get_by_text("Событие с деянием", exact=True).click()  # opens its <details>, no script
    event = page.locator('form[action$="/records/event/"]')
    event.locator('[name="event-title"]').fill(EVENT)
    event.locator('[name="event-place"]').fill("Аргун")
    event.locator('[name="event-act_type"]').select_option("detention")
    event.locator('[name="event-victim"]').select_option(label=PERSON)
    click(page, traffic, event.get_by_role("button", name="Добавить событие"))
    assert page.get_by_text(PERSON).first.is_visible()
    assert page.get_by_text(EVENT).first.is_visible()

    # A photo, attached from the case's evidence page.
    click(page, traffic, page.get_by_role("link", name="Доказательства", exact=True))
    page.locator('input[type="file"][name="file"]').set_input_files(str(photo))
    click(page, traffic, page.get_by_role("button", name="Прикрепить"))
    assert page.get_by_role("status").inner_text() == "Файл получен, хеш вычислен."
    assert page.get_by_role("link", name=PHOTO).is_visible()
    click(page, traffic, page.get_by_role("link", name="Назад к делу"))

    # Referred to the prosecutor's office.
    refer = page.locator('form[action$="/refer/"]')
    refer.locator('[name="agency"]').select_option(str(tx_world.agencies["prosecutor"].pk))
    click(page, traffic, refer.get_by_role("button", name="Передать"))
    assert page.url == case_url
    assert page.locator("main p strong").first.inner_text() == "Передано в прокуратуру"
    assert tx_world.agencies["prosecutor"].name_ru in page.locator("main").inner_text()
    assert page.get_by_text(PERSON).first.is_visible()
    assert page.get_by_text(EVENT).first.is_visible()
    click(page, traffic, page.get_by_role("link", name="Доказательства", exact=True))
    assert page.get_by_role("link", name=PHOTO).is_visible()
    page.context.close()

    # The prosecutor's investigator finds the case and reads what was shared.
    page = new_context().new_page()
    sign_in(page, traffic, tx_world.personas["prosecutor"])
    go(page, traffic, "/ru/staff/cases/")
    click(page, traffic, page.get_by_role("link", name="Открыть"))
    assert page.url == case_url
    assert page.get_by_text(PERSON).first.is_visible()
    assert page.get_by_text(EVENT).first.is_visible()
    click(page, traffic, page.get_by_role("link", name="Доказательства", exact=True))
    click(page, traffic, page.get_by_role("link", name=PHOTO))
    custody = page.locator("table.custody").inner_text()
    assert "Передано" in custody and "теперь доступно: Прокуратура (дело передано)" in custody
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать рабочую копию").click()
    working = Path(download.value.path()).read_bytes()
    assert dict(Image.open(io.BytesIO(working)).getexif()) == {}, "no GPS in the working copy"
    assert traffic.foreign_requests() == []
