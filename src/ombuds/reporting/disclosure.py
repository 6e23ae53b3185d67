"""Disclosure control for published tables (threat model 10: safe publication).

A published count small enough to point at a person is suppressed. Suppressing one cell is not
enough when margins are published: a row total minus the other cells gives it back. So after the
primary suppression, each row and column with exactly one suppressed cell gets a second one
(the smallest non-zero cell left), repeated until no lone suppressed cell remains. Zeros are
published: an empty cell identifies no one. Hence a suppressed cell is known to hold at least 1,
and suppressed cells of a line that add up to their number (all 1) get another one too.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


@dataclass(frozen=True)
class SafeTable(Generic[R, C]):
    """A two-way table of counts with some cells withheld (``None``) and exact margins.

    Margins are published only when they are zero or at least the threshold.
    """

    rows: tuple[R, ...]
    columns: tuple[C, ...]
    cells: Mapping[tuple[R, C], int | None]
    row_totals: Mapping[R, int | None]
    column_totals: Mapping[C, int | None]
    total: int | None
    threshold: int


def _small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def safe_table(
    counts: Mapping[tuple[R, C], int],
    *,
    rows: tuple[R, ...],
    columns: tuple[C, ...],
    threshold: int = 5,
) -> SafeTable[R, C]:
    """Suppress cells in ``0 < n < threshold`` and enough others that none can be derived."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    full = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in columns}
    withheld = {key for key, n in full.items() if _small(n, threshold)}
    row_total = {r: sum(full[(r, c)] for c in columns) for r in rows}
    col_total = {c: sum(full[(r, c)] for r in rows) for c in columns}
    hidden_rows = {r for r in rows if _small(row_total[r], threshold)}
    hidden_cols = {c for c in columns if _small(col_total[c], threshold)}
    # A lone withheld cell in a line whose margin is published is recoverable by subtraction:
    # withhold a second cell (the smallest non-zero one), or the margin when there is none.
    changed = True
    while changed:
        changed = False
        lines: list[tuple[list[tuple[R, C]], R | None, C | None]] = [
            ([(r, c) for c in columns], r, None) for r in rows if r not in hidden_rows
        ]
        lines += [([(r, c) for r in rows], None, c) for c in columns if c not in hidden_cols]
        for line, row, col in lines:
            hidden = [k for k in line if k in withheld]
            # Zeros are published, so each withheld cell holds at least 1: withheld cells that
            # add up to exactly their number are all 1, as readable as a lone one.
            if not hidden or (len(hidden) > 1 and sum(full[k] for k in hidden) > len(hidden)):
                continue
            candidates = sorted((full[k], k) for k in line if k not in withheld and full[k] > 0)
            if candidates:
                withheld.add(candidates[0][1])
            elif row is not None:
                hidden_rows.add(row)
            elif col is not None:
                hidden_cols.add(col)
            changed = True
            break
    grand = sum(full.values())
    # A hidden margin among published ones is the grand total minus the others, and hiding the
    # grand total does not help while the other side's margins are all published (their sum is
    # it). So one hidden margin hides every non-zero margin of its side (rows or columns), and
    # the grand total. Without row totals, rows give no equation: what stays published is
    # the columns' (and the other way round), whose lines the loop above already made safe.
    if hidden_rows:
        hidden_rows = {r for r in rows if row_total[r]}
    if hidden_cols:
        hidden_cols = {c for c in columns if col_total[c]}
    hide_grand = _small(grand, threshold) or bool(hidden_rows) or bool(hidden_cols)
    return SafeTable(
        rows=rows,
        columns=columns,
        cells={k: (None if k in withheld else n) for k, n in full.items()},
        row_totals={r: None if r in hidden_rows else t for r, t in row_total.items()},
        column_totals={c: None if c in hidden_cols else t for c, t in col_total.items()},
        total=None if hide_grand else grand,
        threshold=threshold,
    )
