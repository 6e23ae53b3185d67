"""audit_record: one chain, same transaction as the action, nothing forbidden inside."""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from ombuds.audit import guards, signing
from ombuds.audit.chain import GENESIS_HASH
from ombuds.audit.models import (
    AppendOnlyError,
    AuditAction,
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
)
from ombuds.audit.services import audit_checkpoint_create, audit_record
from ombuds.staff.models import Agency, AgencyKind, Role, StaffUser
from tests.audit.conftest import Attacker

pytestmark = pytest.mark.django_db


def _staff(username: str = "officer", role: Role = Role.INTAKE_OFFICER) -> StaffUser:
    agency = Agency.objects.create(
        slug=f"wg-{username}", kind=AgencyKind.WORKING_GROUP, name_ru="РГ", name_en="WG",
        public_key=b"k" * 32,
    )  # fmt: skip
    return StaffUser.objects.create(username=username, agency=agency, role=role)


def test_entries_form_one_chain_from_genesis(log: Callable[[int], list[AuditEntry]]) -> None:
    entries = log(4)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    stored = list(AuditEntry.objects.all())
    assert all(e.fields().digest() == e.entry_hash for e in stored)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.head_hash) == (4, entries[-1].entry_hash)


def test_entry_records_actor_snapshot_and_agency() -> None:
    officer = _staff()
    entry = audit_record(
        action=AuditAction.COMPLAINT_READ, actor=officer, subject="complaint:1", details={"a": 1}
    )
    officer.username = "renamed"
    officer.save()
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.actor_id == officer.pk
    assert stored.actor_username == "officer"
    assert stored.agency_id == officer.agency_id
    assert stored.details == {"a": 1}
    assert stored.fields().digest() == stored.entry_hash


def test_entry_rolls_back_with_the_action_it_records() -> None:
    audit_record(action=AuditAction.SIGN_IN)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_record(action=AuditAction.COMPLAINT_DELETED, subject="complaint:x")
        raise Boom
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["sign_in"]
    assert audit_record(action=AuditAction.SIGN_OUT).seq == 2


@pytest.mark.parametrize(
    "details",
    [
        {"ip": "203.0.113.9"},
        {"user_agent": "Mozilla"},
        {"Codename": "word word"},
        {"text": "what happened"},
        {"nested": {"a": 1}},
        {"ratio": 0.5},
        {"long": "x" * 501},
        {"nul": "a\x00b"},
    ],
)
def test_details_that_could_carry_forbidden_data_are_refused(details: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        audit_record(action=AuditAction.EXPORT, details=details)  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError):
        audit_record(action="made_up")  # type: ignore[arg-type]


def test_the_orm_refuses_to_change_or_delete_entries(
    log: Callable[[int], list[AuditEntry]],
) -> None:
    entry = log(1)[0]
    entry.subject = "complaint:other"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(subject="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    checkpoint = audit_checkpoint_create()
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.all().update(signature="00")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET subject = 'complaint:other' WHERE seq = 1",
        "DELETE FROM audit_auditentry WHERE seq = 1",
        "UPDATE audit_auditcheckpoint SET signature = '00'",
        "DELETE FROM audit_auditcheckpoint",
        "DELETE FROM audit_auditchainhead",
    ],
)
def test_the_database_refuses_raw_changes(
    log: Callable[[int], list[AuditEntry]], statement: str
) -> None:
    log(5)  # and so one checkpoint
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.filter(seq=1, subject="complaint:00000000").exists()
    assert AuditCheckpoint.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_the_database_refuses_truncate(log: Callable[[int], list[AuditEntry]]) -> None:
    log(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")


def test_a_checkpoint_is_signed_every_n_entries(
    log: Callable[[int], list[AuditEntry]],
) -> None:
    entries = log(12)
    checkpoints = list(AuditCheckpoint.objects.all())
    assert [c.seq for c in checkpoints] == [5, 10]
    assert checkpoints[1].head_hash == entries[9].entry_hash
    public = signing.public_key_hex(signing.load_signing_key().verify_key)
    assert {c.public_key for c in checkpoints} == {public}


def test_a_checkpoint_on_demand_covers_its_own_request(
    log: Callable[[int], list[AuditEntry]],
) -> None:
    log(2)
    checkpoint = audit_checkpoint_create()
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == AuditAction.AUDIT_CHECKPOINT
    assert (checkpoint.seq, checkpoint.head_hash) == (3, last.entry_hash)


def test_appends_go_on_without_a_signing_key(
    settings: object, tmp_path: Path, log: Callable[[int], list[AuditEntry]]
) -> None:
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "absent.key")  # type: ignore[attr-defined]
    assert len(log(6)) == 6
    assert not AuditCheckpoint.objects.exists()
    with pytest.raises(signing.SigningKeyError):
        audit_checkpoint_create()


def test_the_signing_key_file_is_private_and_kept(signing_key_file: Path) -> None:
    assert stat.S_IMODE(os.stat(signing_key_file).st_mode) == 0o600
    before = signing_key_file.read_text()
    first = signing.ensure_signing_key()
    assert signing.ensure_signing_key() == first
    assert signing_key_file.read_text() == before


def test_a_signing_key_readable_by_others_is_refused(signing_key_file: Path) -> None:
    signing_key_file.chmod(0o644)
    with pytest.raises(signing.SigningKeyError):
        signing.load_signing_key()


def test_a_lost_head_row_resumes_from_the_log(
    log: Callable[[int], list[AuditEntry]], attacker: Attacker
) -> None:
    entries = log(3)
    attacker.sql("DELETE FROM audit_auditchainhead")
    entry = audit_record(action=AuditAction.SIGN_IN)
    assert (entry.seq, entry.prev_hash) == (4, entries[-1].entry_hash)


def test_an_unsaved_actor_is_refused() -> None:
    with pytest.raises(ValueError):
        audit_record(action=AuditAction.SIGN_IN, actor=StaffUser(username="ghost"))


def test_every_guard_trigger_is_in_place_after_all_migrations() -> None:
    # A later migration that rebuilds a table (SQLite's ALTER) would silently drop them.
    assert guards.expected_triggers(connection.vendor)
    assert guards.missing(connection) == set()


def test_an_append_costs_three_statements(
    log: Callable[[int], list[AuditEntry]], django_assert_num_queries: Any
) -> None:
    # It sits on the public complaint path: lock-and-read the head, insert, move the head.
    log(1)
    with transaction.atomic(), django_assert_num_queries(3):
        audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject="complaint:x")


def test_signing_key_creation_races_to_one_key(settings: Any, tmp_path: Path) -> None:
    import concurrent.futures

    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "raced.key")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: bytes(signing.ensure_signing_key()), range(16)))
    assert len(keys) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit-signing.key", "raced.key"]
