"""``ombuds status``: what ``GET /healthz`` says, on the command line; exit status 1 when
degraded (for cron, a monitoring agent, or an operator's first look)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.monitoring.health import health_check, heartbeat_max_age


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


PROBLEMS = {
    "database_unreachable": "the database does not answer",
    "disk_unreadable": "the data folder's disk cannot be read",
    "disk_low": "the data disk is nearly full (uploads are refused below OMBUDS_MIN_FREE_BYTES)",
    "worker_heartbeat_missing": "the task worker has never run (is `ombuds db_worker` running, "
    "and `ombuds scheduler`?)",
    "worker_heartbeat_stale": "the task worker has not run its heartbeat for over {max} s "
    "(is `ombuds db_worker` running, and `ombuds scheduler`?)",
    "audit_anchor_overdue": "audit entries over a day old lie past the last signed checkpoint: "
    "`ombuds audit verify` fails (is `ombuds scheduler` running, with the signing key?)",
}


class Command(BaseCommand):
    help = "Show the install's health (as GET /healthz); exit status 1 when degraded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print /healthz's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        health = health_check()
        if options["json"]:
            self.stdout.write(json.dumps(health.as_json(), sort_keys=True))
        else:
            free = health.free_disk_bytes
            lines = [
                ("database", health.database),
                ("worker heartbeat", _age(health.worker_heartbeat_age_s)),
                ("scheduler heartbeat", _age(health.scheduler_heartbeat_age_s)),
                (
                    "free disk",
                    "unknown" if free is None else f"{free / 1024**3:.1f} GiB ({free} bytes)",
                ),
                ("last audit checkpoint", _age(health.last_checkpoint_age_s)),
                ("status", health.status),
            ]
            for name, value in lines:
                self.stdout.write(f"{name + ':':<23}{value}")
            for problem in health.problems:
                text = PROBLEMS.get(problem, problem).format(max=int(heartbeat_max_age()))
                self.stdout.write(f"problem: {text}")
        if not health.ok:
            raise CommandError(f"degraded: {', '.join(health.problems)}", returncode=1)
