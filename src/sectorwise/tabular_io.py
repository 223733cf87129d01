"""Writing tables people open in a spreadsheet (CSV, XLSX), with formula defusal: one writer for the web's
exports and the LMI command line's result tables.

Pure (no Django; an import-linter contract keeps it so): ``sectorwise.lmi`` and the web apps both import it.
Why one writer: a value such as ``=HYPERLINK(...)`` in an organisation's name or a region's name is run by
Excel or LibreOffice when the file is opened; every file Sectorwise writes for a spreadsheet must therefore
quote such text, and two writers would sooner or later disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

#: A cell starting with one of these is run as a formula by some spreadsheet (full-width forms included:
#: Excel folds them to ASCII in a formula). Leading whitespace too: LibreOffice and Excel skip it.
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
DEFUSING_QUOTE: Final = "'"
#: Excel's sheet-name limit.
SHEET_NAME_MAX: Final = 31
_SHEET_NAME_FORBIDDEN: Final = frozenset("[]:*?/\\")
_CSV_CHUNK_ROWS: Final = 500

#: Sheet name -> (column names, rows).
Sheets = Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]


def needs_defusing(text: str) -> bool:
    """True when a spreadsheet could run ``text`` as a formula, or when the quote is needed to read it back.

    A value starting with the quote itself is quoted too, and so is one with whitespace at either end (the
    import trims unquoted cells): that makes ``undefused(defused(v)) == v`` for every string.
    """
    if not text:
        return False
    return (
        text.startswith(FORMULA_PREFIXES)
        or text.startswith(DEFUSING_QUOTE)
        or text[0].isspace()
        or text[-1].isspace()
    )


def defused(value: Any) -> Any:
    """The value as a file for spreadsheets holds it: text a spreadsheet would run gets a leading quote;
    None and NaN become an empty cell. Numbers, dates and booleans stay what they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str) and needs_defusing(value):
        return DEFUSING_QUOTE + value
    return value


def undefused(text: str) -> str:
    """A cell as the import reads it: the exporter's quote taken off, else surrounding whitespace trimmed."""
    if text.startswith(DEFUSING_QUOTE) and needs_defusing(text[1:]):
        return text[1:]
    return text.strip()


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet name: none of ``[]:*?/\\``, at most 31 characters, not blank (a
    result table's title carries a region's name, which may hold any of them)."""
    cleaned = "".join("-" if char in _SHEET_NAME_FORBIDDEN else char for char in title).strip("' ")
    return cleaned[:SHEET_NAME_MAX] or "data"


def _xlsx_value(value: Any) -> Any:
    cell = defused(value)
    if cell == "":
        return None  # an empty cell, not an empty string
    if isinstance(cell, dt.datetime) and cell.tzinfo is not None:
        return cell.replace(tzinfo=None)  # openpyxl refuses aware datetimes
    return cell


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in chunks (a streaming response can send it as it is produced); every cell defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defused(name) for name in columns])
    for number, row in enumerate(rows, start=1):
        writer.writerow([defused(value) for value in row])
        if number % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(csv_chunks(columns, rows))


class _Sheet(Protocol):
    def append(self, iterable: Iterable[Any]) -> None: ...


def append_rows(sheet: _Sheet, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """The header and the rows into an openpyxl worksheet, every cell a defused value (never a formula).
    For workbooks that hold more than tables (the assessment adds chart images)."""
    sheet.append([_xlsx_value(name) for name in columns])
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])


def xlsx_bytes(sheets: Sheets, *, bold_header: bool = False) -> bytes:
    """A workbook with one sheet per (columns, rows), names cut to Excel's 31 characters; cells defused.

    ``bold_header`` also freezes the header row (the command line's tables); exports stay a streaming
    (write-only) workbook, which cannot style cells.
    """
    from openpyxl import Workbook

    if bold_header:
        from openpyxl.styles import Font

        book = Workbook()
        book.remove(book.active)  # type: ignore[arg-type]  # openpyxl's stub: active may be None
        for name, (columns, rows) in sheets.items():
            sheet = book.create_sheet(title=sheet_name(name))
            append_rows(sheet, columns, rows)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
    else:
        book = Workbook(write_only=True)
        for name, (columns, rows) in sheets.items():
            append_rows(book.create_sheet(title=sheet_name(name)), columns, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(
    path: Path,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]],
    *,
    bold_header: bool = True,
) -> None:
    path.write_bytes(xlsx_bytes(sheets, bold_header=bold_header))
