"""An install of the previous release, upgraded: its data survive and today's code reads them.

The fixture (tests/release/fixtures/0.1.0.json) is what release 0.1.0's own code wrote: its
``demo_install()`` run from the release's git tree by tools/release/make_upgrade_fixture.py
(agencies, staff with second factors, three complaints sealed with that release's
cryptography, a reply, two cases with records, evidence and custody, the audit chain with
public-side entries still waiting, the signing key and escrow key files). The test migrates an
empty database to exactly that release's migrations, writes the rows in through the models of
that migration state, migrates to the head as ``ombuds migrate`` would on an upgrade, and then
uses today's code: complainants return with their codenames, staff sign in and read, the audit
log verifies with the release's signing key and keeps verifying as today's code appends.
Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

FIXTURES = Path(__file__).parent / "fixtures"
PREVIOUS = json.loads((FIXTURES / "0.1.0.json").read_text())
OURS = {"analysis", "audit", "casework", "evidence", "intake", "reporting", "staff"}


def _targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """Our apps at the release's migrations; everything else at its head (tables left empty)."""
    release = PREVIOUS["migrations"]
    targets = [(app, name) for app, name in release.items() if app in OURS]
    targets += [key for key in executor.loader.graph.leaf_nodes() if key[0] not in OURS]
    return targets


def _python(field: models.Field[Any, Any], value: Any) -> Any:
    """A value as SQLite stored it, turned back into what the field holds."""
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    if isinstance(field, models.JSONField):
        return json.loads(value)
    if isinstance(field, models.DateTimeField):
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(field, models.UUIDField):
        return uuid.UUID(value)
    return field.to_python(value)


def _install_previous_release() -> None:
    """Migrate to the release's schema, write its rows through that state's models, migrate
    to the head."""
    executor = MigrationExecutor(connection)
    targets = _targets(executor)
    for app, name in targets:
        if app in OURS:
            call_command("migrate", app, name, verbosity=0)
    executor = MigrationExecutor(connection)
    applied = {key for key in executor.loader.applied_migrations if key[0] in OURS}
    release = {key for key in executor.loader.graph.nodes if key[0] in OURS}
    release = {
        key
        for key in release
        if key <= (key[0], PREVIOUS["migrations"][key[0]])  # names sort by their number
    }
    assert applied == release, "the database is at exactly the release's migrations"

    state = executor.loader.project_state(targets)
    by_table = {
        model._meta.db_table: model for model in state.apps.get_models(include_auto_created=True)
    }
    written = []
    with transaction.atomic():
        for table, data in PREVIOUS["tables"].items():
            model = by_table[table]
            fields = {f.column: f for f in model._meta.concrete_fields}
            for f in fields.values():  # keep the release's times as they were written
                if isinstance(f, models.DateField):
                    f.auto_now = f.auto_now_add = False
            objs = [
                model(
                    **{
                        fields[c].attname: _python(fields[c], v)
                        for c, v in zip(data["columns"], row, strict=True)
                    }
                )
                for row in data["rows"]
            ]
            model._base_manager.bulk_create(objs)
            written.append(model)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), written):
                cursor.execute(sql)
    call_command("migrate", verbosity=0)


@pytest.fixture
def upgraded(transactional_db: None, tmp_path: Path) -> Any:
    signing_key = tmp_path / "audit-signing.key"
    signing_key.write_text(PREVIOUS["files"]["audit-signing.key"])
    signing_key.chmod(0o600)
    with override_settings(OMBUDS_AUDIT_SIGNING_KEY_FILE=str(signing_key)):
        try:
            _install_previous_release()
            yield
        finally:  # whatever failed, later tests get the head's schema back
            call_command("migrate", verbosity=0)


