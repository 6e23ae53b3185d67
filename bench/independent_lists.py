"""Four person lists about one population, made without ``ombuds.linkage.synthetic``.

Run: ``python bench/independent_lists.py --people 3000 --seed 1 --out DIR [--no-birth-dates]``.
Writes ``complaints.csv``, ``press.csv``, ``ngo.csv`` and ``petitions.csv`` in the person-list
format of the README, and ``truth.csv`` (``source,record_id,person_id``) for
``bench/score_links.py``.

Issue 11, item 6(b): a second generator written from a written description by someone who has
not read the first. Its author was given the README's person-list format, the issue's
description of the four sources and the project's mission, and never read
``ombuds.linkage`` (engine or generator), ``bench/linkage.py``, ``tests/linkage`` or
``docs/linkage.md``. Its name lists, variant spellings and transliteration tables are its own
and are all in this file.

What it models
--------------
* **People** of a North Caucasus republic: Chechen, Ingush and Dagestani family names (with the
  Russian feminine form; a few names that do not change for women), Zipf-distributed so that
  the commonest surname and the commonest given names are shared by many people; Russian
  patronymics made from the father's name; about four men to one woman; families in which
  brothers (same surname, patronymic and village, close birth years) and sisters are both
  victims, the hardest non-matches. Each person has one act (detention, disappearance,
  killing) with a date, mostly in the spring 2017 wave, and a home town or village.
* **Who is on which list** is drawn per person and per source from a logistic model with two
  hidden traits (public visibility, a family's activism) and observed ones (the act, a town or a
  village, sex, several victims in one family), and NGOs hear more of the families who have
  complained: capture probabilities differ by source and by person, the lists are dependent,
  and some people are on no list at all (``--people`` counts them; ``truth.csv`` cannot).
* ``complaints`` (Cyrillic): relatives write; one man may be reported by two or three of them,
  each independently (name parts or one full name, patronymic or not, spelling variants and
  typos of given and family names, a birth date, a month or a year, sometimes a date jittered
  by a few days). A few complaints are typed in Latin letters, a few have Latin look-alike
  letters inside Cyrillic words.
* ``press`` (Latin): one ``full_name`` as a newspaper prints it ("Rustam Satuev",
  "SATUEV Rustam", "Satuev Rustam"), an ``age`` at the event (sometimes off by one) instead of
  a birth date, the event month or day, English-style or conventional spellings and the place's
  usual Latin name.
* ``ngo`` (Latin): name parts in columns, given and family names sometimes in each other's
  columns, typos, birth dates with day and month swapped (only where both are 12 or less, so
  the date stays valid), transliterated by different volunteers with different schemes
  (scientific, BGN/PCGN, Russian passport old and new, French, German, English), some rows in
  capitals, some left in Cyrillic.
* ``petitions`` (Cyrillic): "Фамилия И.О." mostly, also "Фамилия И. О.", "Фамилия И.",
  "И.О. Фамилия" and full names; birth years more often than dates; sex often empty.
* Places are written as towns ("г. Грозный", "Grozny", "Groznyj"), with or without the
  prefix and hyphen, in each scheme, with typos; fields are missing at rates that differ by
  source. Only ``complaints`` has the same person twice; the other three name each person at
  most once (``--unique-within press,ngo,petitions``).
* ``--no-birth-dates`` (item 6c) writes the same lists without the ``birth_date`` and ``age``
  columns (the same seed gives the same people and records).

Every row is valid in the person-list format (no bad rows by design): dates are ``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD``, sex is ``m``/``f`` or empty.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = ("complaints", "press", "ngo", "petitions")

# --- names -----------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Masculine Russian forms; order is the Zipf rank (the first are the commonest).
FAMILY_NAMES = _words(
    """
Магомадов Исаев Абдулаев Ахмадов Мусаев Ибрагимов Умаров Алиев Юсупов Хасанов Идрисов
Садулаев Межидов Дудаев Исмаилов Эльмурзаев Джабраилов Бисултанов Хаджиев Израилов
Сатуев Идигов Гайрбеков Батаев Дадаев Даудов Асхабов Висаитов Гадаев Гучигов Хамзатов
Хатуев Келоев Мальсагов Мамаев Мациев Муртазалиев Муцураев Нухаев Саидов Салаватов
Сулейманов Тепсуркаев Тимиргереев Турпалов Усманов Хизриев Цакаев Чагаев Шахбулатов
Шаипов Шамаев Шерипов Эсамбаев Ямадаев Яндарбиев Евлоев Оздоев Мартазанов Бекмурзаев
Вагапов Вараев Дашаев Закриев Зубайраев Ильясов Кагерманов Лорсанов Мутаев Насуханов
Пашаев Резванов Сайдулаев Солтаханов Тайсумов Темирханов Тутаев Уциев Хамидов Хушалаев
Ахматов Бацаев Гелагаев Дукуев Абдурахманов Эльдаров Яхьяев Махмудов Магомедов Гаджиев
Рамазанов Арсанов Алханов Абубакаров Бачаев Эдилов Гериханов Хасиев Делимханов Исраилов
Зязиков Ахриев Костоев Плиев Тангиев Цечоев Богатырёв Шовхалов Эсиев Эдельгериев Дениев
Вахаев Шамсудинов Мовлаев Товсултанов Жамалдинов Чабаев Арсамерзаев Бажаев Хакимов
"""
)
# Names that do not change for women (Ukrainian and Georgian forms met in the region).
INVARIANT_FAMILY_NAMES = ["Петренко", "Шевчук", "Гелашвили"]

MALE_NAMES = _words(
    """
