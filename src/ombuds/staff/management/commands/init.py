"""``ombuds init``: create the keys of a new install and show the escrow private key once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds.audit.signing import ensure_signing_key, public_key_hex
from ombuds.staff import services


class Command(BaseCommand):
    help = "Create the keys of a new install. Shows the escrow private key once; keep it offline."

    def handle(self, *args: Any, **options: Any) -> None:
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
