"""Encrypted on receipt (threat model 2 and 3): a canary complaint leaves no plaintext on disk,
in the database, in the logs or in temporary files; the codename is stored nowhere; no client
address, user agent or referrer is kept.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.conftest import submit_complaint


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything any logger emits during the test, at every level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [
        logging.getLogger(n)
        for n in ("django", "django.request", "django.server", "django.db.backends", "ombuds")
    ]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg in loggers:
            lg.removeHandler(handler)


def database_text() -> bytes:
    """Every value of every row of every table, as bytes, for searching."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview | bytearray):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8", "surrogatepass"))
    return b"\n".join(chunks)


def files_changed_since(root: Path, since: float) -> Iterator[Path]:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime >= since - 1:
                    yield path
            except OSError:
                continue


@pytest.mark.django_db(transaction=True)
def test_canary_complaint_leaves_no_plaintext_anywhere(tx_world, captured_logs) -> None:
    started = time.time()
    canary = f"CANARY-{uuid.uuid4().hex}"
    person = f"Person{uuid.uuid4().hex[:10]}"
    client = Client(
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="CanaryBrowser/7.7",
        HTTP_REFERER="https://referrer.example/canary",
    )
    codename = submit_complaint(
        client,
        account=f"My account {canary}",
        place=f"Place {canary}",
        contact=f"Signal {canary}",
        **{"person-0-name": person},
    )
    visitor = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="CanaryBrowser/7.7")
    visitor.post("/en/return/", {"codename": codename})
    visitor.post("/en/return/complaint/", {"text": f"Follow-up {canary}"})
    officer = tx_world.client_for("intake_officer")
    from ombuds.intake.models import Complaint

    public_id = Complaint.objects.get().public_id
    assert canary in officer.get(f"/en/staff/complaints/{public_id}/").content.decode()
    connection.close()  # flush everything the connection holds

    needles = [
        canary.encode(),
        person.encode(),
        codename.encode(),
        b"203.0.113.77",
        b"CanaryBrowser",
        b"referrer.example",
    ]
    # 1. every table, every column (this works on PostgreSQL too)
    dump = database_text()
    for needle in needles:
        assert needle not in dump, f"{needle!r} found in the database"
    # 2. the database files themselves, WAL and journal included (SQLite)
    db_name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        db_files = [p for p in Path(db_name).parent.glob(Path(db_name).name + "*")]
        assert any(p.name.endswith("-wal") for p in db_files) or db_files
        for path in db_files:
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path.name}"
    # 3. the logs and 4. anything written under the data folder or the temp folder meanwhile
    logs = captured_logs.getvalue().encode()
    for needle in needles:
        assert needle not in logs, f"{needle!r} found in the logs"
    for root in (Path(settings.DATA_DIR), Path(tempfile.gettempdir())):
        for path in files_changed_since(root, started):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for needle in needles[:3]:
                assert needle not in data, f"{needle!r} found in {path}"


@pytest.mark.django_db
def test_no_table_holds_the_codename_or_its_words_in_order(world) -> None:
    codename = submit_complaint(Client())
    dump = database_text()
    assert codename.encode() not in dump
    assert codename.replace(" ", "").encode() not in dump
    ours = [m for m in apps.get_models() if m.__module__.startswith("ombuds.")]
    assert not [f for m in ours for f in m._meta.fields if f.name == "codename"]
