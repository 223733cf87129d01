"""A terminal table that fits the terminal: fewer columns when narrow, never a cut or wrapped number.

Rich shrinks a table wider than the console by wrapping its cells, which splits a figure such as 27,764
over two lines. Instead, columns are left out whole, least important first (the caller's order), until the
table's natural width fits; identifiers and the main figures are never left out. Files (CSV, JSON,
Parquet, XLSX) always carry every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa
    from rich.console import Console


def natural_width(table: pa.Table, console: Console) -> int:
    """The width the terminal table of ``table`` takes without wrapping any cell."""
    from rich.measure import Measurement

    from sectorwise.lmi.output import rich_table

    # Measured as if the terminal had no edge: Rich clamps a measurement to the console's width.
    unbounded = console.options.update_width(1_000_000)
    return Measurement.get(console, unbounded, rich_table(table)).maximum


def fit_columns(
    table: pa.Table, width: int, *, droppable: Sequence[str], console: Console
) -> tuple[pa.Table, list[str]]:
    """``table`` without as many of ``droppable`` (first = left out first) as it takes to be at most
    ``width`` characters wide, and the columns left out. Others are kept even when still too wide."""
    dropped: list[str] = []
    for name in droppable:
        if natural_width(table, console) <= width:
            break
        if name in table.column_names:
            table = table.drop_columns([name])
            dropped.append(name)
    return table, dropped
