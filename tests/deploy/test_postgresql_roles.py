"""deploy/postgresql: the application role cannot edit or delete audit rows (PostgreSQL only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgresql"

pytestmark = pytest.mark.django_db(transaction=True)


def run_as_app(statement: str) -> None:
    """Create the roles, grant as shipped, then run `statement` as ombuds_app; roll it all back."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute((SQL / "roles.sql").read_text())
        cursor.execute((SQL / "grants.sql").read_text())
        try:
            cursor.execute("SET ROLE ombuds_app")
            cursor.execute(statement)
        finally:
            transaction.set_rollback(True)


def test_the_app_role_reads_and_appends_to_the_audit_log() -> None:
    run_as_app("SELECT count(*) FROM audit_auditentry")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET id = id",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_auditcheckpoint",
        "TRUNCATE audit_auditentry",
        "DROP TABLE audit_auditentry",
    ],
)
def test_the_app_role_cannot_change_audit_rows(statement: str) -> None:
    with pytest.raises(DatabaseError):
        run_as_app(statement)
