"""Turn person records into the comparison columns the Splink model reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ombuds.linkage.normalise import (
    FAMILY_PARTICLES,
    is_initial,
    is_known_given_name,
    name_initial,
    name_skeleton,
    normalise_name,
    normalise_place,
    patronymic_initial,
    sound_key,
    transliterate,
)
from ombuds.linkage.records import PartialDate, PersonRecord, parse_partial_date

_PATRONYMIC_END = re.compile(r"(ovich|evich|ovna|evna|ichna|ogly|ogli|kyzy|kizi)$")
_FAMILY_END = re.compile(
    r"(ov|ev|in|ova|eva|ina|skiy|skii|ski|sky|skaya|skaia|enko|dze|shvili|yan|ian)$"
)
_CYRILLIC_TEXT = re.compile(r"[\u0400-\u04ff]")
_EPOCH = date(1900, 1, 1).toordinal()

FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id", "source", "given_key", "given_skel", "given_init", "fam_key", "fam_skel",
    "fam_pre", "name_key", "pat_key", "pat_init", "sex", "by_lo", "by_hi", "bm", "bd",
    "place_key", "ev_lo", "ev_hi", "ev_ym", "death_day", "event_type", "fam_sound",
    "given_sound", "place_sound",
)  # fmt: skip


def _name_key(fam_key: str | None, given_key: str | None) -> str | None:
    """Family and given key together (the term-frequency key of an exact name match)."""
    return f"{fam_key}|{given_key}" if fam_key and given_key else None


#: Words after a father's name that make it a patronymic (Гусейн оглы, Айгуль кызы).
_PATRONYMIC_WORDS = frozenset(
    {"оглы", "огли", "оглу", "кызы", "кизи", "гызы", "улы", "ogly", "ogli", "oglu", "kyzy",
     "kizi", "gyzy", "qizi", "uly"}
)  # fmt: skip
#: Family-name endings strong enough to move a name out of the given-name column (not -in,
#: -ina: Марина, Зарина are given names).
_STRONG_FAMILY_END = re.compile(
    r"(ov|ev|ova|eva|skiy|skii|sky|skaya|skaia|enko|dze|shvili|yan|ian|ow|owa|ew|ewa)$"
)


def _tokens(full_name: str) -> list[str]:
    """The words of a full name: initials split ("И.О." is two), particles joined to the
    family name after them ("ibn Khattab"), "оглы"/"кызы" to the father's name before them."""
    text = re.sub(r"([.])(?=\S)", r"\1 ", full_name.replace(",", " "))
    words = [t for t in text.split() if t]
    tokens: list[str] = []
    for word in words:
        lower = word.lower()
        if tokens and (lower in _PATRONYMIC_WORDS or tokens[-1].lower() in FAMILY_PARTICLES):
            tokens[-1] = f"{tokens[-1]} {word}"
        else:
            tokens.append(word)
    return tokens


def _has_particle(token: str) -> bool:
    """ "ibn Khattab", "al-Khattab": a family-name particle, then the name."""
    first = re.split(r"[\s\-']", token, maxsplit=1)
    return len(first) == 2 and first[0].lower() in FAMILY_PARTICLES


