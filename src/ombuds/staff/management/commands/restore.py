"""``ombuds restore IN --identity FILE``: restore a backup into an empty install.

The database (``DATABASE_URL``, or the SQLite file in the data folder) must hold no data and
the data folder no audit signing key. Everything is decrypted and checked before anything is
replaced. ``--identity -`` reads the age identity from standard input, so it need not touch
the server's disk. On PostgreSQL, run as the owner role, then ``grants.sql`` (docs/deploy.md).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds.staff.backup import BackupError, backup_restore, identities_parse


class Command(BaseCommand):
    help = "Restore an `ombuds backup` archive into an empty install (new database and folder)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="the archive `ombuds backup` wrote")
        parser.add_argument(
            "--identity",
            "-i",
            required=True,
            metavar="FILE",
            help="the age identity file (AGE-SECRET-KEY-1...) or ssh private key; - for stdin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["identity"]
        try:
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the identity file {source}: {exc}") from exc
        try:
            identities = identities_parse(text, source=source)
            manifest = backup_restore(archive=options["archive"], identities=identities)
        except BackupError as exc:
            raise CommandError(f"not restored: {exc}") from exc
        self.stdout.write(
            f"restored: the backup of {manifest['created_on']} (ombuds "
            f"{manifest['ombuds_version']}, {manifest['database']}, "
            f"{len(manifest['files']) - 1} files). Next: `ombuds audit verify` and "
            "`ombuds evidence verify`."
        )
