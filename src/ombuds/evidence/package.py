"""Evidence package export: a signed ZIP that a third party verifies without ombuds.

Contents: the working copies (and the originals if the exporter asks), ``manifest.json``
(hashes, sizes, parent links, names), ``custody.json`` (the chain of custody of every item,
this export included), ``manifest.sig`` (Ed25519 over the exact bytes of ``manifest.json``,
hex, by the install's audit signing key) and ``verify_package.py`` with a README giving the
command. See docs/evidence.md.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ombuds import crypto
from ombuds.audit import signing
from ombuds.casework.models import Case
from ombuds.casework.selectors import CaseKeys
from ombuds.intake.models import Complaint
from ombuds.staff.models import StaffUser

from . import files, selectors, services
from .models import CustodyEntry, EvidenceFile, EvidenceItem, FileRole
from .verify_package import CASE_FILE_FORMAT, FORMAT

README = """ombuds evidence package {package_id}

Verify it (Python 3.9+ with PyNaCl, or with cryptography):

    python3 verify_package.py {zip_name} --public-key {public_key}

Take the public key from the publisher by a channel you trust, not from this file: a forger
could sign a false package with a key of their own. The key printed above is the one that
signed this package.
"""

CASE_FILE_README = """ombuds: дело {package_id} / case file {package_id}

casefile.pdf — опись дела; files/ — файлы доказательств; manifest.json — их хеши, подписанные.
Проверка (Python 3.9+ и PyNaCl или cryptography) / To verify it:

    python3 verify_package.py {zip_name} --public-key {public_key}

