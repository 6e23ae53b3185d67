"""``ombuds agency list|create|edit``: the bodies that receive complaints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ombuds.staff import services
from ombuds.staff.cli_support import agency_by_slug
from ombuds.staff.models import Agency, AgencyKind

KINDS = [k.value for k in AgencyKind]


class Command(BaseCommand):
    help = "Agencies: list, create (a fresh key, sealed to escrow), edit names and settings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every agency and its settings")
        create = sub.add_parser("create", help="a new agency with its own key pair")
        create.add_argument("slug")
        create.add_argument("--kind", required=True, choices=KINDS)
        create.add_argument("--name-ru", required=True)
        create.add_argument("--name-en", required=True)
        create.add_argument("--receives-all", action="store_true")
        _settings(create)
        edit = sub.add_parser("edit", help="change names, retention or the consent choice")
        edit.add_argument("slug")
        edit.add_argument("--name-ru")
        edit.add_argument("--name-en")
        _settings(edit)

    def handle(self, *args: Any, **options: Any) -> None:
        # The command line speaks English, like every other ombuds command (Django's own
        # messages, such as the password validators', would follow LANGUAGE_CODE).
        try:
            with translation.override("en"):
                getattr(self, f"_{options['action']}")(options)
        except services.StaffError as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, options: dict[str, Any]) -> None:
        rows = [("slug", "kind", "receives", "consent choice", "retention", "members", "names")]
        for a in Agency.objects.all():
            rows.append(
                (
                    a.slug,
                    a.kind,
                    "every complaint" if a.receives_all else "with consent",
                    "yes" if a.offered_for_consent else "no",
                    f"{a.retention_days} days",
                    str(a.staffuser_set.filter(is_active=True).count()),
                    f"{a.name_en} / {a.name_ru}",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            )

    def _create(self, options: dict[str, Any]) -> None:
        agency, _key = services.agency_create(
            slug=options["slug"],
            kind=AgencyKind(options["kind"]),
            name_ru=options["name_ru"],
            name_en=options["name_en"],
            receives_all=options["receives_all"],
            offered_for_consent=options["consent_choice"] != "no",
            retention_days=options["retention_days"] or 730,
            consent_note_ru=options["consent_note_ru"] or "",
            consent_note_en=options["consent_note_en"] or "",
        )
        self.stdout.write(
            f"created agency {agency.slug}; add its first member with `ombuds staff add USER "
            f"--agency {agency.slug} --role ROLE --escrow-key-file FILE`"
        )

    def _edit(self, options: dict[str, Any]) -> None:
        agency = agency_by_slug(options["slug"])
        changes: dict[str, str | int | bool] = {}
        for name in ("name_ru", "name_en", "retention_days", "consent_note_ru", "consent_note_en"):
            if options[name] is not None:
                changes[name] = options[name]
        if options["consent_choice"] is not None:
            changes["offered_for_consent"] = options["consent_choice"] == "yes"
        if not changes:
            raise CommandError("nothing to change: give at least one option")
        services.agency_edit(agency=agency, actor=None, **changes)
        self.stdout.write(f"changed agency {agency.slug}")


def _settings(parser: CommandParser) -> None:
    parser.add_argument("--retention-days", type=int, help="days a complaint is kept")
    parser.add_argument(
        "--consent-choice",
        choices=["yes", "no"],
        help="offered on the public form: complaints may be shared with it",
    )
    parser.add_argument("--consent-note-ru", help="shown under its box on the public form")
    parser.add_argument("--consent-note-en")
