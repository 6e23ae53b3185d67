"""The codename word lists: neutral everyday words, and the properties codenames rely on.

A codename is handed to people who may have survived sexual torture, and it may be found on a
seized phone (threat model A1): no word may be sexual, anatomical, violent, about death,
illness, drugs, crime, peoples, religion or politics, an insult, or look like evidence of a
complaint. The words below are written out here, not read from the exclusion files, so that
weakening those files cannot make this test pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds import crypto

#: Every word issue 9 found in a codename list.
ISSUE_WORDS = {
    "ru": ("шлюха", "влагалище", "анус", "пенис", "сперма", "оргазм", "дерьмо", "виселица",
           "морг", "наркоман", "чеченец"),
    "en": ("vagina", "penis", "sperm", "cocaine"),
}  # fmt: skip

#: A representative set per category (each was in an earlier list, or is common enough that a
#: frequency list would offer it).
CATEGORIES = {
    "ru": {
        "sexual": (
            "секс",
            "проститутка",
            "любовник",
            "гей",
            "вульва",
            "соитие",
            "петтинг",
            "гениталии",
            "потенция",
            "презерватив",
            "сиська",
            "кондом",
            "плева",
        ),
        "anatomy": (
            "тело",
            "кровь",
            "череп",
            "печень",
            "грудь",
            "сердце",
            "живот",
            "язык",
            "туловище",
            "сфинктер",
            "уретра",
            "копчик",
        ),
        "violence": (
            "пытка",
            "избиение",
            "насилие",
            "расстрел",
            "угроза",
            "страдание",
            "бичевание",
            "кастет",
            "удушение",
            "ссадина",
            # what police torture in the region is known to use, and its names
            "бутылка",
            "швабра",
            "противогаз",
            "утюг",
            "батарея",
            "ласточка",
        ),
        "death": (
            "смерть",
            "труп",
            "могила",
            "гроб",
            "похороны",
            "кладбище",
            "погост",
            "убийство",
            "отпевание",
            "останки",
            "кремация",
            "цианид",
        ),
        "illness": (
            "болезнь",
            "рак",
            "больница",
            "инвалид",
            "инфаркт",
            "туберкулез",
            "менингит",
            "психоз",
            "диагноз",
            "триппер",
            "паранойя",
        ),
        "drugs": (
            "наркотик",
            "героин",
            "кокаин",
            "водка",
            "пьяница",
            "сигарета",
            "кетамин",
            "косячок",
            "самогон",
            "казино",
            "попойка",
        ),
        "crime": (
            "преступник",
            "бандит",
            "вор",
            "мошенник",
            "взятка",
            "картель",
            "братва",
            "стукач",
            "краденое",
            "подстава",
        ),
        "ethnicity": (
            "чеченец",
            "ингуш",
            "русский",
            "еврей",
            "цыган",
            "негр",
            "немчура",
            "кавказ",
            "москва",
            "грозный",
            "расизм",
            "раса",
        ),
        "religion": (
            "бог",
            "аллах",
            "мечеть",
            "церковь",
            "молитва",
            "ислам",
            "икона",
            "священник",
            "монастырь",
            "шариат",
            "геенна",
        ),
        "politics": (
            "президент",
            "власть",
            "кадыров",
            "путин",
            "выборы",
            "митинг",
            "свастика",
            "майдан",
            "навальный",
            "оппозиция",
            "партия",
        ),
        "insult": (
            "дурак",
            "идиот",
            "сволочь",
            "урод",
            "мразь",
            "ублюдок",
            "чмо",
            "быдло",
            "тупость",
            "чокнутый",
        ),
        "evidence": (
            "полиция",
            "милиция",
            "тюрьма",
            "арест",
            "допрос",
            "суд",
            "прокурор",
            "автозак",
            "оружие",
            "пистолет",
            "жалоба",
            "свидетель",
            "компромат",
            "наручники",
            "заточение",
            "лубянка",
            "застенок",
        ),
    },
    "en": {
        "sexual": (
            "sex",
            "lover",
            "gay",
            "lesbian",
            "naked",
            "porn",
            "rape",
            "fellatio",
            "coitus",
            "sodomy",
            "nubile",
            "erogenous",
            "underwear",
            "vulva",
        ),
        "anatomy": (
            "body",
            "blood",
            "skull",
            "liver",
            "breast",
            "heart",
            "belly",
            "tongue",
            "entrails",
            "urethra",
            "sphincter",
            "pelvic",
        ),
        "violence": (
            "torture",
            "beating",
            "violence",
            "assault",
            "threat",
            "suffering",
            "blindfold",
            "choker",
            "pogrom",
            "atrocity",
            "butcher",
            "bottle",
            "pliers",
        ),
        "death": (
            "death",
            "corpse",
            "grave",
            "coffin",
            "funeral",
            "cemetery",
            "murder",
            "murderess",
            "gallows",
            "mortician",
            "cyanide",
        ),
        "illness": (
            "disease",
            "cancer",
            "hospital",
            "cripple",
            "stroke",
            "tumor",
            "gonorrhea",
            "psychosis",
            "diagnosis",
            "paranoia",
        ),
        "drugs": (
            "drug",
            "heroin",
            "cocaine",
            "vodka",
            "drunk",
            "cigarette",
            "mescaline",
            "laudanum",
            "marihuana",
            "peyote",
            "casino",
        ),
        "crime": (
            "criminal",
            "bandit",
            "thief",
            "fraud",
            "bribe",
            "cartel",
            "snitch",
            "larceny",
            "racketeer",
        ),
        "ethnicity": (
            "chechen",
            "russian",
            "jewish",
            "gypsy",
            "negro",
            "caucasus",
            "moscow",
            "grozny",
            "pygmy",
            "nonwhite",
        ),
        "religion": (
            "god",
            "allah",
            "mosque",
            "church",
            "prayer",
            "islam",
            "priest",
            "sharia",
            "satanism",
        ),
        "politics": (
            "president",
            "regime",
            "kadyrov",
            "putin",
            "election",
            "protest",
            "fascist",
            "stalinist",
            "party",
        ),
        "insult": (
            "idiot",
            "moron",
            "bastard",
            "scum",
            "retard",
            "fathead",
            "subhuman",
            "worthless",
        ),
        "evidence": (
            "police",
            "prison",
            "jail",
            "arrest",
            "interrogation",
            "court",
            "prosecutor",
            "weapon",
            "pistol",
            "complaint",
            "witness",
            "handcuffs",
            "teargas",
            "roadblock",
            "bayonet",
        ),
    },
}


@pytest.mark.parametrize("language", crypto.LANGUAGES)
def test_no_word_issue_9_found_is_in_a_list(language: str) -> None:
    words = set(crypto.wordlist(language))
    assert not [w for w in ISSUE_WORDS[language] if w in words]


@pytest.mark.parametrize(
    ("language", "category"),
    [(language, category) for language in CATEGORIES for category in CATEGORIES[language]],
)
def test_no_word_of_an_excluded_category_is_in_a_list(language: str, category: str) -> None:
    words = set(crypto.wordlist(language))
    assert not [w for w in CATEGORIES[language][category] if w in words]


EXCLUSIONS = Path(__file__).resolve().parents[2] / "tools" / "wordlist_exclusions"


def _entries(language: str) -> list[str]:
    entries = []
    for path in sorted((EXCLUSIONS / language).glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            entries.extend(line.split("#", 1)[0].split())
    return entries


@pytest.mark.parametrize("language", crypto.LANGUAGES)
def test_nothing_the_exclusion_files_name_is_in_a_list(language: str) -> None:
    """``stem`` leaves out every word starting with it, ``=word`` that word, ``~part`` every
    word containing it (tools/wordlist_exclusions/README.md)."""
    entries = _entries(language)
    assert len(entries) > 1000  # the files are there and read
    exact = {e[1:] for e in entries if e.startswith("=")}
    parts = tuple(e[1:] for e in entries if e.startswith("~"))
    stems = tuple(e for e in entries if not e.startswith(("=", "~")))
    found = [
        w
        for w in crypto.wordlist(language)
        if w in exact or w.startswith(stems) or any(p in w for p in parts)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("language", "letters"), [("ru", "абвгдежзийклмнопрстуфхцчшщъыьэюя"), ("en", None)]
)
def test_each_list_has_8192_distinct_short_lowercase_words(
    language: str, letters: str | None
) -> None:
    words = crypto.wordlist(language)
    assert len(words) == len(set(words)) == 2**13
    alphabet = set(letters or "abcdefghijklmnopqrstuvwxyz")
    assert all(4 <= len(w) <= 9 and set(w) <= alphabet for w in words)  # no "ё", no capitals


@pytest.mark.parametrize("language", crypto.LANGUAGES)
def test_every_word_reads_back_unchanged_through_the_codename_parser(language: str) -> None:
    words = crypto.wordlist(language)
    for start in range(0, len(words), 7):
        chunk = " ".join(words[start : start + 7])
        assert crypto.parse_codename(chunk.upper()).reveal() == chunk


def _one_slip_apart(a: str, b: str) -> bool:
    """One letter changed, added or removed, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def test_slip_check_recognises_each_kind_of_slip() -> None:
    assert _one_slip_apart("кошка", "мошка") and _one_slip_apart("кошка", "кошак")
    assert not _one_slip_apart("кошка", "ложка")
    assert _one_slip_apart("cat", "cart") and _one_slip_apart("form", "from")
    assert not _one_slip_apart("river", "rivers!")


@pytest.mark.parametrize("language", crypto.LANGUAGES)
def test_no_two_words_are_one_typing_slip_apart(language: str) -> None:
    words = crypto.wordlist(language)
    # Candidates share a one-letter deletion (or are one): then check them exactly.
    by_key: dict[str, list[str]] = {}
    for word in words:
        for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
            by_key.setdefault(key, []).append(word)
    close = {
        (a, b)
        for group in by_key.values()
        for a in group
        for b in group
        if a < b and _one_slip_apart(a, b)
    }
    # Swapped neighbours share no deletion key in general: check them directly.
    present = set(words)
    swapped = {
        (w, s)
        for w in words
        for i in range(len(w) - 1)
        if (s := w[:i] + w[i + 1] + w[i] + w[i + 2 :]) != w and s in present
    }
    assert close == set() and swapped == set()
