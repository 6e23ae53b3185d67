"""The prosecutor's case file, through HTTP: one signed ZIP with casefile.pdf and the evidence.

The scene: the working group opens a case from two complaints. One (consent: the prosecutor's
office) names a victim, a witness and a perpetrator; the other (consent: nobody) names a person
and tells an account that must never reach the prosecutor. Staff add a person, an event with an
act whose victim is the first complaint's victim, a staff photo, and a photo filed under the
private complaint. The case is referred to the prosecutor's office, whose investigator exports
the case file, leaving out the witness. The archive is checked with the verifier it contains,
and the PDF's text (extracted with pypdf) is read for what must and must not be there.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ombuds.audit import signing
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.casework.models import Case, CaseRecord
from ombuds.casework.records import record_from_bytes
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.evidence import services
from ombuds.evidence.checks import case_file_font
from ombuds.evidence.models import CustodyEntry, CustodyStep, EvidenceItem
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in

from .conftest import http_upload, jpeg_with_gps, png, upload

pytestmark = pytest.mark.django_db

VICTIM = "Магомед Дудаев"
WITNESS = "Хава Свидетельница"
PERPETRATOR = "Капитан Петров"
STAFF_PERSON = "Ахмед Т."
HIDDEN_NAME = "Зелимхан Скрытый"
HIDDEN_ACCOUNT = "Этот рассказ не для прокуратуры"
EVENT = "Задержание на блокпосту"


@dataclass
class Scene:
    case: Case
    shared_item: EvidenceItem
    withheld_item: EvidenceItem
    witness_id: str


def _url(case: Case) -> str:
    return f"/en/staff/evidence/cases/{case.public_id}/casefile/"


@pytest.fixture
def scene(world: Any) -> Scene:
    return build_scene(world)


def build_scene(world: Any) -> Scene:
    """The scene of the module's docstring, made through HTTP (the browser test uses it too)."""
    officer = signed_in(world, "intake_officer")
    shared = file_complaint(
        "prosecutor",
        **{
            "person-0-name": VICTIM,
            "person-1-name": WITNESS,
            "person-1-age": "40",
            "person-1-sex": "f",
            "person-1-role": "witness",
            "person-2-name": PERPETRATOR,
            "person-2-sex": "m",
            "person-2-role": "perpetrator",
        },
    )
    private = file_complaint("none", account=HIDDEN_ACCOUNT, **{"person-0-name": HIDDEN_NAME})
    case = open_case(officer, shared, private)
    assert add_person(officer, case, STAFF_PERSON).status_code == 302
    keys = case_keys_for_agency(
        case=case,
        agency=world.agencies["working-group"],
        agency_private_key=world.agency_keys["working-group"],
    )
    victim = witness = None
    for row in CaseRecord.objects.filter(case=case, compartment_id__in=list(keys.by_compartment)):
        from ombuds import crypto

        rec = record_from_bytes(
            row.kind,
            crypto.decrypt(
                keys.by_compartment[row.compartment_id], bytes(row.ciphertext), aad=row.aad
            ),
        )
        if getattr(rec, "name", "") == VICTIM:
            victim = row
        if getattr(rec, "summary", "").startswith(WITNESS):
            witness = row
    assert victim is not None and witness is not None
    r = officer.post(
        case_url(case, "records/event/"),
        {
            "event-title": EVENT,
            "event-date_value": "14.11.2016",
            "event-date_precision": "day",
            "event-place": "Аргун",
            "event-act_type": "detention",
            "event-victim": str(victim.public_id),
            "event-start_value": "14.11.2016",
            "event-start_precision": "day",
            "event-end_precision": "unknown",
            "event-victim_status": "missing",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = officer.post(
        f"/en/staff/evidence/cases/{case.public_id}/",
        {"file": http_upload(jpeg_with_gps(), "checkpoint.jpg")},
    )
    assert r.status_code == 302
    shared_item = EvidenceItem.objects.get(case=case)
    withheld_item = services.evidence_attach_to_case(
        user=world.personas["intake_officer"].user,
        case=case,
        keys=keys,
        upload=upload(png(), "hidden-yard.png"),
        sources=[private],
    )
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    return Scene(case, shared_item, withheld_item, str(witness.public_id))


def item_facts(world: Any, item: EvidenceItem, slug: str = "working-group") -> services.Facts:
    keys = case_keys_for_agency(
        case=item.case, agency=world.agencies[slug], agency_private_key=world.agency_keys[slug]
    )
    key = keys.by_compartment[item.compartment_id]
    return services.facts_of(item=item, file_key=services.file_key_of(item=item, data_key=key))


def public_key() -> str:
    return signing.public_key_hex(signing.load_signing_key().verify_key)


def verify(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the verifier the archive carries with plain Python, as a recipient would."""
    script = tmp_path / "verify_package.py"
    with zipfile.ZipFile(path) as archive:
        script.write_bytes(archive.read("verify_package.py"))
    return subprocess.run(
        [sys.executable, "-I", str(script), str(path), "--public-key", public_key()],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _export(world: Any, scene: Scene, **data: Any) -> Any:
    return signed_in(world, "prosecutor").post(_url(scene.case), data)


def test_the_prosecutor_exports_a_case_file_that_verifies_offline(
    world: Any, scene: Scene, tmp_path: Path
) -> None:
    r = _export(world, scene, leave_out=[scene.witness_id])
    assert r.status_code == 200, r.content[:2000]
    assert r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"].startswith('attachment; filename="casefile-')
    path = tmp_path / "casefile.zip"
    path.write_bytes(r.content)
    result = verify(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: package ") and "casefile.pdf" in result.stdout

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        pdf = archive.read("casefile.pdf")
    assert manifest["format"] == "ombuds-case-file/1"
    assert manifest["case"] == str(scene.case.public_id)
    assert manifest["agency"] == "prosecutor"
    [document] = manifest["documents"]
    assert document["path"] == "casefile.pdf" and document["size"] == len(pdf)
    # Only the item the prosecutor's office may read: the working copy, no original unasked.
    assert [i["name"] for i in manifest["items"]] == ["checkpoint.jpg"]
    assert [f["role"] for f in manifest["files"]] == ["working"]
    assert not any("hidden-yard" in n or str(scene.withheld_item.public_id) in n for n in names)


def test_a_changed_pdf_or_a_changed_manifest_fails_the_check(
    world: Any, scene: Scene, tmp_path: Path
) -> None:
    r = _export(world, scene)
    assert r.status_code == 200, r.content.decode()[:3000]
    good = r.content
    for name, change in (
        # One byte of the PDF, its size unchanged: only the hash can tell.
        ("casefile.pdf", lambda b: b[:200] + bytes([b[200] ^ 1]) + b[201:]),
        ("manifest.json", lambda b: b.replace(b'"prosecutor"', b'"prosecutoR"', 1)),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                dst.writestr(info, change(data) if info.filename == name else data)
        path = tmp_path / f"tampered-{name}.zip"
        path.write_bytes(out.getvalue())
        result = verify(path, tmp_path)
        assert result.returncode == 1, (name, result.stdout)
        expected = "casefile.pdf: SHA-256 differs" if name == "casefile.pdf" else "signature"
        assert expected in result.stderr, (name, result.stderr)


def test_the_pdf_says_in_russian_what_the_prosecutor_may_read_and_nothing_else(
    world: Any, scene: Scene
) -> None:
    r = _export(world, scene, leave_out=[scene.witness_id])
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        text = pdf_text(archive.read("casefile.pdf"))
        manifest = json.loads(archive.read("manifest.json"))
    # The cover: the agency's name in Russian, the case's reference, dates and status.
    assert world.agencies["prosecutor"].name_ru in text
    assert str(scene.case.public_id) in text
    assert "Материалы дела" in text and "Передано в прокуратуру" in text
    assert f"Открыто: {scene.case.opened_on.isoformat()}" in text
    # Persons with their roles, as the prosecutor's office reads them.
    assert f"{VICTIM} — пострадавший" in text
    assert f"{PERPETRATOR} — предполагаемый исполнитель" in text
    assert f"{STAFF_PERSON} — упомянут в деле" in text
    # The event and its act, with the place and the dates.
    assert EVENT in text and "Аргун" in text and "2016-11-14" in text
    assert f"Пострадавший: {VICTIM}" in text
    # The evidence index: both hashes of the readable file, and its custody, this export too.
    facts = item_facts(world, scene.shared_item)
    assert facts.original_sha256 in text and facts.working_sha256 in text
    assert "Цепочка хранения" in text and "Выгружено" in text
    assert manifest["package_id"] in text
    # Nothing withheld by consent: not the name, not the account, not the file or its hashes.
    hidden = item_facts(world, scene.withheld_item)
    for absent in (HIDDEN_NAME, HIDDEN_ACCOUNT, "hidden-yard", hidden.original_sha256):
        assert absent not in text, absent
    assert (
        "Записи и файлы из жалоб, авторы которых не дали согласия на передачу вашему "
        "ведомству, не включены." in " ".join(text.split())
    )
    # The witness left out: absent, and the file says someone was left out, not whom.
    assert WITNESS not in text
    assert "некоторые упомянутые в деле лица в этот файл не включены" in " ".join(text.split())


def test_without_a_choice_the_witness_is_in_the_file_and_nothing_is_said_left_out(
    world: Any, scene: Scene
) -> None:
    r = _export(world, scene)
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        text = " ".join(pdf_text(archive.read("casefile.pdf")).split())
    assert f"{WITNESS}, 40 — свидетель" in text
    assert "не включены; где запись" not in text


def test_leaving_out_the_victim_says_left_out_where_the_act_names_them(
    world: Any, scene: Scene
) -> None:
    page = signed_in(world, "prosecutor").get(_url(scene.case)).content.decode()
    victim_id = next(
        value
        for value in __import__("re").findall(r'name="leave_out" value="([^"]+)"', page)
        if value != scene.witness_id
        and CaseRecord.objects.get(public_id=value).kind == "person"
        and VICTIM in page.split(f'value="{value}"', 1)[1][:200]
    )
    r = _export(world, scene, leave_out=[victim_id])
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        text = pdf_text(archive.read("casefile.pdf"))
    assert VICTIM not in text
    assert "Пострадавший: (не включено)" in text


def test_the_page_offers_the_persons_the_agency_reads_and_nobody_else(
    world: Any, scene: Scene
) -> None:
    r = signed_in(world, "prosecutor").get(_url(scene.case))
    assert r.status_code == 200
    page = r.content.decode()
    for name in (VICTIM, WITNESS, PERPETRATOR, STAFF_PERSON):
        assert name in page
    assert HIDDEN_NAME not in page
    case_page = signed_in(world, "prosecutor").get(case_url(scene.case)).content.decode()
    assert _url(scene.case) in case_page


def test_a_person_not_offered_is_refused_and_nothing_is_recorded(world: Any, scene: Scene) -> None:
    hidden = (
        CaseRecord.objects.filter(case=scene.case, kind="person", source_complaint__isnull=False)
        .exclude(compartment__grants__agency=world.agencies["prosecutor"])
        .first()
    )
    assert hidden is not None
    before = CustodyEntry.objects.filter(step=CustodyStep.EXPORTED).count()
    r = _export(world, scene, leave_out=[str(hidden.public_id)])
    assert r.status_code == 400
    assert CustodyEntry.objects.filter(step=CustodyStep.EXPORTED).count() == before


def test_the_export_is_audited_with_counts_and_no_content(world: Any, scene: Scene) -> None:
    r = _export(world, scene, leave_out=[scene.witness_id], include_originals="on")
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        pdf_hash = manifest["documents"][0]["sha256"]
    entry = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, subject=f"case:{scene.case.public_id}"
    ).get()
    assert entry.actor_username == "prosecutor"
    details = entry.details
    assert details["what"] == "case_file"
    assert details["package"] == manifest["package_id"]
    assert details["persons_left_out"] == 1 and details["items"] == 1
    assert details["originals"] is True and details["withheld"] is True
    assert details["pdf_sha256"] == pdf_hash
    flat = json.dumps(details, ensure_ascii=False)
    for content in (VICTIM, WITNESS, PERPETRATOR, HIDDEN_NAME, EVENT, "checkpoint"):
        assert content not in flat
    exported = CustodyEntry.objects.get(item=scene.shared_item, step=CustodyStep.EXPORTED)
    assert exported.note == f"package {manifest['package_id']} with originals"
    assert not CustodyEntry.objects.filter(
        item=scene.withheld_item, step=CustodyStep.EXPORTED
    ).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("analyst", 403), ("auditor", 403), ("liaison", 404)]
)
def test_who_may_not_export(world: Any, scene: Scene, persona: str, status: int) -> None:
    client = signed_in(world, persona)
    assert client.get(_url(scene.case)).status_code == status
    assert client.post(_url(scene.case), {}).status_code == status


def test_without_a_font_the_page_says_so_and_nothing_is_exported(
    world: Any, scene: Scene, settings: Any, tmp_path: Path
) -> None:
    settings.OMBUDS_PDF_FONT = str(tmp_path / "no-such-font.ttf")
    client = signed_in(world, "prosecutor")
    page = client.get(_url(scene.case)).content.decode()
    assert 'id="font-error"' in page and "OMBUDS_PDF_FONT" in page
    r = client.post(_url(scene.case), {})
    assert r.status_code == 500 and b"font-error" in r.content
    assert not CustodyEntry.objects.filter(step=CustodyStep.EXPORTED).exists()
    [warning] = case_file_font()
    assert warning.id == "ombuds.W101"
    # A font without Cyrillic is no better than none.
    latin_only = tmp_path / "latin.ttf"
    latin_only.write_bytes(b"not a font")
    settings.OMBUDS_PDF_FONT = str(latin_only)
    assert case_file_font()[0].id == "ombuds.W101"
    settings.OMBUDS_PDF_FONT = ""
    assert case_file_font() == []
