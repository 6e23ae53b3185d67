"""Linkage handles plaintext names: its DuckDB database may never spill them to disk."""

from __future__ import annotations

from ombuds.linkage.model import _make_db_api


def test_duckdb_linkage_database_has_no_temporary_folder() -> None:
    con = _make_db_api("duckdb").duckdb_con
    assert con.execute("SELECT current_setting('temp_directory')").fetchall() == [("",)]
