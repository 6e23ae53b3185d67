"""The escrow key through the commands: init's words, shares and file; every command that takes
the key; ``ombuds escrow rotate`` and ``check`` (issue 10, item 3)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ombuds import crypto
from ombuds.audit.models import AuditEntry
from ombuds.audit.verification import audit_verify
from ombuds.intake.models import Complaint
from ombuds.staff.models import Agency, AgencyKeyGrant, Installation, StaffUser
from tests.conftest import share_complaint, submit_complaint

pytestmark = pytest.mark.django_db


def _share_blocks(text: str) -> list[str]:
    """The file cut into one block per share, each with its title line, as trustees get them."""
    return re.split(r"(?m)^(?=# ESCROW KEY SHARE)", text)[1:]


def _install_public_key() -> bytes:
    return bytes(Installation.current().escrow_public_key)


def _add_member(*key_files: Path, username: str = "newbie") -> str:
    """``createstaff`` into the prosecutor's office with the escrow key; returns its output."""
    out = io.StringIO()
    stdin = io.StringIO("a brand new password\n")
    import sys

    saved, sys.stdin = sys.stdin, stdin
    try:
        args = [f"--escrow-key-file={path}" for path in key_files]
        call_command(
            "createstaff",
            username,
            "--agency",
            "prosecutor",
            "--role",
            "investigator",
            "--password-stdin",
            *args,
            stdout=out,
        )
    finally:
        sys.stdin = saved
    return out.getvalue()


def test_init_prints_the_escrow_key_as_33_words_that_give_the_installs_key() -> None:
    out = io.StringIO()
    call_command("init", stdout=out)
    lines = [ln for ln in out.getvalue().splitlines() if ln.startswith("  ")]
    assert len(lines) == 3 and lines[0].split()[0] == "1-11"
    key = crypto.escrow_key_parse(["\n".join(lines)])
    assert crypto.public_key_of(key) == _install_public_key()
    fingerprint = crypto.escrow_fingerprint(_install_public_key())
    assert fingerprint in out.getvalue()
    with pytest.raises(CommandError, match="already has its keys"):
        call_command("init", stdout=io.StringIO())


def test_init_writes_the_escrow_key_to_a_private_file_and_not_to_the_terminal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "escrow.txt"
    out = io.StringIO()
    call_command("init", "--escrow-key-out", str(path), stdout=out)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = crypto.escrow_key_parse([path.read_text()])
    assert crypto.public_key_of(key) == _install_public_key()
    words = crypto.escrow_words_normalise(path.read_text()).split()
    # No run of the key's words on the terminal (single words may coincide with the output's
    # own text: SLIP-39's list has "agency", "group" and other everyday words).
    shown = " ".join(out.getvalue().lower().split())
    assert not any(" ".join(words[i : i + 3]) in shown for i in range(len(words) - 2))
    assert f"written to {path}" in out.getvalue()


def test_init_never_writes_over_a_file_and_then_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "escrow.txt"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="exists"):
        call_command("init", "--escrow-key-out", str(path), stdout=io.StringIO())
    assert path.read_text() == "keep me"
    assert not Installation.objects.exists()