Магомед Ислам Ахмед Рустам Адам Муса Ибрагим Хасан Руслан Шамиль Аслан Зелимхан Умар
Мовсар Алихан Хусейн Саид Иса Ваха Хамзат Турпал Анзор Абдул Мансур Майрбек Арби Вахид
Тимур Али Юсуп Рамзан Апти Бислан Султан Асланбек Сайд-Магомед Хож-Ахмед Ильяс Зураб
Аюб Хизир Лечи Идрис Беслан Сулейман Усман Исмаил Салман Умар-Али Артур Мурад Висита
Джамбулат Казбек Нурди Эмин Абубакар Ахмад Ризван Денис
"""
)

FEMALE_NAMES = _words(
    """
Аминат Хава Зарема Малика Лейла Марьям Петимат Седа Зулай Хадижат Мадина Хеда Луиза Раиса
Зайнап Айшат Элина Асет Таиса Милана Иман Фатима Зарина Камила Ровзан Макка Лиана Заира
Хадишат Амина Эльза Медни Розита Яха
"""
)

# Spellings that relatives and clerks really alternate between (Cyrillic).
CYRILLIC_VARIANTS: dict[str, list[str]] = {
    "Магомед": ["Магомет", "Мохьмад", "Мухаммад", "Магамед"],
    "Ахмед": ["Ахмад", "Ахьмад"],
    "Ахмад": ["Ахмед", "Ахьмад"],
    "Хусейн": ["Хусайн", "Хусеин"],
    "Шамиль": ["Шамил"],
    "Муса": ["Мусса"],
    "Иса": ["Исса"],
    "Умар": ["Омар"],
    "Юсуп": ["Юсуф"],
    "Саид": ["Саит", "Сайд"],
    "Ильяс": ["Ильяз", "Илияс"],
    "Ризван": ["Резван"],
    "Сайд-Магомед": ["Сайд Магомед", "Саид-Магомед", "Сайдмагомед"],
    "Хож-Ахмед": ["Хож Ахмед", "Хожахмед", "Хож-Ахмад"],
    "Умар-Али": ["Умар Али", "Умарали"],
    "Лейла": ["Лейля", "Лайла"],
    "Зарема": ["Зарима"],
    "Хадижат": ["Хадижа", "Хадиджат"],
    "Хадишат": ["Хадижат"],
    "Марьям": ["Мариам", "Марям"],
    "Петимат": ["Пятимат", "Фатима"],
    "Айшат": ["Айша", "Айшад"],
    "Зайнап": ["Зайнаб"],
    "Асет": ["Ася"],
    "Хеда": ["Хедда"],
    "Абдулаев": ["Абдуллаев"],
    "Магомадов": ["Магамадов", "Магомедов"],
    "Мусаев": ["Муссаев"],
    "Ахмадов": ["Ахмедов"],
    "Садулаев": ["Садуллаев"],
    "Сайдулаев": ["Саидулаев"],
    "Исраилов": ["Израилов"],
    "Израилов": ["Исраилов"],
    "Эльмурзаев": ["Элмурзаев"],
    "Джабраилов": ["Жабраилов", "Джебраилов"],
    "Хаджиев": ["Хажиев"],
    "Яхьяев": ["Яхяев"],
    "Межидов": ["Меджидов"],
    "Богатырёв": ["Богатырев"],
}

# Latin spellings printed by newspapers for some names, whatever the transliteration.
CONVENTIONAL_LATIN: dict[str, list[str]] = {
    "Магомед": ["Magomed", "Mohammed", "Muhammad"],
    "Ахмед": ["Akhmed", "Ahmed"],
    "Ахмад": ["Akhmad", "Ahmad"],
    "Хусейн": ["Khusein", "Husein", "Hussein"],
    "Юсуп": ["Yusup", "Yusuf"],
    "Ибрагим": ["Ibragim", "Ibrahim"],
    "Исмаил": ["Ismail"],
    "Умар": ["Umar", "Omar"],
    "Сулейман": ["Suleiman", "Suleyman"],
    "Марьям": ["Maryam", "Mariam"],
    "Хадижат": ["Khadizhat", "Khadija"],
    "Зайнап": ["Zainap", "Zaynab"],
    "Айшат": ["Aishat", "Aysha"],
    "Петимат": ["Petimat", "Fatima"],
    "Лейла": ["Leila", "Layla"],
    "Фатима": ["Fatima"],
}


@dataclass(frozen=True)
class Place:
    cyrillic: str
    prefix: str  # "г.", "с." or "ст."
    latin: tuple[str, ...]  # usual Latin names
    urban: bool


PLACES = [
    Place("Грозный", "г.", ("Grozny", "Groznyy"), True),
    Place("Гудермес", "г.", ("Gudermes",), True),
    Place("Аргун", "г.", ("Argun",), True),
    Place("Урус-Мартан", "г.", ("Urus-Martan", "Urus Martan"), True),
    Place("Шали", "г.", ("Shali",), True),
    Place("Курчалой", "с.", ("Kurchaloy", "Kurchaloi"), False),
    Place("Ачхой-Мартан", "с.", ("Achkhoy-Martan", "Achkhoi-Martan"), False),
    Place("Наурская", "ст.", ("Naurskaya",), False),
    Place("Шелковская", "ст.", ("Shelkovskaya",), False),
    Place("Ведено", "с.", ("Vedeno",), False),
    Place("Итум-Кали", "с.", ("Itum-Kali", "Itum-Kale"), False),
    Place("Знаменское", "с.", ("Znamenskoye", "Znamenskoe"), False),
    Place("Серноводское", "с.", ("Sernovodskoye", "Sernovodsk"), False),
    Place("Цоцан-Юрт", "с.", ("Tsotsan-Yurt", "Tsotsin-Yurt"), False),
    Place("Ойсхара", "с.", ("Oyskhara", "Oiskhara"), False),
    Place("Бачи-Юрт", "с.", ("Bachi-Yurt",), False),
    Place("Толстой-Юрт", "с.", ("Tolstoy-Yurt", "Tolstoi-Yurt"), False),
    Place("Старые Атаги", "с.", ("Starye Atagi", "Staryye Atagi"), False),
    Place("Шатой", "с.", ("Shatoy", "Shatoi"), False),
    Place("Ножай-Юрт", "с.", ("Nozhai-Yurt", "Nozhay-Yurt"), False),
    Place("Майртуп", "с.", ("Mairtup", "Mayrtup"), False),
    Place("Гелдаген", "с.", ("Geldagen", "Geldygen"), False),
    Place("Катыр-Юрт", "с.", ("Katyr-Yurt",), False),
    Place("Самашки", "с.", ("Samashki",), False),
    Place("Ассиновская", "ст.", ("Assinovskaya",), False),
    Place("Алхан-Кала", "с.", ("Alkhan-Kala",), False),
    Place("Назрань", "г.", ("Nazran",), True),
    Place("Малгобек", "г.", ("Malgobek",), True),
    Place("Хасавюрт", "г.", ("Khasavyurt", "Khasavjurt"), True),
]
# Population weights of the places (Grozny is by far the largest).
PLACE_WEIGHTS = [
    30,
    6,
    5,
    5,
    5,
    3,
    3,
    2,
    2,
    2,
    1,
    1,
    2,
    2,
    2,
    1,
    2,
    2,
    1,
    1,
    1,
    1,
    1,
    2,
    1,
    1,
    3,
    2,
    3,
]

ACTS = ("detention", "disappearance", "killing")

# --- transliteration -------------------------------------------------------------------------
_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
}  # fmt: skip
# Per scheme: letters that differ from _COMMON, and how е/ё are written at a word's start
# ("е0", "ё0") and after a vowel ("е_", "ё_"; the same as at the start when not given).
SCHEMES: dict[str, dict[str, str]] = {
    # Scholarly (ISO 9 / scientific): one letter per letter with diacritics.
    "scientific": {
        "е": "e", "ё": "ë", "ж": "ž", "й": "j", "х": "x", "ц": "c", "ч": "č", "ш": "š",
        "щ": "šč", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "ju", "я": "ja",
        "е0": "e", "ё0": "ë",
    },
    # BGN/PCGN 1947 (the usual one on maps and in English-language reports).
    "bgn": {
        "е": "e", "ё": "ë", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "\"", "ы": "y", "ь": "'", "э": "e", "ю": "yu", "я": "ya",
        "е0": "ye", "ё0": "yë",
    },
    # Russian passports 2014 on (ICAO Doc 9303).
    "passport": {
        "е": "e", "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "е0": "e", "ё0": "e",
    },
    # Russian passports before 2010 (MVD order 310).
    "passport_old": {
        "е": "e", "ё": "e", "ж": "zh", "й": "y", "х": "kh", "ц": "tc", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
        "е0": "e", "ё0": "e",
    },
    # English as journalists write it without a standard.
    "english": {
        "е": "e", "ё": "yo", "ж": "zh", "й": "y", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
        "е0": "e", "ё0": "yo",
    },
    # French usage (Le Monde, French NGOs).
    "french": {
        "е": "e", "ё": "io", "ж": "j", "й": "ï", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
        "щ": "chtch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iou", "я": "ia", "у": "ou",
        "е0": "e", "ё0": "io", "е_": "ïe",
    },
    # German Duden usage.
    "german": {
        "е": "e", "ё": "jo", "ж": "sch", "й": "i", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
        "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja", "в": "w",
        "з": "s", "е0": "je", "ё0": "jo",
    },
}  # fmt: skip
_VOWELS = set("аеёиоуыэюяь ъ")
_LATIN_VOWELS = set("aeiouy")


def transliterate(text: str, scheme: str) -> str:
    """``text`` (Cyrillic, any case) in Latin letters by ``scheme`` (a key of SCHEMES).

    Letters outside the Russian alphabet (Latin, digits, hyphens, dots) pass through. Each word
    keeps its capitalisation: a capitalised word stays capitalised, a word in capitals stays in
    capitals.
    """
    table = SCHEMES[scheme]
    words = text.split(" ")
    return " ".join(_transliterate_word(w, table, scheme) for w in words)


def _transliterate_word(word: str, table: dict[str, str], scheme: str) -> str:
    if not word:
        return word
    upper = len(word) > 1 and word.isupper()
    lower = word.lower()
    out: list[str] = []
    for i, ch in enumerate(lower):
        prev = lower[i - 1] if i else " "
        if ch in ("е", "ё") and (i == 0 or prev == "-"):
            piece = table[ch + "0"]
        elif ch in ("е", "ё") and prev in _VOWELS:
            piece = table.get(ch + "_", table[ch + "0"])
        elif ch == "с" and scheme in ("french", "german") and 0 < i < len(lower) - 1:
            # s between vowels is voiced in French and German: written ss for [s].
            piece = "ss" if prev in _VOWELS and lower[i + 1] in _VOWELS else "s"
        elif ch == "г" and scheme == "french" and i + 1 < len(lower) and lower[i + 1] in "еиэ":
            piece = "gu"
        else:
            piece = table.get(ch, _COMMON.get(ch, ch))
        out.append(piece)
    result = "".join(out)
    if scheme == "french":
        result = result.replace("aï", "aï").replace("ouou", "ou")
    if upper:
        return result.upper()
    # Capitalise the start and every part after a hyphen, as the Cyrillic was.
    parts = result.split("-")
    cparts = word.split("-")
    fixed = []
    for p, c in zip(parts, cparts, strict=False):
        fixed.append(p[:1].upper() + p[1:] if c[:1].isupper() else p)
    return "-".join(fixed)


# --- small helpers ---------------------------------------------------------------------------
def _zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (k**s) for k in range(1, n + 1)]


class _Chooser:
    """Weighted choice from a fixed list, O(log n) per draw."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def feminine(family: str) -> str:
    """The Russian feminine form of a masculine family name (Исаев -> Исаева)."""
    if family in INVARIANT_FAMILY_NAMES:
        return family
    if family.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return family + "а"
    return family


