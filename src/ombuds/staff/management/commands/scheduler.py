"""``ombuds scheduler``: enqueue the housekeeping tasks every hour, and every minute beat and
enqueue the worker's heartbeat (``make run`` starts it beside the server and the task worker).
Cron calling ``ombuds retention``, ``ombuds audit flush``, ``ombuds audit checkpoint``,
``ombuds publish`` and ``ombuds clearsessions`` does the housekeeping where a scheduler process
is not wanted; ``/healthz`` then reports the worker's heartbeat missing."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ombuds.monitoring.heartbeat import heartbeat_enqueue, heartbeat_write
from ombuds.monitoring.models import Heartbeat
from ombuds.staff.housekeeping import housekeeping_enqueue


class Command(BaseCommand):
    help = (
        "Enqueue retention, the audit flush and anchor, the week's figures and clearing expired "
        "sessions for the worker, hourly; and the worker's heartbeat every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=3600, help="seconds between rounds")
        parser.add_argument(
            "--heartbeat-every", type=int, default=60, help="seconds between heartbeats"
        )
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(60, options["every"])
        beat = max(10, min(options["heartbeat_every"], every))
        next_round = time.monotonic()
        while True:
            if time.monotonic() >= next_round:
                enqueued = housekeeping_enqueue()
                self.stdout.write(f"enqueued: {', '.join(enqueued) or 'nothing (still queued)'}")
                next_round = time.monotonic() + every
            heartbeat_write(Heartbeat.SCHEDULER)
            heartbeat_enqueue()
            if options["once"]:
                return
            time.sleep(beat)
