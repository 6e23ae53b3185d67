"""The install's files are readable by the service's own user only (issue 9, item 10).

The data folder (``OMBUDS_DATA_DIR``: the SQLite database, the secret key, the audit signing
key) is 0700 and each SQLite file (the database, its ``-wal`` and ``-shm``) 0600. The folder is
set when the settings load; the database files each time a connection opens, which also
tightens an install made before this rule. SQLite gives a new ``-wal``/``-shm`` the mode of
its database file, so once the database is 0600 they are born 0600.
"""

from __future__ import annotations

import stat
import warnings
from pathlib import Path
from typing import Any

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_private(path: Path, mode: int) -> None:
    """Set ``path``'s permission bits to ``mode`` if they differ; warn if that is refused."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        return
    except PermissionError:
        warnings.warn(
            f"cannot make {path} private (mode {mode:o}): it belongs to another user",
            RuntimeWarning,
            stacklevel=2,
        )


def private_data_folder(path: Path) -> None:
    """Create the data folder if needed, readable by this user only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    make_private(path, PRIVATE_FOLDER)


def sqlite_files_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: an SQLite database and its companions are 0600."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in SQLITE_SUFFIXES:
        make_private(Path(name + suffix), PRIVATE_FILE)
