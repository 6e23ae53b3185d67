"""What a file is, whether it is safe to keep, and its working copy: bytes in, bytes out.

No Django and no disk: every function takes the file's bytes (already in memory, see
``FILE_UPLOAD_HANDLERS``) and returns bytes or a :class:`FileRefused` with a message fit to
show to the person who sent the file. Types are recognised by their content (magic bytes and
a full parse), never by their name; the name only has to agree with the content.

The working copy is made for sharing: images are decoded and re-encoded by Pillow (which drops
EXIF, GPS, XMP, IPTC, comments and anything hidden after the image), PDFs lose their document
information and XMP, MP4s have their metadata boxes blanked in place, text is normalised to
UTF-8. The original is never changed: it is kept, encrypted, as the evidential copy.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

if TYPE_CHECKING:
    import pikepdf

MB: Final = 1024 * 1024


class Kind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    PDF = "pdf"
    TEXT = "text"
    MP4 = "mp4"


MEDIA_TYPES: Final = {
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
    Kind.WEBP: "image/webp",
    Kind.PDF: "application/pdf",
    Kind.TEXT: "text/plain; charset=utf-8",
    Kind.MP4: "video/mp4",
}
EXTENSIONS: Final = {
    Kind.JPEG: ("jpg", "jpeg", "jpe", "jfif"),
    Kind.PNG: ("png",),
    Kind.WEBP: ("webp",),
    Kind.PDF: ("pdf",),
    Kind.TEXT: ("txt", "text", "md", "csv", "log"),
    Kind.MP4: ("mp4", "m4v", "mov"),
}
#: Size limits, stated on the upload pages. Requests are capped at 20 MB before this.
MAX_BYTES: Final = {
    Kind.JPEG: 20 * MB,
    Kind.PNG: 20 * MB,
    Kind.WEBP: 20 * MB,
    Kind.PDF: 20 * MB,
    Kind.TEXT: 2 * MB,
    Kind.MP4: 20 * MB,
}
#: Decoded size limit for images: 40 megapixels (a 7,700 x 5,200 photo). Larger is a bomb.
MAX_PIXELS: Final = 40_000_000
MAX_PDF_PAGES: Final = 2_000
MAX_PDF_OBJECTS: Final = 200_000
MAX_NAME: Final = 120


class FileRefused(Exception):
    """The file is not kept. ``str(exc)`` is a plain message for the sender."""


@dataclass(frozen=True)
class Prepared:
    """A file that passed every check, and its working copy."""

    kind: Kind
    original: bytes
    working: bytes
    #: What the working copy lost, in words, for the custody log ("EXIF, GPS, XMP, IPTC").
    removed: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


# --- names ----------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(name: str) -> str:
    """The display name to keep: never used as a path, never trusted for the type.

    Raises :class:`FileRefused` for a name that tries to be a path (separators, ``..``, also
    percent-encoded), or carries control or text-direction characters (``evil\u202egpj.exe``).
    """
    decoded = unquote(name)
    if any(sep in decoded for sep in ("/", "\\")) or ".." in decoded or ":" in decoded:
        raise FileRefused("The file name must not contain a folder path. Rename the file.")
    if _UNSAFE_NAME.search(decoded):
        raise FileRefused("The file name contains control characters. Rename the file.")
    cleaned = unicodedata.normalize("NFC", decoded).strip().lstrip(".")
    if len(cleaned) > MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME - 10] + dot + ext[:8]) if dot else cleaned[:MAX_NAME]
    return cleaned or "evidence"


def extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def download_name(display_name: str, kind: Kind, *, suffix: str = "") -> str:
    """An ASCII-safe file name for Content-Disposition and ZIP entries."""
    stem = display_name.rsplit(".", 1)[0] if extension(display_name) else display_name
    ascii_stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:60] or "evidence"
    return f"{ascii_stem}{suffix}.{EXTENSIONS[kind][0]}"


# --- recognising content --------------------------------------------------------------------

_MP4_BRANDS: Final = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ",
     b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"MSNV", b"mmp4"}
)  # fmt: skip


def detect(data: bytes) -> Kind:
    """The kind of ``data`` by its leading bytes. Raises :class:`FileRefused`."""
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind.WEBP
    if data.startswith(b"%PDF-"):
        return Kind.PDF
    if data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return Kind.MP4
    if _looks_like_text(data):
        return Kind.TEXT
    raise FileRefused(
        "This kind of file cannot be received. Send a photo (JPEG, PNG, WebP), a PDF, "
        "a plain text file or an MP4 video."
    )


def _looks_like_text(data: bytes) -> bool:
    try:
        decode_text(data)
    except FileRefused:
        return False
    return True


_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1251")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _TEXT_CONTROLS.search(text):
            break  # binary data that happens to decode
        return text
    raise FileRefused("This text file is not in a known encoding (UTF-8 or Windows-1251).")


# --- polyglots ------------------------------------------------------------------------------

#: Markers of another format inside a file: a file that is two things at once (a JPEG that is
#: also a PDF, an HTML page or a ZIP) is refused whatever its first bytes say.
_FOREIGN_MARKERS: Final = (b"%pdf-", b"<script", b"<html", b"<?php", b"<svg", b"<iframe")
_ZIP_END: Final = b"PK\x05\x06"


def check_polyglot(data: bytes, kind: Kind) -> None:
    lowered = data.lower()
    for marker in _FOREIGN_MARKERS:
        if marker == b"%pdf-" and kind is Kind.PDF:
            if lowered.find(marker, 1) != -1:
                raise FileRefused("This PDF contains a second PDF inside it and was refused.")
            continue
        if marker in lowered:
            raise FileRefused(
                "This file also contains another kind of document (a web page, a script or a "
                "PDF) hidden inside it, and was refused."
            )
    # A ZIP is read from its end record, which sits in the last 64 KiB: that is where a
    # ZIP polyglot must put it.
    if _ZIP_END in data[-(65_536 + 22) :]:
        raise FileRefused("This file also contains a ZIP archive and was refused.")


#: What parsers raise on malformed input; a hostile file must end in a refusal, never a crash.
_PARSER_ERRORS: Final = (OSError, SyntaxError, ValueError, struct.error, EOFError, KeyError,
                         IndexError, TypeError, ZeroDivisionError, RuntimeError)  # fmt: skip


# --- images ---------------------------------------------------------------------------------

# Pillow's JPEG opener also reads MPO (multi-picture JPEGs from phones): the first picture.
_PIL_FORMATS: Final = {Kind.JPEG: ("JPEG",), Kind.PNG: ("PNG",), Kind.WEBP: ("WEBP",)}


def _image_working_copy(data: bytes, kind: Kind) -> bytes:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: make every warning a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_PIL_FORMATS[kind])) as img:
                width, height = img.size
                if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                    raise FileRefused(
                        f"This image declares {width} x {height} pixels, more than the limit "
                        f"of {MAX_PIXELS // 1_000_000} megapixels, and was refused."
                    )
                img.load()
                upright = ImageOps.exif_transpose(img)
                out = io.BytesIO()
                if kind is Kind.JPEG:
                    rgb = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
                    rgb.save(out, format="JPEG", quality=95, subsampling=0, optimize=True)
                elif kind is Kind.PNG:
                    extra = {}
                    if "transparency" in upright.info:
                        extra["transparency"] = upright.info["transparency"]
                    upright.save(out, format="PNG", optimize=False, **extra)
                else:
                    upright.save(out, format="WEBP", lossless=True)
                return out.getvalue()
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRefused(
            "This image would expand to an enormous size when opened and was refused."
        ) from exc
    except _PARSER_ERRORS as exc:
        raise FileRefused(
            "This image is damaged or incomplete (perhaps the upload was cut off) and could "
            "not be opened."
        ) from exc


# --- PDF ------------------------------------------------------------------------------------

#: Keys and action types that make a PDF do things when opened: refused outright.
_ACTIVE_KEYS: Final = ("/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile",
                       "/EmbeddedFiles", "/RichMedia", "/XFA", "/GoToE")  # fmt: skip
_ACTIVE_ACTIONS: Final = ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE",
                          "/RichMediaExecute", "/Rendition", "/Sound", "/Movie")  # fmt: skip


def _pdf_working_copy(data: bytes) -> bytes:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise FileRefused(
            "Password-protected PDFs cannot be checked. Send it unprotected."
        ) from exc
    except (pikepdf.PdfError, *_PARSER_ERRORS) as exc:
        raise FileRefused("This PDF is damaged and could not be opened.") from exc
    try:
        with pdf:
            return _pdf_clean(pdf)
    except FileRefused:
        raise
    except (pikepdf.PdfError, *_PARSER_ERRORS) as exc:
        raise FileRefused("This PDF is damaged and could not be read.") from exc


def _pdf_clean(pdf: pikepdf.Pdf) -> bytes:
    import pikepdf

    if len(pdf.pages) > MAX_PDF_PAGES or len(pdf.objects) > MAX_PDF_OBJECTS:
        raise FileRefused(
            f"This PDF is too large (more than {MAX_PDF_PAGES} pages or {MAX_PDF_OBJECTS} objects)."
        )
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        keys = set(obj.keys())
        action = obj.get("/S")
        if keys.intersection(_ACTIVE_KEYS) or (
            isinstance(action, pikepdf.Name) and str(action) in _ACTIVE_ACTIONS
        ):
            raise FileRefused(
                "This PDF contains scripts, automatic actions or embedded files, which are "
                "not accepted. Print it to a new PDF and send that."
            )
    # Metadata: document information, XMP (catalogue, pages, images) and editors' data.
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in ("/Metadata", "/PieceInfo"):
                if key in obj:
                    del obj[key]
    if "/Metadata" in pdf.Root:
        del pdf.Root["/Metadata"]
    out = io.BytesIO()
    # No stream is decoded (a flate bomb inside a stream stays compressed and unread).
    pdf.save(
        out,
        encryption=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        recompress_flate=False,
        deterministic_id=True,
        fix_metadata_version=False,
    )
    return out.getvalue()


# --- MP4 ------------------------------------------------------------------------------------

_MP4_TOP: Final = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid",
                             b"meta", b"udta", b"pdin", b"moof", b"mfra", b"sidx", b"styp",
                             b"emsg", b"prft"})  # fmt: skip
#: Boxes that carry metadata (GPS in ``udta/©xyz`` and Apple's ``meta`` keys, XMP in ``uuid``).
_MP4_METADATA: Final = frozenset({b"udta", b"meta", b"uuid"})
_MP4_CONTAINERS: Final = frozenset({b"moov", b"trak", b"mdia"})
_MP4_TIMES: Final = frozenset({b"mvhd", b"tkhd", b"mdhd"})


#: Real videos nest boxes four deep (``moov/trak/mdia/mdhd``); a few more levels are allowed
#: for odd but harmless writers. Deeper nesting is refused, never followed (3,000 nested
#: ``moov`` boxes once exhausted Python's recursion limit: a 500 and nothing saved).
MAX_MP4_DEPTH: Final = 8
#: A phone's video has a few dozen boxes in its movie header. A 20 MB file of empty 8-byte
#: boxes holds 2.6 million (half a minute and half a gigabyte to list): refused early.
MAX_MP4_BOXES: Final = 100_000


def _mp4_boxes(
    data: bytes | bytearray, start: int, end: int, *, budget: list[int]
) -> list[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) of the boxes in ``data[start:end]``.

    ``budget`` holds how many more boxes the whole file may have; each box listed takes one.
    The loop always advances by at least a header, so it ends; the budget bounds its cost.
    """
    boxes = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise FileRefused("This video file is damaged (a box is cut off).")
        budget[0] -= 1
        if budget[0] < 0:
            raise FileRefused("This video file has too many parts to check and was refused.")
        size, box_type = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if end - pos < 16:
                raise FileRefused("This video file is damaged (a box is cut off).")
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise FileRefused("This video file is damaged or has data appended to it.")
        boxes.append((box_type, pos, pos + header, pos + size))
        pos += size
    return boxes


