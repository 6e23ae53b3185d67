"""Safe publication (threat model 10): hidden cells are known to be at least 1.

Zeros are published, so every withheld cell holds at least one. A line whose withheld cells
add up (by its published margin) to exactly as many as there are of them gives each away:
they are all 1. The same holds for withheld margins against the grand total.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.reporting.disclosure import SafeTable, safe_table

ROWS = ("a", "b", "c")
COLS = ("x", "y", "z")
cell = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60))
tables = st.fixed_dictionaries({(r, c): cell for r in ROWS for c in COLS})


def recoverable(table: SafeTable[str, str]) -> set[tuple[str, str]]:
    """Withheld cells an adversary pins down from the published figures by subtraction and by
    "each withheld figure is at least 1", along rows, columns and the margins (iterated)."""
    known = {k: v for k, v in table.cells.items() if v is not None}
    rows = dict(table.row_totals)
    cols = dict(table.column_totals)

    def settle(values: dict, keys: list, total: int | None) -> bool:
        unknown = [k for k in keys if values[k] is None]
        if total is None or not unknown:
            return False
        rest = total - sum(values[k] for k in keys if values[k] is not None)
        if len(unknown) == 1 or rest == len(unknown):
            for k in unknown:
                values[k] = rest if len(unknown) == 1 else 1
            return True
        return False

    total = table.total
    changed = True
    while changed:
        # The grand total is also the sum of either margin, when all of one are known.
        for margins in (rows, cols):
            if total is None and all(v is not None for v in margins.values()):
                total = sum(margins.values())
        changed = settle(rows, list(ROWS), total) | settle(cols, list(COLS), total)
        grid = {k: known.get(k) for k in table.cells}
        for line, total in itertools.chain(
            (([(r, c) for c in COLS], rows[r]) for r in ROWS),
            (([(r, c) for r in ROWS], cols[c]) for c in COLS),
        ):
            if settle(grid, line, total):
                changed = True
        known.update({k: v for k, v in grid.items() if v is not None})
    return {k for k in known if table.cells[k] is None}


def test_two_hidden_ones_in_a_published_row_are_not_given_away() -> None:
    counts = {(r, c): 20 for r in ROWS for c in COLS}
    counts |= {("a", "x"): 1, ("a", "y"): 1, ("a", "z"): 10}
    table = safe_table(counts, rows=ROWS, columns=COLS, threshold=5)
    assert table.cells[("a", "x")] is None and table.cells[("a", "y")] is None
    assert not recoverable(table)


def test_a_hidden_column_total_is_not_the_grand_total_minus_the_others() -> None:
    counts = {(r, c): 0 for r in ROWS for c in COLS}
    counts |= {("a", "y"): 4, ("a", "z"): 1, ("c", "x"): 1, ("c", "y"): 1, ("c", "z"): 5}
    table = safe_table(counts, rows=ROWS, columns=COLS, threshold=5)
    assert table.column_totals["x"] is None and table.cells[("c", "x")] is None
    assert not recoverable(table)


@settings(max_examples=500)
@given(tables)
def test_no_hidden_cell_is_pinned_down_by_margins_and_the_lower_bound_of_one(counts) -> None:
    table = safe_table(counts, rows=ROWS, columns=COLS, threshold=5)
    leaked = recoverable(table)
    assert not leaked, f"recoverable: {leaked}"
