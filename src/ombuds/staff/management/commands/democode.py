"""``ombuds democode USER``: print a demo member's current second-factor code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.staff.demo import demo_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo staff member (demo installs only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(demo_code(options["username"]))
        except (PermissionError, KeyError) as exc:
            raise CommandError(f"no demo code: {exc}") from exc
