"""``ombuds staff add|list|deactivate|reset|role``: staff members over time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ombuds.staff import services
from ombuds.staff.cli_support import (
    Passwords,
    agency_by_slug,
    agency_key_via,
    escrow_key_from_files,
    staff_by_name,
)
from ombuds.staff.escrow import add_escrow_key_argument
from ombuds.staff.models import AgencyKeyGrant, Role, StaffUser

ROLES = [r.value for r in Role]


class Command(BaseCommand):
    help = (
        "Staff members: add (the agency key granted by a member or with the escrow key), list, "
        "deactivate (rotates the agency key), reset (new password and second factor), role, "
        "duty (on duty for alerts, and their address). "
        "Passwords are read from standard input, one a line, when it is not a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a member")
        add.add_argument("username")
        add.add_argument("--agency", help="agency slug (not needed for an administrator)")
        add.add_argument("--role", required=True, choices=ROLES)
        _key_source(add)
        sub.add_parser("list", help="every member, active or not")
        deactivate = sub.add_parser(
            "deactivate", help="remove a member: no sign-in, no keys; the agency key is rotated"
        )
        deactivate.add_argument("username")
        reset = sub.add_parser(
            "reset", help="a new password and a fresh second factor, enrolled at next sign-in"
        )
        reset.add_argument("username")
        _key_source(reset)
        role = sub.add_parser("role", help="change a member's role")
        role.add_argument("username")
        role.add_argument("role", choices=ROLES)
        duty = sub.add_parser(
            "duty",
            help="on duty or not: mailed (without content) when an urgent complaint arrives "
            "or intake refuses something",
        )
        duty.add_argument("username")
        state = duty.add_mutually_exclusive_group(required=True)
        state.add_argument("--on", dest="on_duty", action="store_true", default=None)
        state.add_argument("--off", dest="on_duty", action="store_false")
        duty.add_argument("--email", help="the address alerts go to (kept if not given)")

    def handle(self, *args: Any, **options: Any) -> None:
        # The command line speaks English, like every other ombuds command (Django's own
        # messages, such as the password validators', would follow LANGUAGE_CODE).
        try:
            with translation.override("en"):
                getattr(self, f"_{options['action']}")(options)
        except services.StaffError as exc:
            raise CommandError(str(exc)) from exc

    def _add(self, options: dict[str, Any]) -> None:
        role = Role(options["role"])
        username = options["username"]
        if StaffUser.objects.filter(username__iexact=username).exists():
            raise CommandError(f"there is already a staff member {username!r}")
        passwords = Passwords()
        if options["agency"] is None:
            if role != Role.ADMIN:
                raise CommandError("give --agency SLUG (only an administrator has none)")
            user = services.staff_create(
                username=username,
                password=passwords.new(username),
                agency=None,
                role=role,
                agency_private_key=None,
            )
            self.stdout.write(f"created {user.username} (admin, no agency); holds no agency key")
            return
        agency = agency_by_slug(options["agency"])
        password = passwords.new(username)
        services.password_check(password=password, username=username)
        key, grantor = agency_key_via(
            agency,
            granted_by=options["granted_by"],
            escrow_key_file=options["escrow_key_file"],
            passwords=passwords,
        )
        user = services.staff_create(
            username=username,
            password=password,
            agency=agency,
            role=role,
            agency_private_key=key,
            granted_by=grantor,
        )
        self.stdout.write(
            f"created {user.username} ({user.role}) in {agency.slug}; "
            "the second factor is enrolled at first sign-in"
        )

    def _list(self, options: dict[str, Any]) -> None:
        holders = set(AgencyKeyGrant.objects.values_list("user_id", flat=True))
        rows = [
            (
                "user",
                "agency",
                "role",
                "active",
                "agency key",
                "second factor",
                "last sign-in",
                "alerts",
            )
        ]
        for u in StaffUser.objects.select_related("agency").order_by("username"):
            rows.append(
                (
                    u.username,
                    u.agency.slug if u.agency else "-",
                    u.role,
                    "active" if u.is_active else "DEACTIVATED",
                    "yes" if u.pk in holders else "no",
                    "enrolled" if u.totp_confirmed else "at next sign-in",
                    u.last_login.strftime("%Y-%m-%d %H:%M") if u.last_login else "never",
                    f"on duty ({u.email})" if u.on_duty else "-",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            )

    def _deactivate(self, options: dict[str, Any]) -> None:
        user = staff_by_name(options["username"])
        services.staff_deactivate(user=user, actor=None)
        self.stdout.write(
            f"deactivated {user.username}: cannot sign in, holds no key"
            + (f"; the key of {user.agency.slug} was rotated" if user.agency else "")
        )

    def _reset(self, options: dict[str, Any]) -> None:
        user = staff_by_name(options["username"])
        if not user.is_active:
            raise CommandError(f"{user.username} is deactivated")
        passwords = Passwords()
        password = passwords.new(user.username)
        services.password_check(password=password, username=user.username)
        escrow = agency_key = None
        grantor: StaffUser | None = None
        if options["escrow_key_file"]:
            escrow = escrow_key_from_files(options["escrow_key_file"])
        elif options["granted_by"] and user.agency is not None:
            agency_key, grantor = agency_key_via(
                user.agency,
                granted_by=options["granted_by"],
                escrow_key_file=None,
                passwords=passwords,
            )
        services.staff_reset(
            user=user,
            new_password=password,
            actor=grantor,
            escrow_private_key=escrow,
            agency_private_key=agency_key,
        )
        kept = (
            "kept (recovered with the escrow key)"
            if escrow
            else (
                f"granted again by {grantor.username}"
                if grantor
                else "to be granted by a colleague"
            )
        )
        self.stdout.write(
            f"reset {user.username}: new password; second factor enrolled at next sign-in; "
            f"keys {kept}"
        )

    def _role(self, options: dict[str, Any]) -> None:
        user = staff_by_name(options["username"])
        services.staff_set_role(user=user, role=Role(options["role"]), actor=None)
        self.stdout.write(f"{user.username} is now {user.role}")

    def _duty(self, options: dict[str, Any]) -> None:
        user = staff_by_name(options["username"])
        email = user.email if options["email"] is None else options["email"]
        services.staff_set_duty(user=user, on_duty=options["on_duty"], email=email, actor=None)
        self.stdout.write(
            f"{user.username} is on duty; alerts go to {user.email}"
            if user.on_duty
            else f"{user.username} is not on duty"
        )


def _key_source(parser: CommandParser) -> None:
    parser.add_argument(
        "--granted-by", help="a member of the same agency who holds its key (password asked)"
    )
    add_escrow_key_argument(parser)
