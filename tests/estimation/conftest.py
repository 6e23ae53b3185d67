"""Shared fixtures: the published list overlaps live outside the project, in shared/data/mse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ombuds.estimation import CaptureData, read_patterns_csv

# tests/estimation/conftest.py -> project root is parents[2]; the data sit beside the project.
MSE_DATA = (Path(__file__).resolve().parents[2] / "../shared/data/mse").resolve()


@pytest.fixture
def published() -> Callable[[str], CaptureData]:
    """Load a published dataset by name, or skip when the shared data folder is absent."""

    def load(name: str) -> CaptureData:
        path = MSE_DATA / f"{name}.csv"
        if not path.exists():
            pytest.skip(f"published MSE data not found at {path} (shared/data/mse is absent)")
        return read_patterns_csv(path)

    return load