def _mp4_working_copy(data: bytes) -> bytes:
    """Blank metadata boxes in place (renamed ``free``, zero-filled) and zero the creation
    and modification times. Sizes and offsets are unchanged, so the video plays as before
    and no sample table needs rewriting; nothing else is touched.

    Containers are walked with an explicit stack, not recursion, at most
    :data:`MAX_MP4_DEPTH` deep and :data:`MAX_MP4_BOXES` boxes in all.
    """
    budget = [MAX_MP4_BOXES]
    top = _mp4_boxes(data, 0, len(data), budget=budget)
    types = [t for t, *_ in top]
    if types[0] != b"ftyp" or b"moov" not in types:
        raise FileRefused("This video file is incomplete (no movie header).")
    if any(t not in _MP4_TOP for t in types):
        raise FileRefused("This video file contains unexpected data and was refused.")
    out = bytearray(data)
    pending: list[tuple[int, list[tuple[bytes, int, int, int]]]] = [(1, top)]
    while pending:
        depth, boxes = pending.pop()
        if boxes and depth > MAX_MP4_DEPTH:
            raise FileRefused(
                "This video file is damaged (its parts are nested too deeply) and was refused."
            )
        for box_type, start, payload, end in boxes:
            if box_type in _MP4_METADATA:
                out[start + 4 : start + 8] = b"free"
                out[payload:end] = bytes(end - payload)
            elif box_type in _MP4_CONTAINERS:
                pending.append((depth + 1, _mp4_boxes(out, payload, end, budget=budget)))
            elif box_type in _MP4_TIMES and end - payload >= 20:
                width = 8 if out[payload] == 1 else 4
                out[payload + 4 : payload + 4 + 2 * width] = bytes(2 * width)
    return bytes(out)


