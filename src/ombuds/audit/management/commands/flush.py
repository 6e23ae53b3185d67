"""``flush`` erases every table, the audit log included; the audit triggers step aside.

Django's ``flush`` is an operator's full reset and what transactional tests run between
tests. The append-only triggers (``ombuds.audit.guards``) would refuse it, so this override
suspends them for the flush and restores them afterwards. Piecemeal changes stay refused.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from ombuds.audit.guards import guards_suspended


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        with guards_suspended(connection):
            super().handle(**options)
