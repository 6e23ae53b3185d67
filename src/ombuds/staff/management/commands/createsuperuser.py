"""Django's ``createsuperuser``, refused: it would make an account without keys or a second
factor, which cannot sign in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Refused in ombuds: use `ombuds staff add USER --role admin`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "createsuperuser would make an account without keys or a second factor. Use "
            "`ombuds staff add USER --role admin` (an administrator), or `ombuds staff add USER "
            "--agency SLUG --role ROLE (--granted-by USER | --escrow-key-file FILE)`."
        )
