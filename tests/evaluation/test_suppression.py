"""Small-cell suppression: primary, complementary, and never undone by the totals (checked by an LP written
here, independently of the module's audit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sectorwise.evaluation import suppress_table


def _range_of_each_hidden_entry(
    extended: np.ndarray, hidden: np.ndarray
) -> dict[tuple[int, int], tuple[float, float]]:
    """Min and max of each hidden entry over every non-negative (r+1) x (c+1) table that equals the shown
    entries and in which each row's and column's last entry is the sum of the others. One variable per entry
    of the whole table; shown entries are pinned by their bounds."""
    height, width = extended.shape
    size = height * width
    equations = []
    for i in range(height):
        row = np.zeros(size)
        row[i * width : (i + 1) * width - 1] = 1
        row[i * width + width - 1] = -1
        equations.append(row)
    for j in range(width):
        column = np.zeros(size)
        for i in range(height - 1):
            column[i * width + j] = 1
        column[(height - 1) * width + j] = -1
        equations.append(column)
    a_eq = np.array(equations)
    bounds = [
        (0, None) if hidden[i, j] else (float(extended[i, j]), float(extended[i, j]))
        for i in range(height)
        for j in range(width)
    ]
    ranges = {}
    for i, j in zip(*np.nonzero(hidden), strict=True):
        objective = np.zeros(size)
        objective[i * width + j] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=np.zeros(len(equations)), bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=np.zeros(len(equations)), bounds=bounds, method="highs")
        assert low.status == 0
        ranges[(int(i), int(j))] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return ranges


def _extended(counts: np.ndarray) -> np.ndarray:
    table = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    table[:-1, :-1] = counts
    table[:-1, -1] = counts.sum(axis=1)
    table[-1, :-1] = counts.sum(axis=0)
    table[-1, -1] = counts.sum()
    return table


def test_a_lone_small_cell_gets_a_partner_in_its_row_and_column() -> None:
    result = suppress_table([[20, 3, 40], [15, 30, 25], [12, 18, 50]])
    assert result.primary == {(0, 1)}
    # Row 0: the smallest other cell is 20 (0, 0); column 1: 18 (2, 1); then row 2 and column 0 need
    # partners too: (2, 0) = 12 closes the rectangle.
    assert result.complementary == {(0, 0), (2, 1), (2, 0)}
    frame = result.to_frame()
    assert frame.loc[0, 2] == 40 and frame.loc["Total", "Total"] == 213
    assert pd.isna(frame.loc[0, 1]) and pd.isna(frame.loc[2, 0])


def test_labels_and_small_totals() -> None:
    counts = pd.DataFrame([[4, 3], [30, 40]], index=["low income", "other"], columns=["before", "after"])
    result = suppress_table(counts)
    # The low-income row total (7) is small too; its column of totals then needs a second hidden entry.
    assert (0, 2) in result.primary
    frame = result.to_frame()
    assert list(frame.index) == ["low income", "other", "Total"]
    # Columns 0 and 1 each need a second cell (30 and 40); the row totals' column needs a second total (70).
    assert frame.iloc[:2].isna().all().all()
    assert frame.loc["Total"].tolist() == [34, 43, 77]
    ranges = _range_of_each_hidden_entry(_extended(counts.to_numpy()), frame.isna().to_numpy())
    assert all(low < high for low, high in ranges.values())


def test_the_line_rule_alone_would_leave_a_bridge_cell_derivable() -> None:
    # Two blocks of small cells joined by one small cell (0, 2): every line has two hidden cells, yet
    # (0, 2) follows from the shown totals. The audit must hide more.
    counts = np.array(
        [
            [5, 5, 5, 30, 30],
            [5, 5, 30, 30, 30],
            [30, 30, 5, 5, 30],
            [30, 30, 5, 5, 30],
        ]
    )
    hidden_by_line_rule = _extended(counts) < 10
    ranges = _range_of_each_hidden_entry(_extended(counts), hidden_by_line_rule)
    assert ranges[(0, 2)][0] == ranges[(0, 2)][1], "the example must show the line rule's gap"
    result = suppress_table(counts)
    hidden = np.array([[value is None for value in row] for row in result.shown])
    ranges = _range_of_each_hidden_entry(_extended(counts), hidden)
    assert all(low < high for low, high in ranges.values())
    assert result.complementary


def test_refuses_negative_or_fractional_counts() -> None:
    with pytest.raises(ValueError, match="non-negative whole numbers"):
        suppress_table([[1, -2], [3, 4]])
    with pytest.raises(ValueError, match="non-negative whole numbers"):
        suppress_table([[1.5, 2], [3, 4]])
    with pytest.raises(ValueError, match="two-way table"):
        suppress_table([1, 2, 3])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda columns: st.lists(
                st.lists(st.integers(0, 40), min_size=columns, max_size=columns), min_size=rows, max_size=rows
            )
        )
    ),
    st.integers(1, 15),
)
def test_no_hidden_figure_can_be_derived_from_what_is_shown(counts: list[list[int]], minimum: int) -> None:
    matrix = np.array(counts)
    result = suppress_table(matrix, minimum=minimum)
    extended = _extended(matrix)
    hidden = np.array([[value is None for value in row] for row in result.shown])
    # Primary: every figure under the minimum is hidden; shown figures are the true ones.
    assert ((extended < minimum) <= hidden).all()
    assert all(
        value == extended[i, j]
        for i, row in enumerate(result.shown)
        for j, value in enumerate(row)
        if value is not None
    )
    assert result.hidden == {(int(i), int(j)) for i, j in zip(*np.nonzero(hidden), strict=True)}
    # No line is left with exactly one hidden entry, and no hidden entry is pinned down by the rest.
    assert all(row.sum() != 1 for row in hidden) and all(column.sum() != 1 for column in hidden.T)
    for position, (low, high) in _range_of_each_hidden_entry(extended, hidden).items():
        assert low < high, f"hidden entry {position} is derivable: {low} = {high}"
