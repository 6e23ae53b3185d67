"""Third, independent generator of four person lists about one synthetic population.

What it models
--------------
A synthetic population of men (and a few women) from Chechen, Ingush and Dagestani
villages who were detained, disappeared or killed between late 1999 and 2009, and four
lists that each capture part of that population in their own way:

* ``complaints`` (Cyrillic): one to three relatives may file about the same man, each
  writing what they know: full name or part of it, with or without patronymic, in name
  columns or only as a free ``full_name``; a full birth date, a year, an age or nothing;
  the place in one of several spellings; the event date to the day, month or year (and
  sometimes a day or a month off); spelling variants (Мухаммад/Магомед, Юсуф/Юсуп) and
  typos. Not unique within the list.
* ``press`` (Latin): one printed ``full_name`` per person, in one of several
  transliteration schemes (English BGN-style, popular English, French, German,
  scholarly), in the orders "Given Family", "FAMILY Given", "Family, Given" (and a few
  "G. Family" or with the patronymic); an age (sometimes off by one) instead of a birth
  date; the event month or day (sometimes the day of the report). Unique within the list.
* ``ngo`` (mostly Latin, some Cyrillic and some mixed records): name columns, given and
  family names sometimes in each other's columns, typos, birth dates with day and month
  sometimes swapped (only where the swapped date is valid). Unique within the list.
* ``petitions`` (Cyrillic): "Фамилия И.О." or "И.О. Фамилия" (initials only), a birth
  year at most, often little else. Unique within the list.

The population is built from households in villages: each village has a few dominant
family names (teips/clans) and both given and family names follow a skewed, Zipf-like
frequency, so that many people share a name. Brothers share family name, patronymic and
village and are sometimes taken on the same day; cousins and unrelated namesakes with
the same given name, patronymic and family name in the same village are common. These
are the hardest non-matches. Women carry the feminine family-name form (-ова/-ева/-ина)
and -овна/-евна patronymics. Double given names (Хож-Ахмед, Сайд-Магомед) and a few
hyphenated family names (Абдул-Вахабов) are written hyphenated, spaced, fused or cut.

Capture is dependent and heterogeneous: every person has a latent visibility; being in
the complaints raises the chance of being in the NGO list, and being in the NGO list
raises the chance of being in the petitions; killings are more often in the press; the
region changes the rates. Some people are on no list.

This file was written without reading the linkage engine, its documentation, its tests
or the other list generators in ``bench/``; all name lists, variant spellings and
transliteration tables below were written for this file.

Run
---
    python bench/third_lists.py --people 3000 --seed 1 --out DIR [--no-birth-dates]

Writes ``complaints.csv``, ``press.csv``, ``ngo.csv``, ``petitions.csv`` and ``truth.csv``
(``source,record_id,person_id``) into DIR. Standard library only; deterministic per seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import unicodedata
from pathlib import Path


def words(text: str) -> list[str]:
    """A whitespace-separated table written as a block of text."""
    return text.split()


FIELDS = [
    "record_id",
    "source",
    "given_name",
    "patronymic",
    "family_name",
    "full_name",
    "sex",
    "birth_date",
    "age",
    "place",
    "event_date",
    "event_type",
    "role",
]

# --------------------------------------------------------------------------------------
# Names. Order within each list is the frequency rank (first = most common).
# --------------------------------------------------------------------------------------

GIVEN_M = {
    "chechen": words(
        """
        Магомед Ахмед Руслан Ислам Адам Хасан Хусейн Рамзан Аслан Муса Иса Шамиль Умар Юсуп Саид
        Ибрагим Зелимхан Лечи Ваха Султан Тимур Хамзат Мовсар Арби Бислан Мовлади Усман Салман
        Ризван Асланбек Хож-Ахмед Сайд-Магомед Магомед-Эми Абу-Бакар Шарип Лом-Али Доку Турпал
        Адлан Сайхан Супьян Анзор Артур Алихан Исмаил Сулейман Абдулла Идрис Якуб Висита Абубакар
        Хизир Салауди Ильяс Байсангур Джабраил Селим Вахид
    """
    ),
    "ingush": words(
        """
        Магомед Ахмед Руслан Беслан Ибрагим Ислам Мурат Башир Алихан Муса Мухарбек Хасан Тимур Адам
        Магомед-Башир Мустафа Хизир Микаил Батыр Тамерлан Идрис Багаудин Аюб Иса Юсуп Умар Саид
        Заурбек Исмаил Султан Берс Хамзат Абдул-Хамид Руслан-Бек Илез Висангири
    """
    ),
    "dagestani": words(
        """
        Магомед Гаджи Рамазан Шамиль Абдулла Расул Ахмед Омар Али Магомедали Гасан Гусейн Курбан
        Арсен Нариман Хабиб Абакар Гамзат Муртазали Сайгид Газимагомед Хизри Мурад Зубаир
        Абдулмалик Исмаил Гаджимурад Ибрагим Юсуф Камиль Мурад-Али Абдул-Керим Руслан Эльдар Тагир
        Ильяс Муслим
    """
    ),
}

GIVEN_F = words(
    """
    Зарема Малика Хава Луиза Мадина Айшат Петимат Зура Хеда Марьям Зулихан Асет Элиза Тамара Фатима
    Патимат Марха Седа Раиса Аминат Хадижат Заира Милана