def patronymic(father: str, sex: str) -> str:
    """A Russian patronymic from the father's given name (Муса -> Мусаевич / Мусаевна)."""
    base = father.replace(" ", "-")
    if base.endswith(("й", "ь")):
        stem, suffix = base[:-1], "ев"
    elif base[-1] in "аеиоуыэюя":
        stem, suffix = base, "ев"
    else:
        stem, suffix = base, "ов"
    return stem + suffix + ("ич" if sex == "m" else "на")


_CYR_KEYBOARD = "йцукенгшщзхъфывапролджэячсмитьбю"
_LAT_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_CYR_CONFUSIONS = {"о": "а", "а": "о", "е": "и", "и": "е", "ё": "е", "й": "и", "ш": "щ"}
_LAT_CONFUSIONS = {"e": "i", "i": "e", "o": "a", "a": "o", "y": "i", "k": "c", "u": "ou"}
# Latin letters that look like Cyrillic ones (copy-paste from a Latin keyboard).
_HOMOGLYPHS = {"а": "a", "о": "o", "е": "e", "с": "c", "р": "p", "х": "x", "у": "y"}


def typo(text: str, rng: random.Random) -> str:
    """One keyboard or spelling slip in ``text``: drop, double, swap, neighbour, vowel."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])  # the first letter is rarely wrong
    ch = text[i]
    cyrillic = "\u0400" <= ch.lower() <= "\u04ff"
    op = rng.random()
    if op < 0.25:
        return text[:i] + text[i + 1 :]
    if op < 0.45:
        return text[:i] + ch + text[i:]
    if op < 0.65 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    confusions = _CYR_CONFUSIONS if cyrillic else _LAT_CONFUSIONS
    if op < 0.85 and ch.lower() in confusions:
        rep = confusions[ch.lower()]
    else:
        board = _CYR_KEYBOARD if cyrillic else _LAT_KEYBOARD
        k = board.find(ch.lower())
        if k < 0:
            return text
        rep = board[max(0, min(len(board) - 1, k + rng.choice((-1, 1))))]
    if ch.isupper():
        rep = rep.upper()
    return text[:i] + rep + text[i + 1 :]


def homoglyphs(text: str, rng: random.Random) -> str:
    """``text`` with one or two Cyrillic letters replaced by Latin look-alikes."""
    spots = [i for i, ch in enumerate(text) if ch in _HOMOGLYPHS]
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 2)))):
        text = text[:i] + _HOMOGLYPHS[text[i]] + text[i + 1 :]
    return text


# --- people ----------------------------------------------------------------------------------
@dataclass
class Person:
    person_id: str
    sex: str
    given: str
    father: str
    family: str  # in the person's own (sexed) form
    birth: dt.date
    event: dt.date
    act: str
    place: Place
    visibility: float  # public visibility (press, NGOs)
    activism: float  # how much the family pushes (complaints, petitions)
    family_victims: int  # victims in the same family, this person included
    records: dict[str, int] = field(default_factory=dict)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_people(n: int, rng: random.Random) -> list[Person]:
    """``n`` people in families: brothers and sisters share surname, patronymic and place."""
    family_choice = _Chooser(FAMILY_NAMES, _zipf_weights(len(FAMILY_NAMES), 0.9))
    male_choice = _Chooser(MALE_NAMES, _zipf_weights(len(MALE_NAMES), 1.0))
    female_choice = _Chooser(FEMALE_NAMES, _zipf_weights(len(FEMALE_NAMES), 1.0))
    place_choice = _Chooser([p.cyrillic for p in PLACES], PLACE_WEIGHTS)
    places = {p.cyrillic: p for p in PLACES}
    people: list[Person] = []
    while len(people) < n:
        family = rng.choice(INVARIANT_FAMILY_NAMES) if rng.random() < 0.01 else family_choice(rng)
        father = male_choice(rng)
        place = places[place_choice(rng)]
        size = 1 if rng.random() < 0.82 else (2 if rng.random() < 0.8 else 3)
        size = min(size, n - len(people))
        activism = rng.gauss(0.0, 1.0)
        # A family's victims were often taken together, or within weeks of each other.
        if rng.random() < 0.55:
            wave = _random_date(rng, dt.date(2017, 1, 20), dt.date(2017, 4, 30))
        else:
            wave = _random_date(rng, dt.date(2017, 5, 1), dt.date(2019, 12, 31))
        base_year = int(rng.triangular(1962, 2002, 1991))
        given_used: set[str] = set()
        for _ in range(size):
            sex = "m" if rng.random() < 0.8 else "f"
            choose = male_choice if sex == "m" else female_choice
            given = choose(rng)
            while given in given_used or given == father:
                given = choose(rng)
            given_used.add(given)
            year = min(2002, max(1955, base_year + rng.randint(-4, 4)))
            birth = _random_date(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
            event = wave + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 7, 21)))
            act = rng.choices(ACTS, weights=(55, 35, 10))[0]
            people.append(
                Person(
                    person_id=f"P{len(people) + 1:06d}",
                    sex=sex,
                    given=given,
                    father=father,
                    family=family if sex == "m" else feminine(family),
                    birth=birth,
                    event=event,
                    act=act,
                    place=place,
                    visibility=rng.gauss(0.0, 1.0),
                    activism=activism + rng.gauss(0.0, 0.5),
                    family_victims=size,
                )
            )
    return people


def capture(people: list[Person], rng: random.Random) -> None:
    """Decide who is on each list (and how many complaints name them): ``person.records``."""
    for p in people:
        killed = p.act == "killing"
        woman = p.sex == "f"
        c = _sigmoid(-0.2 + 0.9 * p.activism - 0.4 * woman + 0.3 * (p.act == "disappearance"))
        n_complaints = 0
        if rng.random() < c:
            n_complaints = 1
            # Relatives report again: mothers, brothers, wives, each on their own.
            while n_complaints < 4 and rng.random() < 0.22 + 0.1 * (p.activism > 1):
                n_complaints += 1
        press = _sigmoid(-1.4 + 1.1 * p.visibility + 1.0 * killed + 0.6 * p.place.urban)
        ngo = _sigmoid(
            -0.9 + 0.7 * p.visibility + 0.3 * p.activism + 0.8 * (n_complaints > 0) - 0.3 * woman
        )
        petitions = _sigmoid(
            -1.2 + 0.8 * p.activism + 0.7 * (p.family_victims > 1) - 0.5 * p.place.urban
        )
        p.records = {
            "complaints": n_complaints,
            "press": int(rng.random() < press),
            "ngo": int(rng.random() < ngo),
            "petitions": int(rng.random() < petitions),
        }


# --- writing one record in each source's manner ----------------------------------------------
def _date(d: dt.date, precision: str) -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def _age_at(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _variant(name: str, rng: random.Random, p: float) -> str:
    if name in CYRILLIC_VARIANTS and rng.random() < p:
        return rng.choice(CYRILLIC_VARIANTS[name])
    return name


def _variant_family(family: str, sex: str, rng: random.Random, p: float) -> str:
    masculine = family[:-1] if sex == "f" and family.endswith("а") else family
    if masculine in CYRILLIC_VARIANTS and rng.random() < p:
        v = rng.choice(CYRILLIC_VARIANTS[masculine])
        return feminine(v) if sex == "f" and family != masculine else v
    return family


def _place_cyrillic(place: Place, rng: random.Random, typo_p: float) -> str:
    name = place.cyrillic
    r = rng.random()
    if r < 0.25:
        name = f"{place.prefix} {name}"
    elif r < 0.35:
        name = f"{place.prefix}{name}"
    if rng.random() < 0.15 and "-" in name:
        name = name.replace("-", " ")
    if rng.random() < typo_p:
        name = typo(name, rng)
    return name


def _place_latin(place: Place, rng: random.Random, scheme: str, typo_p: float) -> str:
    name = rng.choice(place.latin) if rng.random() < 0.6 else transliterate(place.cyrillic, scheme)
    if rng.random() < 0.1 and "-" in name:
        name = name.replace("-", " ")
    if rng.random() < typo_p:
        name = typo(name, rng)
    return name


def _latin_given(given: str, rng: random.Random, scheme: str, conventional_p: float) -> str:
    if given in CONVENTIONAL_LATIN and rng.random() < conventional_p:
        return rng.choice(CONVENTIONAL_LATIN[given])
    return transliterate(given, scheme)


def _initials(*names: str, spaced: bool = False) -> str:
    parts = [n[0] + "." for n in names if n]
    return (" " if spaced else "").join(parts)


def _jitter(d: dt.date, rng: random.Random, p: float) -> dt.date:
    if rng.random() < p:
        return d + dt.timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
    return d


Row = dict[str, str]


def complaint_row(p: Person, rng: random.Random) -> Row:
    """A relative's complaint (Cyrillic; a few in Latin letters)."""
    given = _variant(p.given, rng, 0.15)
    family = _variant_family(p.family, p.sex, rng, 0.08)
    patr = patronymic(_variant(p.father, rng, 0.1), p.sex) if rng.random() < 0.75 else ""
    if rng.random() < 0.06:
        given = typo(given, rng)
    if rng.random() < 0.06:
        family = typo(family, rng)
    if patr and rng.random() < 0.04:
        patr = typo(patr, rng)
    row: Row = {}
    if rng.random() < 0.05:  # a relative abroad types it in Latin letters
        scheme = rng.choice(("english", "passport", "bgn"))
        given, family = _latin_given(p.given, rng, scheme, 0.5), transliterate(family, scheme)
        patr = transliterate(patr, scheme)
    elif rng.random() < 0.02:
        given, family = homoglyphs(given, rng), homoglyphs(family, rng)
    if rng.random() < 0.15:
        order = rng.random()
        if order < 0.6:
            row["full_name"] = " ".join(x for x in (family, given, patr) if x)
        else:
            row["full_name"] = " ".join(x for x in (given, patr, family) if x)
    else:
        row.update(given_name=given, patronymic=patr, family_name=family)
    row["sex"] = p.sex if rng.random() < 0.95 else ""
    r = rng.random()
    birth = p.birth
    if rng.random() < 0.03:  # the year misremembered by one
        birth = birth.replace(year=birth.year + rng.choice((-1, 1)), day=min(birth.day, 28))
    if r < 0.6:
        row["birth_date"] = _date(birth, "day")
    elif r < 0.65:
        row["birth_date"] = _date(birth, "month")
    elif r < 0.85:
        row["birth_date"] = _date(birth, "year")
    else:
        row["birth_date"] = ""
    event = _jitter(p.event, rng, 0.2)
    row["event_date"] = _date(event, "day" if rng.random() < 0.7 else "month")
    row["place"] = _place_cyrillic(p.place, rng, 0.03) if rng.random() < 0.9 else ""
    act = p.act if rng.random() < 0.9 else rng.choice(ACTS)
    row["event_type"] = act if rng.random() < 0.95 else ""
    return row


