"""Name and place normalisation: Cyrillic and the Latin spellings of it to one common form.

The same man is written Джабраилов, Dzhabrailov (GOST 7.79-B, BGN/PCGS, ICAO 9303) and
Jabrailov (informal English); Магомед, Magomed, Mohammed and Muhammad. Linkage compares
names after three steps:

1. ``transliterate`` Cyrillic to Latin (one fixed scheme, BGN-like) and fold diacritics
   (GOST 7.79-A: ž, č, š, ŝ, û, â) to ASCII digraphs;
2. ``fold`` the Latin spelling: the digraphs that the standards disagree on (dzh/dj/j,
   kh/h/x, ts/tz/cz/c, shch/shh/sch, ya/ia, yu/iu, iy/ii/y), doubled letters and
   apostrophes (the soft and hard signs) collapse to one spelling;
3. map known variants of common given names (Magomed = Muhammad = Mohammed, Gasan =
   Hasan, ...) to one canonical form.

The result, ``normalise_name``, is a key for comparison, not a spelling to show anyone.
``name_skeleton`` is a coarser key (consonants, with g and h merged) used for blocking and
for matching initials across scripts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

NameRole = Literal["given", "patronymic", "family"]

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ӏ": "", "ә": "a", "ө": "o",
    "ү": "u", "һ": "h", "ғ": "g", "қ": "k", "ң": "n",
}  # fmt: skip

# Diacritics of GOST 7.79-A / ISO 9 and of Turkic Latin spellings, before NFKD drops marks.
_DIACRITICS = {
    "ž": "zh", "č": "ch", "š": "sh", "ŝ": "shch", "û": "yu", "â": "ya", "ë": "e", "ė": "e",
    "ç": "ch", "ş": "sh", "ğ": "g", "ı": "i", "ə": "a", "ʹ": "", "ʺ": "", "’": "", "'": "",
    "`": "", "ʼ": "", "ø": "o", "æ": "ae", "ß": "ss",
}  # fmt: skip

# Ordered rewrites on lowercase ASCII. Upper-case letters are private markers for one sound
# each, so a later rule cannot re-read the output of an earlier one.
_FOLD_RULES: tuple[tuple[str, str], ...] = (
    (r"tsch", "C"),  # German ч: Tschadajew
    (r"dsch", "J"),  # German дж: Dschabrailow
    (r"shch|shh|sch", "S"),
    (r"tch|ch", "C"),
    (r"sh", "S"),
    (r"(?<=[aeiou])j(?=[aeiou]|$)", "i"),  # GOST/German j = й between vowels: Isajov
    (r"dzh|dj|dz(?=[aeiou])|j", "J"),
    (r"zh", "Z"),
    (r"kh|h", "H"),
    (r"x", "H"),  # GOST 7.79-B writes х as x: Axmedov
    (r"ts|tz|cz|c", "T"),
    (r"ph", "f"),
    (r"w", "v"),
    (r"q", "k"),
    (r"ck", "k"),
    (r"yu|iu", "u"),
    (r"ya|ia", "a"),
    (r"ye|ie", "e"),
    (r"yo|io", "o"),
    (r"ou|oo", "u"),
    (r"ee", "i"),
    (r"iy|yi|y", "i"),
    (r"(.)\1+", r"\1"),
)
_COMPILED_FOLD = tuple((re.compile(pattern), repl) for pattern, repl in _FOLD_RULES)
_MARKERS = str.maketrans({"S": "sh", "C": "ch", "J": "j", "Z": "zh", "H": "h", "T": "ts"})

# Groups of spellings of one given name; the first is the canonical form. Only the spellings
# that folding does not already merge need to be listed, but listing more is harmless.
_GIVEN_NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("muhammad", "magomed", "mohammed", "mohamed", "muhammed", "mukhammad", "magamed",
     "magomet", "mohammad", "mahomed", "muhamed", "mukhamed", "mokhmad", "magomad",
     "mukhammed", "mohamad", "mehmet"),
    ("ahmed", "akhmed", "ahmad", "akhmad", "ahmet", "akhmet", "ahmat", "akhmat"),
    ("ibrahim", "ibragim", "ibrakhim", "ibraghim"),
    ("ismail", "ismayil", "ismaiil", "ismayl", "ismoil"),
    ("yusuf", "yusup", "usup", "jusup", "yousef", "yusef", "iusuf", "yussuf"),
    ("hasan", "khasan", "gasan", "hassan", "khassan", "hasen"),
    ("husein", "khusein", "gusein", "hussein", "huseyn", "khuseyn", "guseyn", "husain",
     "hussain", "gusejn"),
    ("umar", "omar", "oumar", "umer"),
    ("isa", "issa", "eesa", "iisa"),
    ("musa", "mousa", "moussa", "musa"),
    ("suleiman", "suleyman", "sulaiman", "sulejman", "suleman", "soliman", "suliman"),
    ("said", "sayid", "seyid", "saeed", "saiid", "sayed"),
    ("abubakar", "abubakr", "abubaker", "abu-bakar"),
    ("hamzat", "khamzat", "gamzat", "hamza", "khamza"),
    ("murad", "murat"),
    ("zelimkhan", "zelimhan", "zelimxan"),
    ("rizvan", "ridvan", "rezvan", "ridwan", "rizwan"),
    ("jamal", "dzhamal", "djamal"),
    ("jabrail", "dzhabrail", "djabrail", "jibril", "dzhibril", "jabrayil", "dzhebrail"),
    ("ramzan", "ramazan", "ramadan"),
    ("rasul", "rasoul", "rassoul"),
    ("abdulla", "abdullah", "abdula", "abdallah"),
    ("adam", "adem"),
    ("ali", "aly", "aliy"),
    ("aslan", "arslan"),
    ("shamil", "shamill", "chamil"),
    ("yakub", "yaqub", "jakub", "yakup", "iakub"),
    ("ilyas", "ilias", "iliyas", "elias", "ilyaz"),
    ("idris", "edris", "idriss"),
    ("khalid", "khaled", "halid", "haled", "galid"),
    ("salman", "selman"),
    ("timur", "temur", "teymur", "taimur"),
    ("yunus", "iunus", "junus", "yunis"),
    ("zaur", "zavur"),
    ("mansur", "mansour", "mansoor"),
    ("arbi", "arby"),
    ("aleksandr", "alexander", "alexandr", "aleksander"),
    ("sergei", "sergey", "sergej", "sergii", "serhiy"),
    ("aleksei", "alexei", "alexey", "aleksey", "aleksej"),
    ("yuri", "yuriy", "yurii", "iurii", "jurij", "yury"),
    ("dmitri", "dmitriy", "dmitry", "dmitrii"),
    ("nikolai", "nikolay", "nicolai", "nikolaj"),
    ("mikhail", "mikhael", "michail", "mihail"),
    ("andrei", "andrey", "andrej", "andrii"),
    ("pavel", "paul"),
    ("evgeni", "evgeny", "yevgeny", "yevgeniy", "evgenii"),
    ("movladi", "movldi"),
    ("lechi", "lecha"),
    ("hamid", "hamit", "khamid", "khamit"),
    ("vakhid", "vakhed", "vahid", "wahid"),
    # Women's names: the Chechen and Dagestani forms of one name (Петимат is Фатима,
    # Аминат Амина, Хадижат Хадиджа) and the spellings that folding does not merge.
    ("fatima", "petimat", "patimat", "fatimat", "fatma", "patima"),
    ("amina", "aminat"),
    ("khadizhat", "khadidzhat", "khadijat", "khadija", "khadizha", "khadidzha", "hadija",
     "khadidja", "hadizhat"),
    ("aishat", "aisha", "ayesha", "aysha", "ayshat"),
    ("maryam", "mariam", "mariyam", "marjam", "meryem"),
    ("zainab", "zeinab", "zaynab", "zeynab"),
    ("leila", "laila", "layla", "leyla"),
)  # fmt: skip

_PATRONYMIC_SUFFIX = re.compile(
    r"(ovich|evich|ovna|evna|ichna|inichna|ich|ogly|ogli|oglu|uly|kyzy|kizi)$"
)
_FAMILY_FEMININE = re.compile(r"(ov|ev|in|yn|ow|ew)a$")  # -owa: German spellings
_FAMILY_ADJ_FEMININE = re.compile(r"(sk|tsk|ck|zk)(aya|aja|aia|a)$")
_NON_LETTERS = re.compile(r"[^a-z]+")
#: Particles written before a family name, with the space, hyphen or apostrophe after them.
FAMILY_PARTICLES: frozenset[str] = frozenset(
    {"al", "el", "ad", "ud", "ul", "as", "ash", "at", "ibn", "bin", "ben", "van", "von", "de",
     "du", "da", "di", "аль", "эль", "ибн", "бин", "ван", "фон"}
)  # fmt: skip
_FAMILY_PARTICLE = re.compile(
    r"^(?:al|el|ad|ud|ul|as|ash|at|ibn|bin|ben|van|von|de|du|da|di)[\s\-']+(?=[a-z])"
)
_SPACE = re.compile(r"\s+")


# Latin letters drawn like Cyrillic ones. A word typed in Cyrillic with some of these from a
# Latin keyboard layout, or read back by OCR ("Ибpагимoв", "Хacан": Latin p, o, c) would
# otherwise transliterate to another name (ibpagimov, khatsan).
_LOOKALIKES = str.maketrans(
    "AaBCcEeHKkMOoPpTXxYy",
    "АаВСсЕеНКкМОоРрТХхУу",
)
_WORD = re.compile(r"[^\W\d_]+")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HAS_LATIN = re.compile(r"[A-Za-z]")


def _cyrillic_word(match: re.Match[str]) -> str:
    word = match.group()
    return word.translate(_LOOKALIKES) if _HAS_CYRILLIC.search(word) else word


def unmix_scripts(text: str) -> str:
    """Write in Cyrillic the Latin look-alike letters of each word that also has Cyrillic
    letters: "Ибpагимoв" (Latin p and o) is Ибрагимов. Words in one script are unchanged."""
    if not (_HAS_CYRILLIC.search(text) and _HAS_LATIN.search(text)):
        return text
    return _WORD.sub(_cyrillic_word, text)


@lru_cache(maxsize=500_000)
def transliterate(text: str) -> str:
    """Return ``text`` in lowercase ASCII: Cyrillic by a BGN-like table, diacritics folded.

    Latin look-alike letters inside a Cyrillic word are read as the Cyrillic letters they
    look like (``unmix_scripts``)."""
    out: list[str] = []
    for char in unmix_scripts(text).lower():
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _DIACRITICS:
            out.append(_DIACRITICS[char])
        else:
            out.append(char)
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isascii())


def fold(latin: str) -> str:
    """Fold a lowercase Latin spelling so that the transliteration standards agree."""
    word = _NON_LETTERS.sub("", latin)
    for pattern, repl in _COMPILED_FOLD:
        word = pattern.sub(repl, word)
    return word.translate(_MARKERS)


def _build_variant_map() -> dict[str, str]:
    variants: dict[str, str] = {}
    for group in _GIVEN_NAME_VARIANTS:
        canonical = fold(group[0])
        for spelling in group:
            variants.setdefault(fold(spelling), canonical)
    return variants


_VARIANTS = _build_variant_map()


KNOWN_GIVEN_NAMES: frozenset[str] = frozenset(_VARIANTS.values())


def is_known_given_name(text: str) -> bool:
    """True if ``text`` is a spelling of a given name in the variant dictionary."""
    return normalise_name(text, "given") in KNOWN_GIVEN_NAMES


def _canonical_given(folded: str) -> str:
    return _VARIANTS.get(folded, folded)


@lru_cache(maxsize=500_000)
def normalise_name(text: str | None, role: NameRole = "given") -> str:
    """Return the comparison key of one name (given name, patronymic or family name).

    Empty input and initials give ``""``: an initial carries one letter of information and
    is compared through ``name_initial``. Hyphenated and multi-word names are joined
    (Магомед-Эмин = Magomed Emin = Magomedemin). For a family name the feminine ending is
    folded to the masculine one (Джабраилова = Dzhabrailov), so that relatives share a key;
    sex is compared separately. A patronymic is reduced to the father's given name
    (Магомедович -> muhamad), which is then canonicalised like a given name.
    """
    if not text or is_initial(text):
        return ""
    latin = transliterate(text)
    latin = _NON_LETTERS.sub("", latin)
    if not latin:
        return ""
    if role == "patronymic":
        latin = _PATRONYMIC_SUFFIX.sub("", latin) or latin
        return _canonical_given(fold(latin))
    if role == "family":
        # A particle before the family name (аль-Хаттаб, al Khattab, ibn Khattab) is written
        # by some lists and not others: the key is the name without it.
        spaced = _FAMILY_PARTICLE.sub("", _SPACE.sub(" ", transliterate(text).strip()))
        latin = _NON_LETTERS.sub("", spaced) or latin
        latin = _FAMILY_ADJ_FEMININE.sub(r"\1iy", latin)
        latin = _FAMILY_FEMININE.sub(r"\1", latin)
        return fold(latin)
    return _canonical_given(fold(latin))


@lru_cache(maxsize=500_000)
def sound_key(key: str | None) -> str:
    """A looser key of a normalised name or place, for spellings that no folding can tell
    apart: ``ch`` is ч in English, х in German (Chassanow) and ш in French (Chamil, Chali);
    ``j`` is дж in English and й in German (Jussupow); ``z`` is з in English and ц in German
    (Zechojew), ``s`` is с or з. So sh, ch, kh and h are one sound here, zh and j another,
    ts, z and s a third; a ``j`` that begins a word before a vowel is dropped, and so is an
    ``i`` between vowels (-oyev, -oev). Хасанов = Chassanow = hasanov; Шали = Chali = hali.
    Used for blocking and for one level of the name and place comparisons, never alone.
    """
    if not key:
        return ""
    word = key.replace("shch", "h").replace("sh", "h").replace("ch", "h").replace("zh", "j")
    word = _SOUND_S.sub("s", word)
    word = _SOUND_LEADING_J.sub("", word)
    word = _SOUND_VOWEL_I.sub("", word)
    word = _SOUND_SOFT_J.sub("", word)
    word = _SOUND_J_I.sub("i", word)
    return _DOUBLE.sub(r"\1", word)


_SOUND_S = re.compile(r"ts|z")
_SOUND_LEADING_J = re.compile(r"^j(?=[aeiou])")
_SOUND_VOWEL_I = re.compile(r"(?<=[aeiou])[ij](?=[aeiou])")
# German я, ю, е after a consonant (Kisljar = Кизляр) and й before a consonant or at the end
# (Gajrbekow = Гайрбеков = Gairbekov), where English lists write y or i, which folding drops.
_SOUND_SOFT_J = re.compile(r"(?<=[bfgklmnprstvwx])j(?=[aeiou])")
_SOUND_J_I = re.compile(r"(?<=[aeiou])j(?![aeiou])")
_DOUBLE = re.compile(r"(.)\1+")


def is_initial(text: str) -> bool:
    """True for an initial such as ``М.``, ``M``, ``Дж.`` or ``Kh.``."""
    stripped = text.strip().rstrip(".").strip()
    if not stripped or " " in stripped:
        return False
    return len(stripped) == 1 or (text.strip().endswith(".") and len(stripped) <= 3)


@lru_cache(maxsize=500_000)
def name_skeleton(key: str) -> str:
    """Coarse key of a normalised name: first letter, then consonants, g/h/k merged.

    magomed, mohamed and muhamad all give ``mhmd``; ibragim and ibrahim give ``ibrhm``.
    """
    if not key:
        return ""
    word = key.replace("sh", "S").replace("ch", "C").replace("zh", "j").replace("ts", "c")
    word = re.sub(r"[gk]h|g", "h", word)
    head, tail = word[0], re.sub(r"[aeiou]", "", word[1:])
    skeleton = re.sub(r"(.)\1+", r"\1", head + tail)
    return skeleton.replace("S", "s").replace("C", "c")


@lru_cache(maxsize=100_000)
def name_initial(text: str | None) -> str:
    """The first letter of a name or initial, on the skeleton alphabet (Г. = H. = h).

    An initial is one letter of the script it was written in, a name's key begins with its
    transliteration: Джамал is ``jamal`` but its initial Д. is ``d``; Юнус is ``unus`` but
    Ю. may be ``yu``. So a leading ``j`` (дж, or ж) counts as ``d``, and a ``y`` or ``i``
    before a vowel at the start (я, ю, е written ya, yu, ye, ia, iu) is dropped, in names
    and initials alike: Д. = Дж. = Джамал = Jamal = Dzhamal; Ю. = Yu. = Юнус = Yunus =
    Iunus. (German J for й, я, ю, as in Jussup, is taken as дж: English spellings are the
    more common in the region's lists.)
    """
    if not text:
        return ""
    latin = _NON_LETTERS.sub("", transliterate(text).lower())
    if not latin:
        return ""
    if latin[0] in "jž" or latin.startswith(("dj", "dz")):
        return "d"
    latin = _INITIAL_GLIDE.sub("", latin)
    folded = fold(latin)
    head = name_skeleton(folded)[:1] if folded else ""
    return "d" if head == "j" else head


_INITIAL_GLIDE = re.compile(r"^[yi](?=[aeiou])")


def patronymic_initial(text: str | None) -> str:
    """The patronymic's initial (``name_initial``) where it can tell two fathers apart, else
    "": a Latin patronymic that begins with ``Ch`` is Ч in English, Х in German (Chassanowitsch)
    and Ш in French (Chamilevitch), so its initial contradicts nothing.

    The patronymic initial keeps records apart (blocking drops, the clustering never joins,
    records whose initials differ): an initial that cannot be read must not do so.
    """
    if text and _AMBIGUOUS_LATIN_CH.match(text.strip()):
        return ""
    return name_initial(text)


_AMBIGUOUS_LATIN_CH = re.compile(r"^[Cc][Hh]")


_PLACE_WORDS = re.compile(
    r"\b(s|g|st|pos|p|selo|gorod|g\.|stanitsa|stanica|poselok|posyolok|village|town|city|"
    r"aul|rayon|raion|district|r-n|rn|respublika|republic|oblast|region|ul|ulitsa|street|"
    r"of|near|vicinity|okrestnosti|dorf|bei|de|du|pres)\b"
)


@lru_cache(maxsize=200_000)
def normalise_place(text: str | None) -> str:
    """Comparison key of a place: transliterated, folded, generic words dropped.

    ``с. Гойты``, ``selo Goyty`` and ``Goity village`` give one key. Only the first
    comma-separated part is kept (the settlement); districts and regions vary too much
    between lists to help.
    """
    if not text:
        return ""
    latin = transliterate(text)
    first = latin.split(",")[0]
    first = _PLACE_WORDS.sub(" ", first.replace(".", ". "))
    first = _PLACE_WORDS.sub(" ", first)
    words = [fold(w) for w in _SPACE.split(first) if w]
    return "".join(w for w in words if w)