"""
)

FAMILY = {
    "chechen": words(
        """
        Магомадов Исмаилов Джабраилов Садулаев Мусаев Хасанов Умаров Ахмадов Юсупов Идрисов Алиев
        Хаджиев Дудаев Бисултанов Мациев Гайрбеков Эльмурзаев Абдурахманов Байсаров Дадаев Салманов
        Межидов Усманов Закаев Гелаев Масаев Ибрагимов Арсамерзаев Тайсумов Исраилов Шахидов Саидов
        Касумов Висаитов Эдилов Мурдалов Батаев Бакаев Абдулкадыров Сагаипов Тепсуркаев Ампукаев
        Цацаев Мамаев Зубайраев Абдул-Вахабов Хаджи-Мурадов Яхъяев Чагаев Гериханов
    """
    ),
    "ingush": words(
        """
        Евлоев Мальсагов Оздоев Цечоев Кодзоев Костоев Аушев Албогачиев Плиев Тумгоев Хамхоев
        Дзейтов Богатырев Гагиев Барахоев Гандалоев Муталиев Султыгов Точиев Яндиев Котиев Аджиев
        Ганиев Цороев Ужахов Хашиев Белхароев Долгиев Нальгиев Гадаборшев
    """
    ),
    "dagestani": words(
        """
        Магомедов Гаджиев Абдулаев Омаров Рамазанов Курбанов Алиев Исаев Гасанов Гусейнов
        Нурмагомедов Шамилов Хизриев Абакаров Ибрагимов Сулейманов Халилов Мирзоев Газимагомедов
        Рашидов Даудов Чупалаев Магомедалиев Гаджимурадов Муртазалиев Абдулмуслимов Гамзатов
        Кебедов Гаджи-Магомедов Сайпулаев Ахмедов Юсуфов Махачев Арсланалиев
    """
    ),
}

# Spelling variants a Russian-writing relative or clerk may use for the same name.
GIVEN_VARIANTS = {
    "Магомед": ["Мухаммад", "Магомет", "Мохмад", "Мохьмад", "Магамед", "Мухамед"],
    "Ахмед": ["Ахмад", "Ахьмад", "Ахмет"],
    "Хасан": ["Хьасан", "Гасан"],
    "Хусейн": ["Хусайн", "Гусейн", "Хусен"],
    "Юсуп": ["Юсуф", "Юсупп"],
    "Юсуф": ["Юсуп"],
    "Абдулла": ["Абдула", "Абдуллах"],
    "Саид": ["Сайд", "Саит"],
    "Умар": ["Умер", "Омар"],
    "Усман": ["Осман"],
    "Ибрагим": ["Ибрахим"],
    "Сулейман": ["Сулиман", "Сулейманн"],
    "Исмаил": ["Исмайл", "Исмаиль"],
    "Лечи": ["Лече"],
    "Мовлади": ["Мовлди", "Маулди"],
    "Супьян": ["Супян", "Суфьян"],
    "Хамзат": ["Хамзад"],
    "Шарип": ["Шариф"],
    "Мурат": ["Мурад"],
    "Асланбек": ["Асламбек"],
    "Абубакар": ["Абу-Бакар"],
    "Абу-Бакар": ["Абубакар", "Абубакр"],
    "Гасан": ["Хасан"],
    "Гусейн": ["Хусейн"],
    "Джабраил": ["Джабраиль", "Жабраил"],
    "Илез": ["Ильяс"],
    "Висита": ["Висит"],
    "Идрис": ["Идрыс"],
}
# Short forms relatives sometimes use.
HYPOCORISTIC = {"Магомед": "Мага", "Абдулла": "Абдул", "Ибрагим": "Ибра", "Гаджимурад": "Гаджи"}

FAMILY_VARIANTS = {
    "Джабраилов": ["Джебраилов", "Жабраилов"],
    "Исмаилов": ["Исмайлов"],
    "Абдулаев": ["Абдуллаев"],
    "Юсупов": ["Юсуфов"],
    "Ахмадов": ["Ахмедов"],
    "Магомадов": ["Магомедов", "Мухаммадов"],
    "Хаджиев": ["Хаджаев"],
    "Межидов": ["Мажидов", "Меджидов"],
    "Зубайраев": ["Зубаираев"],
    "Сайпулаев": ["Сайпуллаев"],
    "Яхъяев": ["Яхьяев", "Яхяев"],
    "Абдулкадыров": ["Абдул-Кадыров"],
    "Гусейнов": ["Гасанов"],
    "Садулаев": ["Садуллаев"],
    "Хасанов": ["Хасаннов"],
    "Исраилов": ["Израилов"],
}

# Conventional Latin spellings that newspapers use instead of a strict scheme.
CONVENTIONAL = {
    "en": {
        "Магомед": ["Mohammed", "Muhammad", "Magomed"],
        "Хасан": ["Hasan", "Hassan"],
        "Хусейн": ["Hussein", "Husein"],
        "Юсуп": ["Yusuf"],
        "Ибрагим": ["Ibrahim"],
        "Сулейман": ["Suleiman"],
        "Умар": ["Omar", "Umar"],
        "Абдулла": ["Abdullah"],
        "Ахмед": ["Ahmed", "Ahmad"],
        "Саид": ["Saeed", "Said"],
        "Исмаил": ["Ismail"],
        "Идрис": ["Idris"],
        "Грозный": ["Grozny"],
    },
    "fr": {
        "Магомед": ["Mohamed", "Magomed"],
        "Хасан": ["Hassan", "Khassane"],
        "Усман": ["Ousmane"],
        "Умар": ["Oumar", "Omar"],
        "Шамиль": ["Chamil"],
        "Муса": ["Moussa"],
        "Иса": ["Issa"],
        "Юсуп": ["Youssouf", "Youssoup"],
        "Ибрагим": ["Ibrahim", "Ibraguim"],
        "Грозный": ["Grozny"],
    },
    "de": {
        "Хасан": ["Chassan", "Hassan"],
        "Юсуп": ["Jussup", "Juzup"],
        "Магомед": ["Mohammed", "Magomed"],
        "Шамиль": ["Schamil"],
        "Хусейн": ["Hussein", "Chussejn"],
        "Грозный": ["Grosny"],
    },
}

# Villages: canonical Cyrillic, region, weight, other Cyrillic spellings.
VILLAGES = [
    ("Грозный", "chechen", 9.0, ["г. Грозный", "Грозной"]),
    ("Урус-Мартан", "chechen", 5.0, ["Урус Мартан", "Урусмартан"]),
    ("Шали", "chechen", 4.5, []),
    ("Гудермес", "chechen", 3.5, []),
    ("Аргун", "chechen", 3.0, []),
    ("Гехи", "chechen", 2.5, ["Гехи-Юрт"]),
    ("Старые Атаги", "chechen", 2.5, ["Ст. Атаги", "Старые-Атаги"]),
    ("Новые Атаги", "chechen", 1.8, ["Нов. Атаги", "Новые-Атаги"]),
    ("Самашки", "chechen", 2.0, []),
    ("Бамут", "chechen", 1.2, []),
    ("Ачхой-Мартан", "chechen", 2.2, ["Ачхой Мартан", "Ачхоймартан"]),
    ("Алхан-Юрт", "chechen", 1.5, ["Алхан Юрт", "Алханюрт"]),
    ("Алхан-Кала", "chechen", 1.8, ["Алхан Кала", "Алханкала"]),
    ("Курчалой", "chechen", 2.0, []),
    ("Цоци-Юрт", "chechen", 1.6, ["Цоцин-Юрт", "Цоцинюрт"]),
    ("Майртуп", "chechen", 1.0, ["Майр-Туп"]),
    ("Герменчук", "chechen", 1.2, []),
    ("Сержень-Юрт", "chechen", 1.0, ["Сержень Юрт", "Серженюрт"]),
    ("Ведено", "chechen", 1.0, []),
    ("Элистанжи", "chechen", 0.8, ["Элистанжа"]),
    ("Мескер-Юрт", "chechen", 0.9, ["Мескер Юрт"]),
    ("Чири-Юрт", "chechen", 1.0, ["Чири Юрт"]),
    ("Гойты", "chechen", 1.2, ["Гойти"]),
    ("Гехи-Чу", "chechen", 0.6, ["Гехичу"]),
    ("Катыр-Юрт", "chechen", 0.9, ["Катар-Юрт", "Катыр Юрт"]),
    ("Валерик", "chechen", 0.8, []),
    ("Знаменское", "chechen", 0.8, ["Знаменка"]),
    ("Толстой-Юрт", "chechen", 0.9, ["Толстой Юрт", "Девлетгирин-Эвла"]),
    ("Назрань", "ingush", 4.0, ["г. Назрань"]),
    ("Карабулак", "ingush", 2.0, []),
    ("Малгобек", "ingush", 2.0, []),
    ("Слепцовская", "ingush", 1.8, ["Сунжа", "ст. Слепцовская", "Орджоникидзевская"]),
    ("Экажево", "ingush", 1.2, ["Экажео"]),
    ("Сурхахи", "ingush", 0.9, []),
    ("Плиево", "ingush", 0.9, []),
    ("Кантышево", "ingush", 0.8, []),
    ("Галашки", "ingush", 0.7, []),
    ("Нестеровская", "ingush", 0.7, ["ст. Нестеровская"]),
    ("Али-Юрт", "ingush", 0.8, ["Али Юрт", "Алиюрт"]),
    ("Хасавюрт", "dagestani", 3.0, ["г. Хасавюрт", "Хасав-Юрт"]),
    ("Буйнакск", "dagestani", 2.0, []),
    ("Гимры", "dagestani", 1.2, ["Гимры-аул"]),
    ("Карамахи", "dagestani", 0.8, []),
    ("Чабанмахи", "dagestani", 0.6, []),
    ("Кизляр", "dagestani", 1.2, []),
    ("Махачкала", "dagestani", 3.5, ["г. Махачкала", "Махач-Кала"]),
    ("Дербент", "dagestani", 1.0, []),
    ("Цумада", "dagestani", 0.5, ["Цумадинский р-н"]),
    ("Ботлих", "dagestani", 0.8, []),
    ("Унцукуль", "dagestani", 0.8, []),
    ("Новолакское", "dagestani", 0.7, ["Новолак"]),
    ("Хунзах", "dagestani", 0.6, []),
    ("Кизилюрт", "dagestani", 1.0, ["Кизил-Юрт"]),
    ("Шамилькала", "dagestani", 0.5, ["Шамиль-Кала", "пос. Шамилькала"]),
]
TOWNS = {
    "Грозный",
    "Назрань",
    "Махачкала",
    "Хасавюрт",
    "Буйнакск",
    "Аргун",
    "Гудермес",
    "Карабулак",
    "Малгобек",
    "Кизляр",
    "Дербент",
    "Кизилюрт",
}

EVENT_TYPES = ["detention", "disappearance", "killing"]

# --------------------------------------------------------------------------------------
# Transliteration (Cyrillic -> Latin) in several schemes.
# --------------------------------------------------------------------------------------

VOWELS = set("аеёиоуыэюя")
#            bgn      en       fr        de         sch
LETTERS = {
    "а": ("a", "a", "a", "a", "a"),
    "б": ("b", "b", "b", "b", "b"),
    "в": ("v", "v", "v", "w", "v"),
    "г": ("g", "g", "g", "g", "g"),
    "д": ("d", "d", "d", "d", "d"),
    "ё": ("yo", "yo", "io", "jo", "ë"),
    "ж": ("zh", "zh", "j", "sch", "ž"),
    "з": ("z", "z", "z", "s", "z"),
    "и": ("i", "i", "i", "i", "i"),
    "к": ("k", "k", "k", "k", "k"),
    "л": ("l", "l", "l", "l", "l"),
    "м": ("m", "m", "m", "m", "m"),
    "н": ("n", "n", "n", "n", "n"),
    "о": ("o", "o", "o", "o", "o"),
    "п": ("p", "p", "p", "p", "p"),
    "р": ("r", "r", "r", "r", "r"),
    "с": ("s", "s", "s", "s", "s"),
    "т": ("t", "t", "t", "t", "t"),
    "у": ("u", "u", "ou", "u", "u"),
    "ф": ("f", "f", "f", "f", "f"),
    "х": ("kh", "kh", "kh", "ch", "ch"),
    "ц": ("ts", "ts", "ts", "z", "c"),
    "ч": ("ch", "ch", "tch", "tsch", "č"),
    "ш": ("sh", "sh", "ch", "sch", "š"),
    "щ": ("shch", "shch", "chtch", "schtsch", "šč"),
    "ъ": ("", "", "", "", "ʺ"),
    "ы": ("y", "y", "y", "y", "y"),
    "ь": ("", "", "", "", "ʹ"),
    "э": ("e", "e", "e", "e", "è"),
    "ю": ("yu", "yu", "iou", "ju", "ju"),
    "я": ("ya", "ya", "ia", "ja", "ja"),
}
SCHEMES = ["bgn", "en", "fr", "de", "sch"]
DZH = {"bgn": "dzh", "en": "j", "fr": "dj", "de": "dsch", "sch": "dž"}
E_IOT = {"bgn": "ye", "en": "e", "fr": "ie", "de": "je", "sch": "e"}


def scheme_options(rng: random.Random, scheme: str) -> dict:
    """Per-record choices inside a scheme (the same outlet is not always consistent).words("""
    return {
        "kh": rng.choice(["kh", "kh", "h"]) if scheme in ("en", "fr") else None,
        "sch_h": rng.random() < 0.3,
        "dzh": "dzh" if (scheme == "en" and rng.random() < 0.35) else DZH[scheme],
        "accents": rng.random() < (0.55 if scheme == "fr" else 0.85),
        "ane": scheme == "fr" and rng.random() < 0.4,
        "ow_ov": scheme == "de" and rng.random() < 0.25,
        "soft": scheme == "sch" and rng.random() < 0.5,
        "ye": scheme == "en" and rng.random() < 0.3,
    }


def translit(text: str, scheme: str, opt: dict) -> str:
    idx = SCHEMES.index(scheme)
    low = text.lower()
    out: list[str] = []
    prev = ""  # previous Cyrillic letter within the word ("" at a word start)
    i = 0
    n = len(low)
    while i < n:
        ch = low[i]
        nxt = low[i + 1] if i + 1 < n else ""
        word_end = not nxt.isalpha()
        if ch not in LETTERS and ch != "е" and ch != "й":
            out.append(ch)
            prev = ""
            i += 1
            continue
        if ch == "д" and nxt == "ж":
            out.append(opt["dzh"])
            prev = "ж"
            i += 2
            continue
        if ch == "е":
            if prev == "" or prev in VOWELS or prev in "ьъ":
                s = E_IOT[scheme]
                if scheme == "en" and opt["ye"]:
                    s = "ye"
                if scheme == "bgn" and prev == "":
                    s = "ye" if opt["ye"] else "e"
                if scheme in ("fr", "de") and prev == "и":
                    s = "e"
                out.append(s)
            else:
                out.append("e")
        elif ch == "й":
            if word_end and prev in ("и", "ы"):
                out.append({"bgn": "y", "en": "", "fr": "", "de": "j", "sch": "j"}[scheme])
            elif scheme == "fr":
                out.append("ï" if prev in VOWELS else "i")
            elif scheme == "de":
                out.append("j" if nxt in VOWELS else "i")
            elif scheme == "sch":
                out.append("j")
            else:
                out.append("y")
        elif ch == "и" and scheme == "fr" and prev in ("а", "о", "у", "э"):
            out.append("ï")
        elif ch == "г" and scheme == "fr" and nxt in ("е", "и", "ы", "э"):
            out.append("gu")
        elif ch == "с" and scheme in ("fr", "de") and prev in VOWELS and nxt in VOWELS:
            out.append("ss")
        elif ch == "х" and scheme in ("en", "fr"):
            out.append(opt["kh"] or "kh")
        elif ch == "х" and scheme == "sch" and opt["sch_h"]:
            out.append("h")
        elif ch in "ьъ" and scheme == "sch" and not opt["soft"]:
            out.append("")
        elif ch == "н" and scheme == "fr" and opt["ane"] and prev == "а" and word_end:
            out.append("ne")
        elif ch == "в" and scheme == "de" and opt["ow_ov"] and word_end:
            out.append("v")
        elif ch == "ы" and word_end and scheme in ("en", "fr", "de") and nxt != "й":
            out.append("y")
        else:
            out.append(LETTERS[ch][idx])
        prev = ch
        i += 1
    s = "".join(out)
    if not opt["accents"]:
        s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
        s = s.replace("ʹ", "").replace("ʺ", "")
    return capitalize_words(s)


def capitalize_words(s: str) -> str:
    out = []
    start = True
    for c in s:
        if c.isalpha():
            out.append(c.upper() if start else c)
            start = False
        else:
            out.append(c)
            start = c in " -.,"
    return "".join(out)


def latin_name(
    rng: random.Random, cyr: str, scheme: str, opt: dict, canon: str | None = None
) -> str:
    fam = {"bgn": "en", "en": "en", "fr": "fr", "de": "de"}.get(scheme)
    table = CONVENTIONAL.get(fam, {}) if fam else {}
    key = canon if canon in table else cyr
    if key in table and rng.random() < 0.4:
        return rng.choice(table[key])
    return translit(cyr, scheme, opt)


# --------------------------------------------------------------------------------------
# Name forms, typos, dates.
# --------------------------------------------------------------------------------------


def feminine(family: str) -> str:
    for end, fem in (("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина")):
        if family.endswith(end):
            return family[: -len(end)] + fem
    return family


def patronymic(father: str, sex: str) -> str:
    last = father[-1]
    if last in "ьй":
        stem, m, f = father[:-1], "евич", "евна"
    elif last in "аяиуоеэжшчщц":
        stem, m, f = father, "евич", "евна"
    else:
        stem, m, f = father, "ович", "овна"
    return stem + (m if sex == "m" else f)


def double_form(rng: random.Random, name: str, keep: float = 0.62) -> str:
    """A hyphenated name as a list may write it: hyphen, space, fused or one part."""
    if "-" not in name:
        return name
    a, b = name.split("-", 1)
    r = rng.random()
    if r < keep:
        return name
    if r < keep + 0.13:
        return f"{a} {b}"
    if r < keep + 0.27:
        return a + b.lower()
    return rng.choice([a, b])


CYR_CONFUSE = dict(
    pair.split(":")
    for pair in words(
        """
    е:эи э:е и:ыей ы:и а:о о:а с:з з:с д:т т:д б:п п:б г:кх к:г ж:ш ш:жщ й:и у:ю х:г ю:у я:а л:ль
    р:л
"""
    )
)
CYR_ROWS = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]
LAT_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
LAT_CONFUSE = dict(
    pair.split(":")
    for pair in words("i:yie y:ij e:ai a:oe o:au u:o k:gc g:k s:zc z:s d:t t:d v:wf w:v j:yi")
)


def neighbour(ch: str, rows: list[str], rng: random.Random) -> str:
    for row in rows:
        k = row.find(ch)
        if k >= 0:
            opts = [row[j] for j in (k - 1, k + 1) if 0 <= j < len(row)]
            return rng.choice(opts)
    return ch


def typo(rng: random.Random, s: str, latin: bool = False) -> str:
    """One realistic slip: a confusable letter, a keyboard neighbour, a dropped,
    doubled or transposed letter. Never touches the first letter."""
    pos = [i for i, c in enumerate(s) if c.isalpha() and i > 0 and s[i - 1].isalpha()]
    if not pos:
        return s
    i = rng.choice(pos)
    c = s[i]
    lc = c.lower()
    r = rng.random()
    confuse = LAT_CONFUSE if latin else CYR_CONFUSE
    rows = LAT_ROWS if latin else CYR_ROWS
    if r < 0.4 and lc in confuse:
        rep = rng.choice(confuse[lc])
    elif r < 0.58:
        rep = neighbour(lc, rows, rng)
    elif r < 0.73:
        rep = ""
    elif r < 0.85:
        rep = lc + lc
    else:
        if i + 1 < len(s) and s[i + 1].isalpha():
            return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        rep = ""
    if c.isupper():
        rep = rep.upper()
    if latin and lc == "k" and i + 1 < len(s) and s[i + 1] == "h" and rng.random() < 0.5:
        return s[:i] + "h" + s[i + 2 :]
    return s[:i] + rep + s[i + 1 :]


def maybe_typo(rng: random.Random, s: str, p: float, latin: bool = False) -> str:
    if s and rng.random() < p:
        s = typo(rng, s, latin)
        if rng.random() < 0.12:
            s = typo(rng, s, latin)
    return s


def age_at(birth: dt.date, event: dt.date) -> int:
    return event.year - birth.year - ((event.month, event.day) < (birth.month, birth.day))


def fmt_date(d: dt.date, precision: str) -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if precision == "year":
        return f"{d.year:04d}"
    return ""


def pick_precision(rng: random.Random, weights: tuple[float, float, float, float]) -> str:
    return rng.choices(["day", "month", "year", ""], weights=weights)[0]


def shift_days(d: dt.date, k: int) -> dt.date:
    return d + dt.timedelta(days=k)


def shift_months(d: dt.date, k: int) -> dt.date:
    m = d.month - 1 + k
    y = d.year + m // 12
    m = m % 12 + 1
    return dt.date(y, m, min(d.day, 28))


def swap_day_month(d: dt.date) -> dt.date:
    if d.day <= 12 and d.day != d.month:
        return dt.date(d.year, d.day, d.month)
    return d


def zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


# --------------------------------------------------------------------------------------
# Population.
# --------------------------------------------------------------------------------------


def random_event_date(rng: random.Random) -> dt.date:
    year = rng.choices(list(range(1999, 2010)), weights=[2, 9, 10, 9, 8, 7, 5, 4, 3, 3, 3])[0]
    start = dt.date(year, 9, 1) if year == 1999 else dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def random_birth(rng: random.Random, event: dt.date, sex: str) -> dt.date:
    if sex == "m":
        age = 16 + int(rng.gammavariate(2.2, 5.0))
    else:
        age = 20 + int(rng.gammavariate(3.0, 7.0))
    age = min(age, 75)
    year = event.year - age
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def build_population(n: int, rng: random.Random) -> list[dict]:
    vweights = [v[2] for v in VILLAGES]
    # Each village has a handful of dominant family names (its clans).
    local: dict[str, list[str]] = {}
    for name, region, _w, _alts in VILLAGES:
        pool = FAMILY[region]
        fw = zipf_weights(len(pool), 0.9)
        chosen: list[str] = []
        while len(chosen) < 7:
            f = rng.choices(pool, weights=fw)[0]
            if f not in chosen:
                chosen.append(f)
        local[name] = chosen
    people: list[dict] = []
    while len(people) < n:
        vi = rng.choices(range(len(VILLAGES)), weights=vweights)[0]
        village, region, _w, _alts = VILLAGES[vi]
        eth = region if rng.random() < 0.9 else rng.choice(["chechen", "ingush", "dagestani"])
        if village not in TOWNS and rng.random() < 0.72:
            loc = local[village]
            family = rng.choices(loc, weights=zipf_weights(len(loc), 0.8))[0]
        else:
            pool = FAMILY[eth]
            family = rng.choices(pool, weights=zipf_weights(len(pool), 0.9))[0]
        gpool = GIVEN_M[eth]
        gw = zipf_weights(len(gpool), 1.0)
        father = rng.choices(gpool, weights=gw)[0]
        # Sons (and occasionally a daughter or mother) of one household.
        k = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
        together = rng.random() < 0.5
        event = random_event_date(rng)
        etype = rng.choices(EVENT_TYPES, weights=[50, 35, 15])[0]
        used: set[str] = set()
        base_birth = None
        for j in range(k):
            sex = "f" if rng.random() < 0.06 else "m"
            if sex == "f":
                given = rng.choices(GIVEN_F, weights=zipf_weights(len(GIVEN_F), 0.8))[0]
            else:
                given = rng.choices(gpool, weights=gw)[0]
                while given in used:
                    given = rng.choices(gpool, weights=gw)[0]
            used.add(given)
            if j > 0 and not together:
                event = random_event_date(rng)
                etype = rng.choices(EVENT_TYPES, weights=[50, 35, 15])[0]
            if base_birth is None or sex == "f":
                birth = random_birth(rng, event, sex)
                if sex == "m":
                    base_birth = birth
            else:
                gap = rng.randint(1, 7) * rng.choice([-1, 1])
                birth = base_birth + dt.timedelta(days=365 * gap + rng.randint(-150, 150))
                if age_at(birth, event) < 14:
                    birth = dt.date(event.year - 15, birth.month, min(birth.day, 28))
            people.append(
                {
                    "pid": "",
                    "sex": sex,
                    "eth": eth,
                    "region": region,
                    "village": village,
                    "given": given,
                    "father": father,
                    "family": family if sex == "m" else feminine(family),
                    "family_m": family,
                    "birth": birth,
                    "event": event,
                    "etype": etype,
                    "hh": len(people) if j == 0 else people[-1]["hh"],
                    "hh_size": k,
                    "vis": math.exp(rng.gauss(0.0, 0.7)),
                }
            )
    people = people[:n]
    for i, p in enumerate(people):
        p["pid"] = f"P{i + 1:06d}"
    return people


# --------------------------------------------------------------------------------------
# Per-source rendering.
# --------------------------------------------------------------------------------------


def cyr_place(rng: random.Random, village: str) -> str:
    alts = next(v[3] for v in VILLAGES if v[0] == village)
    name = village
    if alts and rng.random() < 0.25:
        name = rng.choice(alts)
    if name.startswith(("г. ", "ст. ", "пос. ")) or " р-н" in name:
        return name
    if village in TOWNS:
        pref = rng.choices(["", "г. ", "город "], weights=[6, 3, 1])[0]
    else:
        pref = rng.choices(["", "с. ", "село ", "с.", "пос. "], weights=[5, 5, 2, 1, 1])[0]
    out = pref + name
    if rng.random() < 0.08:
        out += rng.choice([", Чечня", ", ЧР", ", Ингушетия", ", РД", " р-н"])
    return out


def lat_place(rng: random.Random, village: str, scheme: str, opt: dict) -> str:
    name = village
    alts = [a for a in next(v[3] for v in VILLAGES if v[0] == village) if "." not in a]
    if alts and rng.random() < 0.15:
        name = rng.choice(alts)
    lat = latin_name(rng, name, scheme, opt, canon=village)
    if village in TOWNS:
        return lat
    r = rng.random()
    if scheme == "fr":
        pref = ["", "village de ", "", "Village "]
    elif scheme == "de":
        pref = ["", "Dorf ", "", "Ort "]
    else:
        pref = ["", "village of ", "v. ", "s. "]
    if r < 0.15:
        return lat + " village"
    return rng.choice(pref) + lat


def vary_given(rng: random.Random, given: str, p_var: float) -> str:
    if rng.random() < p_var and given in GIVEN_VARIANTS:
        return rng.choice(GIVEN_VARIANTS[given])
    return given


def complaint_record(rng: random.Random, p: dict, no_birth: bool) -> dict:
    sex = p["sex"]
    given = double_form(rng, vary_given(rng, p["given"], 0.12))
    if rng.random() < 0.03 and p["given"] in HYPOCORISTIC:
        given = HYPOCORISTIC[p["given"]]
    father = vary_given(rng, p["father"], 0.1)
    patr = patronymic(double_form(rng, father, keep=0.8), sex)
    family = p["family"]
    if rng.random() < 0.06 and p["family_m"] in FAMILY_VARIANTS:
        family = rng.choice(FAMILY_VARIANTS[p["family_m"]])
        if sex == "f":
            family = feminine(family)
    if sex == "f" and rng.random() < 0.04:
        family = p["family_m"]
    family = double_form(rng, family, keep=0.7)
    given = maybe_typo(rng, given, 0.06)
    patr = maybe_typo(rng, patr, 0.05)
    family = maybe_typo(rng, family, 0.07)
    if rng.random() < 0.3:
        patr = ""
    rec = {"given_name": "", "patronymic": "", "family_name": "", "full_name": ""}
    r = rng.random()
    if r < 0.68:
        rec.update(given_name=given, patronymic=patr, family_name=family)
        if rng.random() < 0.04:
            rec["given_name"] = given[0] + "."
            if patr and rng.random() < 0.5:
                rec["patronymic"] = patr[0] + "."
        elif rng.random() < 0.03:
            rec["given_name"] = ""
    else:
        order = rng.choices(["fio", "iof", "if", "fi"], weights=[50, 15, 25, 10])[0]
        parts = {
            "fio": [family, given, patr],
            "iof": [given, patr, family],
            "if": [given, family],
            "fi": [family, given],
        }[order]
        rec["full_name"] = " ".join(x for x in parts if x)
    case = rng.random()
    if case < 0.05:
        rec = {k: v.upper() for k, v in rec.items()}
    elif case < 0.07:
        rec = {k: v.lower() for k, v in rec.items()}
    rec["sex"] = sex if rng.random() < 0.85 else ""
    birth, age = "", ""
    if not no_birth:
        b = p["birth"]
        if rng.random() < 0.04:
            b = dt.date(b.year + rng.choice([-1, 1]), b.month, min(b.day, 28))
        if rng.random() < 0.03:
            b = dt.date(b.year, b.month, rng.randint(1, 28))
        if rng.random() < 0.02:
            b = swap_day_month(b)
        prec = pick_precision(rng, (50, 5, 22, 23))
        birth = fmt_date(b, prec)
        if not birth and rng.random() < 0.3:
            a = age_at(p["birth"], p["event"])
            if rng.random() < 0.15:
                a += rng.choice([-1, 1])
            age = str(a)
    rec["birth_date"] = birth
    rec["age"] = age
    rec["place"] = cyr_place(rng, p["village"]) if rng.random() < 0.92 else ""
    rec["place"] = maybe_typo(rng, rec["place"], 0.03)
    ev = p["event"]
    prec = pick_precision(rng, (60, 25, 15, 0))
    if prec == "day" and rng.random() < 0.1:
        ev = shift_days(ev, rng.choice([-3, -2, -1, -1, 1, 1, 2]))
    if prec == "month" and rng.random() < 0.05:
        ev = shift_months(ev, rng.choice([-1, 1]))
    rec["event_date"] = fmt_date(ev, prec)
    rec["event_type"] = vary_type(rng, p["etype"], 0.15)
    rec["role"] = "victim" if rng.random() < 0.6 else ""
    return rec


def vary_type(rng: random.Random, etype: str, p: float) -> str:
    if rng.random() >= p:
        return etype
    if etype == "detention":
        return "disappearance"
    if etype == "disappearance":
        return rng.choice(["detention", "killing"])
    return rng.choice(["disappearance", "killing"])


OUTLETS = ["bgn", "bgn", "en", "en", "en", "fr", "fr", "de", "de", "sch"]


def press_record(rng: random.Random, p: dict, no_birth: bool) -> dict:
    scheme = rng.choice(OUTLETS)
    opt = scheme_options(rng, scheme)
    g_cyr = double_form(rng, vary_given(rng, p["given"], 0.05), keep=0.55)
    given = latin_name(rng, g_cyr, scheme, opt, canon=p["given"])
    f_cyr = double_form(rng, p["family"], keep=0.6)
    family = translit(f_cyr, scheme, opt)
    if scheme == "fr" and rng.random() < 0.05 and family.endswith("ov"):
        family = family[:-2] + "off"
    given = maybe_typo(rng, given, 0.03, latin=True)
    family = maybe_typo(rng, family, 0.04, latin=True)
    order = rng.choices(["GF", "FG", "F,G", "GPF", "iF"], weights=[48, 20, 20, 6, 6])[0]
    if order == "GF":
        full = f"{given} {family}"
    elif order == "FG":
        full = f"{family.upper()} {given}"
    elif order == "F,G":
        full = f"{family}, {given}"
    elif order == "GPF":
        patr = translit(patronymic(p["father"], p["sex"]), scheme, opt)
        full = f"{given} {patr} {family}"
    else:
        full = f"{given[0]}. {family}"
    rec = {"given_name": "", "patronymic": "", "family_name": "", "full_name": full}
    rec["sex"] = p["sex"] if rng.random() < 0.3 else ""
    rec["birth_date"] = ""
    age = ""
    if not no_birth and rng.random() < 0.75:
        a = age_at(p["birth"], p["event"])
        if rng.random() < 0.2:
            a += rng.choice([-1, 1])
        age = str(a)
    rec["age"] = age
    rec["place"] = lat_place(rng, p["village"], scheme, opt) if rng.random() < 0.8 else ""
    ev = p["event"]
    prec = pick_precision(rng, (35, 55, 10, 0))
    if prec == "day" and rng.random() < 0.2:
        ev = shift_days(ev, rng.randint(1, 5))  # the day of the report
    rec["event_date"] = fmt_date(ev, prec)
    rec["event_type"] = vary_type(rng, p["etype"], 0.15)
    rec["role"] = "victim" if rng.random() < 0.3 else ""
    return rec


def ngo_record(rng: random.Random, p: dict, no_birth: bool) -> dict:
    sex = p["sex"]
    mode = rng.choices(["lat", "cyr", "mixed"], weights=[75, 15, 10])[0]
    scheme = rng.choices(SCHEMES, weights=[55, 15, 10, 8, 12])[0]
    opt = scheme_options(rng, scheme)
    g_cyr = double_form(rng, vary_given(rng, p["given"], 0.07), keep=0.7)
    p_cyr = patronymic(vary_given(rng, p["father"], 0.05), sex)
    f_cyr = double_form(rng, p["family"], keep=0.75)

    def lat(s: str) -> str:
        return translit(s, scheme, opt)

    if mode == "lat":
        given, patr, family = lat(g_cyr), lat(p_cyr), lat(f_cyr)
        latin = True
    elif mode == "cyr":
        given, patr, family = g_cyr, p_cyr, f_cyr
        latin = False
    else:
        given, patr, family = g_cyr, p_cyr, lat(f_cyr)
        if rng.random() < 0.5:
            given, patr, family = lat(g_cyr), lat(p_cyr), f_cyr
        latin = rng.random() < 0.5
    given = maybe_typo(rng, given, 0.06, latin)
    patr = maybe_typo(rng, patr, 0.05, latin)
    family = maybe_typo(rng, family, 0.07, latin)
    if rng.random() < 0.4:
        patr = ""
    rec = {"given_name": given, "patronymic": patr, "family_name": family, "full_name": ""}
    r = rng.random()
    if r < 0.08:
        rec["given_name"], rec["family_name"] = family, given
    elif r < 0.13:
        rec = {"given_name": "", "patronymic": "", "family_name": "", "full_name": ""}
        rec["full_name"] = " ".join(x for x in (family.upper(), given, patr) if x)
    if rng.random() < 0.04:
        rec = {k: v.upper() for k, v in rec.items()}
    rec["sex"] = sex if rng.random() < 0.8 else ""
    birth = ""
    if not no_birth:
        b = p["birth"]
        if rng.random() < 0.12:
            b = swap_day_month(b)
        if rng.random() < 0.03:
            b = dt.date(b.year + rng.choice([-1, 1]), b.month, min(b.day, 28))
        birth = fmt_date(b, pick_precision(rng, (50, 3, 22, 25)))
    rec["birth_date"] = birth
    rec["age"] = ""
    if not no_birth and not birth and rng.random() < 0.2:
        rec["age"] = str(age_at(p["birth"], p["event"]))
    if rng.random() < 0.85:
        if mode == "lat" or (mode == "mixed" and rng.random() < 0.5):
            rec["place"] = lat_place(rng, p["village"], scheme, opt)
        else:
            rec["place"] = cyr_place(rng, p["village"])
    else:
        rec["place"] = ""
    ev = p["event"]
    prec = pick_precision(rng, (70, 20, 10, 0))
    if prec == "day" and rng.random() < 0.06:
        ev = shift_days(ev, rng.choice([-1, 1]))
    rec["event_date"] = fmt_date(ev, prec)
    rec["event_type"] = vary_type(rng, p["etype"], 0.1)
    rec["role"] = "victim" if rng.random() < 0.8 else ""
    return rec


def initial(name: str) -> str:
    if "-" in name:
        a, b = name.split("-", 1)
        return f"{a[0]}-{b[0]}."
    return name[0] + "."


def petition_record(rng: random.Random, p: dict, no_birth: bool) -> dict:
    sex = p["sex"]
    family = p["family"]
    if rng.random() < 0.04 and p["family_m"] in FAMILY_VARIANTS:
        family = rng.choice(FAMILY_VARIANTS[p["family_m"]])
        family = feminine(family) if sex == "f" else family
    family = maybe_typo(rng, double_form(rng, family, keep=0.7), 0.03)
    given = vary_given(rng, p["given"], 0.08)
    gi = initial(given)
    pi = initial(patronymic(p["father"], sex)) if rng.random() < 0.85 else ""
    sep = "" if rng.random() < 0.6 else " "
    inits = gi + (sep + pi if pi else "")
    rec = {"given_name": "", "patronymic": "", "family_name": "", "full_name": ""}
    r = rng.random()
    if r < 0.55:
        rec["full_name"] = f"{family} {inits}"
    elif r < 0.75:
        rec["full_name"] = f"{inits} {family}"
    else:
        rec.update(given_name=gi, patronymic=pi, family_name=family)
    rec["sex"] = sex if rng.random() < 0.2 else ""
    birth = ""
    if not no_birth and rng.random() < 0.35:
        y = p["birth"].year + (rng.choice([-1, 1]) if rng.random() < 0.05 else 0)
        birth = f"{y:04d}"
    rec["birth_date"] = birth
    rec["age"] = ""
    rec["place"] = cyr_place(rng, p["village"]) if rng.random() < 0.4 else ""
    rec["event_date"] = fmt_date(p["event"], pick_precision(rng, (10, 30, 45, 15)))
    rec["event_type"] = vary_type(rng, p["etype"], 0.1)
    rec["role"] = "victim" if rng.random() < 0.5 else ""
    return rec


# --------------------------------------------------------------------------------------
# Capture.
# --------------------------------------------------------------------------------------

REGION_RATE = {
    # complaints, ngo, press, petitions
    "chechen": (1.0, 1.0, 1.0, 1.0),
    "ingush": (0.8, 0.9, 0.8, 1.8),
    "dagestani": (0.6, 0.8, 1.2, 0.7),
}
TYPE_PRESS = {"detention": 0.7, "disappearance": 1.3, "killing": 2.6}


def capture(rng: random.Random, people: list[dict], no_birth: bool) -> dict[str, list]:
    lists: dict[str, list] = {"complaint": [], "press": [], "ngo": [], "petition": []}
    hh_in_press: dict[int, bool] = {}
    for p in people:
        v = p["vis"]
        rc, rn, rp, rt = REGION_RATE[p["region"]]
        early = p["event"].year <= 2001
        p_c = min(0.92, 0.40 * v**0.8 * rc * (0.85 if early else 1.05))
        in_c = rng.random() < p_c
        p_n = min(0.9, (0.13 + 0.1 * in_c) * v**0.6 * rn * (1.25 if early else 0.95))
        in_n = rng.random() < p_n
        p_p = 0.06 * v * rp * TYPE_PRESS[p["etype"]]
        if p["hh_size"] > 1:
            p_p *= 1.5
            if hh_in_press.get(p["hh"]):
                p_p = max(p_p, 0.45)  # brothers taken together are reported together
        in_p = rng.random() < min(0.85, p_p)
        if in_p:
            hh_in_press[p["hh"]] = True
        p_t = min(0.8, (0.05 + 0.1 * in_n + 0.02 * in_c) * rt * v**0.5)
        in_t = rng.random() < p_t
        if in_c:
            k = rng.choices([1, 2, 3], weights=[82, 14, 4])[0]
            for _ in range(k):
                lists["complaint"].append((p["pid"], complaint_record(rng, p, no_birth)))
        if in_p:
            lists["press"].append((p["pid"], press_record(rng, p, no_birth)))
        if in_n:
            lists["ngo"].append((p["pid"], ngo_record(rng, p, no_birth)))
        if in_t:
            lists["petition"].append((p["pid"], petition_record(rng, p, no_birth)))
    return lists


FILES = {
    "complaint": "complaints.csv",
    "press": "press.csv",
    "ngo": "ngo.csv",
    "petition": "petitions.csv",
}
PREFIX = {"complaint": "C", "press": "PR", "ngo": "N", "petition": "PT"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-birth-dates", action="store_true")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    people = build_population(args.people, rng)
    rng.shuffle(people)  # households are not contiguous in the population
    lists = capture(rng, people, False)
    if args.no_birth_dates:
        for rows in lists.values():
            for _pid, rec in rows:
                rec["birth_date"] = ""
                rec["age"] = ""

    args.out.mkdir(parents=True, exist_ok=True)
    truth: list[tuple[str, str, str]] = []
    counts = {}
    for source, rows in lists.items():
        rng.shuffle(rows)
        with (args.out / FILES[source]).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS)
            w.writeheader()
            for i, (pid, rec) in enumerate(rows, 1):
                rid = f"{PREFIX[source]}{i:06d}"
                row = {"record_id": rid, "source": source, **rec}
                w.writerow(row)
                truth.append((source, rid, pid))
        counts[source] = len(rows)
    with (args.out / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "record_id", "person_id"])
        w.writerows(truth)
    on_list = len({t[2] for t in truth})
    total = sum(counts.values())
    print(
        f"people={args.people} on_some_list={on_list} "
        f"complaints={counts['complaint']} press={counts['press']} ngo={counts['ngo']} "
        f"petitions={counts['petition']} records={total} "
        f"records_per_listed_person={total / max(on_list, 1):.2f}"
    )


if __name__ == "__main__":
    main()
