"""The ``ombuds`` console script.

Sub-commands of the pure packages (``link``, ``estimate``) run without Django, a database or a
server. Everything else is a Django management command (``init``, ``demo``, ``createstaff``,
``serve``, ``audit``, ``evidence``, and Django's own ``migrate``, ``shell`` ...).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

PURE_COMMANDS: dict[str, str] = {
    "link": "ombuds.linkage.cli",
    "estimate": "ombuds.estimation.cli",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--version"]:
        from ombuds import __version__

        print(f"ombuds {__version__}")
        return 0
    if args and args[0] in PURE_COMMANDS:
        import importlib

        module = importlib.import_module(PURE_COMMANDS[args[0]])
        entry: Callable[[list[str]], int] = module.main
        return entry(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ombuds", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
