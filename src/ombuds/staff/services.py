"""Writes about installs, agencies and staff accounts, with their key operations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ombuds import crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record

from .keyring import password_cost
from .models import (
    Agency,
    AgencyKeyGrant,
    AgencyKind,
    AgencyPastKey,
    AgencyPastKeyGrant,
    Installation,
    Role,
    StaffUser,
)


class AlreadyInitialised(Exception):
    pass


class StaffError(ValueError):
    """A refused change to agencies or staff, with a message fit to show the operator."""


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
    *,
    slug: str,
    kind: AgencyKind,
    name_ru: str,
    name_en: str,
    receives_all: bool = False,
    offered_for_consent: bool = True,
    retention_days: int = 730,
    consent_note_ru: str = "",
    consent_note_en: str = "",
    actor: StaffUser | None = None,
) -> tuple[Agency, crypto.PrivateKey]:
    """A new agency with a fresh key pair; its private key is kept only sealed to escrow.

    The private key is returned for the caller to grant to a first member, and then dropped.
    Raises :class:`StaffError` if the slug is taken or not a slug.
    """
    if not slug or not slug.replace("-", "").replace("_", "").isalnum() or not slug.isascii():
        raise StaffError(f"{slug!r} is not a slug (letters, digits, - and _)")
    if Agency.objects.filter(slug=slug).exists():
        raise StaffError(f"there is already an agency {slug!r}")
    if not name_ru.strip() or not name_en.strip():
        raise StaffError("an agency needs a Russian and an English name")
    if retention_days < 1:
        raise StaffError("the retention period must be at least one day")
    inst = Installation.current()
    keys = crypto.generate_keypair()
    with transaction.atomic():
        agency = Agency.objects.create(
            slug=slug,
            kind=kind,
            name_ru=name_ru,
            name_en=name_en,
            receives_all=receives_all,
            offered_for_consent=offered_for_consent and not receives_all,
            retention_days=retention_days,
            consent_note_ru=consent_note_ru,
            consent_note_en=consent_note_en,
            public_key=keys.public_key,
            escrow_wrapped=crypto.seal_private_key(bytes(inst.escrow_public_key), keys.private_key),
        )
        audit_record(action=AuditAction.KEY_CREATED, actor=actor, subject=f"agency:{slug}")
    return agency, keys.private_key


#: What an administrator may change about an agency (not its slug, kind or keys).
AGENCY_EDITABLE = (
    "name_ru",
    "name_en",
    "retention_days",
    "offered_for_consent",
    "consent_note_ru",
    "consent_note_en",
)


def agency_edit(*, agency: Agency, actor: StaffUser | None, **changes: str | int | bool) -> Agency:
    """Change an agency's names, retention period or consent choice; audit names the fields.

    Raises :class:`StaffError` for a field that may not be changed or an empty name.
    """
    unknown = set(changes) - set(AGENCY_EDITABLE)
    if unknown:
        raise StaffError(f"cannot change {', '.join(sorted(unknown))} of an agency")
    for name in ("name_ru", "name_en"):
        if name in changes and not str(changes[name]).strip():
            raise StaffError("an agency needs a Russian and an English name")
    if "retention_days" in changes and int(changes["retention_days"]) < 1:
        raise StaffError("the retention period must be at least one day")
    changed = sorted(k for k, v in changes.items() if getattr(agency, k) != v)
    if not changed:
        return agency
    with transaction.atomic():
        for key in changed:
            setattr(agency, key, changes[key])
        if agency.receives_all:
            agency.offered_for_consent = False
        agency.save(update_fields=changed)
        audit_record(
            action=AuditAction.CONFIG_CHANGED,
            actor=actor,
            subject=f"agency:{agency.slug}",
            details={"fields": ",".join(changed)},
        )
    return agency


def password_check(*, password: str, username: str) -> None:
    """Django's password validators (length, common passwords, likeness to the name).

    Every path that sets a staff password calls it. Raises :class:`StaffError`.
    """
    try:
        validate_password(password, user=StaffUser(username=username))
    except ValidationError as exc:
        raise StaffError(" ".join(str(m) for m in exc.messages)) from exc


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
    they hold no agency key until someone who has it grants it. An administrator without an
    agency holds none. Raises :class:`StaffError` for a taken name, a weak password, a missing
    agency or a key of another agency.
    """
    if StaffUser.objects.filter(username__iexact=username).exists():
        raise StaffError(f"there is already a staff member {username!r}")
    if agency is None and role != Role.ADMIN:
        raise StaffError("every member but an administrator belongs to an agency")
    if (
        agency is not None
        and agency_private_key is not None
        and crypto.public_key_of(agency_private_key) != bytes(agency.public_key)
    ):
        raise StaffError(f"that key is not the key of {agency.slug!r}")
    password_check(password=password, username=username)
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
    """Seal the agency's current key, and every retired one the caller holds, to ``user``.

    Raises :class:`StaffError` if the key is not the agency's, or ``user`` is inactive or a
    member of another agency (no cross-agency grants).
    """
    if crypto.public_key_of(agency_private_key) != bytes(agency.public_key):
        raise StaffError(f"that key is not the key of {agency.slug!r}")
    if user.agency_id != agency.pk:
        raise StaffError(f"{user.username} is not a member of {agency.slug!r}")
    if not user.is_active:
        raise StaffError(f"{user.username} is deactivated")
    earlier = (
        agency_private_key.earlier
        if isinstance(agency_private_key, crypto.RotatedPrivateKey)
        else ()
    )
    past_keys = {bytes(p.public_key): p for p in AgencyPastKey.objects.filter(agency=agency)}
    with transaction.atomic():
        for key in earlier:
            past = past_keys.get(crypto.public_key_of(key))
            if past is not None:
                AgencyPastKeyGrant.objects.update_or_create(
                    past_key=past,
                    user=user,
                    defaults={
                        "sealed_private_key": crypto.seal_private_key(bytes(user.public_key), key)
                    },
                )
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


