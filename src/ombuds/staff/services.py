"""Writes about installs, agencies and staff accounts, with their key operations."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

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
    SignInStage,
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


def install_initialise(*, demo: bool = False, escrow: crypto.KeyPair | None = None) -> NewInstall:
    """Create the keys of a new install. The escrow private key is returned, never stored.

    ``escrow``: the escrow key pair, made beforehand when its keepers must confirm it before
    anything is created (``ombuds init``); a fresh one otherwise. Raises
    :class:`AlreadyInitialised`.
    """
    if Installation.objects.exists():
        raise AlreadyInitialised("this install already has its keys")
    escrow = escrow or crypto.generate_keypair()
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
#
# Nobody's wrong guesses keep a staff member out (issue 9, item 4; docs/threat-model.md, row 7
# and "Sign-in guessing"). A wrong password never locks anything. After
# OMBUDS_SIGN_IN_FREE_FAILURES failures in a row, the account stops saying whether a password
# alone is right: it asks for the password and the code together, and answers every failure
# alike, so a guesser without the authenticator learns nothing from a right password. Only
# wrong *codes* given with the right password (someone holds the password) pause the code
# checks, doubling up to OMBUDS_SIGN_IN_MAX_LOCK_SECONDS.


class SignInOutcome(models.TextChoices):
    SIGNED_IN = "signed_in"
    NEEDS_CODE = "needs_code"  # the password is right; the code comes on the next page
    REFUSED = "refused"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: StaffUser | None = None
    private_key: crypto.PrivateKey | None = None


def sign_in_lock_seconds(failures: int) -> int:
    """Seconds code checks pause after ``failures`` wrong codes in a row: free at first, then
    one code step (30 s), doubling up to OMBUDS_SIGN_IN_MAX_LOCK_SECONDS."""
    free = settings.OMBUDS_SIGN_IN_FREE_FAILURES
    if failures < free:
        return 0
    return int(min(settings.OMBUDS_SIGN_IN_MAX_LOCK_SECONDS, 30 * 2 ** (failures - free)))


def sign_in_locked(user: StaffUser) -> bool:
    """Whether code checks are paused for this account (wrong codes with the right password)."""
    return user.locked_until is not None and user.locked_until > timezone.now()


def sign_in_under_attack(user: StaffUser | None) -> bool:
    """Whether the account asks for the password and the code together (an account that has
    no second factor yet cannot: its first sign-in sets the factor up)."""
    return (
        user is not None
        and user.totp_confirmed
        and user.failed_sign_ins >= settings.OMBUDS_SIGN_IN_FREE_FAILURES
    )


@functools.cache
def _decoy_protected_key() -> crypto.ProtectedPrivateKey:
    """A key under a random password, unlocked in vain for a name that is no account, so the
    answer takes as long as for an account (the time must not tell which names exist)."""
    keys = crypto.generate_keypair()
    return crypto.protect_private_key(
        keys.private_key,
        password=crypto.generate_keypair().public_key.hex(),
        escrow_public_key=keys.public_key,
        cost=password_cost(),
    )


def _unlock(user: StaffUser | None, password: str) -> crypto.PrivateKey | None:
    protected = user.protected_key() if user is not None else _decoy_protected_key()
    try:
        key = crypto.unlock_private_key(protected, password)
    except crypto.WrongPassword:
        return None
    return key if user is not None else None


def sign_in_attempt(*, username: str, password: str, code: str = "") -> SignInResult:
    """Check a sign-in: the password alone, or the password and the code together.

    Without a code: ``NEEDS_CODE`` with the unlocked key if the password is right and the
    account is not under attack (:func:`sign_in_under_attack`); otherwise ``REFUSED``. With a
    code, both are checked in one step: ``SIGNED_IN`` (the caller then signs the session in
    and calls :func:`sign_in_succeeded`) or ``REFUSED``. The right password with a valid,
    unused code is refused only while code checks are paused, which only wrong codes with the
    right password cause. Every refusal is recorded (:func:`sign_in_failed`) except the right
    password without a code on an account under attack, the way its owner is asked for the
    code. Each call with a code costs two password derivations whatever is wrong, so the time
    taken tells nothing.
    """
    from django.contrib.auth import authenticate

    candidate = StaffUser.objects.filter(username=username).first()
    authenticated = authenticate(None, username=username, password=password)
    right = isinstance(authenticated, StaffUser) and candidate is not None
    user = candidate if right else None
    if not code.strip():
        if user is not None and not sign_in_under_attack(user):
            key = _unlock(user, password)
            if key is not None:
                return SignInResult(SignInOutcome.NEEDS_CODE, user, key)
        if user is None:
            sign_in_failed(user=candidate, username=username, stage=SignInStage.PASSWORD)
        return SignInResult(SignInOutcome.REFUSED)
    key = _unlock(candidate, password)  # also for a wrong password: the same time either way
    if user is None or key is None:
        sign_in_failed(user=candidate, username=username, stage=SignInStage.PASSWORD, together=True)
        return SignInResult(SignInOutcome.REFUSED)
    if not user.totp_confirmed:  # first sign-in: the code is set up on the next page
        return SignInResult(SignInOutcome.NEEDS_CODE, user, key)
    if sign_in_locked(user):
        sign_in_failed(user=user, username=username, stage=SignInStage.LOCKED, together=True)
        return SignInResult(SignInOutcome.REFUSED)
    if totp_check(user=user, secret=totp_secret(user=user, private_key=key), code=code):
        return SignInResult(SignInOutcome.SIGNED_IN, user, key)
    sign_in_failed(user=user, username=username, stage=SignInStage.SECOND_FACTOR, together=True)
    return SignInResult(SignInOutcome.REFUSED)


def sign_in_failed(
    *, user: StaffUser | None, username: str, stage: SignInStage, together: bool = False
) -> None:
    """Count a failed sign-in and record it (audit ``sign_in_failed``: stage, never address).

    Every failure counts towards asking for the password and code together; only wrong codes
    (``SECOND_FACTOR``) pause the code checks.
    """
    with transaction.atomic():
        if user is not None:
            changes: dict[str, object] = {"failed_sign_ins": F("failed_sign_ins") + 1}
            if stage == SignInStage.SECOND_FACTOR:
                codes = user.failed_codes + 1
                wait = sign_in_lock_seconds(codes)
                changes["failed_codes"] = codes
                changes["locked_until"] = (
                    timezone.now() + datetime.timedelta(seconds=wait) if wait else None
                )
            StaffUser.objects.filter(pk=user.pk).update(**changes)
        # The typed name is logged only when it is an account: a password typed into the
        # user-name box must not end up in a log that can never be edited.
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            actor=user,
            subject=f"staff:{user.username}" if user is not None else "staff:?",
            details={"stage": str(stage), "known": user is not None, "together": together},
        )


def sign_in_succeeded(*, user: StaffUser) -> None:
    with transaction.atomic():
        StaffUser.objects.filter(pk=user.pk).update(
            failed_sign_ins=0, failed_codes=0, locked_until=None, last_login=timezone.now()
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


def totp_code_reused(*, user: StaffUser, secret: str, code: str) -> bool:
    """Whether ``code`` is a right code already used (its step is not after the last one
    accepted): the member is told to wait for the next code rather than that it is wrong."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + datetime.timedelta(seconds=30 * drift)
        if totp.timecode(at) <= user.totp_last_step and totp.verify(
            code, for_time=at, valid_window=0
        ):
            return True
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


