"""The intake budget (issue 13, item 1): submissions and bytes of files per hour, for everyone
at once. Past it, a plain "try again later" page (503, Retry-After) that keeps nothing and says
nothing about load; reading by codename is never refused; under it nothing changes.
Administrators see how many submissions the budget and the free-disk guard refused."""

from __future__ import annotations

import datetime
import io
import re
import threading
from pathlib import Path

import pyotp
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from ombuds.evidence.models import EvidenceItem
from ombuds.intake.budget import budget_clear_past, budget_take
from ombuds.intake.middleware import KEY_COOKIE
from ombuds.intake.models import Complaint, IntakeHour, IntakeRefusalDay, Message
from ombuds.staff import services
from ombuds.staff.models import Role
from tests.conftest import Persona, fresh_form, submit_complaint

pytestmark = pytest.mark.django_db

CANARY = "Vedenskoye-Kharachoi-canary"


def _photo(name: str = "yard.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _rows() -> dict[str, int]:
    """Every table's row count, the intake budget's own counters left out."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m not in (IntakeHour, IntakeRefusalDay)
    }


def _files() -> dict[str, int]:
    """Every file in the data folder but the database's own, with its size."""
    root = Path(django_settings.DATA_DIR)
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in root.rglob("*")
        if p.is_file() and ".sqlite3" not in p.name
    }


def _refused_page_is_plain(r, language: str = "en", *, visit: bool = False) -> None:
    assert r.status_code == 503
    assert 0 < int(r["Retry-After"]) <= 3600
    text = r.content.decode()
    if language == "en":
        assert "Please try again later" in text
        assert "Nothing of what you sent was kept" in text
    else:
        assert "Пожалуйста, попробуйте позже" in text
    for word in ("load", "busy", "budget", "many", "нагрузк", "лимит"):
        assert word not in text.lower(), word
    assert CANARY not in text
    # No new cookie: no session, nothing to link. An open return visit's key cookie carries
    # its idle clock, renewed on every request of the visit (intake/middleware.py).
    assert set(r.cookies) <= ({KEY_COOKIE} if visit else set()), r.cookies


def test_under_the_budget_a_complaint_with_a_file_goes_through_and_is_counted(world) -> None:
    client = Client()
    photo = _photo()
    size = len(photo.read())
    photo.seek(0)
    r = client.post("/en/complaint/", fresh_form(client, file=photo))
    assert r.status_code == 200 and 'id="codename"' in r.content.decode()
    hour = IntakeHour.objects.get()
    assert (hour.items, hour.bytes) == (1, size)
    assert not IntakeRefusalDay.objects.exists()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_over_the_budget_a_new_complaint_gets_try_again_later_and_nothing_is_kept(
    world, settings, language
) -> None:
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 1
    submit_complaint(Client())
    client = Client()
    form = fresh_form(client, language, account=CANARY, place=CANARY, file=_photo())
    rows, files = _rows(), _files()
    r = client.post(f"/{language}/complaint/", form)
    _refused_page_is_plain(r, language)
    assert _rows() == rows, "no complaint, file, message, session or audit row"
    assert _files() == files, "nothing written to the data folder"
    assert Complaint.objects.count() == 1
    assert IntakeRefusalDay.objects.get().budget == 1
    assert IntakeHour.objects.get().items == 1, "a refusal takes nothing from the budget"


def test_a_refusal_by_the_budget_logs_nothing(world, settings, capfd) -> None:
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 0
    client = Client()
    form = fresh_form(client, account=CANARY)
    capfd.readouterr()
    assert client.post("/en/complaint/", form).status_code == 503
    out, err = capfd.readouterr()
    assert out + err == ""


def test_over_the_bytes_budget_a_file_is_refused_while_a_complaint_without_one_goes_through(
    world, settings
) -> None:
    settings.OMBUDS_INTAKE_BYTES_PER_HOUR = 10  # the photo is about 90 bytes
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, file=_photo()))
    _refused_page_is_plain(r)
    assert not Complaint.objects.exists() and not EvidenceItem.objects.exists()
    submit_complaint(Client())
    assert Complaint.objects.count() == 1


