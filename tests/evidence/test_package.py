"""Export packages, verified by the command a third party runs without ombuds."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from ombuds.audit import signing
from ombuds.evidence import services
from ombuds.evidence.models import CustodyEntry, CustodyStep

from .conftest import file_complaint, jpeg_with_gps, pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(world: Any, tmp_path: Path) -> tuple[Path, str]:
    complaint, data_key, _ = file_complaint()
    for data, name in ((jpeg_with_gps(), "photo.jpg"), (pdf(), "statement.pdf")):
        services.evidence_attach(
            complaint=complaint, data_key=data_key, upload=upload(data, name), by_complainant=True
        )
    client = world.client_for("intake_officer")
    r = client.post(
        f"/en/staff/evidence/complaints/{complaint.public_id}/export/", {"include_originals": "on"}
    )
    assert r.status_code == 200
    path = tmp_path / "package.zip"
    path.write_bytes(r.content)
    return path, signing.public_key_hex(signing.load_signing_key().verify_key)


def _run_embedded_verifier(
    path: Path, key: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Extract verify_package.py from the ZIP and run it with plain Python, as a third party."""
    script = tmp_path / "verify_package.py"
    with zipfile.ZipFile(path) as archive:
        script.write_bytes(archive.read("verify_package.py"))
    return subprocess.run(
        [sys.executable, "-I", str(script), str(path), "--public-key", key],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def test_exported_package_verifies_with_the_documented_command(
    package: tuple[Path, str], tmp_path: Path
) -> None:
    path, key = package
    result = _run_embedded_verifier(path, key, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: package ") and "4 files" in result.stdout


def test_package_holds_hashes_parent_links_and_the_custody_log(package: tuple[Path, str]) -> None:
    path, _ = package
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        custody = json.loads(archive.read("custody.json"))
        photo = next(i for i in manifest["items"] if i["name"] == "photo.jpg")
        assert photo["original_sha256"] == services.sha256_hex(jpeg_with_gps())
        original = archive.read(f"files/{photo['item']}/original.jpg")
        working = archive.read(f"files/{photo['item']}/working.jpg")
    assert original == jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    assert dict(Image.open(io.BytesIO(working)).getexif()) == {}
    working_entry = next(f for f in manifest["files"] if f["path"].endswith("working.jpg"))
    assert working_entry["parent"] == photo["original_file"]
    assert working_entry["parent_sha256"] == photo["original_sha256"]
    steps = [c["step"] for c in custody if c["item"] == photo["item"]]
    assert steps == ["received", "hashed", "working_copy_made", "exported"]
    assert CustodyEntry.objects.filter(step=CustodyStep.EXPORTED).count() == 2


def _rewrite(path: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    entries.update(change)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_a_changed_file_in_the_package_is_detected(
    package: tuple[Path, str], tmp_path: Path
) -> None:
    path, key = package
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith("original.pdf"))
        data = bytearray(archive.read(name))
    data[20] ^= 0x01
    _rewrite(path, {name: bytes(data)})
    result = _run_embedded_verifier(path, key, tmp_path)
    assert result.returncode == 1 and "SHA-256 differs" in result.stderr


def test_a_changed_manifest_or_custody_log_is_detected(
    package: tuple[Path, str], tmp_path: Path
) -> None:
    path, key = package
    with zipfile.ZipFile(path) as archive:
        custody = archive.read("custody.json")
    _rewrite(path, {"custody.json": custody.replace(b"intake_officer", b"someone_else__")})
    result = _run_embedded_verifier(path, key, tmp_path)
    assert result.returncode == 1 and "custody.json differs" in result.stderr
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.json")
    _rewrite(path, {"manifest.json": manifest.replace(b"photo.jpg", b"fotos.jpg")})
    result = _run_embedded_verifier(path, key, tmp_path)
    assert result.returncode == 1 and "signature is not valid" in result.stderr


def test_a_package_signed_by_another_key_is_refused(
    package: tuple[Path, str], tmp_path: Path
) -> None:
    from nacl.signing import SigningKey

    path, _ = package
    other = bytes(SigningKey.generate().verify_key).hex()
    result = _run_embedded_verifier(path, other, tmp_path)
    assert result.returncode == 1


def test_ombuds_verify_package_command_agrees(
    package: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, key = package
    call_command("evidence", "verify-package", str(path), "--public-key", key)
    assert "OK: package" in capsys.readouterr().out
    _rewrite(path, {"extra.exe": b"MZ"})
    with pytest.raises(CommandError, match="does not list"):
        call_command("evidence", "verify-package", str(path), "--public-key", key)
