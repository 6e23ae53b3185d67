"""The Splink model: comparisons, blocking rules, training and prediction.

Comparisons are written as SQL over the columns of ``features.py`` so that one definition
runs on DuckDB and on Spark; only the name of the Jaro-Winkler function differs.

Each coincidence is counted in exactly one comparison. A swapped given and family name is
one level of the single ``name`` comparison: were it a level of a given-name and of a
family-name comparison, the two levels would always fire together and EM would drive one of
their m probabilities to zero and fail.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ombuds.linkage.checks import ModelCheck, check_model
from ombuds.linkage.exclusive import REACH as ONE_TO_ONE_REACH
from ombuds.linkage.exclusive import one_to_one
from ombuds.linkage.limits import CANDIDATES_TABLE, build_candidates

Backend = Literal["duckdb", "spark"]
log = logging.getLogger(__name__)

_JW = {"duckdb": "jaro_winkler_similarity", "spark": "jaro_winkler"}


def _level(
    sql: str, label: str, m: float, *, null: bool = False, tf: str | None = None
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    else:
        level["m_probability"] = m
    if tf is not None:
        # Term-frequency adjustment: agreeing on a rare value is stronger evidence than on a
        # common one (Dzhabrailov Magomed is thousands of people at a million records).
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _else(m: float) -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "else", "m_probability": m}


def comparisons(backend: Backend) -> list[dict[str, Any]]:
    """The ombuds comparisons, with prior m probabilities used when EM cannot run."""
    jw = _JW[backend]

    def sim(col: str, threshold: float) -> str:
        return f"{jw}({col}_l, {col}_r) >= {threshold}"

    fam_eq = "fam_key_l = fam_key_r"
    # Close family names: Jaro-Winkler, or the same consonants (a vowel changed near the
    # start, which Jaro-Winkler weighs most: Джабраилов and Джебраилов, 0.896).
    fam_close = f"({sim('fam_key', 0.9)} OR fam_skel_l = fam_skel_r)"
    given_eq = "given_key_l = given_key_r"
    name = {
        "output_column_name": "name",
        "comparison_levels": [
            _level("fam_key_l IS NULL OR fam_key_r IS NULL", "family name missing", 0.0, null=True),
            # ``name_key`` is family and given key together: the same test as both equal,
            # written on one column so that Splink adjusts it by that name's frequency.
            _level("name_key_l = name_key_r", "family and given exact", 0.55, tf="name_key"),
            _level(
                "fam_key_l = given_key_r AND given_key_l = fam_key_r",
                "given and family swapped",
                0.03,
            ),
            # Or both alike in their sound keys: spellings no folding tells apart (German
            # Chassanow, French Chamil). One level, not two: the number of levels sets the
            # default u probabilities of an untrained (small) run.
            _level(
                f"({fam_eq} AND given_skel_l = given_skel_r) "
                "OR (fam_sound_l = fam_sound_r AND given_sound_l = given_sound_r)",
                "family exact, given alike",
                0.1,
            ),
            _level(f"{fam_close} AND {given_eq}", "family close, given exact", 0.12),
            _level(
                f"{fam_close} AND (given_skel_l = given_skel_r OR {sim('given_key', 0.88)})",
                "family close, given close",
                0.05,
            ),
            # A name written with initials: the family name is then nearly all the evidence;
            # the same family name is stronger evidence than a close one.
            _level(
                f"{fam_eq} AND (given_key_l IS NULL OR given_key_r IS NULL) "
                "AND given_init_l = given_init_r",
                "family exact, initial agrees",
                0.08,
            ),
            _level(
                f"({fam_close} OR fam_sound_l = fam_sound_r) "
                "AND (given_key_l IS NULL OR given_key_r IS NULL) "
                "AND given_init_l = given_init_r",
                "family close, initial agrees",
                0.03,
            ),
            _level(fam_close, "family close, given differs", 0.03),
            _level(f"{given_eq} AND {sim('fam_key', 0.75)}", "given exact, family far", 0.02),
            _else(0.02),
        ],
    }
    patronymic = {
        "output_column_name": "patronymic",
        "comparison_levels": [
            # An initial that cannot be read (Latin Ch-: ``normalise.patronymic_initial``) is
            # missing, but the patronymic itself is still compared.
            _level(
                "(pat_init_l IS NULL AND pat_key_l IS NULL) "
                "OR (pat_init_r IS NULL AND pat_key_r IS NULL)",
                "patronymic missing",
                0,
                null=True,
            ),
            _level("pat_key_l = pat_key_r", "exact", 0.8, tf="pat_key"),
            _level(sim("pat_key", 0.88), "close", 0.1),
            _level(
                "(pat_key_l IS NULL OR pat_key_r IS NULL) AND pat_init_l = pat_init_r",
                "initial agrees",
                0.08,
            ),
            _else(0.02),
        ],
    }
    birth = {
        "output_column_name": "birth",
        "comparison_levels": [
            _level("by_lo_l IS NULL OR by_lo_r IS NULL", "birth unknown", 0, null=True),
            _level(
                "by_lo_l = by_lo_r AND bd_l IS NOT NULL AND bm_l = bm_r AND bd_l = bd_r",
                "date exact",
                0.5,
            ),
            _level(
                "by_lo_l = by_lo_r AND bd_l IS NOT NULL AND bm_l = bd_r AND bd_l = bm_r",
                "day and month swapped",
                0.03,
            ),
            # Two full dates of one year that disagree are weak evidence, unlike a year against
            # a date of that year (most lists give the year alone).
            _level(
                "by_lo_l = by_lo_r AND bd_l IS NOT NULL AND bd_r IS NOT NULL",
                "same year, dates differ",
                0.03,
            ),
            _level(
                "by_lo_l = by_hi_l AND by_lo_r = by_hi_r AND by_lo_l = by_lo_r",
                "same year",
                0.2,
            ),
            _level("by_lo_l <= by_hi_r AND by_lo_r <= by_hi_l", "year ranges overlap", 0.17),
            _level("by_lo_l <= by_hi_r + 1 AND by_lo_r <= by_hi_l + 1", "one year apart", 0.06),
            _level("by_lo_l <= by_hi_r + 3 AND by_lo_r <= by_hi_l + 3", "three years apart", 0.02),
            _else(0.02),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "sex unknown", 0, null=True),
            _level("sex_l = sex_r", "same sex", 0.995),
            _else(0.005),
        ],
    }
    place = {
        "output_column_name": "place",
        "comparison_levels": [
            _level("place_key_l IS NULL OR place_key_r IS NULL", "place unknown", 0, null=True),
            _level("place_key_l = place_key_r", "same place", 0.85, tf="place_key"),
            _level(
                f"{sim('place_key', 0.88)} OR place_sound_l = place_sound_r", "similar place", 0.07
            ),
            _else(0.1),
        ],
    }
    event = {
        "output_column_name": "event_date",
        "comparison_levels": [
            _level("ev_lo_l IS NULL OR ev_lo_r IS NULL", "event date unknown", 0, null=True),
            _level(
                "ev_lo_l = ev_hi_l AND ev_lo_r = ev_hi_r AND ev_lo_l = ev_lo_r",
                "same day",
                0.6,
            ),
            _level(
                "ev_lo_l = ev_hi_l AND ev_lo_r = ev_hi_r "
                "AND ev_lo_l <= ev_lo_r + 7 AND ev_lo_r <= ev_lo_l + 7",
                "days within a week",
                0.08,
            ),
            _level("ev_lo_l <= ev_hi_r AND ev_lo_r <= ev_hi_l", "periods overlap", 0.2),
            # A day a few days outside the other list's period: the 1st of April against a
            # press list's "March" is a day off, not a month (two months side by side are not).
            _level(
                "(ev_lo_l = ev_hi_l OR ev_lo_r = ev_hi_r) "
                "AND ev_lo_l <= ev_hi_r + 7 AND ev_lo_r <= ev_hi_l + 7",
                "a day within a week of a period",
                0.02,
            ),
            _level("ev_lo_l <= ev_hi_r + 31 AND ev_lo_r <= ev_hi_l + 31", "within a month", 0.04),
            _level("ev_lo_l <= ev_hi_r + 366 AND ev_lo_r <= ev_hi_l + 366", "within a year", 0.04),
            _else(0.04),
        ],
    }
    event_type = {
        "output_column_name": "event_type",
        "comparison_levels": [
            _level("event_type_l IS NULL OR event_type_r IS NULL", "act unknown", 0, null=True),
            _level("event_type_l = event_type_r", "same act", 0.8),
            _else(0.2),
        ],
    }
    result: list[dict[str, Any]] = [name, patronymic, birth, sex, place, event, event_type]
    for comparison in result:
        # The priors are written as round shares; a comparison's m are one distribution.
        levels: list[dict[str, Any]] = [
            lv for lv in comparison["comparison_levels"] if "m_probability" in lv
        ]
        total = sum(float(lv["m_probability"]) for lv in levels)
        for level in levels:
            level["m_probability"] = float(level["m_probability"]) / total
    return result


COMPARISON_NAMES: tuple[str, ...] = (
    "name",
    "patronymic",
    "birth",
    "sex",
    "place",
    "event_date",
    "event_type",
)

_INITIAL_ONLY = "l.given_key IS NULL OR r.given_key IS NULL"
# Union of these rules gives the candidate pairs. Each is an equality join, so the cost
# stays near linear; together they tolerate an error in any one field.
PREDICTION_BLOCKING_RULES: tuple[str, ...] = (
    "l.fam_key = r.fam_key AND l.given_skel = r.given_skel",
    "l.fam_skel = r.fam_skel AND l.given_key = r.given_key",
    "l.fam_key = r.given_key AND l.given_key = r.fam_key",
    "l.fam_key = r.fam_key AND l.by_lo = r.by_lo",
    "l.given_key = r.given_key AND l.pat_key = r.pat_key AND l.by_lo = r.by_lo",
    "l.given_key = r.given_key AND l.by_lo = r.by_lo AND l.bm = r.bm AND l.bd = r.bd",
    "l.given_key = r.given_key AND l.place_key = r.place_key AND l.ev_lo = r.ev_lo",
    # A mistyped family name: the initial with two of birth year, place and event month,
    # or with the first three letters of the family key and one of them. These find
    # petitions (initials, often no birth date) whose family name has a typo. (The last
    # two also cover family key, initial and place or event month, once rules of their own.)
    "l.given_init = r.given_init AND l.by_lo = r.by_lo AND l.ev_ym = r.ev_ym",
    "l.given_init = r.given_init AND l.by_lo = r.by_lo AND l.place_key = r.place_key",
    "l.given_init = r.given_init AND l.place_key = r.place_key AND l.ev_ym = r.ev_ym",
    "l.fam_pre = r.fam_pre AND l.given_init = r.given_init AND l.ev_ym = r.ev_ym",
    "l.fam_pre = r.fam_pre AND l.given_init = r.given_init AND l.by_lo = r.by_lo",
    "l.fam_pre = r.fam_pre AND l.given_init = r.given_init AND l.place_key = r.place_key",
    # A full birth date is rare enough to block on with little else: with the first three
    # letters of the family name (a typo later in it, no given name), or with the place
    # (both names garbled: FEBRL4 has 178 such true pairs in 5,000).
    "l.fam_pre = r.fam_pre AND l.by_lo = r.by_lo AND l.bm = r.bm AND l.bd = r.bd",
    "l.place_key = r.place_key AND l.by_lo = r.by_lo AND l.bm = r.bm AND l.bd = r.bd",
    # Spellings that only the sound keys bring together (Chassanow, Zechojew, Chali): the
    # whole name, or the family name with the initial and the event month (a petition's
    # "Фамилия И.О." against a press list's Latin name).
    "l.fam_sound = r.fam_sound AND l.given_sound = r.given_sound",
    "l.fam_sound = r.fam_sound AND l.given_init = r.given_init AND l.ev_ym = r.ev_ym",
    # A name written with initials ("Фамилия И.О.", often with nothing else in common: no
    # birth date, no event month) against any record of that family name and initial.
    # By the sound key (Дж. against German Dsch-) or the consonant skeleton (a vowel lost or
    # added: Абдулхаджиев, Abdoulkhadjiiev).
    f"l.fam_sound = r.fam_sound AND l.given_init = r.given_init AND ({_INITIAL_ONLY})",
    f"l.fam_skel = r.fam_skel AND l.given_init = r.given_init AND ({_INITIAL_ONLY})",
)

# Added to every prediction rule: pairs that the clustering could never merge (different
# sex or patronymic initial, birth years more than two years apart; see
# ``cluster.contradicts``) are not scored. On common names most candidate pairs are such;
# DuckDB drops them right after the join, before any string comparison.
COMPATIBLE = (
    "(l.sex IS NULL OR r.sex IS NULL OR l.sex = r.sex) "
    "AND (l.pat_init IS NULL OR r.pat_init IS NULL OR l.pat_init = r.pat_init) "
    "AND (l.by_lo IS NULL OR r.by_hi IS NULL OR l.by_lo <= r.by_hi + 2) "
    "AND (r.by_lo IS NULL OR l.by_hi IS NULL OR r.by_lo <= l.by_hi + 2)"
)

# The rules whose blocks are largest (one common name shared by thousands of records): on
# DuckDB, each runs as four joins that also agree on a birth-year bucket (see
# ``candidate_pairs_sql``). Indexes into ``PREDICTION_BLOCKING_RULES``.
_SPLIT_BY_BIRTH_YEAR = frozenset({0, 1, 15})
# Rules that hold only when one record's given name is an initial: on DuckDB each runs as two
# joins, the initial on the left, then on the right, so that only the records written with
# initials are joined to their block (not the whole block of a common family name to itself).
_SPLIT_BY_INITIAL = frozenset({17, 18})
# Birth-year buckets: two bucketings of this width, offset by half of it. Two compatible
# records (birth years at most 2 apart, each known to within one year: ``by_hi - by_lo`` is
# 0 or 1) have ``by_lo`` at most 3 apart. Bucket edges of the two bucketings alternate every
# 3 years, so (a, a + 3] crosses an edge of one bucketing only, and the two records share a
# bucket in the other. (A test shows that width 4 loses pairs.)
_BIRTH_BUCKET = 6
_BLOCKING_COLUMNS = (
    "unique_id", "given_key", "given_skel", "given_init", "fam_key", "fam_skel", "fam_pre",
    "pat_key", "pat_init", "sex", "by_lo", "by_hi", "bm", "bd", "place_key", "ev_lo", "ev_ym",
    "fam_sound", "given_sound",
)  # fmt: skip


#: The aggregated form of the blocking runs in this many passes, each over the pairs whose
#: left record's id falls in one class modulo this number: a quarter of the pairs in each
#: aggregation. At 300k records: one pass 6.9 s and 2.2 GB peak, four passes 10.7 s and
#: 1.3 GB, the streaming form 16.8 s and 1.7 GB.
BLOCKING_PASSES = 4


def candidate_pairs_sqls(table: str, *, streaming: bool = False) -> list[str]:
    """The queries that together give the candidate pairs of ``table`` (each pair in exactly
    one): one in the streaming form, :data:`BLOCKING_PASSES` in the aggregated one."""
    if streaming:
        return [candidate_pairs_sql(table, streaming=True)]
    return [
        candidate_pairs_sql(table, partition=(i, BLOCKING_PASSES)) for i in range(BLOCKING_PASSES)
    ]


def candidate_pairs_sql(
    table: str, *, streaming: bool = False, partition: tuple[int, int] | None = None
) -> str:
    """SQL for the candidate pairs (match_key, join_key_l, join_key_r) of ``table``.

    The same pairs, each once and tagged with the first rule that finds it, as Splink's own
    blocking with ``PREDICTION_BLOCKING_RULES`` and ``COMPATIBLE`` (a test checks), found at
    a fraction of the cost. Two forms:

    - by default every rule's join runs on its own and the pairs are made unique by one hash
      aggregation (``GROUP BY`` the pair, the smallest rule index kept);
    - ``streaming``: each rule leaves out the pairs that an earlier rule's equalities find
      (as Splink does, without repeating ``COMPATIBLE`` inside each exclusion), so rows come
      out unique as they are found and a ``LIMIT`` stops the joins early: the form for a run
      with a cap on pairs (``limits.build_candidates``: a list of one common name is refused
      without forming its millions of pairs). The exclusion grows with the number of rules:
      at 300k records (21 rules) it took 39 s where the aggregation took 18 s.

    In both, the rules of the largest blocks also join on a birth-year bucket, in two offset
    bucketings, plus two joins for a record without a birth year on either side. Every
    compatible pair of the rule is still found (see ``_BIRTH_BUCKET``); the pairs of one name
    with birth years far apart, which are most of a common name's block and which
    ``COMPATIBLE`` drops, are never formed.

    ``partition=(i, n)``: only the pairs whose left record's id is ``i`` modulo ``n``.

    Plain SQL over equality joins: runs on DuckDB (and on Spark SQL, which the Spark backend
    does not need: it uses Splink's blocking).
    """
    # Only constants of this module and the table name Splink gave go into the SQL: no data.
    width, half = _BIRTH_BUCKET, _BIRTH_BUCKET // 2
    only = ""
    if partition is not None:
        only = f"l.unique_id % {int(partition[1])} = {int(partition[0])} AND "
    source = (
        f"SELECT {', '.join(_BLOCKING_COLUMNS)}, "  # noqa: S608
        f"CAST(floor(by_lo / {width}) AS INTEGER) AS by_b, "
        f"CAST(floor((by_lo + {half}) / {width}) AS INTEGER) AS by_bs FROM {table}"
    )
    parts: list[str] = []
    for i, rule in enumerate(PREDICTION_BLOCKING_RULES):
        earlier = [f"coalesce(({r}), false)" for r in PREDICTION_BLOCKING_RULES[:i]]
        # Each join's condition and the rows it leaves to another join of the same rule.
        joins: list[tuple[str, list[str]]] = [(rule, [])]
        if i in _SPLIT_BY_BIRTH_YEAR:
            joins = [
                (f"{rule} AND l.by_b = r.by_b", []),
                (f"{rule} AND l.by_bs = r.by_bs", ["coalesce(l.by_b = r.by_b, false)"]),
                (f"{rule} AND l.by_lo IS NULL", []),
                (f"{rule} AND r.by_lo IS NULL", ["l.by_lo IS NULL"]),
            ]
        if i in _SPLIT_BY_INITIAL:
            joins = [
                (f"{rule} AND l.given_key IS NULL", []),
                (f"{rule} AND r.given_key IS NULL", ["l.given_key IS NULL"]),
            ]
        for on, excluded in joins:
            exclude = (earlier if streaming else []) + excluded
            where = f"{only}l.unique_id < r.unique_id AND {COMPATIBLE}"
            if exclude:
                where += f" AND NOT ({' OR '.join(exclude)})"
            parts.append(
                f"SELECT {i} AS rule, l.unique_id AS join_key_l, "  # noqa: S608
                f"r.unique_id AS join_key_r FROM blocking_input AS l "
                f"JOIN blocking_input AS r ON {on} WHERE {where}"
            )
    union = "\nUNION ALL\n".join(parts)
    if streaming:
        return (
            f"WITH blocking_input AS ({source}), found AS (\n{union}\n) "  # noqa: S608
            "SELECT CAST(rule AS VARCHAR) AS match_key, join_key_l, join_key_r FROM found"
        )
    return (
        f"WITH blocking_input AS ({source}), found AS (\n{union}\n) "  # noqa: S608
        "SELECT CAST(min(rule) AS VARCHAR) AS match_key, join_key_l, join_key_r "
        "FROM found GROUP BY join_key_l, join_key_r"
    )


# EM sessions: each rule leaves the other comparisons free to estimate.
TRAINING_BLOCKING_RULES: tuple[str, ...] = (
    "l.fam_key = r.fam_key AND l.given_key = r.given_key",
    "l.by_lo = r.by_lo AND l.by_hi = r.by_hi AND l.bm = r.bm AND l.bd = r.bd",
    "l.given_key = r.given_key AND l.place_key = r.place_key AND l.ev_lo = r.ev_lo",
    # Sessions that see names written with initials, also without an event date (petitions
    # often give a family name, initials and a place, little else): without them the levels
    # "initial agrees" (of the name and of the patronymic) are never or seldom observed in
    # training and keep their priors, whatever share of a list writes names so.
    "l.fam_key = r.fam_key AND l.given_init = r.given_init AND l.ev_ym = r.ev_ym",
    "l.by_lo = r.by_lo AND l.place_key = r.place_key AND l.ev_ym = r.ev_ym",
    "l.fam_key = r.fam_key AND l.given_init = r.given_init AND l.place_key = r.place_key",
    "l.by_lo = r.by_lo AND l.place_key = r.place_key AND l.pat_init = r.pat_init",
)


def settings_dict(backend: Backend, probability_two_random_records_match: float) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(backend),
        "blocking_rules_to_generate_predictions": [
            f"{rule} AND {COMPATIBLE}" for rule in PREDICTION_BLOCKING_RULES
        ],
        "probability_two_random_records_match": probability_two_random_records_match,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 20,
    }


@dataclass
class ModelRun:
    """Scored candidate pairs (unique_id_l, unique_id_r, match_probability) and notes.

    ``status``: ``"trained"`` (the trained model passed its checks), ``"fell_back"`` (it
    failed them; a model with the prior m probabilities passed and was used), ``"prior"``
    (not trained: too few records or training off; checks passed) or ``"failed_checks"``
    (no model passed: the clusters are not to be trusted). ``checks`` are those of the model
    used; ``rejected`` those of a trained model that was set aside. ``bounded`` names the
    levels whose m probability EM pushed outside its bounds (see ``bound_m_probabilities``).
    """

    pairs: pd.DataFrame
    trained: list[str]
    failed: list[str]
    settings: dict[str, Any]
    status: str = "prior"
    checks: list[ModelCheck] = field(default_factory=list)
    rejected: list[ModelCheck] = field(default_factory=list)
    bounded: list[str] = field(default_factory=list)


#: EM may move a level's m probability at most this factor away from its prior, either way.
#: On lists unlike those it was designed on, EM otherwise drives the m of a disagreement
#: level to 1e-11 (a place written differently, a birth year one off, becomes proof of two
#: people) or of an agreement level to almost nothing (issue 11).
M_BOUND_FACTOR = 4.0


def bound_m_probabilities(
    model: dict[str, Any], backend: Backend
) -> tuple[dict[str, Any], list[str]]:
    """``model`` (Splink's JSON) with each level's m probability held within
    :data:`M_BOUND_FACTOR` of its prior and each comparison's m renormalised to sum 1.

    Returns the new model and the levels that were bounded ("comparison: level").
    """
    prior = _prior_m(backend)
    bounded: list[str] = []
    model = copy.deepcopy(model)
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level in levels:
            p = prior.get((name, level["label_for_charts"]))
            m = level.get("m_probability")
            if p is None:
                continue
            if not isinstance(m, float | int):
                level["m_probability"] = p
                continue
            lo, hi = p / M_BOUND_FACTOR, min(1.0, p * M_BOUND_FACTOR)
            if not lo <= m <= hi:
                bounded.append(f"{name}: {level['label_for_charts']}")
                level["m_probability"] = min(max(float(m), lo), hi)
        total = sum(float(lv["m_probability"]) for lv in levels)
        for level in levels:
            level["m_probability"] = float(level["m_probability"]) / total
    return model, bounded


#: Levels that a pair reaches only when one of its records is written in a short form (a
#: given name or patronymic as an initial), with the chance that a matching pair in that form
#: falls in the level: a family name typed the same in most, alike in some; an initial that
#: agrees in nearly all.
FORMAT_LEVELS: dict[tuple[str, str], float] = {
    ("name", "family exact, initial agrees"): 0.8,
    ("name", "family close, initial agrees"): 0.12,
    ("patronymic", "initial agrees"): 0.9,
}
#: Below this share of pairs in the short form, the level keeps the m it has.
_MIN_FORMAT_SHARE = 1e-3


def format_shares(frame: pd.DataFrame) -> dict[str, float]:
    """The share of the pairs compared on ``name`` and on ``patronymic`` (those not in the
    comparison's null level) in which one record has an initial only and the other at least
    an initial: the pairs that can reach a level of :data:`FORMAT_LEVELS`."""
    n = len(frame)
    if n < 2:
        return {"name": 0.0, "patronymic": 0.0}

    def present(column: str) -> np.ndarray:
        return np.asarray(frame[column].notna().to_numpy(), dtype=bool)

    family = present("fam_key")
    full_given = family & present("given_key")
    initial_given = family & ~present("given_key") & present("given_init")
    a = initial_given.sum() / max(1, family.sum())
    b = full_given.sum() / max(1, family.sum())
    full_pat = present("pat_key")
    initial_pat = ~full_pat & present("pat_init")
    k, i = float(full_pat.sum()), float(initial_pat.sum())
    return {
        "name": float(2 * a * b + a * a),
        "patronymic": float(1.0 - (k / (k + i)) ** 2) if k + i else 0.0,
    }


def with_format_shares(model: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """``model`` with the m probability of each level of :data:`FORMAT_LEVELS` set to the
    share of pairs in the short form (``format_shares``, counted on the lists) times the
    chance that a match in that form reaches the level; the comparison's other levels are
    scaled to make up the rest.

    An m probability is P(level | match), over matching pairs of every form: for a level
    that needs an initial, it is mostly how many records are written with initials. EM
    cannot see that: its training rules block on given names, patronymics or full dates, so
    the pairs it learns from seldom hold a record written "Фамилия И.О.", and it puts the m
    of "initial agrees" at a third of what the lists imply (independent lists at 20,000
    people: 0.14 where a share of 0.40 in that form gives 0.36). How records are written
    does not depend on whether two of them match, so the share over all pairs is the share
    over matching pairs.
    """
    shares = format_shares(frame)
    model = copy.deepcopy(model)
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        share = shares.get(name, 0.0)
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        fixed = {
            i: share * FORMAT_LEVELS[(name, lv["label_for_charts"])]
            for i, lv in enumerate(levels)
            if (name, lv["label_for_charts"]) in FORMAT_LEVELS
        }
        if not fixed or share < _MIN_FORMAT_SHARE:
            continue
        rest = sum(float(lv["m_probability"]) for i, lv in enumerate(levels) if i not in fixed)
        scale = (1.0 - sum(fixed.values())) / rest
        for i, level in enumerate(levels):
            level["m_probability"] = fixed.get(i, float(level["m_probability"]) * scale)
    return model


def with_prior_m(model: dict[str, Any], backend: Backend) -> dict[str, Any]:
    """``model`` with every m probability set back to its prior (u and the match rate kept:
    they are estimated without EM, by random sampling and a strict rule)."""
    prior = _prior_m(backend)
    model = copy.deepcopy(model)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            p = prior.get((comparison["output_column_name"], level["label_for_charts"]))
            if p is not None:
                level["m_probability"] = p
    return model


def _prior_m(backend: Backend) -> dict[tuple[str, str], float]:
    return {
        (c["output_column_name"], level["label_for_charts"]): level["m_probability"]
        for c in comparisons(backend)
        for level in c["comparison_levels"]
        if "m_probability" in level
    }


def _make_db_api(backend: Backend) -> Any:
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect()
        # Names are plaintext here: DuckDB must never spill them to its default ".tmp" folder
        # (decision 0004: plaintext stays in memory). A run that outgrows memory fails instead.
        con.execute("SET temp_directory = ''")
        return DuckDBAPI(connection=con)
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    # Spark writes shuffle blocks and checkpoints (names in the clear) to disk: keep them in
    # one private folder (mode 0700) that the run deletes when it ends (``_db_api_close``).
    workdir = tempfile.mkdtemp(prefix="ombuds-spark-")
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.jars", similarity_jar_location())
        .appName("ombuds-linkage")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.local.dir", os.path.join(workdir, "local"))
        .getOrCreate()
    )
    spark.sparkContext.setCheckpointDir(os.path.join(workdir, "checkpoints"))
    api = SparkAPI(spark_session=spark, num_partitions_on_repartition=8)  # type: ignore[no-untyped-call]
    _SPARK_WORKDIRS[id(api)] = workdir
    return api


#: The work folder of each live Spark API object (by ``id``), deleted by ``_db_api_close``.
_SPARK_WORKDIRS: dict[int, str] = {}


def _db_api_close(db_api: Any, backend: Backend) -> None:
    """Close the DuckDB connection, or end the Spark session and delete its work folder
    (shuffle files, checkpoints)."""
    if backend == "duckdb":
        db_api._con.close()
        return
    db_api.spark.stop()
    shutil.rmtree(_SPARK_WORKDIRS.pop(id(db_api)), ignore_errors=True)


def run_model(
    frame: pd.DataFrame,
    *,
    backend: Backend = "duckdb",
    threshold: float = 0.0,
    train: bool = True,
    progress: Callable[[str, float], None] | None = None,
    link_threshold: float = 0.5,
    unique_sources: frozenset[str] = frozenset(),
    max_pairs: int | None = None,
) -> ModelRun:
    """Train (when the data allow), check, and predict; return pairs with p >= ``threshold``.

    Training steps that fail on degenerate data (too few records, a column always empty, no
    pairs under a training rule) are skipped and the prior m probabilities stand; the
    model's comparisons are restored after a failed EM session, because Splink removes the
    comparisons of the training rule during EM and puts them back only on success. The m
    probabilities EM finds are held near their priors (``bound_m_probabilities``).

    The trained model is then checked against the data (``checks.check_model``, at
    ``link_threshold``, the clustering's threshold): if it fails, the pairs are scored again
    with the prior m probabilities (and the trained u and match rate), and, if that fails
    too, with no trained parameter at all; the status says which model was used and whether
    any passed. Raises ``RuntimeError`` if a comparison is missing from the prediction output.

    ``max_pairs`` (DuckDB only): blocking is done first, and more candidate pairs than this
    raise ``limits.TooManyPairs`` before any training or scoring (``limits.build_candidates``).
    """
    from splink import Linker

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    n = len(frame)
    prior = min(0.5, 2.0 / max(n, 2))
    settings = settings_dict(backend, prior)
    db_api = _make_db_api(backend)
    try:
        table = db_api.register(_for_splink(frame, backend))
        if backend == "duckdb":
            # Blocking by ombuds' own SQL (the same pairs as Splink's, faster), scored by
            # Splink; first, so that a run over the cap stops before training.
            build_candidates(
                db_api._con,
                candidate_pairs_sqls(table.physical_name, streaming=max_pairs is not None),
                PREDICTION_BLOCKING_RULES,
                max_pairs=max_pairs,
            )
        linker = Linker(table, settings, log_level=logging.WARNING)
        trained: list[str] = []
        failed: list[str] = []
        trainer: Any = None
        trainer_n = n
        if train and n > TRAINING_SAMPLE:
            # The parameters do not depend on the size of the list: m and u are properties of
            # pairs, and the match rate (matching pairs / all pairs) is the same in a uniform
            # sample of records. Training on a sample keeps its cost constant; the blocks of
            # common names grow with the square of the list.
            sample = frame.sample(n=TRAINING_SAMPLE, random_state=42)
            sample = sample.assign(unique_id=range(len(sample)))
            trainer_n = len(sample)
            trainer = Linker(
                db_api.register(_for_splink(sample, backend)), settings, log_level=logging.WARNING
            )
        elif train and n >= 50:
            trainer = linker
        bounded: list[str] = []
        if trainer is not None:
            trained, failed = _train(trainer, trainer_n, report)
            model, bounded = bound_m_probabilities(trainer.misc.save_model_to_json(), backend)
            model = with_format_shares(model, frame)
            linker = Linker(table, model, log_level=logging.WARNING)
        report("predict", 0.6)

        def predict(linker: Any) -> pd.DataFrame:
            _check_comparisons(linker)  # every comparison is scored in the prediction
            if calibrate:
                settings = linker.misc.save_model_to_json()
                frequencies = person_term_frequencies(
                    frame["name_key"],
                    float(settings["probability_two_random_records_match"]) * (n - 1)
                    * _level_m(settings, "name", "family and given exact"),
                )  # fmt: skip
                linker.table_management.register_term_frequency_lookup(
                    db_api.register(frequencies), "name_key"
                )
            if backend == "duckdb":
                linker.table_management.register_blocked_pairs_for_predict(
                    db_api.register(CANDIDATES_TABLE)
                )
            # A calibrated model's pairs are read together afterwards (``one_to_one``), which
            # needs the pairs from further down.
            keep_from = threshold / ONE_TO_ONE_REACH if calibrate else threshold
            floor = keep_from / FAMILY_TF_MAX_FACTOR if keep_from else None
            predictions = linker.inference.predict(threshold_match_probability=floor)
            found = predictions.as_pandas_dataframe()
            found = found[["unique_id_l", "unique_id_r", "match_probability"]].copy()
            found = adjust_for_family_frequency(frame, found)
            if keep_from:
                found = found[found["match_probability"] >= keep_from].reset_index(drop=True)
            return found

        def check(pairs: pd.DataFrame) -> list[ModelCheck]:
            return check_model(
                frame, pairs, threshold=link_threshold, unique_sources=unique_sources
            )

        def calibrated(pairs: pd.DataFrame, model: dict[str, Any]) -> pd.DataFrame:
            if not calibrate:
                return pairs
            rate = float(model["probability_two_random_records_match"])
            excluded, excluded_pairs = _within_unique_lists(frame, pairs, unique_sources)
            new_rate, probabilities = recalibrate_match_rate(
                pairs["match_probability"].to_numpy(dtype=np.float64),
                n,
                rate,
                excluded=excluded,
                excluded_pairs=excluded_pairs,
            )
            model["probability_two_random_records_match"] = new_rate
            rows_l, rows_r = _pair_rows(frame, pairs)
            probabilities = one_to_one(
                frame["source"].astype(object).to_numpy(dtype=object),
                rows_l,
                rows_r,
                probabilities,
                new_rate,
                unique=unique_sources,
            )
            pairs = pairs.assign(match_probability=probabilities)
            return pairs[pairs["match_probability"] >= threshold].reset_index(drop=True)

        calibrate = trainer is not None
        pairs = predict(linker)
        model = linker.misc.save_model_to_json()
        pairs = calibrated(pairs, model)
        checks = check(pairs)
        status = "trained" if trained else "prior"
        rejected: list[ModelCheck] = []
        if not all(c.passed for c in checks):
            status = "failed_checks"
            # Not trained: the prior model is the one that failed, nothing to fall back to.
            fallbacks = [
                with_format_shares(with_prior_m(model, backend), frame),
                settings_dict(backend, prior),
            ]
            if trained:
                rejected = checks
            for fallback in fallbacks if trained else []:
                report("predict again (model failed its checks)", 0.75)
                fallback_linker = Linker(table, fallback, log_level=logging.WARNING)
                fallback_pairs = predict(fallback_linker)
                fallback_model = fallback_linker.misc.save_model_to_json()
                fallback_pairs = calibrated(fallback_pairs, fallback_model)
                fallback_checks = check(fallback_pairs)
                if all(c.passed for c in fallback_checks):
                    pairs, checks, status = fallback_pairs, fallback_checks, "fell_back"
                    model = fallback_model
                    break
    finally:  # also on failure: no connection left open, no Spark files left behind
        _db_api_close(db_api, backend)
    return ModelRun(
        pairs=pairs,
        trained=trained,
        failed=failed,
        settings=model,
        status=status,
        checks=checks,
        rejected=rejected,
        bounded=bounded,
    )


#: The family-name frequency adjustment changes a pair's odds at most this factor either way.
FAMILY_TF_MAX_FACTOR = 30.0
#: ... and by this power of the frequency ratio (1: the full ratio) ...
FAMILY_TF_WEIGHT = 1.0
#: ... and the same for given names that agree (the two shifts add, within the one bound).
GIVEN_TF_WEIGHT = 1.0


#: A name's frequency counted as people (``person_term_frequencies``) is never taken as
#: fewer than this many other records in the lists.
PERSON_TF_FLOOR = 0.5


def person_term_frequencies(
    values: pd.Series, same_person: float, floor: float = PERSON_TF_FLOOR
) -> pd.DataFrame:
    """The frequency of each value of a column (``name_key``) among the records of *other*
    people, as Splink's term-frequency table (``value``, ``tf_value``).

    Splink takes a value's frequency among all records as the chance that a record of another
    person holds it (u). On lists that name one man several times (relatives' complaints, the
    press, an NGO) a rare name's records are mostly his: a name in three records of one man is
    counted as if three strangers shared it, and two of his records agreeing on it weigh
    little. Here a record's name is counted without itself and without the records expected
    to be the same person's (``same_person``: the match rate times the other records times the
    chance a matching record writes the same name), at least ``floor`` records.
    """
    column = str(values.name)
    counts = values.dropna().value_counts()
    total = float(counts.sum())
    others = (counts.astype(np.float64) - 1.0 - same_person).clip(lower=floor)
    return pd.DataFrame(
        {column: counts.index.astype(str), f"tf_{column}": (others / max(total, 1.0)).to_numpy()}
    )


def _level_m(settings: dict[str, Any], comparison: str, label: str) -> float:
    for candidate in settings["comparisons"]:
        if candidate["output_column_name"] == comparison:
            for level in candidate["comparison_levels"]:
                if level.get("label_for_charts") == label:
                    return float(level.get("m_probability") or 0.0)
    raise KeyError(f"{comparison}: {label}")


def adjust_for_family_frequency(frame: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with the odds of each pair whose family names agree (and whose full names do
    not: Splink adjusts those by the full name's frequency) scaled by how rare that family name
    is: the mean frequency of a family name among pairs of records (the sum of the squared
    frequencies) over this name's frequency, within :data:`FAMILY_TF_MAX_FACTOR` either way.

    The comparison levels' u probabilities are averages over all family names; on lists where
    names follow a Zipf law (a few families hold a tenth of the people) the same family name
    and initial is strong evidence for a rare family and weak for a common one, and the
    average is wrong for both. ("Фамилия И.О." in a petition against a full name.) Given
    names that agree are weighed the same way (Магомед is shared by a tenth of the men).
    """
    if pairs.empty:
        return pairs
    left, right = _pair_rows(frame, pairs)
    name_values = _values(frame["name_key"])
    same_name = pd.notna(name_values[left]) & (name_values[left] == name_values[right])
    logit_shift = np.zeros(len(pairs), dtype=np.float64)
    for column, weight in (("fam_key", FAMILY_TF_WEIGHT), ("given_key", GIVEN_TF_WEIGHT)):
        if weight:
            logit_shift += weight * _frequency_shift(_values(frame[column]), left, right, same_name)
    if not logit_shift.any():
        return pairs
    limit = np.log(FAMILY_TF_MAX_FACTOR)
    logit_shift = np.clip(logit_shift, -limit, limit)
    p = np.clip(pairs["match_probability"].to_numpy(dtype=np.float64), 1e-15, 1 - 1e-15)
    logit = np.log(p / (1 - p)) + logit_shift
    return pairs.assign(match_probability=1.0 / (1.0 + np.exp(-logit)))


def _pair_rows(frame: pd.DataFrame, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``frame`` that each pair's left and right records are (by ``unique_id``)."""
    uid = frame["unique_id"].to_numpy(dtype=np.int64)
    order = np.empty(uid.max() + 1, dtype=np.int64)
    order[uid] = np.arange(len(uid))
    return (
        order[pairs["unique_id_l"].to_numpy(dtype=np.int64)],
        order[pairs["unique_id_r"].to_numpy(dtype=np.int64)],
    )


def _values(column: pd.Series) -> np.ndarray:
    values: np.ndarray = column.astype(object).where(column.notna(), None).to_numpy(dtype=object)
    return values


def _frequency_shift(
    values: np.ndarray, left: np.ndarray, right: np.ndarray, skip: np.ndarray
) -> np.ndarray:
    """Per pair: log(mean frequency / this value's frequency) where both records hold the same
    value (and ``skip`` is false), else 0."""
    shift = np.zeros(len(left), dtype=np.float64)
    counts = pd.Series(values).value_counts(dropna=True)
    total = float(counts.sum())
    if total < 2:
        return shift
    freq = counts / total
    mean = float((freq * freq).sum())
    val_l = values[left]
    same = pd.notna(val_l) & (val_l == values[right]) & ~skip
    if same.any():
        f = pd.Series(val_l[same]).map(freq).to_numpy(dtype=np.float64)
        shift[same] = np.log(mean) - np.log(f)
    return shift


#: The match rate found by ``recalibrate_match_rate`` stays within this factor of the one
#: estimated before it.
MATCH_RATE_BOUND = 4.0


def recalibrate_match_rate(
    probabilities: np.ndarray,
    n_records: int,
    rate: float,
    *,
    rounds: int = 30,
    excluded: np.ndarray | None = None,
    excluded_pairs: float = 0.0,
) -> tuple[float, np.ndarray]:
    """The match rate (probability that two random records match) that agrees with the
    scored pairs, and their probabilities under it.

    Splink estimates the rate from the pairs that a strict rule finds (same family and given
    name, birth year and patronymic), assuming that the rule finds 40% of the matching pairs.
    On lists that write names with initials, years and ages, far fewer of the matching pairs
    satisfy it, the rate comes out several times too low, and every pair is judged too
    unlikely by the same factor. Here the rate is set to the expected number of matching
    pairs (the sum of the match probabilities) over all pairs, which changes the
    probabilities, and so on to the fixed point: EM's update of the rate, with the m and u
    probabilities held. Pairs that were not scored count as non-matches. The rate stays
    within :data:`MATCH_RATE_BOUND` of ``rate``, either way.

    ``excluded`` marks the scored pairs known not to match whatever their score (two records
    of a list declared unique), and ``excluded_pairs`` counts all such pairs: they are left
    out of both sides of the ratio, so the rate is that of the pairs that may match.
    """
    total = n_records * (n_records - 1) / 2 - excluded_pairs
    if total <= 0 or len(probabilities) == 0 or not 0.0 < rate < 1.0:
        return rate, probabilities
    p = np.clip(probabilities, 1e-15, 1 - 1e-15)
    bayes = np.log(p / (1 - p)) - np.log(rate / (1 - rate))  # log Bayes factors
    lo, hi = rate / MATCH_RATE_BOUND, min(0.5, rate * MATCH_RATE_BOUND)
    new = rate
    for _ in range(rounds):
        prior = np.log(new / (1 - new))
        q = 1.0 / (1.0 + np.exp(-(bayes + prior)))
        expected = float(q.sum() if excluded is None else q[~excluded].sum())
        updated = min(max(expected / total, lo), hi)
        if abs(updated - new) <= 1e-3 * new:
            new = updated
            break
        new = updated
    prior = np.log(new / (1 - new))
    return new, 1.0 / (1.0 + np.exp(-(bayes + prior)))


def _within_unique_lists(
    frame: pd.DataFrame, pairs: pd.DataFrame, unique_sources: frozenset[str]
) -> tuple[np.ndarray | None, float]:
    """Which scored pairs lie within one list declared unique, and how many pairs all such
    lists hold: pairs that cannot match, for ``recalibrate_match_rate``."""
    if not unique_sources:
        return None, 0.0
    sources = frame["source"].astype(object).to_numpy(dtype=object)
    sizes = pd.Series(sources).value_counts()
    count = float(sum(k * (k - 1) / 2 for s, k in sizes.items() if s in unique_sources))
    rows_l, rows_r = _pair_rows(frame, pairs)
    left, right = sources[rows_l], sources[rows_r]
    within = (left == right) & np.isin(left, list(unique_sources))
    return within, count


# Above this many records, the model is trained on a uniform sample of this size.
TRAINING_SAMPLE = 150_000


def _for_splink(frame: pd.DataFrame, backend: Backend) -> pd.DataFrame:
    if backend == "duckdb":
        return frame  # DuckDB reads pandas' nullable columns as they are
    return frame.astype(object).where(frame.notna(), None)


def _train(
    linker: Any, n: int, report: Callable[[str, float], None]
) -> tuple[list[str], list[str]]:
    """Run the training steps that the data allow; return (trained, skipped) step names."""
    trained: list[str] = []
    failed: list[str] = []
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "estimate u",
            lambda: linker.training.estimate_u_using_random_sampling(
                max_pairs=min(5e6, n * (n - 1) / 2), seed=42
            ),
        ),
        (
            "estimate match rate",
            lambda: linker.training.estimate_probability_two_random_records_match(
                [
                    "l.fam_key = r.fam_key AND l.given_key = r.given_key "
                    "AND l.by_lo = r.by_lo AND l.pat_key = r.pat_key"
                ],
                recall=0.4,
            ),
        ),
    ]
    for rule in TRAINING_BLOCKING_RULES:

        def em(rule: str = rule) -> Any:
            return linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )

        steps.append((f"EM on {rule}", em))
    for i, (name, step) in enumerate(steps):
        report(name, 0.1 + 0.5 * i / len(steps))
        saved = copy.deepcopy(linker._settings_obj.core_model_settings)
        try:
            step()
            rate = linker._settings_obj._probability_two_random_records_match
            if not 0.0 < rate < 1.0:
                # A deterministic rule that finds no pairs estimates a match rate of 0,
                # which makes every prediction fail on log(0).
                raise ValueError(f"estimated match rate {rate} is degenerate")
            trained.append(name)
        except Exception as exc:  # Splink raises bare Exceptions on degenerate data
            log.warning("linkage training step %r skipped: %s", name, exc)
            linker._settings_obj.core_model_settings = saved
            failed.append(name)
    _check_comparisons(linker)
    return trained, failed


def _check_comparisons(linker: Any) -> None:
    names = [c.output_column_name for c in linker._settings_obj.comparisons]
    if sorted(names) != sorted(COMPARISON_NAMES):
        raise RuntimeError(f"the model lost comparisons during training: {names}")
