"""`ombuds staff` and `ombuds agency`: members and agencies over time, with clear refusals."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ombuds import crypto
from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.intake.models import Complaint, ComplaintKeyGrant
from ombuds.staff.models import (
    Agency,
    AgencyKeyGrant,
    AgencyPastKeyGrant,
    StaffUser,
)
from tests.conftest import share_complaint, submit_complaint

from .helpers import enrol_and_sign_in, latest_complaint, run, sign_in_refused

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Vesennii-dozhd-nad-Terekom"


def _escrow_file(world, tmp_path) -> str:
    path = tmp_path / "escrow.key"
    path.write_text(world.escrow_private_key.reveal().hex())
    return str(path)


def _add_second_prosecutor(world, monkeypatch) -> StaffUser:
    run(
        monkeypatch,
        "staff", "add", "prosecutor2", "--agency", "prosecutor", "--role", "investigator",
        "--granted-by", "prosecutor",
        stdin=f"{NEW_PASSWORD}\n{world.personas['prosecutor'].password}\n",
    )  # fmt: skip
    return StaffUser.objects.get(username="prosecutor2")


def test_staff_add_with_the_grant_of_a_colleague_lets_the_new_member_read(
    world, monkeypatch
) -> None:
    user = _add_second_prosecutor(world, monkeypatch)
    key = crypto.unlock_private_key(user.protected_key(), NEW_PASSWORD)
    grant = AgencyKeyGrant.objects.get(user=user)
    agency_key = crypto.unseal_private_key(key, bytes(grant.sealed_private_key))
    assert crypto.public_key_of(agency_key) == bytes(
        Agency.objects.get(slug="prosecutor").public_key
    )


def test_staff_add_refuses_a_name_already_taken_without_a_traceback(world, monkeypatch) -> None:
    with pytest.raises(CommandError, match="already a staff member 'prosecutor'"):
        run(
            monkeypatch,
            "staff", "add", "prosecutor", "--agency", "prosecutor", "--role", "investigator",
            "--granted-by", "prosecutor",
            stdin=f"{NEW_PASSWORD}\n{world.personas['prosecutor'].password}\n",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "too common"),
        ("newmember-2024", "too similar"),
        ("short", "too short"),
    ],
)
def test_staff_add_refuses_a_weak_password(world, monkeypatch, tmp_path, password, reason) -> None:
    with pytest.raises(CommandError, match=reason):
        run(
            monkeypatch,
            "staff", "add", "newmember", "--agency", "prosecutor", "--role", "investigator",
            "--escrow-key-file", _escrow_file(world, tmp_path),
            stdin=f"{password}\n",
        )  # fmt: skip
    assert not StaffUser.objects.filter(username="newmember").exists()


def test_staff_add_refuses_a_grantor_of_another_agency(world, monkeypatch) -> None:
    with pytest.raises(CommandError, match="not a member of prosecutor"):
        run(
            monkeypatch,
            "staff", "add", "newmember", "--agency", "prosecutor", "--role", "investigator",
            "--granted-by", "liaison",
            stdin=f"{NEW_PASSWORD}\n{world.personas['liaison'].password}\n",
        )  # fmt: skip
    assert not StaffUser.objects.filter(username="newmember").exists()


def test_staff_add_names_the_agencies_when_one_is_unknown(world, monkeypatch) -> None:
    with pytest.raises(CommandError, match=r"no agency 'police'.*prosecutor"):
        run(
            monkeypatch,
            "staff", "add", "newmember", "--agency", "police", "--role", "investigator",
            "--granted-by", "prosecutor", stdin=f"{NEW_PASSWORD}\n",
        )  # fmt: skip


def test_staff_add_refuses_a_wrong_escrow_key(world, monkeypatch, tmp_path) -> None:
    wrong = tmp_path / "wrong.key"
    wrong.write_text(crypto.generate_keypair().private_key.reveal().hex())
    with pytest.raises(CommandError, match="not this install's escrow key"):
        run(
            monkeypatch,
            "staff", "add", "newmember", "--agency", "prosecutor", "--role", "investigator",
            "--escrow-key-file", str(wrong), stdin=f"{NEW_PASSWORD}\n",
        )  # fmt: skip


def test_an_administrator_is_added_without_any_agency_key(world, monkeypatch) -> None:
    run(monkeypatch, "staff", "add", "boss", "--role", "admin", stdin=f"{NEW_PASSWORD}\n")
    boss = StaffUser.objects.get(username="boss")
    assert boss.agency is None and not AgencyKeyGrant.objects.filter(user=boss).exists()


def test_staff_list_shows_who_is_active(world, monkeypatch) -> None:
    run(monkeypatch, "staff", "deactivate", "liaison")
    lines = run(monkeypatch, "staff", "list").splitlines()
    liaison = next(line for line in lines if line.startswith("liaison"))
    prosecutor = next(line for line in lines if line.startswith("prosecutor"))
    assert "DEACTIVATED" in liaison
    assert " active " in prosecutor


def test_a_deactivated_member_cannot_sign_in_and_holds_no_key(world, monkeypatch) -> None:
    out = run(monkeypatch, "staff", "deactivate", "prosecutor")
    assert "rotated" in out
    assert sign_in_refused("prosecutor", world.personas["prosecutor"].password)
    departed = StaffUser.objects.get(username="prosecutor")
    assert not AgencyKeyGrant.objects.filter(user=departed).exists()
    assert not AgencyPastKeyGrant.objects.filter(user=departed).exists()
    actions = set(
        AuditEntry.objects.filter(subject="staff:prosecutor").values_list("action", flat=True)
    )
    assert {AuditAction.STAFF_DEACTIVATED, AuditAction.KEY_REVOKED} <= actions


def test_a_departed_member_with_their_password_and_the_old_agency_key_opens_nothing_filed_later(
    world, monkeypatch
) -> None:
    """Threat model 12 at the key level: the departed prosecutor kept their password and even
    the agency's private key as it was while they were a member; with the database as it is
    after their departure, a complaint filed afterwards does not open."""
    remaining = _add_second_prosecutor(world, monkeypatch)
    departed = world.personas["prosecutor"]
    departed_key = crypto.unlock_private_key(departed.user.protected_key(), departed.password)
    old_agency_key = crypto.unseal_private_key(
        departed_key, bytes(AgencyKeyGrant.objects.get(user=departed.user).sealed_private_key)
    )
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Filed before.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    before = latest_complaint()

    run(monkeypatch, "staff", "deactivate", "prosecutor")
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Filed after.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    after = latest_complaint()

    # The copy of the database taken now: every sealed agency key, every complaint grant.
    sealed_agency_keys = [bytes(g.sealed_private_key) for g in AgencyKeyGrant.objects.all()] + [
        bytes(g.sealed_private_key) for g in AgencyPastKeyGrant.objects.all()
    ]
    for sealed in sealed_agency_keys:
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal(departed_key, sealed)
    for grant in ComplaintKeyGrant.objects.filter(complaint=after):
        for key in (departed_key, old_agency_key):
            with pytest.raises(crypto.DecryptionFailed):
                crypto.unseal(key, bytes(grant.sealed_data_key))

    # The remaining member reads both, through the site.
    client, _secret = enrol_and_sign_in("prosecutor2", NEW_PASSWORD)
    for complaint, text in ((before, "Filed before."), (after, "Filed after.")):
        r = client.get(f"/en/staff/complaints/{complaint.public_id}/")
        assert r.status_code == 200 and text in r.content.decode()
    assert remaining.is_active


def test_a_member_added_after_a_rotation_reads_what_was_filed_before_it(world, monkeypatch) -> None:
    _add_second_prosecutor(world, monkeypatch)
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Filed long ago.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    before = latest_complaint()
    run(monkeypatch, "staff", "deactivate", "prosecutor")
    run(
        monkeypatch,
        "staff", "add", "prosecutor3", "--agency", "prosecutor", "--role", "investigator",
        "--granted-by", "prosecutor2", stdin=f"{NEW_PASSWORD}-3\n{NEW_PASSWORD}\n",
    )  # fmt: skip
    client, _secret = enrol_and_sign_in("prosecutor3", f"{NEW_PASSWORD}-3")
    r = client.get(f"/en/staff/complaints/{before.public_id}/")
    assert r.status_code == 200 and "Filed long ago." in r.content.decode()


def test_reset_with_the_escrow_key_keeps_the_keys_and_asks_for_a_new_second_factor(
    world, monkeypatch, tmp_path
) -> None:
    submit_complaint(Client(), "en", consent_prosecutor="on", account="Still readable.")
    share_complaint(world, Complaint.objects.order_by("-pk").first())
    complaint = latest_complaint()
    run(
        monkeypatch, "staff", "reset", "prosecutor",
        "--escrow-key-file", _escrow_file(world, tmp_path), stdin=f"{NEW_PASSWORD}\n",
    )  # fmt: skip
    assert sign_in_refused("prosecutor", world.personas["prosecutor"].password)
    client, secret = enrol_and_sign_in("prosecutor", NEW_PASSWORD)
    assert secret != world.personas["prosecutor"].totp_secret
    r = client.get(f"/en/staff/complaints/{complaint.public_id}/")
    assert r.status_code == 200 and "Still readable." in r.content.decode()
    actions = set(
        AuditEntry.objects.filter(subject="staff:prosecutor").values_list("action", flat=True)
    )
    assert {AuditAction.KEY_RECOVERED, AuditAction.PASSWORD_CHANGED} <= actions


def test_reset_granted_by_a_colleague_gives_a_new_key_and_the_agency_key_again(
    world, monkeypatch
) -> None:
    _add_second_prosecutor(world, monkeypatch)
    old_public = bytes(StaffUser.objects.get(username="prosecutor").public_key)
    run(
        monkeypatch, "staff", "reset", "prosecutor", "--granted-by", "prosecutor2",
        stdin=f"{NEW_PASSWORD}-new\n{NEW_PASSWORD}\n",
    )  # fmt: skip
    user = StaffUser.objects.get(username="prosecutor")
    assert bytes(user.public_key) != old_public
    key = crypto.unlock_private_key(user.protected_key(), f"{NEW_PASSWORD}-new")
    agency_key = crypto.unseal_private_key(
        key, bytes(AgencyKeyGrant.objects.get(user=user).sealed_private_key)
    )
    assert crypto.public_key_of(agency_key) == bytes(user.agency.public_key)


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (("changepassword", "prosecutor"), "ombuds staff reset USER"),
        (
            ("createsuperuser", "--noinput", "--username", "root"),
            "ombuds staff add USER --role admin",
        ),
    ],
)
def test_djangos_password_commands_refuse_and_name_the_right_command(world, command, names) -> None:
    with pytest.raises(CommandError, match=names):
        call_command(*command)
    assert not StaffUser.objects.filter(username="root").exists()


def test_agency_create_edit_and_list(world, monkeypatch) -> None:
    run(
        monkeypatch, "agency", "create", "court", "--kind", "other",
        "--name-ru", "Суд", "--name-en", "Court", "--retention-days", "365",
    )  # fmt: skip
    run(monkeypatch, "agency", "edit", "court", "--consent-choice", "no", "--name-en", "The court")
    court = Agency.objects.get(slug="court")
    assert (court.name_en, court.retention_days, court.offered_for_consent) == (
        "The court", 365, False,
    )  # fmt: skip
    listing = run(monkeypatch, "agency", "list")
    assert "The court / Суд" in listing and "365 days" in listing
    assert AuditEntry.objects.filter(
        action=AuditAction.CONFIG_CHANGED, subject="agency:court"
    ).exists()


def test_agency_commands_refuse_a_taken_slug_and_a_zero_retention(world, monkeypatch) -> None:
    with pytest.raises(CommandError, match="already an agency 'prosecutor'"):
        run(
            monkeypatch, "agency", "create", "prosecutor", "--kind", "prosecutor",
            "--name-ru", "П", "--name-en", "P",
        )  # fmt: skip
    with pytest.raises(CommandError, match="at least one day"):
        run(monkeypatch, "agency", "edit", "prosecutor", "--retention-days", "0")


def test_staff_role_changes_a_role_and_the_audit_log_says_so(world, monkeypatch) -> None:
    run(monkeypatch, "staff", "role", "liaison", "analyst")
    assert StaffUser.objects.get(username="liaison").role == "analyst"
    entry = AuditEntry.objects.get(action=AuditAction.STAFF_CHANGED, subject="staff:liaison")
    assert entry.details == {"role": "analyst", "was": "liaison"}
