"""``ombuds init``: create the keys of a new install and hand the escrow key to its keepers.

The escrow private key is shown as 33 words with a checksum (or split into shares with
``--escrow-shares N --escrow-threshold K``) and, on a terminal, typed back once from paper
before anything is created; ``--escrow-key-out FILE`` writes it to a new 0600 file instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds import crypto
from ombuds.audit.signing import ensure_signing_key, public_key_hex
from ombuds.staff import services
from ombuds.staff.escrow import (
    add_escrow_split_arguments,
    escrow_key_hand_over,
    escrow_key_out_check,
    escrow_split,
)
from ombuds.staff.models import Installation


class Command(BaseCommand):
    help = (
        "Create the keys of a new install. The escrow private key is shown once as 33 words "
        "(or shares) and typed back to confirm; keep it offline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_escrow_split_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if Installation.objects.exists():
            raise CommandError("this install already has its keys")
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
