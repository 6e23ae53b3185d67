from __future__ import annotations

import pytest

from ombuds.linkage.synthetic import SyntheticLists, generate_lists


@pytest.fixture(scope="session")
def synthetic_lists() -> SyntheticLists:
    """About 2,800 records of 1,500 people, shared by the tests that run the model."""
    return generate_lists(1500, seed=11)
