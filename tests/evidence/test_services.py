"""Receiving files: hashes, encryption, custody, refusals that lose nothing, and verify."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from ombuds import crypto
from ombuds.audit.models import AuditEntry, PendingAuditEntry
from ombuds.audit.services import audit_pending_flush
from ombuds.evidence import services
from ombuds.evidence.files import FileRefused
from ombuds.evidence.models import CustodyEntry, CustodyStep, EvidenceFile, EvidenceItem, FileRole
from ombuds.evidence.verification import evidence_verify

from .conftest import GPS, file_complaint, jpeg_with_gps, pdf, png_bomb, upload

pytestmark = pytest.mark.django_db


def _plaintexts(item: EvidenceItem, data_key: crypto.DataKey) -> dict[str, bytes]:
    file_key = services.file_key_of(item=item, data_key=data_key)
    return {
        f.role: crypto.decrypt(file_key, bytes(f.ciphertext), aad=f.aad)
        for f in EvidenceFile.objects.filter(item=item).select_related("item")
    }


def test_jpeg_with_gps_working_copy_has_none_original_keeps_it_both_hashed_and_linked(
    world: Any,
) -> None:
    complaint, data_key, _ = file_complaint()
    data = jpeg_with_gps()
    item = services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=upload(data, "IMG_0001.jpg"),
        by_complainant=True,
    )
    plain = _plaintexts(item, data_key)
    assert plain[FileRole.ORIGINAL] == data
    assert Image.open(io.BytesIO(plain[FileRole.ORIGINAL])).getexif().get_ifd(0x8825) == GPS
    assert dict(Image.open(io.BytesIO(plain[FileRole.WORKING])).getexif()) == {}

    file_key = services.file_key_of(item=item, data_key=data_key)
    facts = services.facts_of(item=item, file_key=file_key)
    assert facts.original_sha256 == services.sha256_hex(data)
    assert facts.working_sha256 == services.sha256_hex(plain[FileRole.WORKING])
    assert facts.name == "IMG_0001.jpg"
    original = item.files.get(role=FileRole.ORIGINAL)
    working = item.files.get(role=FileRole.WORKING)
    assert working.parent == original and original.parent is None

    steps = list(CustodyEntry.objects.filter(item=item).values_list("step", "file_id"))
    assert steps == [
        (CustodyStep.RECEIVED, original.pk),
        (CustodyStep.HASHED, original.pk),
        (CustodyStep.WORKING_COPY_MADE, working.pk),
    ]
    # The complainant's steps enter the audit chain after their day (shuffled), so their
    # custody rows name no seq; each has exactly one audit entry, pending until then.
    custody = list(CustodyEntry.objects.filter(item=item).select_related("file"))
    for entry in custody:
        assert entry.audit_seq is None
        pending = PendingAuditEntry.objects.get(
            subject=f"evidence:{item.public_id}", details__step=entry.step
        )
        assert pending.details["file"] == str(entry.file.public_id)
    audit_pending_flush(today=custody[0].at.date() + dt.timedelta(days=1))
    for entry in custody:
        audit = AuditEntry.objects.get(
            subject=f"evidence:{item.public_id}", details__step=entry.step
        )
        assert audit.details["file"] == str(entry.file.public_id)
        assert entry.by_complainant and entry.at.hour == 0 and entry.at.minute == 0
        assert audit.created_at == entry.at


def test_nothing_in_the_database_holds_the_plaintext_name_hash_or_gps(world: Any) -> None:
    complaint, data_key, _ = file_complaint()
    data = jpeg_with_gps()
    item = services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=upload(data, "beaten-brother.jpg"),
        by_complainant=True,
    )
    plain_hash = services.sha256_hex(data)
    rows = [bytes(item.sealed_facts), bytes(item.wrapped_file_key)]
    rows += [bytes(f.ciphertext) + f.ciphertext_sha256.encode() for f in item.files.all()]
    rows += [repr(e.details).encode() for e in AuditEntry.objects.all()]
    rows += [repr(e.details).encode() for e in PendingAuditEntry.objects.all()]
    rows += [e.note.encode() for e in CustodyEntry.objects.all()]
    for row in rows:
        assert b"beaten-brother" not in row and plain_hash.encode() not in row
        assert b"Witness phone maker" not in row


def _counts() -> tuple[int, int, int, int]:
    return (
        EvidenceItem.objects.count(),
        EvidenceFile.objects.count(),
        AuditEntry.objects.count(),
        PendingAuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (png_bomb(), "bomb.png", "enormous"),
        (pdf(javascript=True), "report.pdf", "scripts"),
        (jpeg_with_gps(), "../../../etc/cron.d/x.jpg", "folder path"),
        (jpeg_with_gps()[:300], "cut.jpg", "incomplete"),
        (jpeg_with_gps(), "statement.pdf", "content is JPEG"),
    ],
    ids=["bomb", "pdf-javascript", "path-traversal", "truncated", "name-mismatch"],
)
def test_hostile_files_are_refused_and_nothing_else_is_lost(
    world: Any, data: bytes, name: str, message: str
) -> None:
    complaint, data_key, _ = file_complaint()
    kept = services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=upload(jpeg_with_gps(), "a.jpg"),
        by_complainant=True,
    )
    before = _counts()
    with pytest.raises(FileRefused, match=message):
        services.evidence_attach(
            complaint=complaint, data_key=data_key, upload=upload(data, name), by_complainant=True
        )
    assert _counts() == before
    assert _plaintexts(kept, data_key)[FileRole.ORIGINAL] == jpeg_with_gps()
    assert evidence_verify().ok


def test_files_per_complaint_are_limited(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_ITEMS_PER_COMPLAINT", 2)
    complaint, data_key, _ = file_complaint()
    for i in range(2):
        services.evidence_attach(
            complaint=complaint,
            data_key=data_key,
            upload=upload(jpeg_with_gps(), f"{i}.jpg"),
            by_complainant=True,
        )
    with pytest.raises(FileRefused, match="already has 2 files"):
        services.evidence_attach(
            complaint=complaint,
            data_key=data_key,
            upload=upload(jpeg_with_gps(), "3.jpg"),
            by_complainant=True,
        )


# --- verify --------------------------------------------------------------------------------


@pytest.fixture
def stored(world: Any) -> tuple[EvidenceItem, crypto.DataKey]:
    complaint, data_key, _ = file_complaint()
    item = services.evidence_attach(
        complaint=complaint,
        data_key=data_key,
        upload=upload(pdf(), "statement.pdf"),
        by_complainant=False,
        actor=world.personas["intake_officer"].user,
    )
    return item, data_key


def _flip_a_byte(file: EvidenceFile, *, rehash: bool = False) -> None:
    data = bytearray(bytes(file.ciphertext))
    data[len(data) // 2] ^= 0x01
    fields: dict[str, Any] = {"ciphertext": bytes(data)}
    if rehash:  # an attacker who also rewrites the recorded hash
        fields["ciphertext_sha256"] = services.sha256_hex(bytes(data))
    EvidenceFile.objects.filter(pk=file.pk).update(**fields)


def _escrow_file(world: Any, tmp_path: Path) -> Path:
    path = tmp_path / "escrow.key"
    path.write_text(world.escrow_private_key.reveal().hex())
    return path


def test_verify_passes_on_untouched_evidence_with_and_without_the_escrow_key(
    world: Any, stored: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("evidence", "verify")
    assert "OK: 2 stored files checked" in capsys.readouterr().out
    call_command("evidence", "verify", "--escrow-key-file", str(_escrow_file(world, tmp_path)))
    assert "2 decrypted and re-hashed" in capsys.readouterr().out


@pytest.mark.parametrize("role", [FileRole.ORIGINAL, FileRole.WORKING])
def test_a_changed_evidence_byte_is_detected(stored: Any, role: FileRole) -> None:
    item, _ = stored
    _flip_a_byte(item.files.get(role=role))
    report = evidence_verify()
    assert not report.ok
    assert report.problems == [
        f"evidence {item.public_id} {role}: stored bytes differ from the hash at arrival"
    ]
    with pytest.raises(CommandError, match="1 problems"):
        call_command("evidence", "verify")


def test_a_changed_byte_with_a_rewritten_hash_is_still_detected(
    world: Any, stored: Any, tmp_path: Path
) -> None:
    item, _ = stored
    _flip_a_byte(item.files.get(role=FileRole.ORIGINAL), rehash=True)
    problems = evidence_verify().problems
    assert problems == [
        f"evidence {item.public_id} original: recorded hash differs from the audit log"
    ]
    escrow = crypto.PrivateKey(bytes.fromhex(_escrow_file(world, tmp_path).read_text()))
    problems = evidence_verify(escrow_key=escrow).problems
    assert f"original of {item.public_id}: does not decrypt" in " ".join(problems)


def test_a_changed_byte_is_refused_at_download(world: Any, stored: Any) -> None:
    item, data_key = stored
    _flip_a_byte(item.files.get(role=FileRole.WORKING))
    with pytest.raises(services.IntegrityError):
        services.evidence_download(
            user=world.personas["intake_officer"].user,
            item=item,
            data_key=data_key,
            role=FileRole.WORKING,
        )


def test_custody_entries_cannot_be_changed_or_deleted(stored: Any) -> None:
    from ombuds.audit.models import AppendOnlyError

    item, _ = stored
    entry = CustodyEntry.objects.filter(item=item).first()
    assert entry is not None
    entry.note = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        CustodyEntry.objects.filter(item=item).delete()


def test_escrow_verification_still_decrypts_evidence_filed_before_an_agency_key_rotation(
    world: Any, stored: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ombuds.staff.models import Agency
    from ombuds.staff.services import agency_key_rotate

    for agency in Agency.objects.all():
        agency_key_rotate(agency=agency, actor=None)
    call_command("evidence", "verify", "--escrow-key-file", str(_escrow_file(world, tmp_path)))
    assert "2 decrypted and re-hashed" in capsys.readouterr().out