PRESS_SCHEMES = ("english", "bgn", "bgn", "passport_old", "english")


def press_row(p: Person, rng: random.Random) -> Row:
    """A newspaper's list (Latin): one name, an age instead of a birth date."""
    scheme = rng.choice(PRESS_SCHEMES)
    given = _latin_given(_variant(p.given, rng, 0.1), rng, scheme, 0.6)
    family = transliterate(_variant_family(p.family, p.sex, rng, 0.05), scheme)
    if rng.random() < 0.05:
        family = typo(family, rng)
    if rng.random() < 0.03:
        given = typo(given, rng)
    r = rng.random()
    if r < 0.55:
        name = f"{given} {family}"
    elif r < 0.75:
        name = f"{family.upper()} {given}"
    elif r < 0.9:
        name = f"{family} {given}"
    elif r < 0.95:
        name = f"{given} {transliterate(patronymic(p.father, p.sex), scheme)} {family}"
    else:
        name = f"{given[0]}. {family}"
    row: Row = {"full_name": name}
    row["sex"] = p.sex if rng.random() < 0.5 else ""
    event = _jitter(p.event, rng, 0.3)
    has_event = rng.random() < 0.9
    row["event_date"] = _date(event, "day" if rng.random() < 0.4 else "month") if has_event else ""
    age = _age_at(p.birth, p.event)
    if rng.random() < 0.15:
        age += rng.choice((-1, 1))
    row["age"] = str(age) if has_event and rng.random() < 0.75 else ""
    row["place"] = _place_latin(p.place, rng, scheme, 0.03) if rng.random() < 0.8 else ""
    act = p.act if rng.random() < 0.85 else rng.choice(ACTS)
    row["event_type"] = act if rng.random() < 0.9 else ""
    return row


