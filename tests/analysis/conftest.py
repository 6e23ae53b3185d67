from __future__ import annotations

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def inline_runs(settings: LazySettings) -> None:
    """Runs execute inside the request in these tests (the thread is tested on its own)."""
    settings.OMBUDS_ANALYSIS_INLINE_RUNS = True
