"""An anchored audit log (issue 12, item 3).

The issue's finding: "with write access to the database, an edited entry re-hashed onward
passes `ombuds audit verify` (rc 0, a warning)", because nothing signed the chain before its
1,000th entry. Now `init` signs a checkpoint, the scheduler signs one at least twice a day when
the log has grown, the flush signs what it chains, and `verify` fails (not warns) when an entry
over a day old lies past the last checkpoint. Digests kept off the server catch an attacker who
also holds the signing key.

Time passes through ``django.utils.timezone.now``, which every part of the log reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ombuds.audit import signing
from ombuds.audit.chain import checkpoint_message
from ombuds.audit.digest import CheckpointDigest, DigestFormatError
from ombuds.audit.models import AuditAction, AuditCheckpoint, AuditEntry, PendingAuditEntry
from ombuds.audit.selectors import audit_anchor_state, audit_checkpoint_digest
from ombuds.audit.services import audit_anchor, audit_record
from ombuds.audit.tasks import audit_anchor_task
from ombuds.audit.verification import audit_verify
from tests.audit.conftest import Attacker

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture(autouse=True)
def as_deployed(settings: Any) -> None:
    """Automatic checkpoints every 1,000 entries, as deployed: the issue's starting point."""
    settings.OMBUDS_AUDIT_CHECKPOINT_EVERY = 1000


def staff_entries(n: int) -> list[AuditEntry]:
    return [
        audit_record(action=AuditAction.COMPLAINT_READ, subject=f"complaint:{i:08d}")
        for i in range(n)
    ]


