"""``ombuds backup OUT --recipient AGE_PUBLIC_KEY [...] [--recipients-file FILE]``.

Writes one archive, encrypted in the age format to every recipient, of the database (a
consistent dump) and the data folder's secrets (docs/deploy.md, "Backups and restore").
Refuses to write over an existing file. Audited (``backup_created``), without content.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds.staff.backup import BackupError, backup_create, recipients_parse


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (age format) of the database and the data folder's "
        "secrets; restore it with `ombuds restore`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out", type=Path, help="the archive to write (must not exist)")
        parser.add_argument(
            "--recipient",
            "-r",
            action="append",
            default=[],
            metavar="AGE_PUBLIC_KEY",
            help="encrypt to this age public key (age1...) or ssh public key; repeatable",
        )
        parser.add_argument(
            "--recipients-file",
            "-R",
            action="append",
            default=[],
            metavar="FILE",
            help="a file of recipients, one a line (# comments), as age reads them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            recipients = recipients_parse(options["recipient"], options["recipients_file"])
            result = backup_create(out=options["out"], recipients=recipients)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = len(result.manifest["files"])
        self.stdout.write(
            f"backup written: {result.path} ({result.manifest['database']} database and "
            f"{files - 1} files, to {len(recipients)} recipients)\n"
            f"SHA-256 {result.archive_sha256} (keep it apart from the archive; check it "
            "before a restore)"
        )
