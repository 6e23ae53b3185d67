"""An edit keeps the earlier text (docs/access.md, "Records"; threat model 11).

The earlier version is encrypted under the same compartment key, with who wrote it and when and
who replaced it and when; readers of the compartment see it as the record's history, and no one
else can open it.
"""

from __future__ import annotations

from typing import Any

import pytest

from ombuds import crypto
from ombuds.casework.models import CaseKeyGrant, CaseRecord, CaseRecordVersion
from ombuds.casework.records import PersonRecord, record_from_bytes
from tests.casework.helpers import add_person, case_url, file_complaint, open_case, signed_in

pytestmark = pytest.mark.django_db


def _edit(client: Any, case: Any, row: CaseRecord, name: str) -> Any:
    return client.post(
        case_url(case, f"records/{row.public_id}/edit/"),
        {
            "person-name": name,
            "person-sex": "m",
            "person-birth_precision": "unknown",
            "person-age": "27",
        },
    )


def test_an_edit_keeps_the_earlier_text_under_the_same_key_with_who_and_when(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    assert add_person(officer, case, "First spelling").status_code == 302
    row = CaseRecord.objects.get(case=case, kind="person", source_complaint=None)
    assert _edit(officer, case, row, "Second spelling").status_code == 302
    assert _edit(officer, case, row, "Third spelling").status_code == 302

    versions = list(CaseRecordVersion.objects.filter(record=row).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    grant = CaseKeyGrant.objects.get(compartment=row.compartment, agency__slug="working-group")
    key = crypto.unseal_data_key(world.agency_keys["working-group"], bytes(grant.sealed_key))
    row.refresh_from_db()
    texts = [
        record_from_bytes("person", crypto.decrypt(key, bytes(v.ciphertext), aad=v.aad_for(row)))
        for v in versions
    ]
    assert [t.name for t in texts if isinstance(t, PersonRecord)] == [
        "First spelling",
        "Second spelling",
    ]
    officer_user = world.personas["intake_officer"].user
    assert all(v.written_by == officer_user and v.replaced_by == officer_user for v in versions)
    assert row.changed_by == officer_user and row.changed_on == versions[-1].replaced_on
    # A version cannot pass for the record itself: its associated data differs.
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, bytes(versions[0].ciphertext), aad=row.aad)


def test_readers_of_the_compartment_see_the_history_and_others_do_not(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("prosecutor"))
    officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert add_person(officer, case, "Before the correction").status_code == 302
    row = CaseRecord.objects.get(case=case, kind="person", source_complaint=None)
    assert _edit(officer, case, row, "After the correction").status_code == 302
    history = case_url(case, f"records/{row.public_id}/history/")

    case_page = signed_in(world, "prosecutor").get(case_url(case)).content.decode()
    assert history in case_page, "the case page links an edited record's history"
    for persona in ("intake_officer", "prosecutor", "analyst"):
        page = signed_in(world, persona).get(history)
        assert page.status_code == 200, persona
        text = page.content.decode()
        assert "Before the correction" in text and "After the correction" in text
    assert signed_in(world, "liaison").get(history).status_code == 404
    assert signed_in(world, "auditor").get(history).status_code == 403


def test_an_analyst_cannot_open_the_history_of_a_copy_from_a_complaint(world) -> None:
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, file_complaint("none"))
    copy = CaseRecord.objects.get(case=case, kind="person", source_complaint__isnull=False)
    assert _edit(officer, case, copy, "Corrected copy").status_code == 302
    history = case_url(case, f"records/{copy.public_id}/history/")
    assert signed_in(world, "analyst").get(history).status_code == 404
    assert "Corrected copy" in signed_in(world, "intake_officer").get(history).content.decode()
