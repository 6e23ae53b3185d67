"""Replacing the checkpoint signing key: ``ombuds audit rotate-signing-key`` and the key history
that ``ombuds audit verify`` checks old checkpoints against, without being handed old keys
(issue 10, item 4). The attacker can write the database and has dropped the guard triggers."""

from __future__ import annotations

import dataclasses
import io
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from nacl.signing import SigningKey

from ombuds.audit import signing
from ombuds.audit.chain import checkpoint_message, key_rotation_message
from ombuds.audit.models import AuditCheckpoint, AuditEntry
from ombuds.audit.verification import audit_verify
from tests.audit.conftest import Attacker

pytestmark = pytest.mark.django_db

Log = Callable[[int], list[AuditEntry]]


def verify(*args: str) -> str:
    """Run the command; return the message it fails with, or "" when the log is intact."""
    try:
        call_command("audit", "verify", *args, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        return str(exc)
    return ""


def current_public_key() -> str:
    return signing.public_key_hex(signing.load_signing_key().verify_key)


def rotate() -> AuditEntry:
    out = io.StringIO()
    call_command("audit", "rotate-signing-key", stdout=out)
    entry = AuditEntry.objects.filter(action="audit_signing_key_rotated").latest("seq")
    assert entry.subject == "audit:signing-key"
    assert entry.details["new_public_key"] in out.getvalue()
    return entry


def test_verify_after_a_rotation_checks_old_checkpoints_with_the_old_public_key(
    log: Log, signing_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log(7)
    old = current_public_key()
    entry = rotate()
    new = current_public_key()
    assert new != old and entry.seq == 8
    assert entry.details["old_public_key"] == old and entry.details["new_public_key"] == new
    log(6)  # #9..#14: an automatic checkpoint at #10, by the new key
    signers = dict(AuditCheckpoint.objects.values_list("seq", "public_key"))
    assert signers == {5: old, 8: old, 10: new}
    # Only the new private key is on disk; no staged copy is left beside it.
    assert [p.name for p in signing_key_file.parent.iterdir() if "signing" in p.name] == [
        signing_key_file.name
    ]
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "audit log intact: 14 entries" in out and "signing key replaced at #8" in out


def test_an_automatic_checkpoint_on_the_rotation_entry_is_the_old_keys(log: Log) -> None:
    log(4)
    old = current_public_key()
    entry = rotate()
    assert entry.seq == 5
    assert AuditCheckpoint.objects.get(seq=5).public_key == old
    log(5)
    assert AuditCheckpoint.objects.get(seq=10).public_key == current_public_key()
    assert verify() == ""


def test_two_rotations_and_an_export_verify_with_any_published_key(
    log: Log, tmp_path: Path
) -> None:
    log(3)
    first = current_public_key()
    rotate()
    log(3)
    second = current_public_key()
    rotate()
    log(3)
    last = current_public_key()
    path = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(path))
    for pinned in (first, second, last):
        assert verify("--file", str(path), "--public-key", pinned) == ""
    assert verify() == ""
    out = io.StringIO()
    call_command("audit", "signing-keys", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["#1..#4", first]
    assert lines[1].split() == ["#5..#8", second]
    assert lines[2].split() == ["#9..", last, "(current)"]


def test_a_key_file_replaced_by_hand_after_a_rotation_is_caught(
    log: Log, signing_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log(3)
    recorded = rotate().details["new_public_key"]
    signing_key_file.unlink()
    signing.ensure_signing_key()  # a new key, put in place without the command
    log(8)  # checkpoints at #5 and #10, by the unrecorded key
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    # Pinned to the key in the file, the recorded history is not trusted...
    assert "first bad entry #4: no key of the signing key history is trusted" in str(caught.value)
    err = capsys.readouterr().err
    assert "entry #5: its checkpoint is signed by" in err and "the key history says" in err
    assert "replaced without `ombuds audit rotate-signing-key`" in err
    # ...and pinned to the recorded key, the checkpoint by the unrecorded one is refused.
    assert "first bad entry #5:" in verify("--public-key", str(recorded))


def _rechain(
    attacker: Attacker,
    seq: int,
    details: dict[str, object],
    key: SigningKey,
    key_at_seq: SigningKey | None = None,
) -> None:
    """Rewrite entry ``seq``'s details, re-hash everything after it and re-sign every later
    checkpoint with ``key`` (the one at ``seq`` itself with ``key_at_seq`` if given), head
    included: every link and checkpoint then matches."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    prev = entries[0].prev_hash
    for entry in entries:
        fields = dataclasses.replace(entry.fields(), prev_hash=prev)
        if entry.seq == seq:
            fields = dataclasses.replace(fields, details=details)
        attacker.sql(
            "UPDATE audit_auditentry SET details = %s, prev_hash = %s, entry_hash = %s "
            "WHERE seq = %s",
            [json.dumps(dict(fields.details)), prev, fields.digest(), entry.seq],
        )
        prev = fields.digest()
        checkpoint = AuditCheckpoint.objects.filter(seq=entry.seq).first()
        if checkpoint is not None:
            signer = key_at_seq if key_at_seq is not None and entry.seq == seq else key
            signature = signer.sign(
                checkpoint_message(seq=entry.seq, head_hash=prev, created_at=checkpoint.created_at)
            ).signature
            attacker.sql(
                "UPDATE audit_auditcheckpoint SET head_hash = %s, signature = %s, "
                "public_key = %s WHERE seq = %s",
                [prev, signature.hex(), signing.public_key_hex(signer.verify_key), entry.seq],
            )
    attacker.sql("UPDATE audit_auditchainhead SET head_hash = %s", [prev])


def _forged_rotation(entry: AuditEntry, old: SigningKey | None, forger: SigningKey) -> dict:
    """The rotation entry's details handing over to ``forger``, signed by ``old`` if known."""
    forged = signing.public_key_hex(forger.verify_key)
    message = key_rotation_message(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        old_public_key=str(entry.details["old_public_key"]),
        new_public_key=forged,
    )
    return {
        **entry.details,
        "new_public_key": forged,
        "new_signature": forger.sign(message).signature.hex(),
        "old_signature": (old.sign(message).signature.hex() if old else "00" * 64),
    }


def test_a_rotation_rewritten_to_the_attackers_key_is_caught(log: Log, attacker: Attacker) -> None:
    log(3)
    entry = rotate()
    log(8)
    forger = SigningKey.generate()
    _rechain(attacker, entry.seq, _forged_rotation(entry, None, forger), forger)
    message = verify("--any-signer")
    assert f"first bad entry #{entry.seq}: its signing key rotation is not signed by both" in (
        message
    )


def test_an_attacker_holding_the_old_key_cannot_hand_over_to_a_key_of_their_own(
    log: Log, attacker: Attacker, signing_key_file: Path
) -> None:
    log(3)
    stolen = signing.load_signing_key()  # e.g. from a backup taken before the rotation
    entry = rotate()
    log(8)
    forger = SigningKey.generate()
    _rechain(attacker, entry.seq, _forged_rotation(entry, stolen, forger), forger, stolen)
    # The history is self-consistent now (old key -> forger), but leads away from the
    # install's own key. Pinned to the published key, verify names the forged history:
    message = verify("--public-key", current_public_key())
    assert f"first bad entry #{entry.seq}: no key of the signing key history is trusted" in (
        message
    )
    # By default (the key file alone) it refuses too, saying that the key file signed none of
    # the log: from the file alone a forged history and a key file that does not belong to
    # this database (restored without its data folder) look the same.
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2
    assert "MISMATCH" in str(refused.value) and "re-signed by someone else" in str(refused.value)
    assert verify("--any-signer") == ""  # without a pinned key nothing can tell (docs/audit.md)


def test_an_old_checkpoint_re_signed_with_the_new_key_is_caught(
    log: Log, attacker: Attacker
) -> None:
    entries = log(7)
    rotate()
    new = signing.load_signing_key()
    checkpoint = AuditCheckpoint.objects.get(seq=5)
    signature = new.sign(
        checkpoint_message(seq=5, head_hash=entries[4].entry_hash, created_at=checkpoint.created_at)
    ).signature
    attacker.sql(
        "UPDATE audit_auditcheckpoint SET signature = %s, public_key = %s WHERE seq = 5",
        [signature.hex(), signing.public_key_hex(new.verify_key)],
    )
    message = verify()
    assert "first bad entry #5: its checkpoint is signed by" in message
    assert "the key history says" in message


def test_a_rotation_entry_deleted_is_caught(log: Log, attacker: Attacker) -> None:
    log(3)
    entry = rotate()
    log(3)
    attacker.sql("DELETE FROM audit_auditentry WHERE seq = %s", [entry.seq])
    attacker.sql("DELETE FROM audit_auditcheckpoint WHERE seq = %s", [entry.seq])
    assert f"first bad entry #{entry.seq}:" in verify()


def test_rotation_without_a_key_file_is_refused_cleanly(log: Log, signing_key_file: Path) -> None:
    log(2)
    signing_key_file.unlink()
    with pytest.raises(CommandError, match="no audit signing key"):
        call_command("audit", "rotate-signing-key", stdout=io.StringIO())
    assert not AuditEntry.objects.filter(action="audit_signing_key_rotated").exists()


def test_a_rotation_entry_cannot_be_written_through_audit_record(log: Log) -> None:
    from ombuds.audit.models import AuditAction
    from ombuds.audit.services import audit_record

    with pytest.raises(ValueError, match="audit_signing_key_rotate only"):
        audit_record(action=AuditAction.AUDIT_SIGNING_KEY_ROTATED, details={})


def _appender(worker: int) -> None:  # pragma: no cover - runs in a child process
    from ombuds.audit.models import AuditAction
    from ombuds.audit.services import audit_record

    code = 0
    try:
        for i in range(25):
            audit_record(action=AuditAction.EXPORT, subject=f"x:{worker}-{i}")
    except BaseException:
        code = 1
    finally:
        connections.close_all()
        os._exit(code)


def _rotator(_worker: int) -> None:  # pragma: no cover - runs in a child process
    from ombuds.audit.services import audit_signing_key_rotate

    code = 0
    try:
        for _ in range(2):
            time.sleep(0.05)
            audit_signing_key_rotate()
    except BaseException:
        code = 1
    finally:
        connections.close_all()
        os._exit(code)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_rotations_while_other_processes_append_leave_every_checkpoint_to_the_key_of_its_era() -> (
    None
):
    # Each process opens its own connection and reads the key file itself, as gunicorn
    # workers do; every 5th entry is checkpointed by whichever key the process finds.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_appender, args=(w,)) for w in range(4)]
    processes.append(context.Process(target=_rotator, args=(0,)))
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * 5
    report = audit_verify(trusted_keys={current_public_key()})
    assert report.ok, report.problems
    assert report.entries == 4 * 25 + 2 and len(report.rotations) == 2
