"""``ombuds audit verify`` finds every kind of tampering and names the first bad entry.

The attacker here has write access to the database and has dropped the guard triggers.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from nacl.signing import SigningKey

from ombuds.audit import signing
from ombuds.audit.chain import checkpoint_message
from ombuds.audit.models import AuditCheckpoint, AuditEntry
from ombuds.audit.verification import audit_verify
from tests.audit.conftest import Attacker

pytestmark = pytest.mark.django_db

Log = Callable[[int], list[AuditEntry]]


def verify(*args: str) -> str:
    """Run the command; return the message it fails with, or "" when the log is intact."""
    try:
        call_command("audit", "verify", *args)
    except CommandError as exc:
        assert exc.returncode == 1
        return str(exc)
    return ""


def rehash(attacker: Attacker, seq: int, **changes: object) -> str:
    """Rewrite an entry and give it a matching hash; return the new hash."""
    entry = AuditEntry.objects.get(seq=seq)
    fields = dataclasses.replace(entry.fields(), **changes)  # type: ignore[arg-type]
    attacker.sql(
        "UPDATE audit_auditentry SET subject = %s, prev_hash = %s, entry_hash = %s WHERE seq = %s",
        [fields.subject, fields.prev_hash, fields.digest(), seq],
    )
    return fields.digest()


def test_an_intact_log_verifies(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    log(12)
    assert verify() == ""
    out = capsys.readouterr().out
    assert "audit log intact: 12 entries" in out
    assert "2 signed checkpoints (last at #10)" in out


def test_an_empty_log_verifies() -> None:
    assert verify() == ""


def test_an_edited_entry_is_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("UPDATE audit_auditentry SET subject = 'complaint:other' WHERE seq = 7")
    assert "first bad entry #7:" in verify()


def test_edited_details_are_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("UPDATE audit_auditentry SET details = %s WHERE seq = 3", ['{"n": 99}'])
    assert "first bad entry #3:" in verify()


def test_an_edited_and_rehashed_entry_is_named(log: Log, attacker: Attacker) -> None:
    log(12)
    rehash(attacker, 7, subject="complaint:other")
    message = verify()
    assert "first bad entry #7:" in message
    assert "rewritten" in message


def test_a_deleted_entry_is_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("DELETE FROM audit_auditentry WHERE seq = 4")
    assert "first bad entry #4: entries #4..#4 are missing" in verify()


def test_a_deleted_entry_with_the_rest_renumbered_is_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("DELETE FROM audit_auditentry WHERE seq = 4")
    # Two steps, so the primary key never collides on the way.
    attacker.sql("UPDATE audit_auditentry SET seq = -seq WHERE seq > 4")
    attacker.sql("UPDATE audit_auditentry SET seq = -seq - 1 WHERE seq < 0")
    assert "first bad entry #4:" in verify()


def test_a_forged_entry_inserted_in_the_middle_is_named(log: Log, attacker: Attacker) -> None:
    entries = log(12)
    attacker.sql("UPDATE audit_auditentry SET seq = -seq WHERE seq >= 6")
    attacker.sql("UPDATE audit_auditentry SET seq = -seq + 1 WHERE seq < 0")
    forged = dataclasses.replace(
        entries[5].fields(), subject="complaint:forged", prev_hash="f" * 64
    )
    attacker.sql(
        "INSERT INTO audit_auditentry (seq, created_at, action, actor_username, subject, "
        "details, prev_hash, entry_hash) VALUES (%s, %s, %s, '', %s, %s, %s, %s)",
        [6, forged.created_at, forged.action, forged.subject, '{"n": 5, "note": null, '
         '"urgent": false}', forged.prev_hash, forged.digest()],
    )  # fmt: skip
    assert "first bad entry #6:" in verify()


def test_a_forged_entry_appended_at_the_end_is_named(log: Log, attacker: Attacker) -> None:
    entries = log(12)
    forged = dataclasses.replace(
        entries[-1].fields(), seq=13, subject="complaint:forged", prev_hash=entries[-1].entry_hash
    )
    attacker.sql(
        "INSERT INTO audit_auditentry (seq, created_at, action, actor_username, subject, "
        "details, prev_hash, entry_hash) VALUES (%s, %s, %s, '', %s, %s, %s, %s)",
        [13, forged.created_at, forged.action, forged.subject, '{"n": 11, "note": null, '
         '"urgent": false}', forged.prev_hash, forged.digest()],
    )  # fmt: skip
    # Its links and hash are right; but the chain head, which every append moves, says #12.
    assert "first bad entry #13:" in verify()


def test_two_swapped_entries_are_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("UPDATE audit_auditentry SET seq = -1 WHERE seq = 8")
    attacker.sql("UPDATE audit_auditentry SET seq = 8 WHERE seq = 9")
    attacker.sql("UPDATE audit_auditentry SET seq = 9 WHERE seq = -1")
    assert "first bad entry #8:" in verify()


def test_entries_cut_from_the_end_are_named(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("DELETE FROM audit_auditentry WHERE seq > 9")
    # The chain head still says #12.
    assert "first bad entry #10:" in verify()


def test_a_history_rewritten_from_some_entry_on_fails_the_next_checkpoint(
    log: Log, attacker: Attacker
) -> None:
    log(12)
    # Rewrite #7 and re-chain everything after it, head included: every link is right.
    prev = rehash(attacker, 7, subject="complaint:other")
    for seq in range(8, 13):
        prev = rehash(attacker, seq, prev_hash=prev)
    attacker.sql("UPDATE audit_auditchainhead SET head_hash = %s", [prev])
    message = verify()
    # Checkpoints at #5 (still good) and #10 (now wrong): the damage lies in #6..#10.
    assert "first bad entry #6:" in message
    assert "checkpoint at #10 no longer matches" in message


def test_an_end_cut_with_head_and_checkpoints_fixed_up_is_caught_by_a_published_hash(
    log: Log, attacker: Attacker
) -> None:
    entries = log(12)
    published = f"12:{entries[-1].entry_hash}"
    attacker.sql("DELETE FROM audit_auditentry WHERE seq > 9")
    attacker.sql("DELETE FROM audit_auditcheckpoint WHERE seq > 9")
    attacker.sql("UPDATE audit_auditchainhead SET seq = 9, head_hash = %s", [entries[8].entry_hash])
    assert verify() == ""  # nothing inside the server can tell...
    assert "first bad entry #12:" in verify("--expect", published)  # ...but what was published


def test_a_broken_checkpoint_signature_is_named(log: Log, attacker: Attacker) -> None:
    log(12)
    checkpoint = AuditCheckpoint.objects.get(seq=10)
    bad = ("0" if checkpoint.signature[0] != "0" else "1") + checkpoint.signature[1:]
    attacker.sql("UPDATE audit_auditcheckpoint SET signature = %s WHERE seq = 10", [bad])
    assert "first bad entry #10: its checkpoint signature is invalid" in verify()


def test_a_checkpoint_signed_by_another_key_is_refused(log: Log, attacker: Attacker) -> None:
    entries = log(12)
    forger = SigningKey.generate()
    checkpoint = AuditCheckpoint.objects.get(seq=10)
    signature = forger.sign(
        checkpoint_message(
            seq=10, head_hash=entries[9].entry_hash, created_at=checkpoint.created_at
        )
    ).signature
    attacker.sql(
        "UPDATE audit_auditcheckpoint SET signature = %s, public_key = %s WHERE seq = 10",
        [signature.hex(), bytes(forger.verify_key).hex()],
    )
    assert "first bad entry #10: its checkpoint is signed by an untrusted key" in verify()
    # Pinning the published key gives the same answer without the key file.
    public = signing.public_key_hex(signing.load_signing_key().verify_key)
    assert "untrusted key" in verify("--public-key", public)


def test_the_report_lists_every_problem_in_order(log: Log, attacker: Attacker) -> None:
    log(12)
    attacker.sql("UPDATE audit_auditentry SET subject = 'x' WHERE seq IN (3, 9)")
    report = audit_verify(trusted_keys=None)
    assert not report.ok
    assert [p.seq for p in report.problems] == [3, 9]


def test_an_export_verifies_away_from_the_database(
    log: Log, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log(12)
    path = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(path))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and (last.action, last.subject) == ("export", "audit:log")
    public = signing.public_key_hex(signing.load_signing_key().verify_key)
    assert verify("--file", str(path), "--public-key", public) == ""
    assert "audit log intact: 13 entries" in capsys.readouterr().out


def test_an_edited_export_is_caught(log: Log, tmp_path: Path) -> None:
    log(12)
    path = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(path))
    lines = path.read_text().splitlines()
    edited = [
        json.dumps({**obj, "subject": "complaint:other"})
        if (obj := json.loads(line))["type"] == "entry" and obj["seq"] == 4
        else line
        for line in lines
    ]
    path.write_text("\n".join(edited) + "\n")
    assert "first bad entry #4:" in verify("--file", str(path))


def test_an_unreadable_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("not json\n")
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", "--file", str(path), "--any-signer")
    assert caught.value.returncode == 2


def test_checkpoint_and_public_key_commands_print_what_to_publish(
    log: Log, capsys: pytest.CaptureFixture[str]
) -> None:
    log(2)
    call_command("audit", "public-key")
    public = capsys.readouterr().out.strip()
    assert public == signing.public_key_hex(signing.load_signing_key().verify_key)
    call_command("audit", "checkpoint")
    line = json.loads(capsys.readouterr().out)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    assert (line["seq"], line["head_hash"], line["public_key"]) == (3, last.entry_hash, public)
    assert verify("--expect", f"{line['seq']}:{line['head_hash']}", "--public-key", public) == ""


def test_verify_without_a_key_file_accepts_any_valid_signer(
    log: Log, settings: object, tmp_path: Path
) -> None:
    log(6)
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "elsewhere.key")  # type: ignore[attr-defined]
    assert verify() == ""


def test_verify_warns_when_the_guard_triggers_are_gone(
    log: Log, attacker: Attacker, capsys: pytest.CaptureFixture[str]
) -> None:
    log(3)
    assert verify() == ""
    assert "append-only triggers missing" in capsys.readouterr().err
