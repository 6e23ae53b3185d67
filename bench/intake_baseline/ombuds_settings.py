"""ombuds' production settings, but with the SQLite ``synchronous`` level that the benchmark's
``--synchronous`` names: a what-if measurement only (ombuds deploys ``FULL``: an acknowledged
complaint is on disk before its codename is shown).
"""

from ombuds.settings import *  # noqa: F403
from ombuds.settings import DATABASES

from .settings import with_synchronous

DATABASES = with_synchronous(DATABASES)