# --- staff over time ------------------------------------------------------------------------


def staff_password_change(*, user: StaffUser, old_password: str, new_password: str) -> None:
    """A member changes their own password: the same private key, re-wrapped under the new one.

    Grants stay valid (they are sealed to the unchanged public key). Raises
    :class:`crypto.WrongPassword` for a wrong old password and :class:`StaffError` for a
    weak new one.
    """
    key = crypto.unlock_private_key(user.protected_key(), old_password)
    password_check(password=new_password, username=user.username)
    inst = Installation.current()
    protected = crypto.protect_private_key(
        key,
        password=new_password,
        escrow_public_key=bytes(inst.escrow_public_key),
        cost=password_cost(),
    )
    with transaction.atomic():
        user.set_password(new_password)
        user.set_protected_key(protected)
        user.save()
        audit_record(
            action=AuditAction.PASSWORD_CHANGED, actor=user, subject=f"staff:{user.username}"
        )


def staff_set_role(*, user: StaffUser, role: Role, actor: StaffUser | None) -> None:
    """Change a member's role (what their pages allow; their keys stay as they are)."""
    if user.role == role:
        return
    with transaction.atomic():
        old = user.role
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.save(update_fields=["role", "is_staff"])
        audit_record(
            action=AuditAction.STAFF_CHANGED,
            actor=actor,
            subject=f"staff:{user.username}",
            details={"role": str(role), "was": str(old)},
        )


def staff_deactivate(*, user: StaffUser, actor: StaffUser | None) -> None:
    """Remove a member: no sign-in, no grants, and their agency's key rotated.

    After this, the departed member's password and any later copy of the database open
    nothing filed afterwards (threat model 12; decision 0005). Raises :class:`StaffError`
    if the member is already inactive or is the one acting.
    """
    if not user.is_active:
        raise StaffError(f"{user.username} is already deactivated")
    if actor is not None and actor.pk == user.pk:
        raise StaffError("you cannot deactivate yourself")
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action=AuditAction.STAFF_DEACTIVATED, actor=actor, subject=f"staff:{user.username}"
        )
        _revoke_and_rotate(user=user, actor=actor)