NGO_SCHEMES = (
    "scientific", "bgn", "bgn", "passport", "passport", "passport_old", "french", "german",
    "english",
)  # fmt: skip


def ngo_row(p: Person, rng: random.Random) -> Row:
    """An NGO's list (Latin): volunteers' schemes, swapped columns, typos, swapped dates."""
    scheme = rng.choice(NGO_SCHEMES)
    cyrillic = rng.random() < 0.08  # a local partner filled it in Russian
    given_c = _variant(p.given, rng, 0.1)
    family_c = _variant_family(p.family, p.sex, rng, 0.05)
    patr_c = patronymic(p.father, p.sex) if rng.random() < 0.4 else ""
    if cyrillic:
        given, family, patr = given_c, family_c, patr_c
    else:
        given = _latin_given(given_c, rng, scheme, 0.2)
        family, patr = transliterate(family_c, scheme), transliterate(patr_c, scheme)
        if rng.random() < 0.1:
            given, family, patr = given.upper(), family.upper(), patr.upper()
    if rng.random() < 0.1:
        given = typo(given, rng)
    if rng.random() < 0.12:
        family = typo(family, rng)
    if rng.random() < 0.12:  # given and family names in each other's columns
        given, family = family, given
    row: Row = {"given_name": given, "patronymic": patr, "family_name": family}
    row["sex"] = p.sex if rng.random() < 0.8 else ""
    birth = p.birth
    r = rng.random()
    if r < 0.65:
        text = _date(birth, "day")
        if birth.day <= 12 and birth.day != birth.month and rng.random() < 0.15:
            text = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
        row["birth_date"] = text
    elif r < 0.85:
        row["birth_date"] = _date(birth, "year")
    else:
        row["birth_date"] = ""
    event = _jitter(p.event, rng, 0.2)
    row["event_date"] = _date(event, "day" if rng.random() < 0.6 else "month")
    if rng.random() < 0.85:
        row["place"] = (
            _place_cyrillic(p.place, rng, 0.02)
            if cyrillic
            else _place_latin(p.place, rng, scheme, 0.05)
        )
    else:
        row["place"] = ""
    row["event_type"] = p.act if rng.random() < 0.85 else ""
    return row


