"""Safe publication (threat model 10): no small count is shown or can be worked out."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.reporting.disclosure import safe_table

ROWS = ("a", "b", "c")
COLS = ("x", "y", "z")
cell = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60))
tables = st.fixed_dictionaries({(r, c): cell for r in ROWS for c in COLS})


def derivable(table) -> set[tuple[str, str]]:
    """Cells an adversary can recover exactly from the published figures by subtraction
    along rows and columns (iterated, since each recovery can enable another)."""
    known = {k: v for k, v in table.cells.items() if v is not None}
    row_totals = dict(table.row_totals)
    col_totals = dict(table.column_totals)
    if table.total is not None:
        for totals, keys in ((row_totals, ROWS), (col_totals, COLS)):
            missing = [k for k in keys if totals[k] is None]
            if len(missing) == 1:
                totals[missing[0]] = table.total - sum(totals[k] for k in keys if k != missing[0])
    found = True
    while found:
        found = False
        for line, total in itertools.chain(
            (([(r, c) for c in COLS], row_totals[r]) for r in ROWS),
            (([(r, c) for r in ROWS], col_totals[c]) for c in COLS),
        ):
            unknown = [k for k in line if k not in known]
            if total is not None and len(unknown) == 1:
                known[unknown[0]] = total - sum(known[k] for k in line if k in known)
                found = True
    return {k for k in known if table.cells[k] is None}


@settings(max_examples=300)
@given(tables)
def test_no_small_cell_is_published_or_derivable(counts) -> None:
    table = safe_table(counts, rows=ROWS, columns=COLS, threshold=5)
    for key, n in counts.items():
        if 0 < n < 5:
            assert table.cells[key] is None
    for value in [*table.row_totals.values(), *table.column_totals.values(), table.total]:
        assert value is None or value == 0 or value >= 5
    leaked = derivable(table)
    assert not leaked, f"recoverable by subtraction: {leaked}"


@given(tables)
def test_published_figures_are_exact(counts) -> None:
    table = safe_table(counts, rows=ROWS, columns=COLS, threshold=5)
    for key, value in table.cells.items():
        assert value is None or value == counts[key]
    if table.total is not None:
        assert table.total == sum(counts.values())


def test_a_table_without_small_cells_is_published_whole() -> None:
    counts = {(r, c): 7 for r in ROWS for c in COLS}
    table = safe_table(counts, rows=ROWS, columns=COLS)
    assert all(v == 7 for v in table.cells.values()) and table.total == 63
