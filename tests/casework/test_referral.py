"""Referral shares only what the complainants consented to, and it is cryptographic: the
agency referred to holds no key for the rest, and its private key opens nothing withheld
(threat model 4)."""

from __future__ import annotations

import pytest

from ombuds import crypto
from ombuds.casework.models import CaseKeyGrant, CaseRecord, CaseStatus, Compartment
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in

pytestmark = pytest.mark.django_db

SHARED = "Taken from his home in Argun at night by men in uniform."
WITHHELD = "I saw men beaten in the yard; I do not want the prosecutor to read this."


def _referred_case(world):
    officer = signed_in(world, "intake_officer")
    shared = file_complaint("prosecutor", account=SHARED)
    withheld = file_complaint("none", account=WITHHELD)
    case = open_case(officer, shared, withheld)
    # Staff material coded from the withheld complaint stays in its compartment.
    assert add_person(officer, case, "Witness-only person", sources=[withheld]).status_code == 302
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302
    return case, shared, withheld


def _withheld_compartment(case, complaint) -> Compartment:
    return Compartment.objects.get(case=case, sources__complaint=complaint)


def test_prosecutor_reads_consented_material_only(world) -> None:
    case, _shared, _withheld = _referred_case(world)
    page = signed_in(world, "prosecutor").get(case_url(case)).content.decode()
    assert SHARED in page
    assert WITHHELD not in page and "Witness-only person" not in page
    assert "Withheld from your agency" in page
    assert "The complainant did not consent to share with Prosecutor." in page


def test_the_referring_agency_sees_what_is_withheld_from_whom(world) -> None:
    case, _shared, _withheld = _referred_case(world)
    page = signed_in(world, "intake_officer").get(case_url(case)).content.decode()
    assert WITHHELD in page and SHARED in page
    assert "Withheld from Prosecutor: The complainant did not consent" in page


def test_no_key_is_sealed_to_the_prosecutor_for_withheld_material(world) -> None:
    case, shared, withheld = _referred_case(world)
    prosecutor = world.agencies["prosecutor"]
    closed = _withheld_compartment(case, withheld)
    assert not CaseKeyGrant.objects.filter(compartment=closed, agency=prosecutor).exists()
    assert CaseKeyGrant.objects.filter(
        compartment=_withheld_compartment(case, shared), agency=prosecutor
    ).exists()
    assert CaseKeyGrant.objects.filter(
        case=case, compartment__everyone=True, agency=prosecutor
    ).exists()


def test_the_prosecutors_private_key_opens_nothing_withheld(world) -> None:
    case, _shared, withheld = _referred_case(world)
    prosecutor_key = world.agency_keys["prosecutor"]
    closed = _withheld_compartment(case, withheld)
    # Every sealed copy of the withheld compartment's key: none opens with the prosecutor's key.
    sealed = [bytes(g.sealed_key) for g in CaseKeyGrant.objects.filter(compartment=closed)]
    assert sealed, "the working group holds it"
    for blob in sealed:
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal_data_key(prosecutor_key, blob)
    # And every key the prosecutor *can* open fails on every withheld record.
    keys = [
        crypto.unseal_data_key(prosecutor_key, bytes(g.sealed_key))
        for g in CaseKeyGrant.objects.filter(case=case, agency=world.agencies["prosecutor"])
    ]
    rows = CaseRecord.objects.filter(compartment=closed)
    assert rows.count() >= 2  # the complaint's information and the person
    for row in rows:
        for key in keys:
            with pytest.raises(crypto.DecryptionFailed):
                crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)


def test_referral_to_the_prosecutor_sets_the_status(world) -> None:
    case, _s, _w = _referred_case(world)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED


def test_staff_material_added_after_referral_reaches_the_prosecutor(world) -> None:
    case, _s, withheld = _referred_case(world)
    officer = signed_in(world, "intake_officer")
    assert add_person(officer, case, "Staff note person").status_code == 302
    assert add_person(officer, case, "Later withheld person", sources=[withheld]).status_code == 302
    page = signed_in(world, "prosecutor").get(case_url(case)).content.decode()
    assert "Staff note person" in page
    assert "Later withheld person" not in page


def test_material_the_prosecutor_adds_reaches_the_working_group(world) -> None:
    case, _s, _w = _referred_case(world)
    prosecutor = signed_in(world, "prosecutor")
    assert add_person(prosecutor, case, "Found by the prosecutor").status_code == 302
    page = signed_in(world, "intake_officer").get(case_url(case)).content.decode()
    assert "Found by the prosecutor" in page


def test_the_prosecutor_cannot_file_material_under_a_complaint_it_may_not_read(world) -> None:
    case, _s, withheld = _referred_case(world)
    r = add_person(signed_in(world, "prosecutor"), case, "Sneaky", sources=[withheld])
    assert r.status_code == 400
    assert not CaseRecord.objects.filter(created_by=world.personas["prosecutor"].user).exists()


def test_a_new_intersection_compartment_is_sealed_only_to_allowed_holders(world) -> None:
    officer = signed_in(world, "intake_officer")
    both = file_complaint("both", account="Consented to both.")
    pros = file_complaint("prosecutor", account="Consented to the prosecutor.")
    case = open_case(officer, both, pros)
    for agency in ("prosecutor", "interior"):
        officer.post(case_url(case, "refer/"), {"agency": world.agencies[agency].pk})
    # Material from both complaints: the intersection is {working group, prosecutor}.
    assert add_person(officer, case, "From both", sources=[both, pros]).status_code == 302
    row = CaseRecord.objects.filter(case=case).order_by("-pk").first()
    granted = set(
        CaseKeyGrant.objects.filter(compartment=row.compartment).values_list(
            "agency__slug", flat=True
        )
    )
    assert granted == {"working-group", "prosecutor"}
    assert "From both" not in signed_in(world, "liaison").get(case_url(case)).content.decode()
    assert "Consented to both." in signed_in(world, "liaison").get(case_url(case)).content.decode()