def petition_row(p: Person, rng: random.Random) -> Row:
    """A petition's list (Cyrillic): "Фамилия И.О." and birth years."""
    given = _variant(p.given, rng, 0.1)
    family = _variant_family(p.family, p.sex, rng, 0.05)
    patr = patronymic(p.father, p.sex)
    if rng.random() < 0.05:
        family = typo(family, rng)
    r = rng.random()
    if r < 0.6:
        name = f"{family} {_initials(given, patr)}"
    elif r < 0.7:
        name = f"{family} {_initials(given, patr, spaced=True)}"
    elif r < 0.8:
        name = f"{family} {_initials(given)}"
    elif r < 0.85:
        name = f"{_initials(given, patr)} {family}"
    elif r < 0.95:
        name = f"{family} {given} {patr}"
    else:
        name = f"{family} {given}"
    if rng.random() < 0.02:
        name = homoglyphs(name, rng)
    row: Row = {"full_name": name}
    row["sex"] = p.sex if rng.random() < 0.4 else ""
    r = rng.random()
    if r < 0.6:
        row["birth_date"] = _date(p.birth, "year")
    elif r < 0.75:
        row["birth_date"] = _date(p.birth, "day")
    else:
        row["birth_date"] = ""
    row["place"] = _place_cyrillic(p.place, rng, 0.02) if rng.random() < 0.85 else ""
    row["event_date"] = _date(p.event, "month") if rng.random() < 0.7 else ""
    row["event_type"] = p.act if rng.random() < 0.5 else ""
    return row


