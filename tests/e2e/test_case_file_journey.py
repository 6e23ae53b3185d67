"""The prosecutor's case file in a real browser with JavaScript off, in Russian (issue 14).

The scene of tests/evidence/test_case_file.py: a case the working group opened from a complaint
shared with the prosecutor's office (a victim, a witness, a perpetrator) and one whose
complainant consented to nobody, with a staff photo and a photo filed under the private
complaint, referred to the prosecutor's office. The prosecutor's investigator signs in, opens
the case, follows "Материалы дела (PDF)", leaves the witness out and exports. The downloaded
archive verifies with the script it carries; the PDF's text names the persons the office
reads, with their roles, and the hashes of the evidence it reads, and nothing withheld.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ombuds.audit import signing
from tests.e2e.browser import Traffic
from tests.e2e.test_casework_journey import sign_in
from tests.e2e.test_complaint_journey import click, go
from tests.evidence.test_case_file import (
    HIDDEN_ACCOUNT,
    HIDDEN_NAME,
    PERPETRATOR,
    STAFF_PERSON,
    VICTIM,
    WITNESS,
    build_scene,
    item_facts,
    pdf_text,
    verify,
)

pytestmark = pytest.mark.e2e


def test_prosecutor_exports_the_case_file_and_it_verifies(
    tx_world: Any,
    live_server: Any,
    new_context: Any,
    traffic: Traffic,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    signing.ensure_signing_key()
    scene = build_scene(tx_world)

    page = new_context().new_page()
    sign_in(page, traffic, tx_world.personas["prosecutor"])
    go(page, traffic, "/ru/staff/cases/")
    click(page, traffic, page.get_by_role("link", name="Открыть"))
    click(page, traffic, page.get_by_role("link", name="Материалы дела (PDF)"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Материалы дела")
    assert HIDDEN_NAME not in page.locator("main").inner_text()
    page.get_by_label(WITNESS).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Выгрузить материалы дела").click()
    assert download.value.suggested_filename.startswith("casefile-")
    archive_path = tmp_path / download.value.suggested_filename
    download.value.save_as(archive_path)

    result = verify(archive_path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "casefile.pdf" in result.stdout
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        text = pdf_text(archive.read("casefile.pdf"))
    assert manifest["format"] == "ombuds-case-file/1"
    assert manifest["documents"][0]["path"] == "casefile.pdf"
    assert tx_world.agencies["prosecutor"].name_ru in text
    assert f"{VICTIM} — пострадавший" in text
    assert f"{PERPETRATOR} — предполагаемый исполнитель" in text
    assert f"{STAFF_PERSON} — упомянут в деле" in text
    shared = item_facts(tx_world, scene.shared_item)
    assert shared.original_sha256 in text and shared.working_sha256 in text
    assert [f["sha256"] for f in manifest["files"]] == [shared.working_sha256]
    hidden = item_facts(tx_world, scene.withheld_item)
    for absent in (WITNESS, HIDDEN_NAME, HIDDEN_ACCOUNT, hidden.original_sha256):
        assert absent not in text, absent
    flat = " ".join(text.split())
    assert "авторы которых не дали согласия на передачу вашему ведомству, не включены" in flat
    assert "лица в этот файл не включены" in flat
    assert traffic.foreign_requests() == []
