"""``ombuds serve``: the production server (gunicorn), with no access log and an error log
that names no client (``ombuds.logs.ScrubbedGunicornLogger``).

Sync workers, each with one persistent database connection (decision 0002): no thread ever
shares a process's SQLite connection, and the number of connections stays fixed. On the
embedded SQLite, several workers are only safe with a SQLite that has the WAL-reset fix; with
an older one the server runs a single worker (one writing connection) unless the operator
overrides that with OMBUDS_ALLOW_VULNERABLE_SQLITE=1.
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

        workers = options["workers"]
        if workers > 1 and _sqlite_is_vulnerable():
            if os.environ.get("OMBUDS_ALLOW_VULNERABLE_SQLITE", "") == "1":
                self.stderr.write(_VULNERABLE + " Running several workers anyway, as told.")
            else:
                self.stderr.write(_VULNERABLE + " Serving with ONE worker to stay safe.")
                workers = 1
        if options["collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            "gunicorn",
            "ombuds.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            # No access log, and an error log without client addresses or request lines
            # (threat model 1; src/ombuds/logs.py).
            "--logger-class",
            "ombuds.logs.ScrubbedGunicornLogger",
            "--log-level",
            "warning",
            "--forwarded-allow-ips",
            "",
            "--limit-request-line",
            "4094",
            "--timeout",
            "60",
        ]
        import logging
        import sys

        from django.db import connection

        from ombuds import __version__

        # gunicorn's own start-up lines are below the log level: say here that the server is
        # starting, where, and how (nothing about any client).
        logging.getLogger("ombuds.serve").info(
            "ombuds %s starting: gunicorn on %s, %d worker(s), %s database; health at /healthz",
            __version__,
            options["bind"],
            workers,
            connection.vendor,
        )
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


_VULNERABLE = (
    "WARNING: this SQLite has the WAL-reset corruption bug (fixed in 3.51.3): several worker "
    "processes writing one database file can corrupt it. Install the pysqlite3>=0.6.1 wheel or "
    "use PostgreSQL (DATABASE_URL); see docs/decisions/0002-sqlite-build-and-workers.md."
)


def _sqlite_is_vulnerable() -> bool:
    from django.conf import settings
    from django.db import connection

    return connection.vendor == "sqlite" and not settings.SQLITE_WAL_RESET_FIXED
