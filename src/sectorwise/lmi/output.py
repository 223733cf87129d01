"""Write a result table for people (a Rich table) or for programs (CSV, JSON, Parquet, XLSX)."""

from __future__ import annotations

import io
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table


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
) -> None:
    """Write ``table`` in ``fmt`` to ``output``, or to standard output when it is None."""
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
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        text = buffer.getvalue().decode("utf-8")
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
        pq.write_table(table, output)
    elif fmt is OutputFormat.XLSX:
        assert output is not None
        write_xlsx({title or "data": table}, output)


def write_xlsx(sheets: dict[str, pa.Table], output: Path) -> None:
    """One sheet per table, header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, table in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(table.column_names)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.to_pylist():
            sheet.append([_json_value(v) for v in row.values()])
        sheet.freeze_panes = "A2"
    book.save(output)