Открытый ключ возьмите у издателя по каналу, которому доверяете, а не из этого файла.
Take the public key from the publisher by a channel you trust, not from this file: a forger
could sign a false package with a key of their own. The key printed above is the one that
signed this package.
"""

#: Makes the documents of a package (a case file's PDF) once the export's custody entries are
#: recorded, inside its transaction: given the package id and the custody log, it returns
#: (path, media type, bytes) for each, and writes its own audit entry, last. An exception
#: rolls the export back.
DocumentsHook = Callable[[uuid.UUID, list[CustodyEntry]], list[tuple[str, str, bytes]]]

# A fixed time for ZIP entries: the package's bytes depend on its content only.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _custody_json(entries: list[CustodyEntry]) -> bytes:
    rows = [
        {
            "item": str(e.item.public_id),
            "file": str(e.file.public_id) if e.file else None,
            "step": e.step,
            "at": e.at.isoformat(),
            "actor": e.actor_username or None,
            "agency": e.agency.slug if e.agency else None,
            "by_complainant": e.by_complainant,
            "note": e.note,
            "audit_seq": e.audit_seq,
        }
        for e in entries
    ]
    return json.dumps(rows, indent=1, ensure_ascii=False).encode("utf-8")


def evidence_export(
    *,
    user: StaffUser,
    complaint: Complaint,
    data_key: crypto.DataKey,
    include_originals: bool,
) -> tuple[str, bytes]:
    """Build and sign a package of all of a complaint's evidence; return (file name, ZIP bytes).

    Records an ``exported`` custody entry per item (and the audit entries) in the same
    transaction. Raises :class:`~ombuds.audit.signing.SigningKeyError` when the install has no
    signing key, and :class:`~ombuds.evidence.services.IntegrityError` if a stored file was
    changed; in both cases nothing is recorded.
    """
    items = list(EvidenceItem.objects.filter(complaint=complaint).select_related("complaint"))
    return _export(
        user=user,
        owner={"complaint": str(complaint.public_id)},
        items=[(item, data_key) for item in items],
        include_originals=include_originals,
    )


def case_evidence_export(
    *, user: StaffUser, case: Case, keys: CaseKeys, include_originals: bool
) -> tuple[str, bytes]:
    """Build and sign a package of the case's evidence that ``keys`` open (the items of
    compartments withheld from the exporter's agency are left out, as they cannot be read).

    Records and raises as :func:`evidence_export`.
    """
    items = list(
        EvidenceItem.objects.filter(case=case, compartment_id__in=list(keys.by_compartment))
        .select_related("case", "compartment")
        .order_by("pk")
    )
    return _export(
        user=user,
        owner={"case": str(case.public_id)},
        items=[
            (item, keys.by_compartment[item.compartment_id])
            for item in items
            if item.compartment_id is not None
        ],
        include_originals=include_originals,
    )


def _export(
    *,
    user: StaffUser,
    owner: dict[str, str],
    items: list[tuple[EvidenceItem, crypto.DataKey]],
    include_originals: bool,
    documents: DocumentsHook | None = None,
) -> tuple[str, bytes]:
    """Build and sign the ZIP. With ``documents`` (a case file), the package has the case-file
    format: the documents it makes are listed, with their hashes, in the signed manifest."""
    key = signing.load_signing_key()
    public_key = signing.public_key_hex(key.verify_key)
    package_id = uuid.uuid4()
    manifest_files: list[dict[str, object]] = []
    manifest_items: list[dict[str, object]] = []
    contents: list[tuple[str, bytes]] = []
    for item, data_key in items:
        file_key = services.file_key_of(item=item, data_key=data_key)
        facts = services.facts_of(item=item, file_key=file_key)
        by_role = {f.role: f for f in EvidenceFile.objects.filter(item=item).select_related("item")}
        original, working = by_role[FileRole.ORIGINAL], by_role[FileRole.WORKING]
        kind = files.Kind(item.kind)
        manifest_items.append(
            {
                "item": str(item.public_id),
                "name": facts.name,
                "kind": item.kind,
                "media_type": facts.media_type,
                "received_on": item.received_on.isoformat(),
                "by_complainant": item.by_complainant,
                "original_file": str(original.public_id),
                "original_sha256": facts.original_sha256,
                "original_size": facts.original_size,
                "original_included": include_originals,
                "working_file": str(working.public_id),
                "working_sha256": facts.working_sha256,
                "metadata_removed": facts.removed,
            }
        )
        chosen = [(working, facts.working_sha256)]
        if include_originals:
            chosen.insert(0, (original, facts.original_sha256))
        for file, expected in chosen:
            data = services.file_plaintext(file=file, file_key=file_key, expected_sha256=expected)
            path = f"files/{item.public_id}/{file.role}.{files.EXTENSIONS[kind][0]}"
            contents.append((path, data))
            manifest_files.append(
                {
                    "path": path,
                    "item": str(item.public_id),
                    "file": str(file.public_id),
                    "role": file.role,
                    "sha256": expected,
                    "size": len(data),
                    "parent": str(original.public_id) if file.role == FileRole.WORKING else None,
                    "parent_sha256": (
                        facts.original_sha256 if file.role == FileRole.WORKING else None
                    ),
                }
            )
    with transaction.atomic():
        exported = [item for item, _key in items]
        services.evidence_record_export(
            user=user, items=exported, package_id=package_id, originals=include_originals
        )
        log = selectors.custody_log(items=exported)
        custody = _custody_json(log)
        made = documents(package_id, log) if documents is not None else []
    manifest_documents = [
        {
            "path": path,
            "media_type": media_type,
            "sha256": services.sha256_hex(data),
            "size": len(data),
        }
        for path, media_type, data in made
    ]
    manifest = {
        "format": CASE_FILE_FORMAT if documents is not None else FORMAT,
        "package_id": str(package_id),
        "created_at": timezone.now().isoformat(),
        "exported_by": user.get_username(),
        "agency": user.agency.slug if user.agency else None,
        **owner,
        "signer_public_key": public_key,
        "hash": "sha256",
        "custody_log": {"path": "custody.json", "sha256": services.sha256_hex(custody)},
        "items": manifest_items,
        "files": manifest_files,
        **({"documents": manifest_documents} if documents is not None else {}),
    }
    manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
    signature = key.sign(manifest_bytes).signature.hex()
    zip_name = f"{'casefile' if documents is not None else 'evidence'}-{package_id}.zip"
    verifier = (Path(__file__).parent / "verify_package.py").read_bytes()
    readme = (CASE_FILE_README if documents is not None else README).format(
        package_id=package_id, zip_name=zip_name, public_key=public_key
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            ("manifest.json", manifest_bytes),
            ("manifest.sig", signature.encode("ascii") + b"\n"),
            ("custody.json", custody),
            ("verify_package.py", verifier),
            ("README.txt", readme.encode("utf-8")),
            *[(path, data) for path, _media_type, data in made],
            *contents,
        ]:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return zip_name, out.getvalue()
