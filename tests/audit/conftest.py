from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ombuds.audit import guards, signing
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import audit_record


@pytest.fixture(autouse=True)
def signing_key_file(settings: Any, tmp_path: Path) -> Path:
    """Each test signs with its own key file, never the install's."""
    path = tmp_path / "audit-signing.key"
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(path)
    settings.OMBUDS_AUDIT_CHECKPOINT_EVERY = 5
    signing.ensure_signing_key()
    return path


@pytest.fixture
def log(db: None) -> Callable[[int], list[AuditEntry]]:
    """Append n entries of assorted kinds; returns them."""

    def append(n: int) -> list[AuditEntry]:
        kinds = [AuditAction.COMPLAINT_SUBMITTED, AuditAction.COMPLAINT_READ, AuditAction.EXPORT]
        return [
            audit_record(
                action=kinds[i % len(kinds)],
                subject=f"complaint:{i:08d}",
                details={"n": i, "urgent": i % 2 == 0, "note": None},
            )
            for i in range(n)
        ]

    return append


class Attacker:
    """Someone with write access to the database who has dropped the guard triggers."""

    def sql(self, statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)


@pytest.fixture
def attacker(db: None) -> Iterator[Attacker]:
    # Inside the test's transaction: the rollback at the end restores the triggers
    # (DDL is transactional on SQLite and PostgreSQL).
    guards.uninstall(connection)
    yield Attacker()
