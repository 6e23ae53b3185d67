"""``ombuds serve``: the production server (gunicorn), with no access log.

Sync workers, each with one persistent database connection (decision 0002): no thread ever
shares a process's SQLite connection, and the number of connections stays fixed.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve ombuds with gunicorn (no access log: no client address is ever written)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("OMBUDS_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("OMBUDS_WORKERS", 3)))
        parser.add_argument("--collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.management import call_command
        from gunicorn.app.wsgiapp import WSGIApplication

        if options["collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            "gunicorn",
            "ombuds.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "sync",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            "--forwarded-allow-ips",
            "",
            "--limit-request-line",
            "4094",
            "--timeout",
            "60",
        ]
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
