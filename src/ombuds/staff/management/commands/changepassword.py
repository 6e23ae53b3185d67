"""Django's ``changepassword``, refused: it would change the sign-in password but not re-wrap
the member's private key, leaving an account that cannot unlock its keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Refused in ombuds: use `ombuds staff reset USER` (or the staff site's password page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--database")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "changepassword would not re-wrap the member's keys. Use `ombuds staff reset USER` "
            "(a new password and second factor), or a member changes their own password on "
            "the staff site's account page."
        )
