"""What the staff and agency commands share: reading passwords and keys, and finding rows.

Every failure becomes a :class:`CommandError` with a sentence for the operator, never a
traceback.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence

from django.core.management.base import CommandError, OutputWrapper

from ombuds import crypto

from .keyring import agency_private_key, agency_private_key_from_escrow
from .models import Agency, AgencyKeyGrant, StaffUser


class Passwords:
    """Passwords from standard input (one a line) when it is not a terminal, else prompted.

    A new password typed at a terminal is asked twice.
    """

    def __init__(self) -> None:
        self._lines: list[str] | None = None
        if not sys.stdin.isatty():
            self._lines = [line.rstrip("\r\n") for line in sys.stdin]

    def _next(self, prompt: str) -> str:
        if self._lines is None:
            return getpass.getpass(prompt)
        if not self._lines:
            raise CommandError(f"standard input ended before: {prompt.strip(': ')}")
        return self._lines.pop(0)

    def new(self, whose: str) -> str:
        password = self._next(f"New password for {whose}: ")
        if self._lines is None and getpass.getpass("The same again: ") != password:
            raise CommandError("the two passwords differ")
        return password

    def existing(self, whose: str) -> str:
        return self._next(f"Password of {whose}: ")


def agency_by_slug(slug: str) -> Agency:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        known = ", ".join(Agency.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"no agency {slug!r} (agencies: {known})")
    return agency


def staff_by_name(username: str) -> StaffUser:
    user = StaffUser.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no staff member {username!r}")
    return user


def escrow_key_from_files(paths: Sequence[str]) -> crypto.PrivateKey:
    """The escrow private key from its files (hex, the words, or K shares, one file a trustee),
    checked against this install's public half (``staff.escrow.escrow_key_read``)."""
    from .escrow import escrow_key_read

    return escrow_key_read(files=paths, stdout=OutputWrapper(sys.stdout))


def agency_key_via(
    agency: Agency,
    *,
    granted_by: str | None,
    escrow_key_file: Sequence[str] | None,
    passwords: Passwords,
) -> tuple[crypto.PrivateKey, StaffUser | None]:
    """The agency's key (with its retired ones): from a member who holds it (their password
    is asked) or recovered with the escrow key. Returns the key and the granting member."""
    if escrow_key_file:
        escrow = escrow_key_from_files(escrow_key_file)
        try:
            return agency_private_key_from_escrow(agency=agency, escrow_private_key=escrow), None
        except crypto.DecryptionFailed as exc:
            raise CommandError(f"the escrow key does not open the key of {agency.slug}") from exc
    if not granted_by:
        raise CommandError("give --granted-by USER or --escrow-key-file FILE")
    grantor = staff_by_name(granted_by)
    if not grantor.is_active:
        raise CommandError(f"{granted_by} is deactivated")
    if grantor.agency_id != agency.pk:
        raise CommandError(
            f"{granted_by} is not a member of {agency.slug}: only a member of an agency grants "
            "its key"
        )
    try:
        user_key = crypto.unlock_private_key(
            grantor.protected_key(), passwords.existing(granted_by)
        )
        return agency_private_key(user=grantor, user_key=user_key, agency=agency), grantor
    except crypto.WrongPassword as exc:
        raise CommandError(f"wrong password for {granted_by}") from exc
    except AgencyKeyGrant.DoesNotExist as exc:
        raise CommandError(f"{granted_by} does not hold the key of {agency.slug}") from exc