WRITERS = {
    "complaints": complaint_row,
    "press": press_row,
    "ngo": ngo_row,
    "petitions": petition_row,
}
COLUMNS = {
    "complaints": [
        "record_id", "source", "family_name", "given_name", "patronymic", "full_name", "sex",
        "birth_date", "event_date", "place", "event_type",
    ],
    "press": ["record_id", "source", "full_name", "sex", "age", "event_date", "place",
              "event_type"],
    "ngo": ["source", "record_id", "given_name", "patronymic", "family_name", "sex",
            "birth_date", "event_date", "place", "event_type"],
    "petitions": ["record_id", "source", "full_name", "sex", "birth_date", "place",
                  "event_date", "event_type"],
}  # fmt: skip
ID_PREFIX = {"complaints": "C", "press": "PR", "ngo": "N", "petitions": "PT"}


@dataclass
class Lists:
    """The generated lists: rows per source (with ``record_id``) and the truth."""

    people: int
    rows: dict[str, list[Row]]
    truth: list[tuple[str, str, str]]  # (source, record_id, person_id)


def generate(people: int, seed: int, birth_dates: bool = True) -> Lists:
    """Generate the four lists for ``people`` people (some on no list) from ``seed``.

    Without ``birth_dates`` the same records are returned without ``birth_date`` and ``age``.
    Raises ValueError if ``people`` is less than 1.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    rng = random.Random(seed)
    population = make_people(people, rng)
    capture(population, rng)
    drafts: dict[str, list[tuple[str, Row]]] = {s: [] for s in SOURCES}
    for p in population:
        for source in SOURCES:
            for _ in range(p.records[source]):
                drafts[source].append((p.person_id, WRITERS[source](p, rng)))
    rows: dict[str, list[Row]] = {}
    truth: list[tuple[str, str, str]] = []
    for source in SOURCES:
        items = drafts[source]
        rng.shuffle(items)  # the order of a list says nothing about who is who
        ids = rng.sample(range(10_000, 10_000 + 10 * max(1, len(items))), len(items))
        out = []
        for (person_id, row), num in zip(items, ids, strict=True):
            record_id = f"{ID_PREFIX[source]}{num}"
            full = {"record_id": record_id, "source": source, **row}
            if not birth_dates:
                full.pop("birth_date", None)
                full.pop("age", None)
            out.append(full)
            truth.append((source, record_id, person_id))
        rows[source] = out
    return Lists(people=people, rows=rows, truth=truth)


def write(lists: Lists, out: Path, birth_dates: bool = True) -> None:
    """Write ``<source>.csv`` for each source and ``truth.csv`` into ``out`` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        columns = [c for c in COLUMNS[source] if birth_dates or c not in ("birth_date", "age")]
        with (out / f"{source}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            for row in lists.rows[source]:
                writer.writerow({c: row.get(c, "") for c in columns})
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as f:
        writer2 = csv.writer(f)
        writer2.writerow(["source", "record_id", "person_id"])
        writer2.writerows(lists.truth)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, required=True, help="people in the population")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the lists to")
    parser.add_argument(
        "--no-birth-dates", action="store_true", help="leave out birth dates and ages (item 6c)"
    )
    args = parser.parse_args(argv)
    birth_dates = not args.no_birth_dates
    lists = generate(args.people, args.seed, birth_dates=birth_dates)
    write(lists, args.out, birth_dates=birth_dates)
    observed = len({person for _, _, person in lists.truth})
    counts = ", ".join(f"{s} {len(lists.rows[s])}" for s in SOURCES)
    print(
        f"{args.people} people, {observed} on at least one list, "
        f"{len(lists.truth)} records ({counts}) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
