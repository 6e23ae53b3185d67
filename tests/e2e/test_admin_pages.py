"""The administrator's pages in a real browser with JavaScript off (English pages).

The administrator adds a member to the prosecutor's office, stops offering the interior
ministry on the public form, resets a member's password and deactivates another; a colleague
grants the new member the agency's key on their account page.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from ombuds.staff import services
from ombuds.staff.models import AgencyKeyGrant, Role, StaffUser
from tests.conftest import Persona
from tests.e2e.browser import Traffic
from tests.e2e.test_complaint_journey import click, go

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Vesennii-dozhd-nad-Terekom"


def sign_in(page: Any, traffic: Traffic, persona: Persona) -> None:
    go(page, traffic, "/en/staff/")
    page.get_by_label("User name").fill(persona.username)
    page.get_by_label("Password").fill(persona.password)
    click(page, traffic, page.get_by_role("button", name="Continue"))
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(persona.totp_secret).now()
    )
    click(page, traffic, page.get_by_role("button", name="Sign in"))
    assert page.get_by_role("heading", level=1).inner_text() == "Complaints"


def test_the_administrator_manages_agencies_and_staff_without_javascript(
    tx_world: Any, live_server: Any, new_context: Any, traffic: Traffic
) -> None:
    boss = services.staff_create(
        username="boss", password="Kto-storozhit-storozhei", agency=None, role=Role.ADMIN,
        agency_private_key=None,
    )  # fmt: skip
    secret = pyotp.random_base32()
    services.totp_enrol(user=boss, secret=secret)
    page = new_context("en-GB").new_page()
    sign_in(page, traffic, Persona("boss", "Kto-storozhit-storozhei", secret, boss))

    # Staff: add a member of the prosecutor's office.
    click(page, traffic, page.get_by_role("link", name="Administration"))
    assert page.get_by_role("heading", level=1).inner_text() == "Staff"
    page.get_by_label("User name").fill("prosecutor2")
    page.get_by_label("Agency").select_option(label="Prosecutor")
    page.get_by_label("Role").select_option("investigator")
    page.locator('[name="new_password"]').fill(NEW_PASSWORD)
    page.locator('[name="new_password_again"]').fill(NEW_PASSWORD)
    click(page, traffic, page.get_by_role("button", name="Add"))
    assert "prosecutor2 was added" in page.locator("p.message").inner_text()
    assert page.locator("#staff tr", has_text="prosecutor2").count() == 1

    # Agencies: the interior ministry is no longer offered on the public form.
    click(page, traffic, page.get_by_role("link", name="Agencies", exact=True))
    click(page, traffic, page.locator("#agencies tr", has_text="Interior").get_by_role("link"))
    page.get_by_label("Complaints may be shared with it").uncheck()
    page.get_by_label("Retention period (days)").fill("365")
    click(page, traffic, page.get_by_role("button", name="Save"))
    row = page.locator("#agencies tr", has_text="Interior")
    assert "365" in row.inner_text() and "not offered" in row.inner_text()
    public = new_context("en-GB").new_page()
    go(public, traffic, "/en/complaint/")
    assert public.locator('input[name^="consent_"]').count() == 1

    # A colleague grants the new member the agency's key, on their account page.
    colleague = new_context("en-GB").new_page()
    sign_in(colleague, traffic, tx_world.personas["prosecutor"])
    click(colleague, traffic, colleague.get_by_role("link", name="Account"))
    click(colleague, traffic, colleague.get_by_role("button", name="Grant the agency's key"))
    assert "prosecutor2 now holds the agency's key" in colleague.locator("p.message").inner_text()
    assert AgencyKeyGrant.objects.filter(user__username="prosecutor2").exists()

    # Reset a member's password and second factor.
    click(page, traffic, page.get_by_role("link", name="Staff", exact=True))
    click(page, traffic, page.locator("#staff tr", has_text="intake_officer").get_by_role("link"))
    reset = page.locator("#reset")
    reset.locator('[name="new_password"]').fill(NEW_PASSWORD)
    reset.locator('[name="new_password_again"]').fill(NEW_PASSWORD)
    click(page, traffic, reset.get_by_role("button", name="Reset"))
    assert "new password" in page.locator("p.message").inner_text()
    assert not StaffUser.objects.get(username="intake_officer").totp_confirmed

    # Deactivate another.
    click(page, traffic, page.get_by_role("link", name="Staff", exact=True))
    click(page, traffic, page.locator("#staff tr", has_text="liaison").get_by_role("link"))
    click(page, traffic, page.locator("#deactivate").get_by_role("button", name="Deactivate"))
    assert "deactivated" in page.locator("#member-status").inner_text()
    assert not StaffUser.objects.get(username="liaison").is_active
    assert traffic.foreign_requests() == []