# --- the whole check ------------------------------------------------------------------------


def prepare(data: bytes, name: str) -> Prepared:
    """Check a received file and make its working copy. Raises :class:`FileRefused`.

    Order matters: the cheap checks (size, type, name, polyglot markers) come before any
    parser sees the bytes.
    """
    if not data:
        raise FileRefused("The file is empty.")
    kind = detect(data)
    if len(data) > MAX_BYTES[kind]:
        raise FileRefused(
            f"This file is larger than the limit of {MAX_BYTES[kind] // MB} MB for its type."
        )
    ext = extension(name)
    if ext and ext not in EXTENSIONS[kind]:
        raise FileRefused(
            f"The file's name ends in .{ext[:10]} but its content is {kind.value.upper()}. "
            "Rename it to match its content, or send the right file."
        )
    check_polyglot(data, kind)
    if kind in _PIL_FORMATS:
        return Prepared(kind, data, _image_working_copy(data, kind), "EXIF, GPS, XMP, IPTC")
    if kind is Kind.PDF:
        return Prepared(kind, data, _pdf_working_copy(data), "document information, XMP")
    if kind is Kind.MP4:
        return Prepared(kind, data, _mp4_working_copy(data), "udta, meta, XMP, times")
    text = unicodedata.normalize("NFC", decode_text(data)).replace("\r\n", "\n")
    return Prepared(kind, data, text.encode("utf-8"), "encoding normalised to UTF-8")
