"""``ombuds createstaff``: the former name of ``ombuds staff add``, kept for existing scripts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ombuds.staff.escrow import add_escrow_key_argument

from .staff import ROLES
from .staff import Command as StaffCommand


class Command(BaseCommand):
    help = "Same as `ombuds staff add` (kept for existing scripts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", help="agency slug (not needed for an administrator)")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--granted-by")
        add_escrow_key_argument(parser)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="accepted for old scripts: passwords are read from standard input whenever "
            "it is not a terminal",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        command = StaffCommand()
        command.stdout, command.stderr = self.stdout, self.stderr
        command.handle(action="add", **options)
