"""A tiny reader for gettext .po files: enough to check a catalogue, no dependency.

It understands what ``makemessages`` writes: comments, flags, ``msgctxt``, ``msgid``,
``msgid_plural``, ``msgstr`` and ``msgstr[n]``, each possibly continued on following lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path) -> list[Entry]:
    """The entries of the catalogue at ``path``, header first, obsolete ones flagged."""
    return parse_po(path.read_text("utf-8"), name=str(path))


def parse_po(text: str, name: str = "<po>") -> list[Entry]:
    """The entries of a catalogue's text; raises ``ValueError`` on a line it cannot read."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{name}: continuation before any keyword: {raw!r}")
            _append(entry, target, _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and target is not None and target[0] not in ("msgctxt",):
            finish()
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
            target = (keyword, 0)
        else:
            raise ValueError(f"{name}: unknown line {raw!r}")
        if keyword == "msgctxt":
            entry.msgctxt = ""
        _append(entry, target, _unquote(rest))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)
