"""Evidence fixtures: files made in code (benign and hostile) and a complaint with its key."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ombuds import crypto
from ombuds.audit import signing
from tests.conftest import submit_complaint

GPS = {1: "N", 2: (43.0, 19.0, 0.0), 3: "E", 4: (45.0, 41.0, 0.0)}


@pytest.fixture(autouse=True)
def signing_key_file(settings: Any, tmp_path: Path) -> Path:
    """Each test signs with its own key file, never the install's."""
    path = tmp_path / "audit-signing.key"
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(path)
    signing.ensure_signing_key()
    return path


def jpeg_with_gps(size: tuple[int, int] = (80, 60)) -> bytes:
    img = Image.new("RGB", size, (180, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Witness phone maker"  # Make
    exif[0x8825] = GPS  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 0)).save(out, format="PNG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30_000) -> bytes:
    """A ~100 KB PNG declaring side x side pixels of one colour (900 megapixels)."""
    row = b"\x00" + bytes((side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def pdf(*, javascript: bool = False, author: str = "Witness Name") -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.docinfo["/Author"] = author
    doc.docinfo["/Title"] = "Statement"
    with doc.open_metadata() as meta:
        meta["dc:creator"] = [author]
    if javascript:
        doc.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi')")
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def mp4_with_location() -> bytes:
    """A minimal ISO-BMFF file: ftyp, moov (mvhd, udta with a ©xyz location), mdat."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    mvhd = box(b"mvhd", bytes(4) + struct.pack(">II", 3_700_000_000, 3_700_000_001) + bytes(88))
    xyz = box(b"\xa9xyz", struct.pack(">HH", 17, 0) + b"+43.3189+045.6944/")
    moov = box(b"moov", mvhd + box(b"udta", xyz))
    return box(b"ftyp", b"isom" + bytes(4) + b"isommp41") + moov + box(b"mdat", b"\x00" * 64)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_nested(depth: int, container: bytes = b"moov") -> bytes:
    """An MP4 whose boxes nest ``depth`` deep: a movie box holding boxes of type
    ``container``, one inside another."""
    inner = b""
    for _ in range(depth - 1):
        inner = _box(container, inner)
    moov = _box(b"moov", inner)
    return _box(b"ftyp", b"isom" + bytes(4) + b"isommp41") + moov + _box(b"mdat", bytes(64))


def mp4_with_many_boxes(count: int) -> bytes:
    """An MP4 whose movie box holds ``count`` empty ``free`` boxes side by side."""
    moov = _box(b"moov", _box(b"free", b"") * count)
    return _box(b"ftyp", b"isom" + bytes(4) + b"isommp41") + moov + _box(b"mdat", bytes(64))


class RawUpload:
    """An upload whose name arrives untouched (Django's own classes strip paths first)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name: str | None = name
        self.size: int | None = len(data)
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)


def upload(data: bytes, name: str) -> RawUpload:
    return RawUpload(data, name)


def http_upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def file_complaint(**overrides: Any) -> tuple[Any, crypto.DataKey, str]:
    """A complaint filed through HTTP; returns (complaint, its data key, codename)."""
    from ombuds.intake.models import Complaint
    from ombuds.intake.services import complainant_unlock

    codename = submit_complaint(Client(), **overrides)
    found = complainant_unlock(codename=crypto.parse_codename(codename))
    assert found is not None
    public_id, data_key = found
    return Complaint.objects.get(public_id=public_id), data_key, codename