def test_init_splits_the_escrow_key_among_trustees_any_threshold_of_whom_recover_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shares.txt"
    call_command(
        "init",
        "--escrow-shares=5",
        "--escrow-threshold=3",
        "--escrow-key-out",
        str(path),
        stdout=io.StringIO(),
    )
    text = path.read_text()
    assert text.count("# ESCROW KEY SHARE") == 5 and "any 3 recover the key" in text
    blocks = _share_blocks(text)
    key = crypto.escrow_key_parse(blocks[1:4])
    assert crypto.public_key_of(key) == _install_public_key()
    with pytest.raises(crypto.EscrowKeyIncomplete):
        crypto.escrow_key_parse(blocks[:2])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--escrow-shares=3"], "together"),
        (["--escrow-shares=2", "--escrow-threshold=3"], "K <= N"),
        (["--escrow-shares=3", "--escrow-threshold=1"], "2 <= K"),
        (["--escrow-shares=17", "--escrow-threshold=2"], "<= 16"),
    ],
)
def test_init_refuses_an_impossible_split_before_making_anything(
    options: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("init", *options, stdout=io.StringIO())
    assert not Installation.objects.exists()


# --- commands that take the key -----------------------------------------------------------


def _granted(username: str) -> bool:
    user = StaffUser.objects.get(username=username)
    key = crypto.unlock_private_key(user.protected_key(), "a brand new password")
    grant = AgencyKeyGrant.objects.get(user=user)
    agency_key = crypto.unseal_private_key(key, bytes(grant.sealed_private_key))
    return crypto.public_key_of(agency_key) == bytes(
        Agency.objects.get(slug="prosecutor").public_key
    )


def test_createstaff_takes_the_escrow_key_as_words(world: Any, tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text(
        "\n".join(crypto.escrow_words_lines(crypto.escrow_words(world.escrow_private_key)))
    )
    _add_member(words)
    assert _granted("newbie")


def test_createstaff_takes_threshold_shares_one_file_per_trustee(
    world: Any, tmp_path: Path
) -> None:
    shares = crypto.escrow_shares(world.escrow_private_key, shares=4, threshold=2)
    files = []
    for share in (shares[3], shares[1]):
        files.append(tmp_path / f"trustee-{share.number}.txt")
        files[-1].write_text(share.words)
    _add_member(*files)
    assert _granted("newbie")


def test_shares_below_the_threshold_are_refused_with_how_many_are_needed(
    world: Any, tmp_path: Path
) -> None:
    shares = crypto.escrow_shares(world.escrow_private_key, shares=5, threshold=3)
    files = []
    for share in shares[:2]:
        files.append(tmp_path / f"trustee-{share.number}.txt")
        files[-1].write_text(share.words)
    with pytest.raises(CommandError, match="2 shares of the escrow key given, 3 needed"):
        _add_member(*files)
    assert not StaffUser.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("00" * 32, "not this install's escrow key"),
        ("abc", "64 digits"),
        ("not an escrow key at all", "33 words"),
    ],
)
def test_a_wrong_escrow_key_gets_a_clear_error_not_a_traceback(
    world: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "escrow.key"
    path.write_text(content)
    with pytest.raises(CommandError, match=f"wrong escrow key: .*{message}"):
        _add_member(path)
    with pytest.raises(CommandError, match="cannot read the escrow key from"):
        _add_member(tmp_path / "missing.key")


def test_evidence_verify_takes_the_escrow_key_as_shares(world: Any, tmp_path: Path) -> None:
    shares = crypto.escrow_shares(world.escrow_private_key, shares=3, threshold=2)
    path = tmp_path / "shares.txt"
    path.write_text(shares[0].words + "\n" + shares[2].words)
    out = io.StringIO()
    call_command("evidence", "verify", "--escrow-key-file", str(path), stdout=out)
    assert out.getvalue().startswith("OK:")


def test_without_a_terminal_a_command_that_needs_the_escrow_key_says_to_give_it(
    world: Any,
) -> None:
    with pytest.raises(CommandError, match="give --escrow-key-file"):
        call_command("escrow", "check", stdout=io.StringIO())


# --- rotation -------------------------------------------------------------------------------


def _key_file(tmp_path: Path, key: crypto.PrivateKey, name: str = "old.txt") -> Path:
    path = tmp_path / name
    path.write_text(crypto.escrow_words(key))
    return path


def test_escrow_rotate_reseals_every_staff_and_agency_key_to_the_new_key_only(
    world: Any, tmp_path: Path
) -> None:
    secret = "Filed before the escrow key was replaced."
    submit_complaint(Client(), account=secret, consent_prosecutor="on")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    old_key = world.escrow_private_key
    new_file = tmp_path / "new.txt"
    out = io.StringIO()
    call_command(
        "escrow",
        "rotate",
        "--escrow-key-file",
        str(_key_file(tmp_path, old_key)),
        "--escrow-key-out",
        str(new_file),
        stdout=out,
    )
    new_key = crypto.escrow_key_parse([new_file.read_text()])
    assert _install_public_key() == crypto.public_key_of(new_key)
    assert "re-sealed 5 staff.StaffUser, 3 staff.Agency" in out.getvalue()
    for user in StaffUser.objects.all():
        protected = user.protected_key()
        assert crypto.public_key_of(crypto.recover_private_key(new_key, protected)) == bytes(
            user.public_key
        )
        with pytest.raises(crypto.DecryptionFailed):
            crypto.recover_private_key(old_key, protected)
    for agency in Agency.objects.all():
        opened = crypto.unseal_private_key(new_key, bytes(agency.escrow_wrapped))
        assert crypto.public_key_of(opened) == bytes(agency.public_key)
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal_private_key(old_key, bytes(agency.escrow_wrapped))
    # Material sealed before the rotation stays readable: staff passwords were not touched.
    complaint = Complaint.objects.get()
    page = world.client_for("prosecutor").get(f"/en/staff/complaints/{complaint.public_id}/")
    assert secret in page.content.decode()
    entry = AuditEntry.objects.filter(action="escrow_key_rotated").get()
    assert entry.details["new_public_key"] == crypto.public_key_of(new_key).hex()
    assert entry.details["resealed_staff_staffuser"] == 5
    assert audit_verify(trusted_keys=None).ok
    # The old key is now refused everywhere, the new one accepted.
    with pytest.raises(CommandError, match="not this install's escrow key"):
        _add_member(_key_file(tmp_path, old_key, "again.txt"))
    _add_member(new_file)
    assert _granted("newbie")


def test_escrow_rotate_with_a_wrong_key_changes_nothing(world: Any, tmp_path: Path) -> None:
    before = _install_public_key()
    wrong = _key_file(tmp_path, crypto.generate_keypair().private_key)
    with pytest.raises(CommandError, match="wrong escrow key"):
        call_command(
            "escrow",
            "rotate",
            "--escrow-key-file",
            str(wrong),
            "--escrow-key-out",
            str(tmp_path / "new.txt"),
            stdout=io.StringIO(),
        )
    assert _install_public_key() == before
    assert not (tmp_path / "new.txt").exists()
    assert not AuditEntry.objects.filter(action="escrow_key_rotated").exists()


def test_escrow_rotate_can_split_the_new_key_among_trustees(world: Any, tmp_path: Path) -> None:
    new_file = tmp_path / "new.txt"
    call_command(
        "escrow",
        "rotate",
        f"--escrow-key-file={_key_file(tmp_path, world.escrow_private_key)}",
        f"--escrow-key-out={new_file}",
        "--escrow-shares=3",
        "--escrow-threshold=2",
        stdout=io.StringIO(),
    )
    blocks = _share_blocks(new_file.read_text())
    assert len(blocks) == 3
    key = crypto.escrow_key_parse(blocks[:2])
    assert crypto.public_key_of(key) == _install_public_key()
    out = io.StringIO()
    share_files = []
    for number, block in enumerate(blocks[1:], start=2):
        share_files += ["--escrow-key-file", str(tmp_path / f"s{number}.txt")]
        (tmp_path / f"s{number}.txt").write_text(block)
    call_command("escrow", "check", *share_files, stdout=out)
    assert "This is the install's escrow key" in out.getvalue()
    assert AuditEntry.objects.filter(action="escrow_key_checked").count() == 1


def test_escrow_rotate_refuses_a_sealed_key_that_does_not_open_and_changes_nothing(
    world: Any, tmp_path: Path
) -> None:
    from ombuds.staff import services

    # A staff row whose escrow copy is sealed to some other key (damaged or forged).
    stranger = crypto.generate_keypair()
    StaffUser.objects.filter(username="analyst").update(
        key_escrow_wrapped=crypto.seal_private_key(
            stranger.public_key, crypto.generate_keypair().private_key
        )
    )
    before = bytes(Agency.objects.get(slug="interior").escrow_wrapped)
    new = crypto.generate_keypair()
    with pytest.raises(services.EscrowRotationError, match="does not open"):
        services.escrow_rotate(
            escrow_private_key=world.escrow_private_key, new_escrow_public_key=new.public_key
        )
    assert bytes(Agency.objects.get(slug="interior").escrow_wrapped) == before
    assert _install_public_key() == crypto.public_key_of(world.escrow_private_key)
