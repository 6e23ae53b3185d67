"""A cap on candidate pairs: blocking is counted before anything is scored.

A list of thousands of records that share one common name makes millions of candidate pairs
(issue 13: 4,000 records of one name, 6.2 million pairs, 53 s, 2.5 GB of memory, 640 MB in
the database). The candidate table is therefore built one blocking rule at a time, each
insert limited to what is left of the cap, so DuckDB stops forming pairs as soon as the cap
is passed; a run over the cap raises :class:`TooManyPairs`, which names the rule, before
training or scoring begins. Under the cap the table is the one prediction scores: counting
costs nothing extra.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The table of candidate pairs (match_key, join_key_l, join_key_r) that prediction scores.
CANDIDATES_TABLE = "ombuds_candidates"

#: On a refusal, the rule's own pairs are counted up to this many times the cap (beyond it
#: the message says "more than"): a bound on the work a refused run still does.
COUNT_BEYOND_CAP = 10

_COLUMN = re.compile(r"\b[lr]\.([a-z_]+)")


class TooManyPairs(Exception):
    """Blocking produced more candidate pairs than a run may score.

    ``columns`` are the feature columns the named rule joins on (fixed codes such as
    ``fam_key``, ``by_lo``; no data), ``pairs`` the pairs that rule produced (at least, when
    ``more`` is true: counting stopped there), ``total`` the pairs of all rules counted (at
    least ``limit + 1``), ``limit`` the cap.
    """

    def __init__(
        self, *, rule: str, rule_index: int, pairs: int, more: bool, total: int, limit: int
    ) -> None:
        self.rule = rule
        self.rule_index = rule_index
        self.columns = rule_columns(rule)
        self.pairs = pairs
        self.more = more
        self.total = total
        self.limit = limit
        super().__init__(
            f"blocking on {' + '.join(self.columns)} produced {'more than ' if more else ''}"
            f"{pairs:,} candidate pairs ({total:,} or more in all), over the limit of {limit:,}"
        )


def rule_columns(rule: str) -> tuple[str, ...]:
    """The feature columns a blocking rule's SQL joins on, in order, each once."""
    seen: dict[str, None] = {}
    for column in _COLUMN.findall(rule):
        seen.setdefault(column, None)
    return tuple(seen)


@dataclass(frozen=True)
class CandidateCounts:
    """Pairs per blocking rule (by index) in the candidate table, and in all."""

    per_rule: dict[int, int]
    total: int


def build_candidates(
    con: Any, sql: str, rules: Sequence[str], *, max_pairs: int | None
) -> CandidateCounts:
    """Create :data:`CANDIDATES_TABLE` from ``sql`` (rows tagged ``match_key`` = the rule's
    index, as ``model.candidate_pairs_sql`` writes them) on the DuckDB connection ``con``.

    With ``max_pairs``, rule after rule, each insert limited to one more pair than the cap
    leaves; raises :class:`TooManyPairs` once the cap is passed, naming the rule that
    produced the most pairs of those counted. Only constants and the SQL the engine wrote go
    into the queries: no data.
    """
    if max_pairs is None:
        con.execute(f"CREATE TABLE {CANDIDATES_TABLE} AS {sql}").fetchall()
        rows = con.execute(
            f"SELECT match_key, count(*) FROM {CANDIDATES_TABLE} GROUP BY match_key"  # noqa: S608
        ).fetchall()
        per_rule = dict.fromkeys(range(len(rules)), 0)
        per_rule.update({int(k): int(n) for k, n in rows})
        return CandidateCounts(per_rule, sum(per_rule.values()))
    if max_pairs < 0:
        raise ValueError("max_pairs must be at least 0")
    con.execute(f"CREATE TABLE {CANDIDATES_TABLE} AS SELECT * FROM ({sql}) LIMIT 0").fetchall()  # noqa: S608
    per_rule = {}
    total = 0
    for i in range(len(rules)):
        # Filtering on the constant match_key prunes every other rule's join, and the LIMIT
        # stops this one's as soon as it has one pair too many.
        (found,) = con.execute(
            f"INSERT INTO {CANDIDATES_TABLE} SELECT * FROM ({sql}) "  # noqa: S608
            f"WHERE match_key = '{i}' LIMIT {max_pairs - total + 1}"
        ).fetchone()
        per_rule[i] = int(found)
        total += int(found)
        if total > max_pairs:
            bound = max(max_pairs, 1) * COUNT_BEYOND_CAP
            counted = con.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) "  # noqa: S608
                f"WHERE match_key = '{i}' LIMIT {bound + 1})"
            ).fetchone()[0]
            per_rule[i] = min(int(counted), bound)
            more = int(counted) > bound
            worst = max(per_rule, key=lambda k: per_rule[k])
            raise TooManyPairs(
                rule=rules[worst],
                rule_index=worst,
                pairs=per_rule[worst],
                more=more and worst == i,
                total=sum(per_rule.values()),
                limit=max_pairs,
            )
    return CandidateCounts(per_rule, total)
