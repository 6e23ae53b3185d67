"""``ombuds evidence``: check stored evidence and exported packages.

* ``ombuds evidence verify [--escrow-key-file FILE ...]`` - re-hash every stored file (and,
  with the escrow key as hex, words or shares, every decrypted original and working copy);
  exit 1 naming each problem.
* ``ombuds evidence verify-package FILE.zip --public-key HEX`` - the check a third party runs
  with ``verify_package.py`` from the package; the same code.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds.evidence.verification import evidence_verify
from ombuds.evidence.verify_package import PackageInvalid, verify_package
from ombuds.staff.escrow import add_escrow_key_argument, escrow_key_read


class Command(BaseCommand):
    help = "Verify stored evidence hashes and exported evidence packages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="re-check every stored evidence hash")
        add_escrow_key_argument(verify, help_suffix=": also re-hash the plaintext")
        package = sub.add_parser("verify-package", help="verify an exported evidence package")
        package.add_argument("package", type=Path)
        package.add_argument("--public-key", required=True, help="the signer's key (hex)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify-package":
            try:
                manifest = verify_package(str(options["package"]), options["public_key"])
            except (PackageInvalid, KeyError, TypeError, ValueError) as exc:
                raise CommandError(f"INVALID: {exc}") from exc
            self.stdout.write(
                f"OK: package {manifest['package_id']}, {len(manifest['files'])} files"
            )
            return
        escrow = None
        if options["escrow_key_file"]:
            escrow = escrow_key_read(files=options["escrow_key_file"], stdout=self.stdout)
        report = evidence_verify(escrow_key=escrow)
        for problem in report.problems:
            self.stderr.write(problem)
        summary = f"{report.files_checked} stored files checked" + (
            f", {report.plaintext_checked} decrypted and re-hashed" if escrow else ""
        )
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problems; {summary}")
        self.stdout.write(f"OK: {summary}")