def test_over_the_budget_a_returning_complainant_still_reads_but_adds_nothing(
    world, settings
) -> None:
    codename = submit_complaint(Client())
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 1  # spent by the complaint itself
    visitor = Client()
    assert visitor.post("/en/return/", {"codename": codename}).status_code == 302
    assert visitor.get("/en/return/complaint/").status_code == 200

    rows = _rows()
    r = visitor.post("/en/return/complaint/", {"text": CANARY})
    _refused_page_is_plain(r, visit=True)
    r = visitor.post("/en/return/complaint/files/", {"file": _photo()})
    _refused_page_is_plain(r, visit=True)
    assert _rows() == rows
    assert not Message.objects.exists() and not EvidenceItem.objects.exists()
    assert IntakeRefusalDay.objects.get().budget == 2

    # Reading goes on: the page, and a new visit with the codename.
    assert CANARY not in visitor.get("/en/return/complaint/").content.decode()
    again = Client()
    assert again.post("/en/return/", {"codename": codename}).status_code == 302
    assert again.get("/en/return/complaint/").status_code == 200

    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 300
    assert visitor.post("/en/return/complaint/", {"text": "Later."}).status_code == 302
    assert Message.objects.count() == 1


def test_the_disk_guard_refusal_is_counted_with_the_budget_s_for_the_administrators(
    world, settings
) -> None:
    settings.OMBUDS_MIN_FREE_BYTES = 10**18
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client, file=_photo()))
    assert "cannot be received right now" in r.content.decode()
    assert not Complaint.objects.exists()
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 0
    for _ in range(2):
        client = Client()
        assert client.post("/en/complaint/", fresh_form(client)).status_code == 503
    # Eight days ago: older than the week shown.
    IntakeRefusalDay.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=8), budget=50, disk=50
    )

    admin = services.staff_create(
        username="boss", password="Kto-storozhit-storozhei", agency=None, role=Role.ADMIN,
        agency_private_key=None,
    )  # fmt: skip
    secret = pyotp.random_base32()
    services.totp_enrol(user=admin, secret=secret)
    boss = Persona("boss", "Kto-storozhit-storozhei", secret, admin).sign_in(Client())
    page = boss.get("/en/staff/admin/staff/").content.decode()
    line = re.search(r'<p id="intake-refusals">(.*?)</p>', page, re.S)
    assert line, page
    assert " ".join(line.group(1).split()) == (
        "Refused in the last seven days by the intake budget: 2; by the free-disk guard: 1."
    )
    ru = boss.get("/ru/staff/admin/staff/").content.decode()
    assert "по бюджету приёма — 2; по защите свободного места на диске — 1" in ru


def test_past_hours_and_old_refusal_days_are_forgotten(world) -> None:
    now_hour = int(timezone.now().timestamp() // 3600)
    IntakeHour.objects.create(hour=now_hour - 3, items=5, bytes=10)
    IntakeRefusalDay.objects.create(day=timezone.localdate() - datetime.timedelta(days=30))
    IntakeRefusalDay.objects.create(day=timezone.localdate())
    assert budget_take()
    assert list(IntakeHour.objects.values_list("hour", "items")) == [(now_hour, 1)]
    IntakeHour.objects.create(hour=now_hour - 1, items=5, bytes=10)
    assert budget_clear_past() == 2
    assert list(IntakeRefusalDay.objects.values_list("day", flat=True)) == [timezone.localdate()]


@pytest.mark.django_db(transaction=True)
def test_workers_at_once_never_take_more_than_the_budget(settings) -> None:
    settings.OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = 10
    results: list[bool] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            for _ in range(3):
                taken = budget_take(nbytes=1)
                with lock:
                    results.append(taken)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 10 and len(results) == 24
    hour = IntakeHour.objects.get()
    assert (hour.items, hour.bytes) == (10, 10)
