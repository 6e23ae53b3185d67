"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the audit tables.

The ORM already refuses (``AppendOnlyModel``); the triggers stop raw SQL through the
application's own connection, e.g. a bug or an injection. They do not stop someone who may
drop triggers (the table owner): against them the hash chain and the signed checkpoints are
the defence, and on PostgreSQL the application role should not own the tables (docs/audit.md).

Installed by migration 0002. ``flush`` (an operator's "erase everything", also used between
transactional tests) steps around them through :func:`guards_suspended`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

#: Tables whose rows never change once written; the chain head may be updated, not deleted.
APPEND_ONLY_TABLES = ("audit_auditentry", "audit_auditcheckpoint")
HEAD_TABLE = "audit_auditchainhead"

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _install_sql(vendor: str) -> list[str]:
    sql: list[str] = []
    if vendor == "postgresql":
        sql.append(_PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            sql.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
            )
        sql.append(
            f"CREATE TRIGGER {HEAD_TABLE}_append_only BEFORE DELETE ON {HEAD_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        for table in (*APPEND_ONLY_TABLES, HEAD_TABLE):
            sql.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
            )
    elif vendor == "sqlite":
        raise_ = "SELECT RAISE(ABORT, 'the audit log is append-only');"
        for table in APPEND_ONLY_TABLES:
            sql.append(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN {raise_} END"
            )
            sql.append(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN {raise_} END"
            )
        sql.append(
            f"CREATE TRIGGER {HEAD_TABLE}_no_delete BEFORE DELETE ON {HEAD_TABLE} "
            f"BEGIN {raise_} END"
        )
    return sql


def _drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}"
                for t in (*APPEND_ONLY_TABLES, HEAD_TABLE)
            ),
            *(
                f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}"
                for t in (*APPEND_ONLY_TABLES, HEAD_TABLE)
            ),
        ]
    if vendor == "sqlite":
        return [
            *(f"DROP TRIGGER IF EXISTS {t}_no_update" for t in APPEND_ONLY_TABLES),
            *(f"DROP TRIGGER IF EXISTS {t}_no_delete" for t in (*APPEND_ONLY_TABLES, HEAD_TABLE)),
        ]
    return []


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (other databases: nothing; the ORM and the chain still guard)."""
    with connection.cursor() as cursor:
        for statement in _drop_sql(connection.vendor) + _install_sql(connection.vendor):
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _drop_sql(connection.vendor):
            cursor.execute(statement)


def expected_triggers(vendor: str) -> set[str]:
    names = set()
    for statement in _install_sql(vendor):
        if statement.startswith("CREATE TRIGGER "):
            names.add(statement.split()[2])
    return names


def missing(connection: BaseDatabaseWrapper) -> set[str]:
    """Guard triggers that should exist and do not (dropped, or lost in a table rebuild)."""
    expected = expected_triggers(connection.vendor)
    if not expected:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    return expected - present


def installed(connection: BaseDatabaseWrapper) -> bool:
    return HEAD_TABLE in connection.introspection.table_names()


@contextmanager
def guards_suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Drop the triggers for the duration of the block, then put them back."""
    present = installed(connection)
    if present:
        uninstall(connection)
    try:
        yield
    finally:
        if present:
            install(connection)
