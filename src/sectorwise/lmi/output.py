"""Write a result table for people (a Rich table) or for programs (CSV, JSON, Parquet, XLSX)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from sectorwise.tabular_io import ColumnKind, Provenance, csv_text
from sectorwise.tabular_io import write_xlsx as write_defused_xlsx

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow is imported where a table is written, not here: the commands' options import OutputFormat, and
# `sectorwise lmi COMMAND --help` should not wait for Arrow.


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    XLSX = "xlsx"


BINARY_FORMATS = (OutputFormat.PARQUET, OutputFormat.XLSX)


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def rich_table(table: pa.Table, *, title: str | None = None, max_rows: int | None = None) -> Table:
    """A readable terminal table: thousands separators, right-aligned numbers."""
    import pyarrow as pa

    out = Table(title=title, show_lines=False, header_style="bold")
    for field in table.schema:
        numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
        out.add_column(field.name, justify="right" if numeric else "left")
    rows = table.to_pylist()
    shown = rows if max_rows is None else rows[:max_rows]
    for row in shown:
        out.add_row(*(_cell_text(v) for v in row.values()))
    if max_rows is not None and len(rows) > max_rows:
        out.caption = f"{len(rows) - max_rows:,} more rows not shown; use --format csv -o FILE for all"
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_table(
    table: pa.Table,
    fmt: OutputFormat,
    output: Path | None,
    *,
    title: str | None = None,
    console: Console | None = None,
    column_kinds: Mapping[str, ColumnKind | str] | None = None,
    provenance: Provenance | None = None,
) -> None:
    """Write ``table`` in ``fmt`` to ``output``, or to standard output when it is None.

    XLSX: number formats by column kind (``column_kinds``, else inferred from the names), fitted widths, a
    frozen header and a README sheet from ``provenance`` (by default the command line, version and time
    only: a command that knows its QCEW period, warehouse or OEWS release passes a fuller one)."""
    console = console or Console()
    if fmt in BINARY_FORMATS and output is None:
        raise ValueError(f"--format {fmt.value} writes a binary file: give it with -o FILE")
    if fmt is OutputFormat.TABLE:
        if output is None:
            console.print(rich_table(table, title=title))
        else:
            with output.open("w", encoding="utf-8") as handle:
                Console(file=handle, width=250).print(rich_table(table, title=title))
    elif fmt is OutputFormat.CSV:
        # Through the one defusing writer: a region or industry title such as "=..." must not run when the
        # file is opened in a spreadsheet.
        text = csv_text(table.column_names, _rows(table, _csv_value))
        if output is None:
            console.file.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    elif fmt is OutputFormat.JSON:
        rows = [{k: _json_value(v) for k, v in row.items()} for row in table.to_pylist()]
        text = json.dumps(rows, indent=1)
        if output is None:
            console.file.write(text + "\n")
        else:
            output.write_text(text + "\n", encoding="utf-8")
    elif fmt is OutputFormat.PARQUET:
        assert output is not None
        import pyarrow.parquet as pq

        pq.write_table(table, output)
    elif fmt is OutputFormat.XLSX:
        assert output is not None
        write_xlsx({title or "data": table}, output, column_kinds=column_kinds, provenance=provenance)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"  # as pyarrow's CSV writer wrote them before
    return _json_value(value)


def _rows(table: pa.Table, convert: Callable[[Any], Any]) -> Iterator[list[Any]]:
    for row in table.to_pylist():
        yield [convert(value) for value in row.values()]


def write_xlsx(
    sheets: dict[str, pa.Table],
    output: Path,
    *,
    column_kinds: Mapping[str, ColumnKind | str] | None = None,
    provenance: Provenance | None = None,
) -> None:
    """One sheet per table, header row bold and frozen, number formats and widths; text a spreadsheet would
    run is defused; a README sheet from ``provenance`` (default: this run's command line, version, time)."""
    write_defused_xlsx(
        output,
        {name: (table.column_names, _rows(table, _json_value)) for name, table in sheets.items()},
        column_kinds=column_kinds,
        provenance=provenance or Provenance.of_this_run(),
    )
