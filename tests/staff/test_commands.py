"""`ombuds init` and `ombuds createstaff`: keys made once, escrow shown once, grants."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ombuds import crypto
from ombuds.staff.models import Agency, AgencyKeyGrant, Installation, StaffUser

pytestmark = pytest.mark.django_db


def test_init_shows_the_escrow_private_key_once_and_keeps_only_its_public_half() -> None:
    out = io.StringIO()
    call_command("init", stdout=out)
    lines = [ln for ln in out.getvalue().splitlines() if ln.startswith("  ")]
    escrow_private = crypto.escrow_key_parse(lines)
    inst = Installation.current()
    assert bytes(inst.escrow_public_key) == crypto.public_key_of(escrow_private)
    assert escrow_private.reveal() not in bytes(inst.escrow_public_key)
    with pytest.raises(CommandError):
        call_command("init", stdout=io.StringIO())


def test_createstaff_grants_the_agency_key_with_the_escrow_key(
    world, tmp_path, monkeypatch
) -> None:
    escrow_file = tmp_path / "escrow.key"
    escrow_file.write_text(world.escrow_private_key.reveal().hex())
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    call_command(
        "createstaff",
        "newbie",
        "--agency",
        "prosecutor",
        "--role",
        "investigator",
        "--escrow-key-file",
        str(escrow_file),
        "--password-stdin",
        stdout=io.StringIO(),
    )
    user = StaffUser.objects.get(username="newbie")
    key = crypto.unlock_private_key(user.protected_key(), "a brand new password")
    grant = AgencyKeyGrant.objects.get(user=user)
    agency_key = crypto.unseal_private_key(key, bytes(grant.sealed_private_key))
    assert crypto.public_key_of(agency_key) == bytes(
        Agency.objects.get(slug="prosecutor").public_key
    )


def test_createstaff_refuses_a_wrong_grantor_password(world, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\nnot the password\n"))
    with pytest.raises(CommandError, match="wrong password"):
        call_command(
            "createstaff",
            "newbie",
            "--agency",
            "working-group",
            "--role",
            "analyst",
            "--granted-by",
            "intake_officer",
            "--password-stdin",
            stdout=io.StringIO(),
        )
    assert not StaffUser.objects.filter(username="newbie").exists()
