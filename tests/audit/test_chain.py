"""The hash chain's encoding, without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ombuds.audit.chain import GENESIS_HASH, EntryFields, canonical_json, checkpoint_message

ENTRY = EntryFields(
    seq=7,
    created_at=dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC),
    action="complaint_read",
    actor_id=3,
    actor_username="officer",
    agency_id=1,
    subject="complaint:8a4f",
    details={"b": 1, "a": "x", "c": None, "d": True},
    prev_hash=GENESIS_HASH,
)


def test_encoding_does_not_depend_on_key_order_or_time_zone() -> None:
    same = dataclasses.replace(
        ENTRY,
        details={"d": True, "c": None, "a": "x", "b": 1},
        created_at=ENTRY.created_at.astimezone(dt.timezone(dt.timedelta(hours=3))),
    )
    assert same.encode() == ENTRY.encode()
    assert same.digest() == ENTRY.digest()


def test_timestamps_always_carry_microseconds() -> None:
    assert b'"created_at":"2025-03-01T12:00:00.000000+00:00"' in ENTRY.encode()


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 8},
        {"created_at": ENTRY.created_at + dt.timedelta(microseconds=1)},
        {"action": "complaint_deleted"},
        {"actor_id": 4},
        {"actor_id": None},
        {"actor_username": "officer2"},
        {"agency_id": 2},
        {"subject": "complaint:8a4e"},
        {"details": {"b": 2, "a": "x", "c": None, "d": True}},
        {"details": {"b": 1, "a": "x", "c": None, "d": 1}},
        {"prev_hash": "1" * 64},
    ],
)
def test_every_field_is_covered_by_the_hash(change: dict[str, object]) -> None:
    assert dataclasses.replace(ENTRY, **change).digest() != ENTRY.digest()  # type: ignore[arg-type]


def test_canonical_json_is_ascii_and_compact() -> None:
    assert canonical_json({"b": "é", "a": [1, 2]}) == b'{"a":[1,2],"b":"\\u00e9"}'


def test_checkpoint_message_names_its_purpose() -> None:
    message = checkpoint_message(seq=5, head_hash="ab" * 32, created_at=ENTRY.created_at)
    assert b'"kind":"ombuds-audit-checkpoint"' in message
    assert b'"seq":5' in message