def staff_set_duty(*, user: StaffUser, on_duty: bool, email: str, actor: StaffUser | None) -> None:
    """Set whether a member is on duty (mailed alerts without content: staff/alerts.py) and
    the address alerts go to. Raises :class:`StaffError` for an address that is not one, or
    for a member put on duty without one."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise StaffError(gettext("This is not an email address.")) from exc
    if on_duty and not email:
        raise StaffError(gettext("A member on duty needs an email address for alerts."))
    if user.on_duty == on_duty and user.email == email:
        return
    with transaction.atomic():
        user.on_duty = on_duty
        user.email = email
        user.save(update_fields=["on_duty", "email"])
        # The address is staff data; the audit entry says only that it changed.
        audit_record(
            action=AuditAction.STAFF_CHANGED,
            actor=actor,
            subject=f"staff:{user.username}",
            details={"on_duty": on_duty, "alert_address": bool(email)},
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
        user.failed_codes = 0
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


# --- the escrow key -------------------------------------------------------------------------

#: Every column that holds a private key sealed to the escrow key: (model, column, the column
#: of the matching public key). ``escrow_rotate`` re-seals each of them; a new such column
#: must be added here, or rotation would leave it sealed to a key that is gone.
ESCROW_SEALED: tuple[tuple[type[models.Model], str, str], ...] = (
    (StaffUser, "key_escrow_wrapped", "public_key"),
    (Agency, "escrow_wrapped", "public_key"),
    (AgencyPastKey, "escrow_wrapped", "public_key"),
)


class EscrowRotationError(Exception):
    """The rotation was refused; nothing was changed."""


@dataclass(frozen=True)
class EscrowRotation:
    resealed: dict[str, int]  # model label -> rows re-sealed
    old_public_key: bytes
    new_public_key: bytes


def escrow_rotate(
    *,
    escrow_private_key: crypto.PrivateKey,
    new_escrow_public_key: bytes,
    actor: StaffUser | None = None,
) -> EscrowRotation:
    """Re-seal everything sealed to the escrow key to a new escrow public key.

    Every private key in :data:`ESCROW_SEALED` (each staff member's, each agency's) is opened
    with the current escrow private key, checked against its public key, and sealed to
    ``new_escrow_public_key``; the install keeps only that public key. One transaction with
    its ``escrow_key_rotated`` audit entry (public keys only): either everything moves to the
    new key, or nothing does. Raises :class:`EscrowRotationError` if ``escrow_private_key``
    is not this install's or a sealed key does not open or does not match its public half
    (naming the row), and :class:`ValueError` for a new key that is not 32 bytes or is the
    current one.
    """
    if len(new_escrow_public_key) != crypto.keys.KEY_BYTES:
        raise ValueError("the new escrow public key must be 32 bytes")
    resealed: dict[str, int] = {}
    with transaction.atomic():
        inst = Installation.objects.select_for_update().get(pk=Installation.current().pk)
        old_public_key = bytes(inst.escrow_public_key)
        if crypto.public_key_of(escrow_private_key) != old_public_key:
            raise EscrowRotationError("that is not this install's escrow key")
        if new_escrow_public_key == old_public_key:
            raise ValueError("the new escrow key is the current one")
        for model, column, public_column in ESCROW_SEALED:
            label = model._meta.label
            rows = model._default_manager.select_for_update().exclude(**{column: b""})
            count = 0
            for row in rows.order_by("pk"):
                try:
                    private = crypto.unseal_private_key(
                        escrow_private_key, bytes(getattr(row, column))
                    )
                except crypto.DecryptionFailed as exc:
                    raise EscrowRotationError(
                        f"{label} {row.pk}: its escrow copy does not open with the escrow key"
                    ) from exc
                if crypto.public_key_of(private) != bytes(getattr(row, public_column)):
                    raise EscrowRotationError(
                        f"{label} {row.pk}: its escrow copy is not the key of its public half"
                    )
                model._default_manager.filter(pk=row.pk).update(
                    **{column: crypto.seal_private_key(new_escrow_public_key, private)}
                )
                count += 1
            resealed[label] = count
        Installation.objects.filter(pk=inst.pk).update(escrow_public_key=new_escrow_public_key)
        audit_record(
            action=AuditAction.ESCROW_KEY_ROTATED,
            actor=actor,
            subject="install:escrow",
            details={
                "old_public_key": old_public_key.hex(),
                "new_public_key": new_escrow_public_key.hex(),
                **{
                    f"resealed_{label.replace('.', '_').lower()}": n
                    for label, n in resealed.items()
                },
            },
        )
    return EscrowRotation(resealed, old_public_key, new_escrow_public_key)


def escrow_key_checked(*, actor: StaffUser | None = None) -> None:
    """Record that the escrow key was brought to the server and matched (``escrow check``)."""
    inst = Installation.current()
    audit_record(
        action=AuditAction.ESCROW_KEY_CHECKED,
        actor=actor,
        subject="install:escrow",
        details={"public_key": bytes(inst.escrow_public_key).hex()},
    )