def _revoke_and_rotate(*, user: StaffUser, actor: StaffUser | None) -> None:
    """Delete the member's grants, then rotate each agency key they held (in the caller's
    transaction)."""
    agencies = list(Agency.objects.filter(key_grants__user=user).distinct())
    past = AgencyPastKeyGrant.objects.filter(user=user)
    if agencies or past.exists():
        AgencyKeyGrant.objects.filter(user=user).delete()
        past.delete()
        audit_record(action=AuditAction.KEY_REVOKED, actor=actor, subject=f"staff:{user.username}")
    for agency in agencies:
        agency_key_rotate(agency=agency, actor=actor)


def agency_key_rotate(*, agency: Agency, actor: StaffUser | None) -> None:
    """Give the agency a new key pair, needing no private key (decision 0005).

    The new private key is sealed to escrow and to every member holding the current key; the
    current key is retired (:class:`AgencyPastKey`) and each holder's grant of it kept as a
    past grant, so material sealed before stays readable. Whatever is sealed to the agency
    afterwards is sealed to the new public key only.
    """
    inst = Installation.current()
    keys = crypto.generate_keypair()
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        past = AgencyPastKey.objects.create(
            agency=agency,
            public_key=bytes(agency.public_key),
            escrow_wrapped=bytes(agency.escrow_wrapped),
        )
        for grant in AgencyKeyGrant.objects.filter(agency=agency).select_related("user"):
            AgencyPastKeyGrant.objects.create(
                past_key=past, user=grant.user, sealed_private_key=bytes(grant.sealed_private_key)
            )
            grant.sealed_private_key = crypto.seal_private_key(
                bytes(grant.user.public_key), keys.private_key
            )
            grant.save(update_fields=["sealed_private_key"])
        agency.public_key = keys.public_key
        agency.escrow_wrapped = crypto.seal_private_key(
            bytes(inst.escrow_public_key), keys.private_key
        )
        agency.save(update_fields=["public_key", "escrow_wrapped"])
        audit_record(
            action=AuditAction.KEY_CREATED,
            actor=actor,
            subject=f"agency:{agency.slug}",
            details={"rotated": True},
        )


def staff_reset(
    *,
    user: StaffUser,
    new_password: str,
    actor: StaffUser | None,
    escrow_private_key: crypto.PrivateKey | None = None,
    agency_private_key: crypto.PrivateKey | None = None,
) -> None:
    """A new password and a fresh second factor (enrolled at the next sign-in).

    With the escrow key the member's own private key is recovered and re-wrapped, so their
    grants stay. Without it they get a new key pair; their old grants, sealed to the old key,
    are deleted, and ``agency_private_key`` (held by a colleague or recovered from escrow)
    grants the agency key again. Raises :class:`StaffError` (weak password, inactive member,
    wrong escrow key).
    """
    if not user.is_active:
        raise StaffError(f"{user.username} is deactivated")
    password_check(password=new_password, username=user.username)
    inst = Installation.current()
    recovered: crypto.PrivateKey | None = None
    if escrow_private_key is not None:
        if crypto.public_key_of(escrow_private_key) != bytes(inst.escrow_public_key):
            raise StaffError("that is not this install's escrow key")
        recovered = crypto.recover_private_key(escrow_private_key, user.protected_key())
    key = recovered if recovered is not None else crypto.generate_keypair().private_key
    protected = crypto.protect_private_key(
        key,
        password=new_password,
        escrow_public_key=bytes(inst.escrow_public_key),
        cost=password_cost(),
    )
    with transaction.atomic():
        user.set_password(new_password)
        user.set_protected_key(protected)
        user.totp_sealed = b""
        user.totp_confirmed = False
        user.failed_sign_ins = 0
        user.locked_until = None
        user.save()
        if recovered is not None:
            audit_record(
                action=AuditAction.KEY_RECOVERED, actor=actor, subject=f"staff:{user.username}"
            )
        else:
            AgencyKeyGrant.objects.filter(user=user).delete()
            AgencyPastKeyGrant.objects.filter(user=user).delete()
        audit_record(
            action=AuditAction.PASSWORD_CHANGED,
            actor=actor,
            subject=f"staff:{user.username}",
            details={"reset": True, "second_factor": "reset", "new_key": recovered is None},
        )
        if recovered is None and agency_private_key is not None and user.agency is not None:
            agency_grant_key(
                agency=user.agency,
                agency_private_key=agency_private_key,
                user=user,
                granted_by=actor,
            )
