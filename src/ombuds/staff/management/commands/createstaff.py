"""``ombuds createstaff``: add a staff member and grant their agency's key."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds import crypto
from ombuds.staff import services
from ombuds.staff.escrow import add_escrow_key_argument, escrow_key_read
from ombuds.staff.keyring import agency_private_key
from ombuds.staff.models import Agency, Role, StaffUser


class Command(BaseCommand):
    help = (
        "Create a staff member. Their agency's key is granted by an existing member "
        "(--granted-by, asks for that member's password) "
        "or with the escrow key (--escrow-key-file)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="agency slug")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--granted-by", help="user name of a member who holds the agency key")
        add_escrow_key_argument(parser)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the new password (and the grantor's) from stdin lines",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"no agency {options['agency']!r}")
        lines: list[str] = []
        if options["password_stdin"]:
            import sys

            lines = [line.rstrip("\n") for line in sys.stdin]

        def ask(prompt: str) -> str:
            return lines.pop(0) if lines else getpass.getpass(prompt)

        password = ask("New member's password: ")
        if len(password) < 12:
            raise CommandError("the password must have at least 12 characters")
        grantor: StaffUser | None = None
        if options["escrow_key_file"]:
            escrow = escrow_key_read(files=options["escrow_key_file"], stdout=self.stdout)
            agency_key = crypto.unseal_private_key(escrow, bytes(agency.escrow_wrapped))
        elif options["granted_by"]:
            grantor = StaffUser.objects.filter(username=options["granted_by"]).first()
            if grantor is None:
                raise CommandError(f"no staff member {options['granted_by']!r}")
            try:
                key = crypto.unlock_private_key(
                    grantor.protected_key(), ask("Grantor's password: ")
                )
                agency_key = agency_private_key(user=grantor, user_key=key, agency=agency)
            except crypto.WrongPassword as exc:
                raise CommandError("wrong password for the grantor") from exc
        else:
            raise CommandError("give --granted-by or --escrow-key-file")
        user = services.staff_create(
            username=options["username"],
            password=password,
            agency=agency,
            role=Role(options["role"]),
            agency_private_key=agency_key,
            granted_by=grantor,
        )
        self.stdout.write(
            f"created {user.username} ({user.role}) in {agency.slug}; "
            "the second factor is enrolled at first sign-in"
        )
