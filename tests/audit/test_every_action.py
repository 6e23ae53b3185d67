"""The audit page shows an entry of every action the code can write, filtered and not.

The actions and their details are read from the source, not from a hand-kept list: every
``audit_record(action=AuditAction.X, details={...})`` call under ``src/ombuds`` gives an entry
with the same detail keys (literal values kept, other values replaced by a value of a
plausible type), and every ``AuditAction`` member gets at least one entry. Detail keys that
name dict methods (``items``, ``keys``, ``values``, ``get``) once made the page fail: the
template resolved ``entry.details.items`` as the key.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import ombuds
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]

URL = "/en/staff/audit/"
SOURCE = Path(ombuds.__file__).resolve().parent
# Keys a template would resolve as dict attributes rather than as keys.
DICT_METHOD_KEYS = {"items": 7, "keys": "a", "values": 2, "get": True, "pop": None}


@dataclass(frozen=True)
class WrittenEntry:
    action: AuditAction
    details: dict[str, Any]
    where: str


def _plausible(node: ast.expr) -> Any:
    """A detail value of the kind the expression yields (details are flat str/int/bool/None)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in {"len", "int", "sum", "round", "max", "min"}:
            return 3
        if node.func.id == "bool":
            return True
    if isinstance(node, ast.Compare | ast.BoolOp) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
    ):
        return False
    return ast.unparse(node)[:60]


def written_entries() -> list[WrittenEntry]:
    """Every ``audit_record`` call in the source with a literal action."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "audit_record"
            ):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            action = keywords.get("action")
            if not (isinstance(action, ast.Attribute) and action.attr in AuditAction.__members__):
                continue
            details: dict[str, Any] = {}
            given = keywords.get("details")
            if isinstance(given, ast.Dict):
                for key, value in zip(given.keys, given.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        details[key.value] = _plausible(value)
            found.append(
                WrittenEntry(
                    AuditAction[action.attr],
                    details,
                    f"{path.relative_to(SOURCE)}:{node.lineno}",
                )
            )
    return found


def test_the_source_writes_audit_entries_this_test_can_find() -> None:
    entries = written_entries()
    assert len({e.action for e in entries}) >= 20
    # The entry that once broke the page is among them.
    assert any(e.action == AuditAction.EVIDENCE_READ and "items" in e.details for e in entries), (
        entries
    )


def _record_everything(world: Any) -> set[str]:
    officer = world.personas["intake_officer"].user
    subjects = set()
    written = written_entries()
    seen = {e.action for e in written}
    extra = [WrittenEntry(a, {}, "enum") for a in AuditAction if a not in seen]
    for i, entry in enumerate([*written, *extra]):
        subject = f"probe:{i:04d}"
        audit_record(action=entry.action, actor=officer, subject=subject, details=entry.details)
        subjects.add(subject)
    for action in AuditAction:  # and each action once with dict-method keys
        subject = f"probe:{action.value}"
        audit_record(action=action, actor=officer, subject=subject, details=DICT_METHOD_KEYS)
        subjects.add(subject)
    return subjects


def test_the_audit_page_shows_an_entry_of_every_action_with_its_details(world: Any) -> None:
    _record_everything(world)
    client = world.client_for("auditor")
    r = client.get(URL, {"subject": "probe:"})
    assert r.status_code == 200
    page = r.content.decode()
    for action in AuditAction:
        assert f"probe:{action.value}" in page
    assert "items=7" in page and "keys=a" in page and "get=True" in page
    # every page of the unfiltered log renders too
    pages = r.context["page"].paginator.num_pages
    for number in range(1, pages + 1):
        assert client.get(URL, {"page": number}).status_code == 200


def test_the_audit_page_filtered_by_each_action_shows_its_entries(world: Any) -> None:
    _record_everything(world)
    client = world.client_for("auditor")
    for action in AuditAction:
        r = client.get(URL, {"action": action.value})
        assert r.status_code == 200, action
        page = r.content.decode()
        assert f"probe:{action.value}" in page, action
        assert "items=7" in page, action
