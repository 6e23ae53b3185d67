"""The production settings with one view that fails, for ``ombuds serve`` in
tests/ops/test_serve.py (the URLs of tests/server_log_urls.py)."""

from ombuds.settings import *  # noqa: F403

ROOT_URLCONF = "tests.server_log_urls"
