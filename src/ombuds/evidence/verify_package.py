#!/usr/bin/env python3
"""Verify an ombuds evidence package without ombuds: Python 3.9+ and PyNaCl (or cryptography).

    python3 verify_package.py PACKAGE.zip --public-key HEX

HEX is the install's published signing key (``ombuds audit public-key``), obtained from the
publisher by a channel you trust, *not* from the package itself. The script checks that:

1. ``manifest.json`` carries a valid Ed25519 signature (``manifest.sig``, hex) by that key;
2. every file the manifest lists is in the ZIP with exactly the SHA-256 and size it states;
3. the custody log (``custody.json``) has the hash the manifest states;
4. each working copy names its original (parent) and that original's hash;
5. a case file's documents (``casefile.pdf``) have exactly the SHA-256 and size it states;
6. the ZIP holds nothing the manifest does not list.

Exit status 0 and "OK" when all hold; 1 and the first failure otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from typing import Any

FORMAT = "ombuds-evidence-package/1"
#: A case file: an evidence package of a case with its documents (the PDF) listed too.
CASE_FILE_FORMAT = "ombuds-case-file/1"
FIXED_ENTRIES = {"manifest.json", "manifest.sig", "custody.json", "verify_package.py", "README.txt"}


class PackageInvalid(Exception):
    pass


def _verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    try:
        from nacl.exceptions import BadSignatureError
        from nacl.signing import VerifyKey

        try:
            VerifyKey(public_key).verify(message, signature)
        except BadSignatureError as exc:
            raise PackageInvalid("the manifest's signature is not valid for this key") from exc
        return
    except ImportError:
        pass
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature as exc:
        raise PackageInvalid("the manifest's signature is not valid for this key") from exc


def verify_package(path: str, public_key_hex: str) -> dict[str, Any]:
    """Check a package; return its manifest. Raises :class:`PackageInvalid`."""
    try:
        public_key = bytes.fromhex(public_key_hex.strip())
    except ValueError as exc:
        raise PackageInvalid("the public key must be 64 hex digits") from exc
    if len(public_key) != 32:
        raise PackageInvalid("the public key must be 64 hex digits")
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageInvalid(f"not a readable ZIP file: {exc}") from exc
    with archive:
        names = archive.namelist()
        if len(names) != len(set(names)):
            raise PackageInvalid("the ZIP holds two entries with the same name")
        for required in ("manifest.json", "manifest.sig", "custody.json"):
            if required not in names:
                raise PackageInvalid(f"{required} is missing")
        manifest_bytes = archive.read("manifest.json")
        try:
            signature = bytes.fromhex(archive.read("manifest.sig").decode("ascii").strip())
        except (UnicodeDecodeError, ValueError) as exc:
            raise PackageInvalid("manifest.sig is not a hex signature") from exc
        _verify_signature(public_key, manifest_bytes, signature)
        manifest: dict[str, Any] = json.loads(manifest_bytes)
        if manifest.get("format") not in (FORMAT, CASE_FILE_FORMAT):
            raise PackageInvalid(f"unknown package format {manifest.get('format')!r}")
        custody = manifest["custody_log"]
        if hashlib.sha256(archive.read("custody.json")).hexdigest() != custody["sha256"]:
            raise PackageInvalid("custody.json differs from the hash in the manifest")
        listed = set()
        originals = {}
        for item in manifest["items"]:
            originals[item["original_file"]] = item["original_sha256"]
        for entry in manifest["files"]:
            name = entry["path"]
            listed.add(name)
            if name not in names:
                raise PackageInvalid(f"{name} is listed in the manifest but missing")
            data = archive.read(name)
            if len(data) != entry["size"]:
                raise PackageInvalid(f"{name}: size {len(data)} differs from {entry['size']}")
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise PackageInvalid(f"{name}: SHA-256 differs from the manifest")
            if entry["role"] == "working":
                if originals.get(entry["parent"]) != entry["parent_sha256"]:
                    raise PackageInvalid(f"{name}: its parent (original) is not as listed")
            elif originals.get(entry["file"]) != entry["sha256"]:
                raise PackageInvalid(f"{name}: not the original the manifest names")
        documents = manifest.get("documents", [])
        if manifest["format"] == CASE_FILE_FORMAT and not documents:
            raise PackageInvalid("a case file's manifest lists no document")
        for entry in documents:
            name = entry["path"]
            if name in listed:
                raise PackageInvalid(f"{name} is listed twice in the manifest")
            listed.add(name)
            if name not in names:
                raise PackageInvalid(f"{name} is listed in the manifest but missing")
            data = archive.read(name)
            if len(data) != entry["size"]:
                raise PackageInvalid(f"{name}: size {len(data)} differs from {entry['size']}")
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise PackageInvalid(f"{name}: SHA-256 differs from the manifest")
        extra = set(names) - listed - FIXED_ENTRIES
        if extra:
            raise PackageInvalid(f"the ZIP holds files the manifest does not list: {sorted(extra)}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an ombuds evidence package.")
    parser.add_argument("package", help="the .zip file")
    parser.add_argument("--public-key", required=True, help="the publisher's Ed25519 key (hex)")
    args = parser.parse_args(argv)
    try:
        manifest = verify_package(args.package, args.public_key)
    except (PackageInvalid, KeyError, TypeError, ValueError) as exc:
        print(f"INVALID: {exc}", file=sys.stderr)
        return 1
    print(
        f"OK: package {manifest['package_id']}, {len(manifest['files'])} files"
        f"{''.join(', ' + d['path'] for d in manifest.get('documents', []))}, "
        f"signed by {args.public_key.strip().lower()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
