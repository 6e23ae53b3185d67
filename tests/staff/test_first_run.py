"""A first run that works: `migrate` and `init` give a site that takes a complaint."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ombuds.staff.models import Agency
from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db


def test_a_fresh_install_takes_a_public_complaint_after_migrate_and_init() -> None:
    call_command("migrate", verbosity=0)
    call_command("init", stdout=io.StringIO())
    assert submit_complaint(Client(), "en", consent_prosecutor="on")


def test_init_creates_the_three_agencies_with_russian_and_english_names() -> None:
    call_command("init", stdout=io.StringIO())
    agencies = {a.slug: a for a in Agency.objects.all()}
    assert set(agencies) == {"working-group", "prosecutor", "interior"}
    assert agencies["working-group"].receives_all
    assert agencies["prosecutor"].name_ru == "Прокуратура"
    assert agencies["interior"].name_en == "Interior ministry"


def test_the_consent_choices_are_the_agencies_complaints_may_be_shared_with() -> None:
    call_command("init", stdout=io.StringIO())
    Agency.objects.filter(slug="interior").update(offered_for_consent=False)
    page = Client().get("/ru/complaint/").content.decode()
    boxes = re.findall(r'name="(consent_[a-z_]+)"', page)
    assert boxes == ["consent_prosecutor"]
    assert "Прокуратура тоже может видеть эту жалобу." in page


def test_init_takes_the_agencies_of_a_file(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.toml"
    agencies.write_text(
        '[[agency]]\nslug = "wg"\nkind = "working_group"\nname_ru = "Группа"\n'
        'name_en = "Group"\nreceives_all = true\n\n'
        '[[agency]]\nslug = "court"\nkind = "other"\nname_ru = "Суд"\nname_en = "Court"\n'
        "retention_days = 365\n",
        encoding="utf-8",
    )
    call_command("init", "--agencies", str(agencies), stdout=io.StringIO())
    court = Agency.objects.get(slug="court")
    assert (court.name_en, court.retention_days, court.offered_for_consent) == ("Court", 365, True)
    page = Client().get("/en/complaint/").content.decode()
    assert "Court may also see this complaint." in page


def test_init_refuses_a_bad_agencies_file_before_making_any_key(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.toml"
    agencies.write_text('[[agency]]\nslug = "wg"\nkind = "police"\n', encoding="utf-8")
    with pytest.raises(CommandError, match="agency 1"):
        call_command("init", "--agencies", str(agencies), stdout=io.StringIO())
    call_command("init", stdout=io.StringIO())
    assert Agency.objects.count() == 3
