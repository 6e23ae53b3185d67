"""A cap on candidate pairs: blocking is counted before anything is scored.

A list of thousands of records that share one common name makes millions of candidate pairs
(issue 13: 4,000 records of one name, 6.2 million pairs, 53 s, 2.5 GB of memory, 640 MB in
the database). The candidate table is therefore built before training, limited to one pair
more than the cap: under the cap it is the table prediction scores, so the count costs
nothing extra; over it, the pairs of each rule are counted (one more pass over the blocking
joins, no scoring) and :class:`TooManyPairs` names the rule that produced the most.

(Building the table one rule at a time, each insert limited to what the cap leaves, stops
sooner on a huge block, but DuckDB plans the whole union for each of the rules: four times
the blocking time of an ordinary list of 10,000 records. ``bench/run_limits.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The table of candidate pairs (match_key, join_key_l, join_key_r) that prediction scores.
CANDIDATES_TABLE = "ombuds_candidates"

_COLUMN = re.compile(r"\b[lr]\.([a-z_]+)")


class TooManyPairs(Exception):
    """Blocking produced more candidate pairs than a run may score.

    ``columns`` are the feature columns the named rule joins on (fixed codes such as
    ``fam_key``, ``by_lo``; no data), ``pairs`` the pairs that rule produced, ``total`` the
    pairs of all rules, ``limit`` the cap.
    """

    def __init__(self, *, rule: str, rule_index: int, pairs: int, total: int, limit: int) -> None:
        self.rule = rule
        self.rule_index = rule_index
        self.columns = rule_columns(rule)
        self.pairs = pairs
        self.total = total
        self.limit = limit
        super().__init__(
            f"blocking on {' + '.join(self.columns)} produced {pairs:,} candidate pairs "
            f"({total:,} in all), over the limit of {limit:,}"
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
    con: Any, sql: str | Sequence[str], rules: Sequence[str], *, max_pairs: int | None
) -> CandidateCounts:
    """Create :data:`CANDIDATES_TABLE` from ``sql`` (rows tagged ``match_key`` = the rule's
    index, as ``model.candidate_pairs_sql`` writes them) on the DuckDB connection ``con``;
    several queries (``model.candidate_pairs_sqls``, pairs in one of them each) are run one
    after the other into the table, which needs no cap.

    With ``max_pairs``, the table keeps at most one pair more than the cap; if it has that
    one, every rule's pairs are counted and :class:`TooManyPairs` names the rule with the
    most. Only constants and the SQL the engine wrote go into the queries: no data.
    """
    if max_pairs is not None and max_pairs < 0:
        raise ValueError("max_pairs must be at least 0")
    queries = [sql] if isinstance(sql, str) else list(sql)
    if max_pairs is not None and len(queries) != 1:
        raise ValueError("a cap on pairs needs the blocking as one (streaming) query")
    sql = queries[0]
    limit = "" if max_pairs is None else f" LIMIT {max_pairs + 1}"
    con.execute(f"CREATE TABLE {CANDIDATES_TABLE} AS SELECT * FROM ({sql}){limit}").fetchall()  # noqa: S608
    for more in queries[1:]:
        con.execute(f"INSERT INTO {CANDIDATES_TABLE} SELECT * FROM ({more})").fetchall()  # noqa: S608
    per_rule = _per_rule(con, CANDIDATES_TABLE, len(rules))
    total = sum(per_rule.values())
    if max_pairs is None or total <= max_pairs:
        return CandidateCounts(per_rule, total)
    per_rule = _per_rule(con, f"({sql})", len(rules))
    worst = max(per_rule, key=lambda k: per_rule[k])
    raise TooManyPairs(
        rule=rules[worst],
        rule_index=worst,
        pairs=per_rule[worst],
        total=sum(per_rule.values()),
        limit=max_pairs,
    )


def _per_rule(con: Any, source: str, rules: int) -> dict[int, int]:
    rows = con.execute(
        f"SELECT match_key, count(*) FROM {source} GROUP BY match_key"  # noqa: S608
    ).fetchall()
    per_rule = dict.fromkeys(range(rules), 0)
    per_rule.update({int(k): int(n) for k, n in rows})
    return per_rule
