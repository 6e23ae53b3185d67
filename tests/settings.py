"""Settings for the test suite: the production settings with cheap password hashing.

Argon2id at libsodium's minimum cost keeps sign-in tests fast; everything else is as deployed.
"""

import os
from pathlib import Path

os.environ.setdefault("OMBUDS_DATA_DIR", str(Path(__file__).resolve().parents[1] / "var" / "test"))
os.environ["OMBUDS_PASSWORD_COST"] = "minimum"

from ombuds.settings import *  # noqa: F403

OMBUDS_AUDIT_CHECKPOINT_EVERY = 50
