"""Two requests that need the same new compartment at once both succeed (PostgreSQL).

The compartment for a set of agencies is made on first use. Two requests that both find it
missing must not both make it (``one_compartment_per_set`` would refuse the second with an
IntegrityError, a 500); the second waits for the first and uses its compartment, unsealing the
key the first sealed to its agency. SQLite runs one writer at a time, so it cannot race.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from ombuds import crypto
from ombuds.casework import services
from ombuds.casework.models import Case, CaseRecord, Compartment
from ombuds.casework.records import PersonRecord
from ombuds.casework.selectors import case_keys_for_agency
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import complaint_get_for_user
from ombuds.staff.models import StaffUser
from tests.casework.helpers import file_complaint, open_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two requests cannot race there")


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> list[BaseException]:
    """Run ``first`` in a transaction held open until ``second``, started meanwhile in
    another thread, is blocked on a lock (or has finished); then let both finish. Each makes
    its own connection, as two requests would. Returns what either raised."""
    errors: list[BaseException] = []
    done, release = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                done.set()
                assert release.wait(30)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
            done.set()
        finally:
            connection.close()

    def run_second() -> None:
        try:
            second()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=run_first)
    a.start()
    assert done.wait(30)
    b = threading.Thread(target=run_second)
    b.start()
    deadline = time.monotonic() + 10
    while b.is_alive() and not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    # The race is real: the second request is stuck behind the first's transaction.
    assert b.is_alive() and _waiting_on_a_lock() == 1
    release.set()
    a.join(30)
    b.join(30)
    assert not a.is_alive() and not b.is_alive()
    return errors


def _keys(world: Any, user: StaffUser, case: Case) -> Any:
    return case_keys_for_agency(
        case=case,
        agency=user.agency,
        agency_private_key=world.agency_keys[user.agency.slug],
    )


def _decrypts(world: Any, user: StaffUser, case: Case, row: CaseRecord) -> bytes:
    key = _keys(world, user, case).get(row.compartment)
    assert key is not None
    return crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)


def test_two_records_filed_at_once_under_a_new_set_of_sources_share_one_compartment(
    tx_world,
) -> None:
    officer = tx_world.client_for("intake_officer")
    user = tx_world.personas["intake_officer"].user
    first = [file_complaint("prosecutor"), file_complaint("interior")]
    second = [file_complaint("prosecutor"), file_complaint("interior")]
    case = open_case(officer, *first, *second)
    # Material from a complaint to the prosecutor and one to the interior ministry: only the
    # working group may read it, a compartment the case does not have yet. Different
    # complaints, so that the requests do not already wait on each other's source rows.
    signature = str(tx_world.agencies["working-group"].pk)
    assert not Compartment.objects.filter(case=case, signature=signature).exists()

    def add(name: str, sources: list[Complaint]) -> Callable[[], Any]:
        def work() -> None:
            services.person_add(
                user=user,
                case=case,
                keys=_keys(tx_world, user, case),
                person=PersonRecord(name=name),
                sources=sources,
            )

        return work

    assert _race(add("First at once", first), add("Second at once", second)) == []
    compartment = Compartment.objects.get(case=case, signature=signature)
    rows = list(CaseRecord.objects.filter(compartment=compartment).select_related("case"))
    assert len(rows) == 2
    names = {_decrypts(tx_world, user, case, r).decode() for r in rows}
    assert any("First at once" in n for n in names) and any("Second at once" in n for n in names)


def test_two_complaints_of_one_consent_added_at_once_share_one_compartment(tx_world) -> None:
    officer = tx_world.client_for("intake_officer")
    user = tx_world.personas["intake_officer"].user
    case = open_case(officer, file_complaint("none"))
    one, two = file_complaint("both"), file_complaint("both")
    agency_key = tx_world.agency_keys["working-group"]
    # Read before the race, as each request would have (reading is audited on its own).
    read: dict[int, Any] = {}
    for c in (one, two):
        complaint, view, _key = complaint_get_for_user(
            user=user, public_id=c.public_id, agency_private_key=agency_key
        )
        read[c.pk] = (complaint, view)

    def add(complaint: Complaint) -> Callable[[], Any]:
        def work() -> None:
            services.case_add_complaint(
                user=user,
                case=case,
                keys=_keys(tx_world, user, case),
                complaint=read[complaint.pk][0],
                view=read[complaint.pk][1],
            )

        return work

    assert _race(add(one), add(two)) == []
    compartment = Compartment.objects.get(case=case, sources__complaint=one)
    assert set(compartment.sources.values_list("complaint", flat=True)) == {one.pk, two.pk}
    assert Compartment.objects.filter(case=case).count() == 3  # everyone, "none", "both"
    rows = CaseRecord.objects.filter(compartment=compartment).select_related("case")
    assert {r.source_complaint_id for r in rows} == {one.pk, two.pk}
    for row in rows:
        _decrypts(tx_world, user, case, row)
