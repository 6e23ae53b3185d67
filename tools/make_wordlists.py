"""Regenerate the codename word lists (src/ombuds/crypto/wordlists/*.txt).

Run by a developer when the lists must change, never at install time. The three packages are
generation-time tools only, installed outside the project's virtualenv:

    .venv/bin/pip install --target /tmp/wl-pkgs wordfreq pymorphy3 pymorphy3-dicts-ru lemminflect
    PYTHONPATH=/tmp/wl-pkgs .venv/bin/python tools/make_wordlists.py

(made with wordfreq 3.1.1, pymorphy3 2.0.6, pymorphy3-dicts-ru 2.4.417150.4580142,
lemminflect 0.2.3; other versions give other frequencies, so read the diff of the lists).

What goes in, in order of frequency (wordfreq), until each list holds 8192 words (13 bits; a
7-word codename carries 91):
- nouns and adjectives in their dictionary form only (Russian by pymorphy3, English by
  lemminflect), 4 to 9 lowercase letters (short, easy to type on a phone), no "ё" (the
  codename parser reads "ё" as "е");
- no word one typing slip away from a word already chosen (one letter changed, added, removed,
  or two neighbours swapped), so that two codenames never differ by a near-miss;
- none of tools/wordlist_exclusions/<language>/*.txt (sexual, anatomy, violence, death,
  illness, drugs, crime, ethnicity, religion, politics, insult, evidence: see the README
  there). Russian also loses, as whole classes, animate nouns (people: peoples, trades,
  ranks, kin of the dead, insults) except the animals in ru-animals.txt, adjectives in
  -ский/-цкий/-ской/-цкой (peoples, places, religions, politics), and names, places,
  abbreviations, slang and archaic words (pymorphy3's tags).

The result was then read word by word; each word removed by hand went into the exclusion file
of its category, so running this again gives the same lists (with the same package versions).
Codenames made from earlier lists keep working: the parser does not check words against the
list (crypto/codenames.py, tests/crypto/test_wordlists.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

SIZE = 8192
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "ombuds" / "crypto" / "wordlists"
EXCLUSIONS = ROOT / "tools" / "wordlist_exclusions"
SHAPE = {"ru": re.compile(r"[а-яё]{4,9}"), "en": re.compile(r"[a-z]{4,9}")}
RU_CLASS_TAGS = frozenset(
    {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init", "Erro", "Dist", "Slng",
     "Arch", "Infr", "Apro", "Fixd"}
)  # fmt: skip
RU_ADJECTIVE_ENDINGS = ("ский", "цкий", "ской", "цкой")


class Exclusions:
    """The entries of one language's exclusion files: stems, whole words, inner parts."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.stems: list[str] = []
        self.parts: list[str] = []
        for entry in entries:
            if entry.startswith("="):
                self.words.add(entry[1:])
            elif entry.startswith("~"):
                self.parts.append(entry[1:])
            else:
                self.stems.append(entry)

    def excludes(self, word: str) -> bool:
        return (
            word in self.words
            or word.startswith(tuple(self.stems))
            or any(part in word for part in self.parts)
        )


def read_entries(path: Path) -> Iterator[str]:
    for line in path.read_text("utf-8").splitlines():
        yield from line.split("#", 1)[0].split()


def exclusions(language: str) -> Exclusions:
    return Exclusions(
        e for path in sorted((EXCLUSIONS / language).glob("*.txt")) for e in read_entries(path)
    )


def slips(word: str) -> set[str]:
    """Keys shared by any two words one slip apart: the word, each one-letter deletion, and
    each swap of neighbours (a changed letter leaves both words the same deletion)."""
    keys = {word}
    keys.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    keys.update(word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1))
    return keys


def choose(candidates: Iterable[str], language: str) -> list[str]:
    shape, excluded = SHAPE[language], exclusions(language)
    chosen: list[str] = []
    taken: set[str] = set()
    for word in candidates:
        if "ё" in word or not shape.fullmatch(word) or excluded.excludes(word):
            continue
        keys = slips(word)
        if keys & taken:
            continue
        taken |= keys
        chosen.append(word)
        if len(chosen) == SIZE:
            break
    return chosen


def russian_candidates() -> Iterator[str]:
    import pymorphy3
    from wordfreq import top_n_list

    morph = pymorphy3.MorphAnalyzer()
    animals = set(read_entries(EXCLUSIONS / "ru-animals.txt"))
    for word in top_n_list("ru", 1_000_000):
        if not SHAPE["ru"].fullmatch(word) or not morph.word_is_known(word):
            continue
        # The first parse is the likeliest; a word must be a dictionary form of it.
        parse = morph.parse(word)[0]
        if parse.normal_form != word or RU_CLASS_TAGS & set(parse.tag.grammemes):
            continue
        if parse.tag.POS == "NOUN":
            if "anim" in parse.tag.grammemes and word not in animals:
                continue
        elif parse.tag.POS == "ADJF":
            if word.endswith(RU_ADJECTIVE_ENDINGS):
                continue
        else:
            continue
        yield word


def english_candidates() -> Iterator[str]:
    from lemminflect import getAllLemmas
    from wordfreq import top_n_list

    for word in top_n_list("en", 1_000_000):
        if not SHAPE["en"].fullmatch(word):
            continue
        lemmas = getAllLemmas(word)
        if word in lemmas.get("NOUN", ()) or word in lemmas.get("ADJ", ()):
            yield word


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for language, candidates in (("ru", russian_candidates()), ("en", english_candidates())):
        words = choose(candidates, language)
        if len(words) != SIZE:
            raise SystemExit(f"{language}: only {len(words)} words")
        (OUT / f"{language}.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
        print(language, len(words), "last chosen:", words[-1])


if __name__ == "__main__":
    main()
