"""Staff accounts, agencies and the keys that bind them (architecture.md, "Keys").

Private keys are never stored in the clear: a staff key is stored under the member's password
(Argon2id) and sealed to the offline escrow key; an agency key is stored only sealed to each
member's public key (one :class:`AgencyKeyGrant` per member).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds import crypto


class Installation(models.Model):
    """One row: the per-install keys made by ``ombuds init``.

    ``codename_key`` derives complainant lookup ids and key pairs; it is stored because the
    server must recompute them, and it adds no risk beyond the codename's own 91 bits.
    Only the *public* half of the escrow key is kept; the private half is shown once.
    """

    codename_key = models.BinaryField()
    escrow_public_key = models.BinaryField()
    #: A demo install (``ombuds demo``): enables printing demo second-factor codes.
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    @classmethod
    def current(cls) -> Installation:
        inst = cls.objects.order_by("pk").first()
        if inst is None:
            raise Installation.DoesNotExist("ombuds is not initialised: run `ombuds init`")
        return inst

    def install_key(self) -> crypto.InstallKey:
        return crypto.InstallKey(bytes(self.codename_key))


class AgencyKind(models.TextChoices):
    WORKING_GROUP = "working_group", _("Ombudsperson's working group")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    INTERIOR = "interior", _("Interior ministry")
    OTHER = "other", _("Other body")


class Agency(models.Model):
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    public_key = models.BinaryField()
    #: The agency's private key sealed to the offline escrow key, so it is never lost and new
    #: members can be granted it by whoever holds the escrow key.
    escrow_wrapped = models.BinaryField(default=b"")
    #: The working group receives every complaint; the others only with the complainant's consent.
    receives_all = models.BooleanField(default=False)
    #: Offered as a consent choice on the public complaint form (agencies that do not receive
    #: every complaint): "complaints may be shared with it".
    offered_for_consent = models.BooleanField(default=True)
    #: What the complainant should know before ticking this agency, shown under its box.
    consent_note_ru = models.TextField(blank=True, default="")
    consent_note_en = models.TextField(blank=True, default="")
    retention_days = models.PositiveIntegerField(default=730)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["-receives_all", "pk"]

    def __str__(self) -> str:
        # Forms list agencies by their str(): in the reader's language, like every other label.
        return self.display_name

    # English in English, Russian in every other language: an agency has no Chechen name or
    # note, and a Chechen page falls back to Russian like its other strings (docs/languages.md).
    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ru

    def consent_note(self, language: str) -> str:
        return self.consent_note_en if language == "en" else self.consent_note_ru

    @property
    def display_name(self) -> str:
        """The name in the language of the current request."""
        from django.utils import translation

        return self.name(translation.get_language() or "ru")


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    INVESTIGATOR = "investigator", _("Investigator")
    LIAISON = "liaison", _("Liaison officer")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class SignInStage(models.TextChoices):
    """Which step of a sign-in failed (audit details ``stage``; the failed sign-ins page)."""

    PASSWORD = "password", _("Password")
    SECOND_FACTOR = "second_factor", _("Second factor")
    LOCKED = "locked", _("Code checks paused")


class StaffUser(AbstractUser):
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INTAKE_OFFICER)
    public_key = models.BinaryField(default=b"")
    key_salt = models.BinaryField(default=b"")
    key_opslimit = models.PositiveBigIntegerField(default=0)
    key_memlimit = models.PositiveBigIntegerField(default=0)
    key_password_wrapped = models.BinaryField(default=b"")
    key_escrow_wrapped = models.BinaryField(default=b"")
    #: The TOTP secret, sealed to the user's own public key: unreadable without the password.
    totp_sealed = models.BinaryField(default=b"")
    totp_confirmed = models.BooleanField(default=False)
    totp_last_step = models.BigIntegerField(default=0)
    #: Failed sign-ins since the last success. From OMBUDS_SIGN_IN_FREE_FAILURES on, the
    #: account asks for the password and the code together (services.sign_in_attempt).
    failed_sign_ins = models.PositiveIntegerField(default=0)
    #: Wrong codes given with the right password since the last success: only someone who
    #: holds the password can make these, and only these pause the code checks (locked_until).
    failed_codes = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    #: On duty: told by email (to ``email``, Django's own column) that an urgent complaint
    #: arrived or that intake refused something; the mail carries no content (staff/alerts.py).
    on_duty = models.BooleanField(default=False)

    def protected_key(self) -> crypto.ProtectedPrivateKey:
        return crypto.ProtectedPrivateKey(
            public_key=bytes(self.public_key),
            salt=bytes(self.key_salt),
            cost=crypto.PasswordCost(self.key_opslimit, self.key_memlimit),
            password_wrapped=bytes(self.key_password_wrapped),
            escrow_wrapped=bytes(self.key_escrow_wrapped),
        )

    def set_protected_key(self, protected: crypto.ProtectedPrivateKey) -> None:
        self.public_key = protected.public_key
        self.key_salt = protected.salt
        self.key_opslimit = protected.cost.opslimit
        self.key_memlimit = protected.cost.memlimit
        self.key_password_wrapped = protected.password_wrapped
        self.key_escrow_wrapped = protected.escrow_wrapped

    @property
    def reads_complaints(self) -> bool:
        """Is the member in a role that reads complaints? (``ombuds.access`` decides; it
        imports this module, so it is asked at call time.)"""
        from ombuds.access import reads_complaints

        return reads_complaints(self)


class AgencyKeyGrant(models.Model):
    """An agency's private key sealed to one member's public key."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="key_grants")
    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="agency_key_grants")
    sealed_private_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="one_grant_per_member")
        ]


class AgencyPastKey(models.Model):
    """An agency key pair retired by a rotation (decision 0005).

    Material sealed to it before the rotation stays sealed to it; the remaining members keep
    reading it through their :class:`AgencyPastKeyGrant`, and escrow through ``escrow_wrapped``.
    Nothing is sealed to a past key after its rotation.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="past_keys")
    public_key = models.BinaryField()
    escrow_wrapped = models.BinaryField(default=b"")
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-retired_at", "-pk"]


class AgencyPastKeyGrant(models.Model):
    """A retired agency private key sealed to one (remaining) member's public key."""

    past_key = models.ForeignKey(AgencyPastKey, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        StaffUser, on_delete=models.CASCADE, related_name="agency_past_key_grants"
    )
    sealed_private_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["past_key", "user"], name="one_past_grant_per_member")
        ]


class AlertKind(models.TextChoices):
    URGENT = "urgent", _("An urgent complaint arrived")
    REFUSED = "refused", _("Intake refused something")


class AlertState(models.Model):
    """One row per kind of alert: whether something happened that the on-duty members were
    not told yet, and when the last mail went (alerts are spaced by ``OMBUDS_ALERT_MINUTES``).

    ``sent_at`` dates the latest alert as the mail's own Date header does; it says nothing
    of which complaint, and is replaced by the next alert."""

    kind = models.CharField(max_length=20, choices=AlertKind.choices, unique=True)
    pending = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
