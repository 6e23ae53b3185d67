"""Turn person records into the comparison columns the Splink model reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pandas as pd

from ombuds.linkage.normalise import (
    is_initial,
    is_known_given_name,
    name_initial,
    name_skeleton,
    normalise_name,
    normalise_place,
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
    "pat_key", "pat_init", "sex", "by_lo", "by_hi", "bm", "bd", "place_key", "ev_lo",
    "ev_hi", "ev_ym", "death_day", "event_type",
)  # fmt: skip


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Split a full name into (given, patronymic, family) by endings and word order.

    Russian word orders are "Family Given Patronymic" (official lists) and "Given
    Patronymic Family"; Latin lists mostly write "Given Family". The patronymic is found by
    its ending (-ovich, -ovna, ...); a family name by its ending (-ov, -eva, -skiy, ...);
    when endings do not decide, the first word of two is the given name. Initials
    ("Dzhabrailov M.A.") are split into one token each.
    """
    text = re.sub(r"([.])(?=\S)", r"\1 ", full_name.replace(",", " "))
    tokens = [t for t in text.split() if t]
    if not tokens:
        return "", "", ""
    latin = [re.sub(r"[^a-z]", "", transliterate(t)) for t in tokens]
    roles: list[str] = [""] * len(tokens)
    for i, word in enumerate(latin):
        if not is_initial(tokens[i]) and _PATRONYMIC_END.search(word):
            roles[i] = "p"
    known_given = [is_known_given_name(t) and not is_initial(t) for t in tokens]
    for i, word in enumerate(latin):
        if not (roles[i] or is_initial(tokens[i]) or known_given[i]) and _FAMILY_END.search(word):
            roles[i] = "f"
            break
    if "f" not in roles:
        free = [i for i, r in enumerate(roles) if not r]
        words = [i for i in free if not is_initial(tokens[i])]
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
    if "p" not in roles and len(given_parts) == 2 and all(is_initial(t) for t in given_parts):
        return given_parts[0], given_parts[1], _join(tokens, roles, "f")
    given = given_parts[0] if given_parts else ""
    return given, _join(tokens, roles, "p"), _join(tokens, roles, "f")


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
        "pat_key": pat_key or None,
        "pat_init": name_initial(patronymic) or None,
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
    }


_INT_COLUMNS = ("by_lo", "by_hi", "bm", "bd", "ev_lo", "ev_hi", "ev_ym", "death_day")


def records_to_frame(records: Sequence[PersonRecord]) -> pd.DataFrame:
    """One row per record, ``unique_id`` = position in ``records``."""
    rows = [record_features(r) for r in records]
    frame = pd.DataFrame(rows, columns=[c for c in FEATURE_COLUMNS if c != "unique_id"])
    frame.insert(0, "unique_id", range(len(records)))
    for column in _INT_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    for column in frame.columns:
        if column not in _INT_COLUMNS and column != "unique_id":
            frame[column] = frame[column].astype("object")
    return frame
