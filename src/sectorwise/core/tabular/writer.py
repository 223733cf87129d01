"""Writing tables for every app's exports: the one defusing CSV/XLSX writer is ``sectorwise.tabular_io``
(pure, shared with the LMI command line's tables); these are the shapes the web's exports use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sectorwise import tabular_io

FORMULA_PREFIXES = tabular_io.FORMULA_PREFIXES
DEFUSING_QUOTE = tabular_io.DEFUSING_QUOTE
needs_defusing = tabular_io.needs_defusing
defused = tabular_io.defused
undefused = tabular_io.undefused


def table_to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in chunks (a streaming response can send it as it is produced); formulas defused."""
    return tabular_io.csv_chunks(columns, rows)


def table_to_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> bytes:
    """One sheet, every cell written as a value (text never becomes a formula); formulas defused."""
    return tabular_io.xlsx_bytes({sheet: (columns, rows)})
