"""``ombuds retention``: apply the agencies' retention periods (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ombuds.intake.services import retention_apply


class Command(BaseCommand):
    help = (
        "Destroy the keys of complaints past their agencies' retention periods (crypto-shredding)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = retention_apply()
        self.stdout.write(
            f"key copies destroyed: {report.grants_destroyed}; "
            f"complaints deleted: {report.complaints_deleted}"
        )
