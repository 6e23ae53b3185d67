"""``ombuds demo``: migrate and make a demo install; a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ombuds.staff.demo import STAFF, demo_install, escrow_key_path


class Command(BaseCommand):
    help = "Migrate the database and load the demo install (agencies, staff, complaints)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        result = demo_install()
        if not result.created:
            self.stdout.write("Demo install already present: nothing changed.")
        else:
            self.stdout.write(f"Demo install created. Escrow key (demo only): {escrow_key_path()}")
            for codename in result.codenames:
                self.stdout.write(f"  demo complaint codename: {codename}")
        self.stdout.write(
            "Staff (user / password / role); print a second-factor code with "
            "`ombuds democode USER`:"
        )
        for m in STAFF:
            self.stdout.write(f"  {m.username:<11} {m.password:<22} {m.role.label} ({m.agency})")
