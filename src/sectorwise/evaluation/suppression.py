"""Small-cell suppression of a two-way table of counts with its totals: primary and complementary.

Primary: every figure (cell or total) from fewer than ``minimum`` units is hidden. Complementary: more cells
are hidden so that no hidden figure can be worked out from the shown ones by adding and subtracting along
rows and columns. The table is handled with its margins as one (r+1) x (c+1) table in which every line (a
row or a column, the totals' row and column included) adds up: its last entry is the sum of the others.

1. The line rule (the usual practice of statistical offices, e.g. the U.S. Federal Committee on Statistical
   Methodology's "Report on Statistical Disclosure Limitation Methodology", Working Paper 22, 2005, ch. 4):
   a line with exactly one hidden entry gets a second one, its smallest shown interior cell (a total only
   when the line has no shown cell left); repeated until no line has exactly one.
2. The line rule alone is not enough: a hidden cell joining two otherwise separate groups of hidden cells
   can still be derived. So each hidden entry is then audited by linear programming (HiGHS through
   ``scipy.optimize.linprog``): its minimum and maximum over all non-negative tables that agree with every
   shown figure and add up. Where they are equal the entry is exposed, and the smallest shown cell of its
   row or column is hidden too; then the line rule and the audit run again, to a fixed point. Because the
   constraint matrix of a two-way table is totally unimodular, the LP bounds are integers, so "min < max"
   means at least two whole-number tables fit what is shown.

Meant for report-sized tables (tens to a few hundred cells): the audit solves two small LPs per hidden entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from sectorwise.evaluation.statistics import DEFAULT_MINIMUM, is_suppressed

TOTAL_LABEL = "Total"


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A table of counts with totals, as it may be shown.

    ``shown[i][j]`` for i < rows and j < columns is a cell, ``shown[i][columns]`` a row total,
    ``shown[rows][j]`` a column total and ``shown[rows][columns]`` the grand total; ``None`` where hidden.
    ``primary`` and ``complementary`` list the hidden positions (same coordinates) and why.
    """

    shown: tuple[tuple[int | None, ...], ...]
    primary: frozenset[tuple[int, int]]
    complementary: frozenset[tuple[int, int]]
    minimum: int
    row_labels: tuple[Any, ...]
    column_labels: tuple[Any, ...]

    @property
    def hidden(self) -> frozenset[tuple[int, int]]:
        """Every hidden position, primary or complementary."""
        return self.primary | self.complementary

    def to_frame(self) -> pd.DataFrame:
        """The shown table as a DataFrame of nullable integers (``<NA>`` where hidden), with a ``Total``
        row and column."""
        return pd.DataFrame(
            [[pd.NA if value is None else value for value in row] for row in self.shown],
            index=[*self.row_labels, TOTAL_LABEL],
            columns=[*self.column_labels, TOTAL_LABEL],
        ).astype("Int64")


def _extended(counts: np.ndarray) -> np.ndarray:
    rows, columns = counts.shape
    table = np.zeros((rows + 1, columns + 1), dtype=np.int64)
    table[:rows, :columns] = counts
    table[:rows, columns] = counts.sum(axis=1)
    table[rows, :columns] = counts.sum(axis=0)
    table[rows, columns] = counts.sum()
    return table


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    height, width = shape
    return [[(i, j) for j in range(width)] for i in range(height)] + [
        [(i, j) for i in range(height)] for j in range(width)
    ]


def _second_hidden(
    line: list[tuple[int, int]], table: np.ndarray, hidden: np.ndarray
) -> tuple[int, int] | None:
    """The shown entry of ``line`` to hide next: the smallest interior cell, else the smallest total."""
    last_row, last_column = table.shape[0] - 1, table.shape[1] - 1
    candidates = [position for position in line if not hidden[position]]
    if not candidates:
        return None
    interior = [(i, j) for i, j in candidates if i != last_row and j != last_column]
    pool = interior or candidates
    return min(pool, key=lambda position: (int(table[position]), position))


def _apply_line_rule(table: np.ndarray, hidden: np.ndarray, complementary: set[tuple[int, int]]) -> None:
    lines = _lines(table.shape)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(bool(hidden[position]) for position in line) == 1:
                chosen = _second_hidden(line, table, hidden)
                if chosen is not None:
                    hidden[chosen] = True
                    complementary.add(chosen)
                    changed = True


