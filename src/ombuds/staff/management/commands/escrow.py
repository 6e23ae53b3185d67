"""``ombuds escrow``: the offline escrow key.

* ``ombuds escrow rotate [--escrow-key-file FILE ...] [--escrow-key-out FILE]
  [--escrow-shares N --escrow-threshold K]`` - replace the escrow key: takes the current one
  (file(s) or typed), hands the new one over as ``init`` does (shown and typed back, or
  written to a new 0600 file), then re-seals every staff and agency key to it (one
  transaction, audit entry ``escrow_key_rotated``). The old key opens nothing stored after.
* ``ombuds escrow check [--escrow-key-file FILE ...]`` - a drill: do the trustees' copies
  (the words, the hex, or enough shares) still give this install's key? Logged
  (``escrow_key_checked``); changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds import crypto
from ombuds.staff import services
from ombuds.staff.escrow import (
    add_escrow_key_argument,
    add_escrow_split_arguments,
    escrow_key_hand_over,
    escrow_key_out_check,
    escrow_key_read,
    escrow_split,
)
from ombuds.staff.models import Installation


class Command(BaseCommand):
    help = "Replace (rotate) or check the offline escrow key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        rotate = sub.add_parser(
            "rotate", help="replace the escrow key; every staff and agency key is re-sealed"
        )
        add_escrow_key_argument(rotate, help_suffix=" (the current key)")
        add_escrow_split_arguments(rotate)
        check = sub.add_parser("check", help="check that the trustees' copies give the key")
        add_escrow_key_argument(check)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            inst = Installation.current()
        except Installation.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        if options["subcommand"] == "check":
            escrow_key_read(files=options["escrow_key_file"], stdout=self.stdout)
            services.escrow_key_checked()
            self.stdout.write(
                "This is the install's escrow key "
                f"({crypto.escrow_fingerprint(bytes(inst.escrow_public_key))})."
            )
            return
        split = escrow_split(options)
        escrow_key_out_check(options["escrow_key_out"])
        old = escrow_key_read(files=options["escrow_key_file"], stdout=self.stdout)
        new = crypto.generate_keypair()
        escrow_key_hand_over(
            new.private_key, split=split, out=options["escrow_key_out"], stdout=self.stdout
        )
        try:
            rotation = services.escrow_rotate(
                escrow_private_key=old, new_escrow_public_key=new.public_key
            )
        except services.EscrowRotationError as exc:
            raise CommandError(
                f"escrow key not replaced: {exc}. Nothing was changed; destroy the new key "
                "just handed over, it protects nothing."
            ) from exc
        counts = ", ".join(f"{n} {label}" for label, n in rotation.resealed.items())
        self.stdout.write(
            f"Escrow key replaced: {crypto.escrow_fingerprint(rotation.old_public_key)} -> "
            f"{crypto.escrow_fingerprint(rotation.new_public_key)}; re-sealed {counts}. "
            "Destroy every copy of the old key and its shares."
        )
