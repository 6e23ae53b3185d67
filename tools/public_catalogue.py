"""The public site's messages, and which of them a public-only language (Chechen) still lacks.

The Chechen catalogue (src/ombuds/locale/ce/LC_MESSAGES/django.po) holds only the strings a
complainant can see: those of the public templates and of the code behind the public pages.
A string with an empty translation there is shown in Russian (Django falls back to
settings.LANGUAGE_CODE's catalogue). docs/languages.md says how a reviewer uses this.

    .venv/bin/python tools/public_catalogue.py missing      # the untranslated public strings
    .venv/bin/python tools/public_catalogue.py update       # add new public strings to ce .po
    msgfmt -o src/ombuds/locale/ce/LC_MESSAGES/django.mo src/ombuds/locale/ce/LC_MESSAGES/django.po

``update`` keeps every translation and translator comment already there; a translated entry
whose string is no longer public is kept as obsolete (``#~``), so nothing a reviewer wrote is
lost. It needs polib (the ``dev`` extra).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ombuds"
LOCALE = PACKAGE / "locale"

#: Templates a complainant can see (staff pages extend staff/base.html and are not here).
PUBLIC_TEMPLATES = (
    "templates/base_public.html",
    "templates/404.html",
    "templates/intake/*.html",
    "templates/reporting/*.html",
)
#: Code whose messages reach the public pages: forms, choices, errors, statuses. A module
#: with a function name after ":" contributes only that function's messages.
PUBLIC_MODULES = (
    "intake/*.py",
    "reporting/*.py",
    "evidence/forms.py",
    "evidence/files.py",
    "casework/selectors.py:complaint_public_status",
)
GETTEXT_CALLS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
HEADER = """Chechen messages of ombuds' public pages. Every translation here awaits review by a
native speaker (each says so); an empty msgstr is shown in Russian. See docs/languages.md."""


@dataclass(frozen=True, order=True)
class Key:
    """A message as gettext looks it up."""

    msgctxt: str | None
    msgid: str
    msgid_plural: str = ""


def _template_keys(text: str) -> list[Key]:
    keys = []
    simple = re.compile(
        r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?[^%]*%\}"""
    )
    for m in simple.finditer(text):
        keys.append(Key(m[4], m[2]))
    block = re.compile(
        r"\{%\s*(?:blocktranslate|blocktrans)\b(.*?)%\}(.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
        re.S,
    )
    for m in block.finditer(text):
        options, body = m[1], m[2]
        context = re.search(r"""context\s+(["'])(.*?)\1""", options)
        parts = re.split(r"\{%\s*plural\s*%\}", body)
        trimmed = "trimmed" in options.split()
        plural = _block_message(parts[1], trimmed) if len(parts) > 1 else ""
        keys.append(Key(context[2] if context else None, _block_message(parts[0], trimmed), plural))
    return keys


def _block_message(part: str, trimmed: bool) -> str:
    """The msgid of a ``blocktranslate`` body, as ``makemessages`` writes it."""
    part = part.replace("%", "%%")
    part = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", part)
    if trimmed:
        part = " ".join(line.strip() for line in part.strip().splitlines())
    return part


def _python_keys(text: str, function: str | None) -> list[Key]:
    tree = ast.parse(text)
    if function is not None:
        tree = next(
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == function
        )
    keys = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_CALLS:
            continue
        ctx_at, id_at, plural_at = GETTEXT_CALLS[name]
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        wanted = [i for i in (ctx_at, id_at, plural_at) if i is not None]
        if len(args) <= max(wanted) or not all(isinstance(args[i], str) for i in wanted):
            continue
        keys.append(
            Key(
                args[ctx_at] if ctx_at is not None else None,
                args[id_at],
                args[plural_at] if plural_at is not None else "",
            )
        )
    return keys


def public_keys() -> list[Key]:
    """Every message of the public pages, in source order, each once."""
    found: list[Key] = []
    for pattern in PUBLIC_TEMPLATES:
        for path in sorted(PACKAGE.glob(pattern)):
            found += _template_keys(path.read_text("utf-8"))
    for spec in PUBLIC_MODULES:
        pattern, _, function = spec.partition(":")
        for path in sorted(PACKAGE.glob(pattern)):
            found += _python_keys(path.read_text("utf-8"), function or None)
    return list(dict.fromkeys(found))


def _entries(language: str) -> dict[Key, Any]:
    import polib

    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    return {Key(e.msgctxt, e.msgid, e.msgid_plural): e for e in po if not e.obsolete}


def translated(entry: Any) -> bool:
    """True when a polib entry has every form translated and is not fuzzy."""
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def missing(language: str = "ce") -> list[Key]:
    """The public messages with no (non-fuzzy) translation in ``language``'s catalogue."""
    entries = _entries(language)
    return [k for k in public_keys() if k not in entries or not translated(entries[k])]


def update(language: str = "ce") -> Path:
    """Bring ``language``'s catalogue up to the public messages; keeps what was written."""
    import polib

    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    old = polib.pofile(str(path)) if path.exists() else None
    kept = {Key(e.msgctxt, e.msgid, e.msgid_plural): e for e in old or []}
    russian = _entries("ru")
    po = polib.POFile(wrapwidth=0)
    po.header = HEADER
    po.metadata = (
        dict(old.metadata)
        if old
        else {
            "Project-Id-Version": "ombuds",
            "PO-Revision-Date": "2026-11-27 12:00+0000",
            "Last-Translator": "ombuds maintainers (unreviewed)",
            "Language-Team": "Chechen",
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
    )
    public = [k for k in public_keys() if k in russian]  # the fallback must exist
    for key in public:
        entry = kept.pop(key, None)
        if entry is None:
            entry = polib.POEntry(
                msgctxt=key.msgctxt, msgid=key.msgid, msgid_plural=key.msgid_plural
            )
            if key.msgid_plural:
                entry.msgstr_plural = {0: "", 1: ""}
        entry.obsolete = False
        # For the reviewer: what the page shows now (the Russian), and where it is used.
        ru = russian[key]
        shown = ru.msgstr_plural.get(0, "") if key.msgid_plural else ru.msgstr
        own = [line for line in entry.tcomment.splitlines() if not line.startswith("ru: ")]
        entry.tcomment = "\n".join([f"ru: {shown}", *own])
        entry.occurrences = list(ru.occurrences)
        po.append(entry)
    for entry in kept.values():
        if translated(entry):
            entry.obsolete = True
            po.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    return path


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "missing"
    language = argv[1] if len(argv) > 1 else "ce"
    if command == "missing":
        gaps = missing(language)
        for key in gaps:
            context = f"[{key.msgctxt}] " if key.msgctxt else ""
            print(f"{context}{key.msgid}")
        total = len(public_keys())
        print(f"{len(gaps)} of {total} public messages have no {language} translation")
        return 0
    if command == "update":
        print(update(language))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