def _is_capitals(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Split a full name into (given, patronymic, family) by endings, capitals and word order.

    Russian word orders are "Family Given Patronymic" (official lists, "Фамилия И.О.") and
    "Given Patronymic Family" ("И.О. Фамилия"); Latin lists mostly write "Given Family", and
    some "FAMILY Given" with the family name in capitals. The patronymic is found by its
    ending (-ovich, -ovna, ...) or by "оглы"/"кызы" after it; a word in capitals among words
    that are not is the family name; else a family name by its ending (-ov, -eva, -skiy,
    ...) or a particle before it (al-, ibn); when nothing decides, the first word of two is
    the family name in Cyrillic, the last in Latin. Initials ("Dzhabrailov M.A.") are split
    into one token each.
    """
    tokens = _tokens(full_name)
    if not tokens:
        return "", "", ""
    facts = [_token_facts(t) for t in tokens]
    initial = [f[0] for f in facts]
    known_given = [f[1] for f in facts]
    roles: list[str] = [
        "p" if f[2] or (" " in t and t.split()[-1].lower() in _PATRONYMIC_WORDS) else ""
        for t, f in zip(tokens, facts, strict=True)
    ]
    words = [i for i, r in enumerate(roles) if not r and not initial[i]]
    capitals = [i for i in words if _is_capitals(tokens[i])]
    particle = [i for i in words if _has_particle(tokens[i])]
    head = full_name.split(",")[0].split()
    if "," in full_name and len(head) == 1 and words and words[0] == 0 and len(words) >= 2:
        roles[0] = "f"  # "Idigov, Shamil": the comma follows the family name
    elif len(words) >= 2 and len(capitals) == 1:
        roles[capitals[0]] = "f"  # IDIGOV Shamil, Shamil IDIGOV
    elif particle:
        roles[particle[0]] = "f"
    else:
        # A strong family ending (-ov, -eva) before a weak one (-in, -ina: Madina Akhmedova).
        ending = [i for i, f in enumerate(facts) if not roles[i] and f[3]]
        strong = [i for i in ending if _STRONG_FAMILY_END.search(_latin_letters(tokens[i]))]
        if strong or ending:
            roles[(strong or ending)[0]] = "f"
    if "f" not in roles:
        free = [i for i, r in enumerate(roles) if not r]
        words = [i for i in free if not initial[i]]
        unknown = [i for i in words if not known_given[i]]
        if len(tokens) == 3 and roles[2] == "p" and not roles[0]:
            roles[0] = "f"  # Family Given Patronymic
        elif len(free) >= 2 and len(unknown) == 1:
            roles[unknown[0]] = "f"  # the one word that is not a known given name
        elif len(free) >= 2 and words:
            # Russian lists put the family name first, Latin ones last; "Smith M." and
            # "M. Smith": the word that is not an initial is the family name.
            cyrillic = bool(_CYRILLIC_TEXT.search(full_name))
            roles[words[0] if cyrillic else words[-1]] = "f"
    given_parts = [t for t, r in zip(tokens, roles, strict=True) if not r]
    # With initials ("Dzhabrailov M. A."), the second initial is the patronymic.
    if "p" not in roles and len(given_parts) == 2 and all(map(is_initial, given_parts)):
        return given_parts[0], given_parts[1], _join(tokens, roles, "f")
    given = given_parts[0] if given_parts else ""
    return given, _join(tokens, roles, "p"), _join(tokens, roles, "f")


@lru_cache(maxsize=200_000)
def name_columns(given: str, patronymic: str, family: str) -> tuple[str, str, str]:
    """(given, patronymic, family) with names put back in their columns when a list wrote
    them in each other's: a patronymic (by its ending) in the given-name column, a family
    name (by a strong ending, not a known given name) in the given-name column while the
    family-name column holds a known given name or a word with no family-name ending.
    Anything the dictionary and the endings do not decide is left as written (the other
    records may still decide it: ``records_to_frame``)."""
    g, p, f = given.strip(), patronymic.strip(), family.strip()
    if g and not is_initial(g) and _token_facts(g)[2] and not (p and _token_facts(p)[2]):
        g, p = p, g
    if not (g and f) or is_initial(g) or is_initial(f):
        return g, p, f
    g_latin = re.sub(r"[^a-z]", "", transliterate(g))
    f_facts = _token_facts(f)
    g_is_family = not is_known_given_name(g) and bool(_STRONG_FAMILY_END.search(g_latin))
    f_is_given = f_facts[1] or not (f_facts[2] or f_facts[3])
    if g_is_family and f_is_given and not _token_facts(f)[3]:
        g, f = f, g
    return g, p, f


@lru_cache(maxsize=200_000)
def _token_facts(token: str) -> tuple[bool, bool, bool, bool]:
    """(initial, known given name, patronymic ending, may be a family name) of one word."""
    initial = is_initial(token)
    latin = re.sub(r"[^a-z]", "", transliterate(token))
    known_given = not initial and is_known_given_name(token)
    patronymic = not initial and bool(_PATRONYMIC_END.search(latin))
    family = not (initial or known_given or patronymic) and bool(_FAMILY_END.search(latin))
    return initial, known_given, patronymic, family


def _latin_letters(token: str) -> str:
    return re.sub(r"[^a-z]", "", transliterate(token))


def _join(tokens: Sequence[str], roles: Sequence[str], role: str) -> str:
    return " ".join(t for t, r in zip(tokens, roles, strict=True) if r == role)


def _day_range(partial: PartialDate) -> tuple[int, int]:
    if partial.month is None:
        lo = date(partial.year, 1, 1)
        hi = date(partial.year, 12, 31)
    elif partial.day is None:
        lo = date(partial.year, partial.month, 1)
        nxt = date(partial.year + partial.month // 12, partial.month % 12 + 1, 1)
        hi = date.fromordinal(nxt.toordinal() - 1)
    else:
        lo = hi = date(partial.year, partial.month, partial.day)
    return lo.toordinal() - _EPOCH, hi.toordinal() - _EPOCH


_DEATH_EVENTS = frozenset({"killing", "killed", "death", "died", "execution", "убийство", "убит"})


def record_features(record: PersonRecord) -> dict[str, object]:
    """The comparison columns of one record (without ``unique_id``)."""
    given, patronymic, family = record.given_name, record.patronymic, record.family_name
    if record.full_name and not (given or patronymic or family):
        given, patronymic, family = split_full_name(record.full_name)
    given, patronymic, family = name_columns(given, patronymic, family)
    given_key = normalise_name(given, "given")
    fam_key = normalise_name(family, "family")
    pat_key = normalise_name(patronymic, "patronymic")
    by_lo = by_hi = bm = bd = None
    ev_lo = ev_hi = None
    event = parse_partial_date(record.event_date) if record.event_date else None
    if event is not None:
        ev_lo, ev_hi = _day_range(event)
    if record.birth_date:
        birth = parse_partial_date(record.birth_date)
        by_lo = by_hi = birth.year
        bm, bd = birth.month, birth.day
    elif record.age is not None and event is not None:
        # Age a at an event in year y: born in y - a, or y - a - 1 if the birthday was later.
        by_lo, by_hi = event.year - record.age - 1, event.year - record.age
    event_type = record.event_type.strip().lower()
    death_day = ev_lo if event_type in _DEATH_EVENTS and event and event.month else None
    return {
        "source": record.source,
        "given_key": given_key or None,
        "given_skel": name_skeleton(given_key) or None,
        "given_init": name_initial(given) or None,
        "fam_key": fam_key or None,
        "fam_skel": name_skeleton(fam_key) or None,
        "fam_pre": fam_key[:3] or None,
        "name_key": _name_key(fam_key, given_key),
        "pat_key": pat_key or None,
        "pat_init": patronymic_initial(patronymic) or None,
        "sex": record.sex or None,
        "by_lo": by_lo,
        "by_hi": by_hi,
        "bm": bm,
        "bd": bd,
        "place_key": normalise_place(record.place) or None,
        "ev_lo": ev_lo,
        "ev_hi": ev_hi,
        "ev_ym": event.year * 12 + event.month if event and event.month else None,
        "death_day": death_day,
        "event_type": event_type or None,
        "fam_sound": sound_key(fam_key) or None,
        "given_sound": sound_key(given_key) or None,
        "place_sound": sound_key(normalise_place(record.place)) or None,
    }


_INT_COLUMNS = ("by_lo", "by_hi", "bm", "bd", "ev_lo", "ev_hi", "ev_ym", "death_day")


def _per_distinct(values: Sequence[object] | np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` applied to each value, computed once per distinct value (names repeat a lot).

    ``None`` and ``""`` are passed to ``fn`` as ``""``.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    # The sentinel -1 picks the last element: the value for a missing input.
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn("")
    return mapped[codes]  # type: ignore[no-any-return]


def _date_facts(text: str) -> tuple[float, ...]:
    """(year, month, day, first day, last day, year*12+month) of a date; NaN when absent."""
    if not text:
        return (_NAN,) * 6
    partial = parse_partial_date(text)
    lo, hi = _day_range(partial)
    month = float(partial.month) if partial.month is not None else _NAN
    return (
        float(partial.year),
        month,
        float(partial.day) if partial.day is not None else _NAN,
        float(lo),
        float(hi),
        partial.year * 12 + month,
    )


_NAN = float("nan")


def _or_none(text: str) -> str | None:
    return text or None


#: A record's given and family names are swapped when the other records write its given
#: name as a family name and its family name as a given name at least this many times...
SWAP_MIN_EVIDENCE = 5
#: ... and this many times more often than as written.
SWAP_FACTOR = 4


def _swap_by_other_records(given: list[str], family: list[str]) -> None:
    """Swap, in place, the given and family names of the records that the other records
    show to be in each other's columns (a name with no ending to go by: Гайрбек)."""
    given_key = pd.Series(_per_distinct(given, lambda t: normalise_name(t, "given") or None))
    family_key = pd.Series(_per_distinct(family, lambda t: normalise_name(t, "family") or None))
    as_given = given_key.value_counts()
    as_family = family_key.value_counts()
    # Keys are compared across roles: a family key and a given key of one spelling agree.
    written = (given_key.map(as_given) - 1) + (family_key.map(as_family) - 1)
    swapped = given_key.map(as_family).fillna(0) + family_key.map(as_given).fillna(0)
    both = given_key.notna() & family_key.notna()
    swap = both & (swapped >= SWAP_MIN_EVIDENCE) & (swapped > SWAP_FACTOR * written.fillna(0))
    for i in np.flatnonzero(swap.to_numpy(dtype=bool)).tolist():
        given[i], family[i] = family[i], given[i]


def _maybe_misplaced(given: str) -> bool:
    """Whether ``name_columns`` could move this given-name column's value (a patronymic or
    a family-name ending): only such records are looked at one by one."""
    if not given or is_initial(given):
        return False
    facts = _token_facts(given)
    latin = re.sub(r"[^a-z]", "", transliterate(given))
    return facts[2] or (not facts[1] and bool(_STRONG_FAMILY_END.search(latin)))


def records_to_frame(records: Sequence[PersonRecord]) -> pd.DataFrame:
    """One row per record, ``unique_id`` = position in ``records``.

    Same columns as ``record_features``, but computed column by column and once per distinct
    string: on a million records most names, places and dates are repeats.
    """
    n = len(records)
    given = [r.given_name for r in records]
    patronymic = [r.patronymic for r in records]
    family = [r.family_name for r in records]
    full = [
        r.full_name if r.full_name and not (r.given_name or r.patronymic or r.family_name) else ""
        for r in records
    ]
    split = _per_distinct(full, lambda t: split_full_name(t) if t else None)
    for i in np.flatnonzero(split != None).tolist():  # noqa: E711 - element-wise on objects
        given[i], patronymic[i], family[i] = split[i]
    del split
    misplaced = _per_distinct(given, _maybe_misplaced).astype(bool)
    for i in np.flatnonzero(misplaced).tolist():
        given[i], patronymic[i], family[i] = name_columns(given[i], patronymic[i], family[i])
    _swap_by_other_records(given, family)

    given_key = _per_distinct(given, lambda t: normalise_name(t, "given") or None)
    fam_key = _per_distinct(family, lambda t: normalise_name(t, "family") or None)
    columns: dict[str, object] = {
        "unique_id": np.arange(n, dtype=np.int64),
        "source": [r.source for r in records],
        "given_key": given_key,
        "given_skel": _per_distinct(given_key, lambda t: name_skeleton(t or "") or None),
        "given_init": _per_distinct(given, lambda t: name_initial(t) or None),
        "fam_key": fam_key,
        "fam_skel": _per_distinct(fam_key, lambda t: name_skeleton(t or "") or None),
        "fam_pre": _per_distinct(fam_key, lambda t: (t or "")[:3] or None),
        "name_key": np.array(
            [_name_key(f, g) for f, g in zip(fam_key.tolist(), given_key.tolist(), strict=True)],
            dtype=object,
        ),
        "pat_key": _per_distinct(patronymic, lambda t: normalise_name(t, "patronymic") or None),
        "pat_init": _per_distinct(patronymic, lambda t: patronymic_initial(t) or None),
        "sex": _per_distinct([r.sex for r in records], _or_none),
    }
    event = np.array(
        _per_distinct([r.event_date for r in records], _date_facts).tolist(), dtype=np.float64
    ).reshape(n, 6)
    birth = np.array(
        _per_distinct([r.birth_date for r in records], _date_facts).tolist(), dtype=np.float64
    ).reshape(n, 6)
    age = np.array([_NAN if r.age is None else r.age for r in records], dtype=np.float64)
    # Age a at an event in year y: born in y - a, or y - a - 1 if the birthday was later.
    from_age = np.isnan(birth[:, 0]) & ~np.isnan(age) & ~np.isnan(event[:, 0])
    by_lo = np.where(from_age, event[:, 0] - age - 1, birth[:, 0])
    by_hi = np.where(from_age, event[:, 0] - age, birth[:, 0])
    event_type = _per_distinct([r.event_type for r in records], lambda t: t.strip().lower() or None)
    is_death = np.isin(event_type, list(_DEATH_EVENTS))
    death_day = np.where(is_death & ~np.isnan(event[:, 1]), event[:, 3], _NAN)
    numbers = {
        "by_lo": by_lo,
        "by_hi": by_hi,
        "bm": birth[:, 1],
        "bd": birth[:, 2],
        "ev_lo": event[:, 3],
        "ev_hi": event[:, 4],
        "ev_ym": event[:, 5],
        "death_day": death_day,
    }
    place_key = _per_distinct([r.place for r in records], lambda t: normalise_place(t) or None)
    columns["place_key"] = place_key
    columns["event_type"] = event_type
    columns["fam_sound"] = _per_distinct(fam_key, lambda t: sound_key(t) or None)
    columns["given_sound"] = _per_distinct(given_key, lambda t: sound_key(t) or None)
    columns["place_sound"] = _per_distinct(place_key, lambda t: sound_key(t) or None)
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column in FEATURE_COLUMNS:
        if column in _INT_COLUMNS:
            frame[column] = pd.array(numbers[column], dtype="Float64").astype("Int64")
        elif column == "unique_id":
            frame[column] = columns[column]
        else:
            frame[column] = pd.Series(columns[column], dtype="object")
    return frame
