"""Writes about installs, agencies and staff accounts, with their key operations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record

from .keyring import password_cost
from .models import Agency, AgencyKeyGrant, AgencyKind, Installation, Role, StaffUser


class AlreadyInitialised(Exception):
    pass


@dataclass(frozen=True)
class NewInstall:
    installation: Installation
    escrow_private_key: crypto.PrivateKey


def install_initialise(*, demo: bool = False) -> NewInstall:
    """Create the keys of a new install. The escrow private key is returned, never stored."""
    if Installation.objects.exists():
        raise AlreadyInitialised("this install already has its keys")
    escrow = crypto.generate_keypair()
    with transaction.atomic():
        inst = Installation.objects.create(
            codename_key=crypto.new_install_key().reveal(),
            escrow_public_key=escrow.public_key,
            is_demo=demo,
        )
        audit_record(action=AuditAction.INSTALL_INITIALISED, details={"demo": demo})
    return NewInstall(inst, escrow.private_key)


def agency_create(
    *, slug: str, kind: AgencyKind, name_ru: str, name_en: str, receives_all: bool = False
) -> tuple[Agency, crypto.PrivateKey]:
    """A new agency with a fresh key pair; its private key is kept only sealed to escrow."""
    inst = Installation.current()
    keys = crypto.generate_keypair()
    with transaction.atomic():
        agency = Agency.objects.create(
            slug=slug,
            kind=kind,
            name_ru=name_ru,
            name_en=name_en,
            receives_all=receives_all,
            public_key=keys.public_key,
            escrow_wrapped=crypto.seal_private_key(bytes(inst.escrow_public_key), keys.private_key),
        )
        audit_record(action=AuditAction.KEY_CREATED, subject=f"agency:{slug}")
    return agency, keys.private_key


def staff_create(
    *,
    username: str,
    password: str,
    agency: Agency | None,
    role: Role,
    agency_private_key: crypto.PrivateKey | None,
    granted_by: StaffUser | None = None,
) -> StaffUser:
    """Create a staff member with a key pair under their password and sealed to escrow.

    With ``agency_private_key`` the member is granted their agency's key at once; without it
    they hold no agency key until someone who has it grants it.
    """
    inst = Installation.current()
    keys = crypto.generate_keypair()
    protected = crypto.protect_private_key(
        keys.private_key,
        password=password,
        escrow_public_key=bytes(inst.escrow_public_key),
        cost=password_cost(),
    )
    with transaction.atomic():
        user = StaffUser(
            username=username,
            agency=agency,
            role=role,
            is_staff=role == Role.ADMIN,
            is_superuser=False,
        )
        user.set_password(password)
        user.set_protected_key(protected)
        user.save()
        audit_record(
            action=AuditAction.STAFF_CREATED,
            actor=granted_by,
            subject=f"staff:{username}",
            details={"role": str(role), "agency": agency.slug if agency else ""},
        )
        if agency is not None and agency_private_key is not None:
            agency_grant_key(
                agency=agency,
                agency_private_key=agency_private_key,
                user=user,
                granted_by=granted_by,
            )
    return user


def agency_grant_key(
    *,
    agency: Agency,
    agency_private_key: crypto.PrivateKey,
    user: StaffUser,
    granted_by: StaffUser | None,
) -> AgencyKeyGrant:
    if crypto.public_key_of(agency_private_key) != bytes(agency.public_key):
        raise ValueError("that is not this agency's private key")
    with transaction.atomic():
        grant, _ = AgencyKeyGrant.objects.update_or_create(
            agency=agency,
            user=user,
            defaults={
                "sealed_private_key": crypto.seal_private_key(
                    bytes(user.public_key), agency_private_key
                )
            },
        )
        audit_record(
            action=AuditAction.KEY_GRANTED,
            actor=granted_by,
            subject=f"staff:{user.username}",
            details={"agency": agency.slug},
        )
    return grant


# --- sign-in --------------------------------------------------------------------------------


def sign_in_lock_seconds(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in a row: free at first, then doubling."""
    free = settings.OMBUDS_SIGN_IN_FREE_FAILURES
    if failures < free:
        return 0
    return int(min(settings.OMBUDS_SIGN_IN_MAX_LOCK_SECONDS, 2 ** (failures - free + 1)))


def sign_in_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def sign_in_failed(*, user: StaffUser | None, username: str, stage: str) -> None:
    with transaction.atomic():
        if user is not None:
            failures = user.failed_sign_ins + 1
            wait = sign_in_lock_seconds(failures)
            StaffUser.objects.filter(pk=user.pk).update(
                failed_sign_ins=failures,
                locked_until=timezone.now() + datetime.timedelta(seconds=wait) if wait else None,
            )
        # The typed name is logged only when it is an account: a password typed into the
        # user-name box must not end up in a log that can never be edited.
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            actor=user,
            subject=f"staff:{user.username}" if user is not None else "staff:?",
            details={"stage": stage, "known": user is not None},
        )


def sign_in_succeeded(*, user: StaffUser) -> None:
    with transaction.atomic():
        StaffUser.objects.filter(pk=user.pk).update(
            failed_sign_ins=0, locked_until=None, last_login=timezone.now()
        )
        audit_record(action=AuditAction.SIGN_IN, actor=user)


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(*, user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=settings.SITE_NAME or "ombuds"
    )


def totp_check(*, user: StaffUser, secret: str, code: str) -> bool:
    """Check a code, allowing one step of clock drift, and refuse a code already used."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + datetime.timedelta(seconds=30 * drift)
        step = totp.timecode(at)
        if step > user.totp_last_step and totp.verify(code, for_time=at, valid_window=0):
            # Conditional update: two concurrent uses of the same code cannot both succeed.
            return bool(
                StaffUser.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
                    totp_last_step=step
                )
            )
    return False


def totp_enrol(*, user: StaffUser, secret: str) -> None:
    """Store the confirmed TOTP secret sealed to the user's own public key."""
    with transaction.atomic():
        StaffUser.objects.filter(pk=user.pk).update(
            totp_sealed=crypto.seal(bytes(user.public_key), secret.encode()), totp_confirmed=True
        )
        audit_record(action=AuditAction.TOTP_ENROLLED, actor=user)


def totp_secret(*, user: StaffUser, private_key: crypto.PrivateKey) -> str:
    return crypto.unseal(private_key, bytes(user.totp_sealed)).decode()