def completion_bounds(shown: np.ndarray, hidden: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
    """For each hidden entry of an extended table (cells plus totals), its minimum and maximum over all
    non-negative completions that agree with the shown entries and add up along every line.

    ``shown`` holds the extended table (its values at hidden positions are ignored); ``hidden`` is a boolean
    mask of the same shape. An unbounded maximum is ``inf``. Solved with HiGHS (``scipy.optimize.linprog``).
    """
    positions = [(int(i), int(j)) for i, j in np.argwhere(hidden)]
    if not positions:
        return {}
    index = {position: k for k, position in enumerate(positions)}
    height, width = shown.shape
    lines = _lines((height, width))
    equations = lil_matrix((len(lines), len(positions)))
    right = np.zeros(len(lines))
    for row, line in enumerate(lines):
        # The line's last entry is its total: sum of the others minus the total is 0.
        *parts, total = line
        for sign, position in [(1.0, p) for p in parts] + [(-1.0, total)]:
            if hidden[position]:
                equations[row, index[position]] = sign
            else:
                right[row] -= sign * float(shown[position])
    a_eq = equations.tocsr()
    bounds: dict[tuple[int, int], tuple[float, float]] = {}
    for position, k in index.items():
        objective = np.zeros(len(positions))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=right, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=right, bounds=(0, None), method="highs")
        if low.status != 0:
            raise RuntimeError(f"suppression audit: the shown table has no completion ({low.message})")
        upper = float("inf") if high.status == 3 else -float(high.fun)
        bounds[position] = (float(low.fun), upper)
    return bounds


def suppress_table(
    counts: Sequence[Sequence[int]] | np.ndarray | pd.DataFrame,
    *,
    minimum: int = DEFAULT_MINIMUM,
) -> SuppressedTable:
    """Primary and complementary suppression of a two-way table of non-negative counts and its totals.

    Every cell or total under ``minimum`` is hidden (primary); then the line rule and the LP audit described
    in the module's docstring hide more cells until no hidden figure can be derived from what is shown
    (complementary). A DataFrame's index and columns become the labels.
    """
    if isinstance(counts, pd.DataFrame):
        row_labels: tuple[Any, ...] = tuple(counts.index)
        column_labels: tuple[Any, ...] = tuple(counts.columns)
        values = counts.to_numpy()
    else:
        values = np.asarray(counts)
        row_labels = column_labels = ()
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"expected a non-empty two-way table, got shape {values.shape}")
    if pd.isna(values).any() or not np.all(np.equal(np.mod(values, 1), 0)) or (values < 0).any():
        raise ValueError("counts must be non-negative whole numbers")
    matrix = values.astype(np.int64)
    if not row_labels:
        row_labels = tuple(range(matrix.shape[0]))
        column_labels = tuple(range(matrix.shape[1]))
    table = _extended(matrix)
    hidden = np.vectorize(lambda v: is_suppressed(int(v), minimum=minimum))(table).astype(bool)
    primary = {tuple(int(v) for v in p) for p in np.argwhere(hidden)}
    complementary: set[tuple[int, int]] = set()
    while True:
        _apply_line_rule(table, hidden, complementary)
        exposed = [p for p, (low, high) in completion_bounds(table, hidden).items() if low == high]
        if not exposed:
            break
        # One at a time: hiding one cell often protects the other exposed entries too.
        i, j = min(exposed)
        line = [(i, k) for k in range(table.shape[1])] + [(k, j) for k in range(table.shape[0])]
        chosen = _second_hidden(line, table, hidden)
        if chosen is None:
            # Its row and column are hidden already (non-negativity pins it, e.g. a row of zeros whose
            # total follows from the others): hide the smallest shown entry anywhere. Terminates: with
            # nothing shown, nothing is bounded above.
            everywhere = [(int(a), int(b)) for a, b in np.argwhere(~hidden)]
            chosen = _second_hidden(everywhere, table, hidden)
            if chosen is None:  # pragma: no cover - with nothing shown no entry is exposed
                raise RuntimeError("suppression audit: an exposed entry with nothing left to hide")
        hidden[chosen] = True
        complementary.add(chosen)
    shown = tuple(
        tuple(None if hidden[i, j] else int(table[i, j]) for j in range(table.shape[1]))
        for i in range(table.shape[0])
    )
    return SuppressedTable(
        shown,
        frozenset((int(i), int(j)) for i, j in primary),
        frozenset(complementary),
        minimum,
        row_labels,
        column_labels,
    )
