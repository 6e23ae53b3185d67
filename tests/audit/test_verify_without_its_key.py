"""A database restored without the data folder's signing key (issue 12).

Before: `audit verify` passed quietly with "any valid signature is accepted", and after
`ombuds audit init-key` made a new key it reported the whole log TAMPERED from the first
checkpoint. Now it says what is wrong (the key does not belong to this log) and how to put it
right, with its own exit status; real damage is still reported as tampering.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ombuds.audit import signing
from ombuds.audit.models import AuditEntry
from tests.audit.conftest import Attacker

pytestmark = pytest.mark.django_db

Log = Callable[[int], list[AuditEntry]]


def _another_data_folder(settings: Any, tmp_path: Path) -> Path:
    """The key file of a new, empty data folder: where a restore without it leaves things."""
    path = tmp_path / "new-data-folder" / "audit-signing.key"
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(path)
    return path


def test_without_the_key_file_verify_says_the_checkpoints_prove_nothing_and_how_to_restore(
    log: Log, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log(12)
    _another_data_folder(settings, tmp_path)
    call_command("audit", "verify")
    captured = capsys.readouterr()
    assert "audit log intact" in captured.out
    assert "prove nothing here" in captured.err
    assert "`ombuds restore` does both" in captured.err


def test_a_new_key_made_after_a_restore_is_reported_as_a_mismatch_not_as_tampering(
    log: Log, settings: Any, tmp_path: Path
) -> None:
    log(12)
    old = signing.public_key_hex(signing.load_signing_key().verify_key)
    _another_data_folder(settings, tmp_path)
    call_command("audit", "init-key")
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    message = str(raised.value)
    assert raised.value.returncode == 2
    assert "TAMPERED" not in message
    assert "MISMATCH" in message and old[:16] in message
    assert "restore audit-signing.key from the same backup" in message
    # Pinning the published key still verifies the log.
    call_command("audit", "verify", "--public-key", old)


def test_with_a_foreign_key_real_damage_is_still_reported_as_tampering(
    log: Log, attacker: Attacker, settings: Any, tmp_path: Path
) -> None:
    log(12)
    _another_data_folder(settings, tmp_path)
    call_command("audit", "init-key")
    attacker.sql("UPDATE audit_auditentry SET subject = 'x' WHERE seq = 3")
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1
    assert "TAMPERED: first bad entry #3" in str(raised.value)


def test_the_right_key_file_verifies_as_before(
    log: Log, capsys: pytest.CaptureFixture[str]
) -> None:
    log(12)
    call_command("audit", "verify")
    assert "audit log intact: 12 entries" in capsys.readouterr().out