def _staff(username: str) -> Client:
    member = next(m for m in PREVIOUS["staff"] if m["username"] == username)
    client = Client()
    r = client.post("/en/staff/sign-in/", {"username": username, "password": member["password"]})
    assert r.status_code == 302, r.content[:500]
    code = pyotp.TOTP(member["totp_secret"]).now()
    r = client.post("/en/staff/sign-in/code/", {"code": code})
    assert r.status_code == 302 and r["Location"].endswith("/staff/"), r.content[:500]
    return client


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_release_is_recorded() -> None:
    """The fixture names the release, its commit and its migrations, and holds what the test
    needs (so a regenerated fixture that lost a table fails here, not in a confusing way)."""
    assert PREVIOUS["release"] == "0.1.0"
    assert PREVIOUS["commit"].startswith("3cbaa5c")
    assert set(PREVIOUS["migrations"]) >= OURS
    for table in (
        "intake_complaint",
        "staff_staffuser",
        "casework_case",
        "casework_caserecord",
        "evidence_evidencefile",
        "audit_auditentry",
        "audit_pendingauditentry",
    ):
        assert PREVIOUS["tables"].get(table, {}).get("rows"), table
    assert len(PREVIOUS["codenames"]) == len(PREVIOUS["accounts"]) == 3


def test_complainants_of_the_release_return_with_their_codenames(upgraded: None) -> None:
    from ombuds.intake.models import Complaint

    assert Complaint.objects.count() == 3
    for codename, account in zip(PREVIOUS["codenames"], PREVIOUS["accounts"], strict=True):
        visitor = Client()
        r = visitor.post("/en/return/", {"codename": codename})
        assert r.status_code == 302, r.content[:500]
        page = visitor.get("/en/return/complaint/").content.decode()
        assert account in page
    # The working group's reply of 0.1.0 reads on the first complainant's page.
    visitor = Client()
    visitor.post("/en/return/", {"codename": PREVIOUS["codenames"][0]})
    assert "Мы получили вашу жалобу" in visitor.get("/ru/return/complaint/").content.decode()


def test_staff_of_the_release_sign_in_and_read_complaints_and_cases(upgraded: None) -> None:
    from ombuds.casework.models import Case
    from ombuds.intake.models import Complaint, ComplaintConsent

    # 0.1.0 sealed each complaint to the agencies its complainant consented to; the upgrade
    # records those consents (Argun: prosecutor; Grozny: none; Gudermes: prosecutor, interior).
    consents = sorted(ComplaintConsent.objects.values_list("agency__slug", flat=True))
    assert consents == ["interior", "prosecutor", "prosecutor"]

    intake = _staff("intake")
    for complaint in Complaint.objects.order_by("pk"):
        page = intake.get(f"/en/staff/complaints/{complaint.public_id}/")
        assert page.status_code == 200
    first = Complaint.objects.order_by("pk").first()
    assert first is not None
    page = intake.get(f"/en/staff/complaints/{first.public_id}/").content.decode()
    assert PREVIOUS["accounts"][0] in page

    cases = list(Case.objects.order_by("pk"))
    assert len(cases) == 2
    pages = [intake.get(f"/en/staff/cases/{case.public_id}/") for case in cases]
    assert [p.status_code for p in pages] == [200, 200]
    # A record the working group wrote in 0.1.0, sealed in a consent compartment, decrypts.
    assert "Ночное задержание в Аргуне" in pages[0].content.decode()
    # The case 0.1.0 referred to the prosecutor's office is theirs to read, records included.
    prosecutor = _staff("prosecutor")
    page = prosecutor.get(f"/en/staff/cases/{cases[0].public_id}/")
    assert page.status_code == 200
    assert "Ночное задержание в Аргуне" in page.content.decode()


def test_the_release_audit_log_verifies_and_keeps_verifying(upgraded: None) -> None:
    from ombuds.audit.models import AuditEntry

    before = AuditEntry.objects.count()
    assert before >= len(PREVIOUS["tables"]["audit_auditentry"]["rows"])
    assert "audit log intact" in _verify()
    _staff("auditor").get("/en/staff/audit/")
    assert AuditEntry.objects.count() > before, "today's code appends to the release's chain"
    assert "audit log intact" in _verify()
