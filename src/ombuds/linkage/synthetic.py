"""Synthetic cross-script person lists with known truth, for tests and benchmarks.

People are drawn in Cyrillic (Zipf-distributed given names, as in the region, where a few
names such as Магомед are very common; brothers who share family name, patronymic and
village), then reported by several sources, each with its own habits:

- ``complaint``: Cyrillic, "Family Given Patronymic" in one field, often an age instead of a
  birth date, several relatives may report the same man (never duplicate-free);
- ``petition``: Cyrillic, initials for given name and patronymic, day and month sometimes
  swapped;
- ``newspaper``: Latin in one of four transliterations (GOST 7.79-B, BGN/PCGS, ICAO 9303,
  informal English), "Given Family", age at the event, event month only;
- ``ngo``: Latin or Cyrillic in separate columns, full birth dates; each person at most once
  (a curated list: pass it as ``unique_within``).

Every source adds typos, dropped fields and place variants. The transliteration tables here
are written independently of ``normalise.py`` so that the tests do not grade the normaliser
against itself; the informal given-name spellings include some the normaliser's
dictionary does not list.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ombuds.linkage.records import PersonRecord

MALE_NAMES = (
    "Магомед", "Ахмед", "Рамзан", "Руслан", "Иса", "Муса", "Ибрагим", "Хасан", "Гусейн",
    "Адам", "Ислам", "Умар", "Саид", "Шамиль", "Аслан", "Зелимхан", "Хамзат", "Абубакар",
    "Сулейман", "Юсуп", "Ризван", "Джабраил", "Джамал", "Расул", "Абдулла", "Али", "Тимур",
    "Мурад", "Арби", "Идрис", "Ильяс", "Мансур", "Халид", "Яхья", "Заур", "Бислан", "Ваха",
    "Лечи", "Сайд-Эмин", "Магомед-Салах", "Альви", "Аюб", "Беслан", "Вахид", "Дени", "Зайнди",
    "Исмаил", "Казбек", "Лема", "Мовсар", "Нохчо", "Рустам", "Салман", "Турпал", "Хусейн",
    "Шахид", "Эли", "Юнус", "Якуб", "Сергей", "Александр", "Николай", "Юрий", "Дмитрий",
)  # fmt: skip
FEMALE_NAMES = (
    "Зарема", "Малика", "Хава", "Мадина", "Луиза", "Зура", "Айшат", "Петимат", "Марьям",
    "Хеда", "Седа", "Фатима", "Розa", "Лейла", "Асет",
)  # fmt: skip
SURNAME_ROOTS = (
    "Джабраил", "Магомед", "Ахмед", "Исмаил", "Хасан", "Муса", "Ибрагим", "Умар", "Юсуп",
    "Дуда", "Масхад", "Басай", "Кадыр", "Гакае", "Цара", "Бексулта", "Эльмурза", "Тепса",
    "Хадиж", "Шахб", "Зака", "Гайрбек", "Юнус", "Абдулхаджи", "Батал", "Висит", "Довт",
    "Эдильсулта", "Межид", "Гериха", "Хамид", "Сайдулла", "Ташу", "Алихадж", "Бибулат",
)  # fmt: skip
SYLLABLES = (
    "ба", "ха", "ма", "са", "та", "да", "за", "ла", "ра", "на", "ги", "ди", "ми", "ли", "ри",
    "ху", "му", "су", "ту", "ду", "ло", "го", "мо", "со", "дже", "ше", "ке", "ве", "бе", "хе",
    "ал", "ис", "ум", "эд", "ар", "ай", "ус", "ах", "им", "уд",
)  # fmt: skip
PLACES = (
    "Гойты", "Урус-Мартан", "Шали", "Аргун", "Грозный", "Старые Атаги", "Новые Атаги",
    "Гудермес", "Ачхой-Мартан", "Самашки", "Бамут", "Алхан-Юрт", "Чири-Юрт", "Ведено",
    "Шатой", "Курчалой", "Цоци-Юрт", "Майртуп", "Гехи", "Катыр-Юрт", "Валерик", "Бачи-Юрт",
    "Сержень-Юрт", "Автуры", "Герменчук", "Мескер-Юрт", "Толстой-Юрт", "Знаменское",
    "Наурская", "Червлённая", "Ассиновская", "Серноводск", "Назрань", "Карабулак", "Малгобек",
    "Хасавюрт", "Буйнакск", "Кизляр", "Махачкала", "Дербент",
)  # fmt: skip
EVENT_TYPES = ("detention", "disappearance", "killing")

# Informal Latin spellings, written by hand for the generator (some are unknown to the
# normaliser's dictionary on purpose).
INFORMAL_GIVEN = {
    "Магомед": ("Mohammed", "Muhammad", "Magomed", "Mukhamed", "Mahammad", "Magomet"),
    "Ахмед": ("Ahmed", "Akhmed", "Ahmad", "Achmed"),
    "Ибрагим": ("Ibrahim", "Ibragim"),
    "Хасан": ("Hassan", "Khasan", "Hasan"),
    "Гусейн": ("Hussein", "Guseyn", "Husein"),
    "Юсуп": ("Yusuf", "Yusup", "Usup"),
    "Умар": ("Umar", "Omar"),
    "Сулейман": ("Suleiman", "Sulejman", "Suleyman"),
    "Джабраил": ("Jabrail", "Djabrail", "Dzhabrail"),
    "Исмаил": ("Ismail", "Ismayil"),
    "Саид": ("Said", "Sayid", "Saeed"),
}

_GOST_B = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch",
    "ш": "sh", "щ": "shh", "ъ": "``", "ы": "y'", "ь": "`", "э": "e`", "ю": "yu", "я": "ya",
}  # fmt: skip
_BGN = {
    **_GOST_B, "ё": "yë", "й": "y", "х": "kh", "ц": "ts", "щ": "shch", "ъ": "ʺ", "ы": "y",
    "ь": "ʹ", "э": "e",
}  # fmt: skip
_ICAO = {
    **_BGN, "ё": "e", "й": "i", "ъ": "ie", "ь": "", "ю": "iu", "я": "ia",
}  # fmt: skip
_INFORMAL = {**_BGN, "ё": "yo", "ъ": "", "ь": "", "ы": "y"}


def _translit_with(table: dict[str, str], informal: bool) -> Callable[[str], str]:
    def convert(text: str) -> str:
        out: list[str] = []
        lower = text.lower()
        i = 0
        while i < len(lower):
            char = lower[i]
            if informal and lower.startswith("дж", i):
                piece, i = "j", i + 2
            elif informal and char == "х" and (len(lower) + i) % 5 < 2:
                piece, i = "h", i + 1
            elif informal and lower.startswith("ий", i) and i + 2 == len(lower):
                piece, i = "y", i + 2
            else:
                piece = table.get(char, char)
                if char == "е" and table is not _GOST_B and (i == 0 or lower[i - 1] in "аеиоуыэюя"):
                    piece = "ye"
                i += 1
            out.append(piece)
        word = "".join(out)
        return word[:1].upper() + word[1:] if text[:1].isupper() else word

    return convert


SCHEMES: dict[str, Callable[[str], str]] = {
    "gost": _translit_with(_GOST_B, False),
    "bgn": _translit_with(_BGN, False),
    "icao": _translit_with(_ICAO, False),
    "informal": _translit_with(_INFORMAL, True),
}


def _latin_name(text: str, scheme: str) -> str:
    return "-".join(SCHEMES[scheme](part) for part in text.split("-"))


@dataclass(frozen=True, slots=True)
class Person:
    person_id: int
    given: str
    father: str
    family: str
    sex: str
    birth: date
    place: str
    event_type: str
    event_date: date


@dataclass(frozen=True, slots=True)
class SyntheticLists:
    records: list[PersonRecord]
    truth: dict[tuple[str, str], int]  # (source, record_id) -> person_id
    unique_sources: tuple[str, ...]


def _zipf_choice(rng: random.Random, items: tuple[str, ...], s: float = 1.0) -> str:
    weights = [1.0 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def _patronymic(father: str, sex: str) -> str:
    base = father.split("-")[-1] if "-" in father else father
    if base.endswith("й"):
        stem, male, female = base[:-1], "евич", "евна"
    elif base[-1] in "аяиеоуэ":
        stem, male, female = base, "евич", "евна"
    else:
        stem, male, female = base, "ович", "овна"
    return stem + (male if sex == "m" else female)


def _surname(root: str, sex: str) -> str:
    ending = "ев" if root[-1] in "аеиоуяэ" or root.endswith("ж") else "ов"
    if root[-1] == "а":
        root = root[:-1]
    word = root + ending
    return word + "а" if sex == "f" else word


def _typo(rng: random.Random, text: str, rate: float) -> str:
    if len(text) < 4 or rng.random() >= rate:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]


class _Generator:
    def __init__(self, seed: int, n_people: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        n_generated = max(200, n_people // 3)
        generated: set[str] = set()
        # Two or three syllables give under 66,000 words: enough up to about 60,000 roots
        # (180,000 people). Longer lists also draw four-syllable roots, else the loop below
        # would never end; smaller lists are generated exactly as before.
        lengths = (2, 2, 3) if n_generated <= 20_000 else (2, 3, 3, 4)
        while len(generated) < n_generated:
            k = self.rng.choice(lengths)
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(k))
            generated.add(word[:1].upper() + word[1:])
        self.roots = SURNAME_ROOTS + tuple(sorted(generated))

    def people(self, n_people: int) -> list[Person]:
        rng = self.rng
        people: list[Person] = []
        while len(people) < n_people:
            sex = "f" if rng.random() < 0.08 else "m"
            family_root = (
                _zipf_choice(rng, SURNAME_ROOTS, 0.8)
                if rng.random() < 0.3
                else rng.choice(self.roots)
            )
            father = _zipf_choice(rng, MALE_NAMES)
            place = _zipf_choice(rng, PLACES, 0.7)
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 50 * 365))
            # Brothers: same family name, father and village; different given names.
            for _ in range(1 if rng.random() < 0.75 else rng.choice((2, 3))):
                if len(people) >= n_people:
                    break
                names = FEMALE_NAMES if sex == "f" else MALE_NAMES
                given = _zipf_choice(rng, names)
                event_date = date(1999, 9, 1) + timedelta(days=rng.randrange(0, 7 * 365))
                sibling_birth = birth + timedelta(days=rng.randrange(-3000, 3000))
                people.append(
                    Person(
                        person_id=len(people),
                        given=given,
                        father=father,
                        family=_surname(family_root, sex),
                        sex=sex,
                        birth=sibling_birth if people and rng.random() < 0.9 else birth,
                        place=place,
                        event_type=rng.choice(EVENT_TYPES),
                        event_date=event_date,
                    )
                )
        return people

    def render(self, person: Person, source: str, record_id: str) -> PersonRecord:
        rng = self.rng
        latin = source in ("newspaper",) or (source == "ngo" and rng.random() < 0.5)
        scheme = rng.choice(tuple(SCHEMES))
        patronymic = _patronymic(person.father, person.sex)
        given, family, place = person.given, person.family, person.place
        if latin:
            informal = INFORMAL_GIVEN.get(given)
            if informal and rng.random() < 0.6:
                given = rng.choice(informal)
            else:
                given = _latin_name(given, scheme)
            family = _latin_name(family, scheme)
            patronymic = _latin_name(patronymic, scheme)
            place = _latin_name(place, scheme)
        given = _typo(rng, given, 0.05)
        family = _typo(rng, family, 0.08)
        patronymic = _typo(rng, patronymic, 0.05)
        if source == "petition" and rng.random() < 0.6:
            given, patronymic = given[0] + ".", patronymic[0] + "."
        if rng.random() < 0.3:
            prefix = ("selo ", "", " village") if latin else ("с. ", "село ", "")
            choice = rng.choice(prefix)
            place = place + choice if choice.startswith(" ") else choice + place
        birth = person.birth
        birth_text = birth.isoformat()
        if source == "petition" and birth.day <= 12 and rng.random() < 0.2:
            birth_text = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
        roll = rng.random()
        if roll < 0.15:
            birth_text = str(birth.year)
        age: int | None = None
        event = person.event_date + timedelta(
            days=rng.randrange(-10, 11) if rng.random() < 0.3 else 0
        )
        event_text = event.isoformat()
        if source == "newspaper":
            event_text = event.isoformat()[:7]
        if source in ("newspaper", "complaint") and rng.random() < 0.5:
            age = (
                person.event_date.year
                - birth.year
                - ((person.event_date.month, person.event_date.day) < (birth.month, birth.day))
            )
            birth_text = ""
        sex = person.sex if rng.random() < 0.7 else ""
        drop = rng.random
        fields = {
            "given_name": given,
            "patronymic": patronymic if drop() > (0.5 if latin else 0.15) else "",
            "family_name": family,
            "sex": sex,
            "birth_date": birth_text if drop() > 0.1 else "",
            "age": age,
            "place": place if drop() > 0.15 else "",
            "event_date": event_text if drop() > 0.1 else "",
            "event_type": person.event_type if drop() > 0.2 else "",
        }
        if source == "complaint" or (source == "petition" and rng.random() < 0.5):
            parts = [fields["family_name"], fields["given_name"], fields["patronymic"]]
            full = " ".join(str(p) for p in parts if p)
            fields.update(given_name="", patronymic="", family_name="")
            return PersonRecord(record_id, source, full_name=full, **fields)  # type: ignore[arg-type]
        if source == "newspaper":
            full = f"{fields['given_name']} {fields['family_name']}"
            fields.update(given_name="", patronymic="", family_name="")
            return PersonRecord(record_id, source, full_name=full, **fields)  # type: ignore[arg-type]
        return PersonRecord(record_id, source, **fields)  # type: ignore[arg-type]


def generate_lists(n_people: int, seed: int = 1) -> SyntheticLists:
    """Generate the four source lists for ``n_people`` people (about 1.9 records each)."""
    generator = _Generator(seed, n_people)
    rng = generator.rng
    records: list[PersonRecord] = []
    truth: dict[tuple[str, str], int] = {}
    counters = {"complaint": 0, "petition": 0, "newspaper": 0, "ngo": 0}

    def emit(person: Person, source: str) -> None:
        counters[source] += 1
        record = generator.render(person, source, f"{source[0]}{counters[source]}")
        records.append(record)
        truth[record.key] = person.person_id

    for person in generator.people(n_people):
        if rng.random() < 0.5:
            for _ in range(1 if rng.random() < 0.6 else rng.choice((2, 2, 3))):
                emit(person, "complaint")
        if rng.random() < 0.3:
            emit(person, "petition")
        if rng.random() < 0.3:
            emit(person, "newspaper")
        if rng.random() < 0.6:
            emit(person, "ngo")
    rng.shuffle(records)
    return SyntheticLists(records=records, truth=truth, unique_sources=("ngo",))
