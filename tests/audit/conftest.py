from __future__ import annotations

from pathlib import Path

import pytest

from ombuds.audit import signing


@pytest.fixture(autouse=True)
def signing_key_file(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each test signs with its own key file, never the install's."""
    path = tmp_path / "audit-signing.key"
    settings.OMBUDS_AUDIT_SIGNING_KEY_FILE = str(path)  # type: ignore[attr-defined]
    signing.ensure_signing_key()
    return path
