"""``ombuds init``: create the keys of a new install and show the escrow private key once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.audit.signing import ensure_signing_key, public_key_hex
from ombuds.staff import services
from ombuds.staff.agencies import (
    DEFAULT_AGENCIES,
    AgencyFileError,
    AgencySpec,
    agencies_create,
    agency_specs_from_file,
)


class Command(BaseCommand):
    help = (
        "Create the keys of a new install and its agencies (the default three, or those of "
        "--agencies FILE). Shows the escrow private key once; keep it offline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agencies",
            metavar="FILE",
            help="TOML file of [[agency]] tables (docs/staff.md); default: working group, "
            "prosecutor's office, interior ministry",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        specs = self._agency_specs(options["agencies"])
        try:
            new = services.install_initialise()
        except services.AlreadyInitialised as exc:
            raise CommandError(str(exc)) from exc
        verify_key = ensure_signing_key()
        self.stdout.write(
            "ESCROW PRIVATE KEY (shown once; store it offline, e.g. on paper in a safe):\n"
            f"  {new.escrow_private_key.reveal().hex()}\n"
            "Only its public half is kept on this server. With it, a lost staff password or a\n"
            "departed member's agency key can be recovered.\n"
            f"Audit checkpoint public key (publish it): {public_key_hex(verify_key)}"
        )
        self._create_agencies(specs)

    def _agency_specs(self, path: str | None) -> tuple[AgencySpec, ...]:
        """Checked before any key is made, so a bad file leaves the install untouched."""
        if path is None:
            return DEFAULT_AGENCIES
        try:
            return agency_specs_from_file(Path(path))
        except AgencyFileError as exc:
            raise CommandError(str(exc)) from exc

    def _create_agencies(self, specs: tuple[AgencySpec, ...]) -> None:
        try:
            agencies = agencies_create(specs)
        except services.StaffError as exc:
            raise CommandError(str(exc)) from exc
        for agency in agencies:
            self.stdout.write(f"agency {agency.slug}: {agency.name_en} / {agency.name_ru}")
        self.stdout.write(
            "Next: add a first member of each agency with\n"
            "  ombuds staff add USER --agency SLUG --role ROLE --escrow-key-file FILE"
        )
