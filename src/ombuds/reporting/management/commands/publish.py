"""``ombuds publish``: make this week's public figures now (run it weekly, early on Monday)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from ombuds.reporting.selectors import figures_make, week_of


class Command(BaseCommand):
    help = (
        "Make this week's figures for the public progress page, if not made yet. Otherwise "
        "the first visit of the week makes them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        row = figures_make(week=week_of(today), today=today)
        self.stdout.write(f"figures as of {row.week.isoformat()} (made on {row.made_on})")
