"""``ombuds init``: create the keys of a new install and hand the escrow key to its keepers.

The escrow private key is shown as 33 words with a checksum (or split into shares with
``--escrow-shares N --escrow-threshold K``) and, on a terminal, typed back once from paper
before anything is created; ``--escrow-key-out FILE`` writes it to a new 0600 file instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds import crypto
from ombuds.audit.selectors import audit_checkpoint_digest
from ombuds.audit.services import audit_checkpoint_create
from ombuds.audit.signing import ensure_signing_key, public_key_hex
from ombuds.staff import services
from ombuds.staff.agencies import (
    DEFAULT_AGENCIES,
    AgencyFileError,
    AgencySpec,
    agencies_create,
    agency_specs_from_file,
)
from ombuds.staff.escrow import (
    add_escrow_split_arguments,
    escrow_key_hand_over,
    escrow_key_out_check,
    escrow_split,
)
from ombuds.staff.models import Installation


class Command(BaseCommand):
    help = (
        "Create the keys of a new install and its agencies (the default three, or those of "
        "--agencies FILE). The escrow private key is shown once as 33 words (or shares) and "
        "typed back to confirm; keep it offline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_escrow_split_arguments(parser)
        parser.add_argument(
            "--agencies",
            metavar="FILE",
            help="TOML file of [[agency]] tables (docs/staff.md); default: working group, "
            "prosecutor's office, interior ministry",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Installation.objects.exists():
            raise CommandError("this install already has its keys")
        specs = self._agency_specs(options["agencies"])
        split = escrow_split(options)
        escrow_key_out_check(options["escrow_key_out"])
        # Made and confirmed before anything is stored: a key nobody wrote down correctly
        # must not become the install's.
        escrow = crypto.generate_keypair()
        escrow_key_hand_over(
            escrow.private_key, split=split, out=options["escrow_key_out"], stdout=self.stdout
        )
        try:
            services.install_initialise(escrow=escrow)
        except services.AlreadyInitialised as exc:
            raise CommandError(str(exc)) from exc
        verify_key = ensure_signing_key()
        self.stdout.write(f"Audit checkpoint public key (publish it): {public_key_hex(verify_key)}")
        self._create_agencies(specs)
        # The log's first anchor: a signed checkpoint over everything init recorded. Its
        # digest goes on paper beside the escrow key (docs/audit.md, "Anchoring").
        checkpoint = audit_checkpoint_create()
        self.stdout.write(audit_checkpoint_digest(checkpoint).report(checkpoint.public_key))
        self.stdout.write(
            "Next: add a first member of each agency with "
            "`ombuds staff add USER --agency SLUG --role ROLE --escrow-key-file FILE`"
        )

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