def verify(*args: str) -> str:
    """Run ``ombuds audit verify``; return the message it fails with, or "" if it passes."""
    try:
        call_command("audit", "verify", *args, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        return str(exc)
    return ""


def rewrite_onward(attacker: Attacker, seq: int, subject: str) -> None:
    """The issue's attack: edit entry ``seq``, re-hash it and every entry after it, and move
    the chain head, so every hash and link is right again."""
    prev = None
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        fields = entry.fields()
        if prev is None:
            fields = dataclasses.replace(fields, subject=subject)
        else:
            fields = dataclasses.replace(fields, prev_hash=prev)
        attacker.sql(
            "UPDATE audit_auditentry SET subject = %s, prev_hash = %s, entry_hash = %s "
            "WHERE seq = %s",
            [fields.subject, fields.prev_hash, fields.digest(), fields.seq],
        )
        prev = fields.digest()
    attacker.sql("UPDATE audit_auditchainhead SET head_hash = %s", [prev])


def re_sign_everything(attacker: Attacker) -> None:
    """What someone who took the whole server (the key too) does after rewriting: replace
    every checkpoint by one over the rewritten chain, at the same times."""
    key = signing.load_signing_key()
    public = signing.public_key_hex(key.verify_key)
    kept = list(AuditCheckpoint.objects.values_list("seq", "created_at"))
    attacker.sql("DELETE FROM audit_auditcheckpoint")
    for seq, created_at in kept:
        head_hash = AuditEntry.objects.get(seq=seq).entry_hash
        message = checkpoint_message(seq=seq, head_hash=head_hash, created_at=created_at)
        attacker.sql(
            "INSERT INTO audit_auditcheckpoint (seq, head_hash, created_at, signature, "
            "public_key) VALUES (%s, %s, %s, %s, %s)",
            [seq, head_hash, created_at, key.sign(message).signature.hex(), public],
        )


# --- init anchors the log ------------------------------------------------------------------


def test_init_signs_a_checkpoint_over_what_it_recorded_and_prints_its_digest(
    clock: Clock,
) -> None:
    out = io.StringIO()
    call_command("init", stdout=out)
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.seq == head.seq and checkpoint.head_hash == head.entry_hash
    digest = audit_checkpoint_digest(checkpoint)
    assert digest.text() in out.getvalue()
    assert "keep this off the server" in out.getvalue()
    # A week later nobody has done anything: the log is anchored, verify passes.
    clock.advance(7 * DAY)
    assert verify("--against", digest.text()) == ""


# --- the issue's scenario --------------------------------------------------------------------


def test_the_issues_rewrite_is_caught_once_the_scheduler_has_anchored_the_log(
    clock: Clock, attacker: Attacker
) -> None:
    staff_entries(40)
    clock.advance(13 * HOUR)
    checkpoint = audit_anchor()  # the scheduler's round
    assert checkpoint is not None and checkpoint.seq == 41  # its own entry, covered too
    assert verify() == ""
    clock.advance(HOUR)
    staff_entries(5)

    rewrite_onward(attacker, 7, subject="complaint:someone-else")

    message = verify()
    assert message.startswith("audit log TAMPERED: first bad entry #1:")
    assert "checkpoint at #41 no longer matches" in message


def test_a_rewrite_with_the_checkpoints_deleted_fails_as_not_anchored_after_a_day(
    clock: Clock, attacker: Attacker
) -> None:
    """No checkpoint, and the attacker rewrote everything: before, rc 0 and a warning."""
    staff_entries(40)
    audit_anchor(now=clock.now + 13 * HOUR)
    rewrite_onward(attacker, 7, subject="complaint:someone-else")
    attacker.sql("DELETE FROM audit_auditcheckpoint")
    # Within the day nothing inside the server can tell (docs/audit.md says so)...
    assert verify() == ""
    # ...but once the entries are over a day old, verify fails instead of warning.
    clock.advance(DAY + HOUR)
    message = verify()
    assert message.startswith("audit log NOT ANCHORED: entries #1..#41 lie past the last")
    assert "over a day old" in message


def test_verify_fails_when_the_scheduler_did_not_anchor_for_a_day(clock: Clock) -> None:
    staff_entries(3)
    audit_anchor(now=clock.now + 13 * HOUR)
    assert AuditCheckpoint.objects.count() == 1
    clock.advance(HOUR)
    staff_entries(2)  # #5, #6 past the checkpoint at #4
    clock.advance(DAY - HOUR)
    assert verify() == ""  # 23 hours old
    clock.advance(2 * HOUR)
    message = verify()
    assert "NOT ANCHORED: entries #5..#6 lie past the last signed checkpoint (#4)" in message
    # The scheduler (here, by hand) signs: anchored again.
    assert audit_anchor() is not None
    assert verify() == ""


# --- the scheduler's checkpoint ----------------------------------------------------------


def test_the_scheduler_signs_only_when_the_log_grew_past_an_old_checkpoint(clock: Clock) -> None:
    assert audit_anchor() is None  # an empty log
    staff_entries(2)
    first = audit_anchor()  # entries and no checkpoint: signed at once
    assert first is not None and first.seq == 3
    clock.advance(20 * HOUR)
    assert audit_anchor() is None  # old, but nothing past it: a quiet log gets no new one
    staff_entries(1)
    clock.advance(HOUR)
    second = audit_anchor()
    assert second is not None and second.seq == 5
    clock.advance(HOUR)
    staff_entries(1)
    clock.advance(HOUR)
    assert audit_anchor() is None  # the newest is two hours old
    clock.advance(11 * HOUR)
    third = audit_anchor_task.call()
    assert third == 7
    assert [c.seq for c in AuditCheckpoint.objects.all()] == [3, 5, 7]
    assert AuditEntry.objects.get(seq=7).action == AuditAction.AUDIT_CHECKPOINT


def test_without_a_signing_key_the_scheduler_warns_and_verify_reports_it(
    clock: Clock, signing_key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    staff_entries(2)
    public = signing.public_key_hex(signing.load_signing_key().verify_key)
    signing_key_file.unlink()
    assert audit_anchor() is None
    assert "the scheduled checkpoint was not signed" in caplog.text
    clock.advance(DAY + HOUR)
    assert "NOT ANCHORED" in verify("--public-key", public)


def test_the_flush_anchors_the_public_side_entries_it_chains(clock: Clock) -> None:
    """Chained a day late and dated their day at 00:00: they are signed as they enter."""
    staff_entries(1)
    audit_anchor()
    audit_record(action=AuditAction.COMPLAINT_SUBMITTED, subject="complaint:x", day_only=True)
    clock.advance(DAY)
    call_command("audit", "flush", stdout=io.StringIO())
    assert not PendingAuditEntry.objects.exists()
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None and head.action == AuditAction.COMPLAINT_SUBMITTED
    assert AuditCheckpoint.objects.filter(seq=head.seq, head_hash=head.entry_hash).exists()
    clock.advance(HOUR)
    assert verify() == ""
    assert not audit_anchor_state().overdue(clock.now)


def test_the_housekeeping_round_includes_the_anchor() -> None:
    from ombuds.staff.housekeeping import HOUSEKEEPING_TASKS

    assert audit_anchor_task in HOUSEKEEPING_TASKS


# --- digests kept off the server ---------------------------------------------------------


def export_digest(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", "checkpoint", "--export", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_a_kept_digest_catches_a_rewrite_re_signed_with_the_stolen_key(
    clock: Clock, attacker: Attacker
) -> None:
    staff_entries(10)
    digest = export_digest()
    assert digest.startswith("ombuds-audit-1 #11 ")
    assert len(digest) < 160
    assert verify("--against", digest) == ""
    staff_entries(5)
    audit_anchor(now=clock.now + 13 * HOUR)

    rewrite_onward(attacker, 3, subject="complaint:someone-else")
    re_sign_everything(attacker)

    assert verify() == ""  # with the key, the server's own evidence is consistent
    message = verify("--against", digest)
    assert "TAMPERED: first bad entry #11: its hash differs from the checkpoint digest" in message


def test_a_kept_digest_catches_an_end_cut_with_head_and_checkpoints_fixed_up(
    clock: Clock, attacker: Attacker
) -> None:
    entries = staff_entries(6)
    digest = export_digest()  # at #7
    attacker.sql("DELETE FROM audit_auditentry WHERE seq > 5")
    attacker.sql("DELETE FROM audit_auditcheckpoint")
    attacker.sql("UPDATE audit_auditchainhead SET seq = 5, head_hash = %s", [entries[4].entry_hash])
    assert verify() == ""
    assert "first bad entry #6: it is missing, but a checkpoint digest" in verify(
        "--against", digest
    )


def test_a_kept_digest_notices_its_checkpoint_deleted(clock: Clock, attacker: Attacker) -> None:
    staff_entries(3)
    digest = export_digest()
    staff_entries(3)
    export_digest()
    attacker.sql("DELETE FROM audit_auditcheckpoint WHERE seq = 4")
    assert "first bad entry #4: the checkpoint of the digest kept off the server is gone" in (
        verify("--against", digest)
    )


def test_export_existing_prints_the_newest_checkpoint_without_signing() -> None:
    with pytest.raises(CommandError, match="no signed checkpoint yet"):
        export_digest("--existing")
    staff_entries(2)
    digest = export_digest()
    entries = AuditEntry.objects.count()
    assert export_digest("--existing") == digest
    assert AuditEntry.objects.count() == entries


def test_a_digest_reads_back_however_it_was_copied() -> None:
    staff_entries(2)
    text = export_digest()
    digest = CheckpointDigest.parse(text)
    assert CheckpointDigest.parse("  " + text.upper().replace(" ", "\n  ") + "\n") == digest
    checkpoint = AuditCheckpoint.objects.get()
    assert digest == audit_checkpoint_digest(checkpoint)
    assert checkpoint.head_hash.startswith(digest.head)
    for broken in (
        text[:-5],  # cut short
        text.replace("#3", "#x"),
        text.replace("head", "hash"),
        "",
    ):
        with pytest.raises(DigestFormatError):
            CheckpointDigest.parse(broken)
    with pytest.raises(CommandError, match="not a checkpoint digest"):
        call_command("audit", "verify", "--against", "ombuds-audit-1 #3 nonsense")


def test_a_kept_digest_of_another_checkpoint_at_the_same_entry_is_refused(
    attacker: Attacker,
) -> None:
    staff_entries(3)
    digest = CheckpointDigest.parse(export_digest())
    forged = dataclasses.replace(digest, signature="0" * 16)
    assert "its checkpoint is not the one whose digest was kept" in verify(
        "--against", forged.text()
    )


# --- exports ------------------------------------------------------------------------------


def test_an_export_is_judged_at_its_own_time(clock: Clock, tmp_path: Path) -> None:
    staff_entries(3)
    clock.advance(DAY + HOUR)  # the scheduler stopped a day ago
    unanchored = tmp_path / "unanchored.jsonl"
    call_command("audit", "export", "-o", str(unanchored))
    assert "NOT ANCHORED" in verify("--file", str(unanchored))

    audit_anchor()
    anchored = tmp_path / "anchored.jsonl"
    call_command("audit", "export", "-o", str(anchored))
    clock.advance(365 * DAY)  # read a year later: as anchored as when it was written
    assert verify("--file", str(anchored)) == ""


def test_audit_verify_reports_the_unanchored_stretch_as_such(clock: Clock) -> None:
    staff_entries(2)
    report = audit_verify(as_of=clock.now + DAY + HOUR)
    assert not report.ok and not report.tampered
    assert report.first_problem is not None and report.first_problem.seq == 1


# --- the command line, as an operator runs it --------------------------------------------


@pytest.fixture
def install(tmp_path: Path) -> Iterator[dict[str, str]]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMBUDS_SECRET_KEY")}
    env.update(OMBUDS_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ombuds.settings")
    yield env


def ombuds(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ombuds.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_verify_against_a_digest_from_the_command_line(install: dict[str, str]) -> None:
    assert ombuds(install, "migrate", "-v", "0").returncode == 0
    assert ombuds(install, "audit", "init-key").returncode == 0
    made = ombuds(install, "audit", "checkpoint", "--export")
    assert made.returncode == 0, made.stderr
    digest = made.stdout.strip().splitlines()[-1]
    ok = ombuds(install, "audit", "verify", "--against", digest)
    assert ok.returncode == 0, ok.stderr
    assert "matches the kept checkpoint digest of #1" in ok.stdout
    wrong = CheckpointDigest.parse(digest)
    wrong = dataclasses.replace(wrong, head="f" * 40 if wrong.head[0] != "f" else "e" * 40)
    failed = ombuds(install, "audit", "verify", "--against", wrong.text())
    assert failed.returncode == 1
    assert "TAMPERED: first bad entry #1: its hash differs" in failed.stderr
