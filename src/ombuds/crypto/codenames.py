"""Machine-made codenames from a per-language word list.

Each list holds 8192 words (13 bits), so a 7-word codename carries 91 bits: beyond any
guessing, which is why it needs no slow key-derivation function (architecture.md, Keys).
"""

from __future__ import annotations

import functools
import math
import secrets
import unicodedata
from importlib import resources

from ._secret import Codename
from .errors import InvalidCodename

LANGUAGES = ("ru", "en")
WORDS_PER_CODENAME = 7
MAX_CODENAME_CHARS = 200


@functools.cache
def wordlist(language: str) -> tuple[str, ...]:
    """The word list of ``language``; raises ``ValueError`` for an unknown language."""
    if language not in LANGUAGES:
        raise ValueError(f"no word list for language {language!r}")
    text = resources.files(__package__).joinpath("wordlists", f"{language}.txt").read_text("utf-8")
    words = tuple(w for w in text.split() if w)
    if len(set(words)) != len(words):  # a duplicate would silently cost entropy
        raise ValueError(f"word list {language!r} has duplicates")
    return words


def codename_bits(language: str, words: int = WORDS_PER_CODENAME) -> float:
    """Entropy in bits of a codename of ``words`` words from ``language``'s list."""
    return words * math.log2(len(wordlist(language)))


def generate_codename(language: str = "ru", words: int = WORDS_PER_CODENAME) -> Codename:
    """A fresh codename drawn with the operating system's CSPRNG."""
    if words < WORDS_PER_CODENAME:
        raise ValueError(f"a codename needs at least {WORDS_PER_CODENAME} words")
    choices = wordlist(language)
    return Codename(" ".join(secrets.choice(choices) for _ in range(words)))


def parse_codename(text: str) -> Codename:
    """Normalise what a person typed into the canonical codename form.

    Case, repeated or odd whitespace, "ё" for "е" and Unicode composition do not matter, so a
    codename copied by hand still works. Raises :class:`InvalidCodename` when the text cannot
    be a codename at all; an unknown but well-formed codename is *not* an error here, so
    callers treat wrong and unknown codenames alike. Words are deliberately not looked up in
    the current list: codenames handed out from earlier lists (rebuilt for issue 9) must keep
    opening their complaints.
    """
    if len(text) > MAX_CODENAME_CHARS:
        raise InvalidCodename("too long")
    norm = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    words = [w.strip(".,;:-_") for w in norm.split()]
    words = [w for w in words if w]
    if not words or not all(w.isalpha() for w in words):
        raise InvalidCodename("a codename is a sequence of words")
    return Codename(" ".join(words))
