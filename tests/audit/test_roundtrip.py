"""Whatever audit_record accepts, the database gives back unchanged and the chain verifies."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import (
    FORBIDDEN_DETAIL_KEYS,
    MAX_SAFE_INTEGER,
    SERVICE_ONLY_ACTIONS,
    audit_record,
)
from ombuds.audit.verification import audit_verify

pytestmark = pytest.mark.django_db

text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60)
keys = text.filter(lambda k: bool(k) and k.lower() not in FORBIDDEN_DETAIL_KEYS)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    text,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    action=st.sampled_from([a for a in AuditAction if a not in SERVICE_ONLY_ACTIONS]),
    subject=text,
    details=st.dictionaries(keys, values, max_size=8),
)
def test_any_accepted_entry_round_trips_and_verifies(
    action: AuditAction, subject: str, details: dict[str, object]
) -> None:
    entry = audit_record(action=action, subject=subject, details=details)  # type: ignore[arg-type]
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert (stored.subject, stored.details) == (subject, details)
    assert stored.fields().digest() == stored.entry_hash == entry.entry_hash
    assert audit_verify(trusted_keys=None).ok
