"""Regenerate the codename word lists (src/ombuds/crypto/wordlists/*.txt).

Run once by a developer, not at install time:
    python -m venv /tmp/wl && /tmp/wl/bin/pip install wordfreq pymorphy3 pymorphy3-dicts-ru
    /tmp/wl/bin/python tools/make_wordlists.py

Each list holds exactly 8192 distinct common words (13 bits each), so the 7-word codename
carries 91 bits. Words that would make a codename found on a seized phone look like evidence
of a complaint (police, torture, prison, sexuality, ...) are left out on purpose, as are
obscene words, very short words and words that differ only by "ё".
"""

from __future__ import annotations

import re
from pathlib import Path

SIZE = 8192
OUT = Path(__file__).resolve().parents[1] / "src" / "ombuds" / "crypto" / "wordlists"

# Stems that must never appear in a codename (threat model A1: a codename on a seized phone).
BLOCK_RU = (
    "полиц",
    "милиц",
    "пытк",
    "тюрь",
    "арест",
    "убий",
    "убит",
    "смерт",
    "труп",
    "гей",
    "гомо",
    "жалоб",
    "суд",
    "прокур",
    "следоват",
    "допрос",
    "задерж",
    "пропа",
    "исчез",
    "насил",
    "омбудс",
    "правозащ",
    "секс",
    "любов",
    "мужел",
    "тело",
    "кров",
    "войн",
    "оруж",
    "бомб",
    "террор",
    "власт",
    "президент",
    "чечн",
    "кадыр",
    "мвд",
    "фсб",
    "наркот",
    "проститу",
    "хуй",
    "пизд",
    "еба",
    "ебл",
    "бляд",
    "сук",
    "жоп",
    "член",
    "пидор",
    "педик",
    "говн",
    "министр",
    "угроз",
    "казн",
    "расстр",
    "взрыв",
    "похищ",
    "заложн",
    "лагер",
    "охран",
    "панихид",
    "похорон",
    "могил",
    "гроб",
    "кладбищ",
    "погиб",
    "гибел",
    "расправ",
    "палач",
    "покойн",
    "мертв",
    "убийц",
    "сволоч",
    "иуд",
    "предател",
    "донос",
    "шпион",
    "педер",
    "извращ",
    "содом",
    "разврат",
    "бандит",
    "преступ",
    "заключ",
    "конвой",
    "камер",
    "следств",
    "обыск",
    "тюрем",
    "узник",
    "плен",
    "пистолет",
    "автомат",
    "патрон",
    "бастард",
    "параноик",
    "батальон",
)
BLOCK_EN = (
    "police",
    "tortur",
    "prison",
    "jail",
    "arrest",
    "kill",
    "murder",
    "dead",
    "death",
    "corpse",
    "gay",
    "homo",
    "queer",
    "lesb",
    "complain",
    "court",
    "prosecut",
    "detain",
    "disappear",
    "missing",
    "rape",
    "abuse",
    "ombuds",
    "rights",
    "sex",
    "love",
    "lover",
    "body",
    "blood",
    "war",
    "weapon",
    "gun",
    "bomb",
    "terror",
    "president",
    "drug",
    "whore",
    "fuck",
    "shit",
    "cunt",
    "dick",
    "cock",
    "ass",
    "bitch",
    "fag",
    "threat",
    "execut",
    "shoot",
    "kidnap",
    "hostage",
    "camp",
    "guard",
    "victim",
    "witness",
    "secret",
    "spy",
    "nigg",
    "porn",
    "nude",
    "naked",
    "minister",
    "crime",
    "crimin",
    "cop",
    "army",
    "soldier",
    "funeral",
    "grave",
    "coffin",
    "cemetery",
    "traitor",
    "informer",
    "convict",
    "cuff",
    "escort",
    "pistol",
    "rifle",
    "bullet",
    "knife",
    "hanging",
    "slave",
)


def ok(word: str, blocked: tuple[str, ...]) -> bool:
    return not any(stem in word for stem in blocked)


def russian() -> list[str]:
    import pymorphy3
    from wordfreq import top_n_list

    morph = pymorphy3.MorphAnalyzer()
    chosen: list[str] = []
    seen: set[str] = set()
    for word in top_n_list("ru", 300000):
        if "ё" in word or not re.fullmatch(r"[а-я]{4,9}", word) or not ok(word, BLOCK_RU):
            continue
        parse = morph.parse(word)[0]
        # Known dictionary words only: the frequency list also holds clipped forms ("научн").
        if not morph.word_is_known(word) or parse.tag.POS != "NOUN" or parse.normal_form != word:
            continue
        if {"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Erro", "Dist", "Slng", "Infr"} & set(
            parse.tag.grammemes
        ):
            continue
        if word not in seen:
            seen.add(word)
            chosen.append(word)
        if len(chosen) == SIZE:
            break
    return chosen


def english() -> list[str]:
    from wordfreq import top_n_list

    chosen: list[str] = []
    for word in top_n_list("en", 200000):
        if re.fullmatch(r"[a-z]{4,8}", word) and ok(word, BLOCK_EN) and word not in chosen:
            chosen.append(word)
        if len(chosen) == SIZE:
            break
    return chosen


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, words in (("ru", russian()), ("en", english())):
        if len(words) != SIZE:
            raise SystemExit(f"{lang}: only {len(words)} words")
        (OUT / f"{lang}.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
        print(lang, len(words))


if __name__ == "__main__":
    main()
