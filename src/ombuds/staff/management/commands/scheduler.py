"""``ombuds scheduler``: enqueue the housekeeping tasks every hour (``make run`` starts it
beside the server and the task worker). Cron calling ``ombuds retention``,
``ombuds audit flush``, ``ombuds publish`` and ``ombuds clearsessions`` does the same job where
a scheduler process is not wanted."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ombuds.staff.housekeeping import housekeeping_enqueue


class Command(BaseCommand):
    help = (
        "Enqueue retention, the audit flush, the week's figures and clearing expired "
        "sessions for the worker, hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=3600, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            enqueued = housekeeping_enqueue()
            self.stdout.write(f"enqueued: {', '.join(enqueued) or 'nothing (still queued)'}")
            if options["once"]:
                return
            time.sleep(max(60, options["every"]))
