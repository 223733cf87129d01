"""Reading tables (CSV, XLSX) for every app's imports, bounded as the file streams.

Knows nothing of what the table holds. A file is refused with a ``TableReadError`` that says which limit it
hit; no malformed file raises anything else. Writing is ``sectorwise.tabular_io`` (see ``writer``).

Why the bounds are checked while reading rather than after: an XLSX of 5 KB can declare a sheet of
1,048,576 x 16,384 cells, and a reader that trusts the declared dimension (or pads rows to it) works for
an hour before it sees a single value. The sheet's XML is therefore parsed here, element by element, with
defusedxml (no entity expansion: a "billion laughs" file is refused, not expanded), and every row and cell
is counted against the limits and a deadline.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import IO, Any, Final

from sectorwise import tabular_io

HEADER_ROW: Final = 1


@dataclass(frozen=True)
class TableLimits:
    max_rows: int = 50_000
    """Data rows (the header excluded)."""
    max_blank_rows: int = 1_000
    """Blank rows read on top of ``max_rows``: they cost reading too, so they are counted."""
    max_columns: int = 200
    max_cell_chars: int = 10_000
    max_seconds: float = 20.0
    """Wall-clock deadline for reading the whole file, checked as it streams."""
    max_unpacked_bytes: int = 200 * 1024 * 1024
    """XLSX: what the zip's members may unpack to, together (a zip bomb is refused before it is opened)."""


DEFAULT_LIMITS: Final = TableLimits()


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class TableReadError(ValueError):
    """The file as a whole cannot be read: wrong format, not UTF-8, damaged, or beyond a limit."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    """Column names, lower-cased, trailing blank names dropped."""
    records: list[tuple[int, dict[str, str]]]
    """(row number as the spreadsheet shows it, column -> text); blank rows left out."""


def table_format_of(filename: str) -> TableFormat:
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    try:
        return TableFormat(suffix)
    except ValueError:
        raise TableReadError(f"{filename}: expected a .csv or .xlsx file") from None


# Cells are read back through the writer's ``undefused``: an exported, edited and imported file round-trips.
undefused = tabular_io.undefused


# Reading ------------------------------------------------------------------------------------------------


class _Budget:
    """Counts rows, columns, cell lengths and time against the limits; raises naming the one hit."""

    def __init__(self, filename: str, limits: TableLimits) -> None:
        self.filename = filename
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.rows_read = 0
        self.last_row = 0
        self.max_row_number = HEADER_ROW + limits.max_rows + limits.max_blank_rows

    def row(self, number: int) -> None:
        self.rows_read += 1
        self.last_row = number
        if number > self.max_row_number or self.rows_read > self.max_row_number:
            raise TableReadError(
                f"{self.filename}: more than {self.limits.max_rows:,} rows (row {number:,} found; "
                f"blank rows count too beyond {self.limits.max_blank_rows:,}); split the file"
            )
        if self.rows_read % 64 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TableReadError(
                f"{self.filename}: reading took longer than {self.limits.max_seconds:g} seconds "
                f"(stopped at row {self.last_row:,}); split the file"
            )

    def column(self, number: int) -> None:
        if number > self.limits.max_columns:
            raise TableReadError(
                f"{self.filename}, row {self.last_row:,}: more than {self.limits.max_columns} columns "
                f"(a value in column {number:,})"
            )

    def cell(self, text: str, column: int) -> None:
        if len(text) > self.limits.max_cell_chars:
            raise TableReadError(
                f"{self.filename}, row {self.last_row:,}, column {column}: a cell longer than "
                f"{self.limits.max_cell_chars:,} characters"
            )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_rows(filename: str, content: bytes, budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableReadError(
            f"{filename}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    number = HEADER_ROW - 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The csv module's own field limit (131,072) is above ours: its error means a cell too long.
            if "field larger than field limit" in str(error):
                raise TableReadError(
                    f"{filename}, row {number + 1:,}: a cell longer than "
                    f"{budget.limits.max_cell_chars:,} characters"
                ) from None
            raise TableReadError(f"{filename}, row {number + 1:,}: not readable as CSV ({error})") from None
        number += 1
        budget.row(number)
        if len(values) > budget.limits.max_columns:
            while values and not values[-1]:
                values.pop()
            budget.column(len(values))
        for column, value in enumerate(values, start=1):
            budget.cell(value, column)
        yield number, values


def _xlsx_rows(filename: str, content: bytes, budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TableReadError(f"{filename}: not a readable XLSX workbook ({error})") from None
    if unpacked > budget.limits.max_unpacked_bytes:
        raise TableReadError(
            f"{filename}: unpacks to {unpacked:,} bytes, more than "
            f"{budget.limits.max_unpacked_bytes:,}; split the file"
        )
    try:
        yield from _xlsx_sheet_rows(filename, content, budget)
    except TableReadError:
        raise
    except Exception as error:  # damaged zips and XML raise many kinds (zlib, XML, key, index, value)
        where = f", row {budget.last_row + 1:,}" if budget.last_row else ""
        raise TableReadError(
            f"{filename}{where}: not a readable XLSX workbook ({type(error).__name__}: {error})"
        ) from None


def _xlsx_sheet_rows(filename: str, content: bytes, budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from defusedxml.ElementTree import iterparse
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    if not openpyxl.DEFUSEDXML:  # openpyxl parses shared strings and styles; it must do so defused
        raise RuntimeError("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off)")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, key) for a file that is not XLSX
        raise TableReadError(f"{filename}: not a readable XLSX workbook ({error})") from None
    try:
        if not workbook.worksheets:
            raise TableReadError(f"{filename}: the workbook has no sheet")
        sheet = workbook.worksheets[0]
        # openpyxl's private parts below (the sheet's XML stream, its shared strings, the workbook's date
        # formats) are what its own reader passes to WorkSheetParser; no public API gives them.
        source: IO[bytes] = sheet._get_source()  # type: ignore[attr-defined]  # openpyxl private
        with source:
            # openpyxl's cell parser turns one <c> into its value (shared strings, dates by style); the
            # walk over rows and cells, and so every bound, is ours: openpyxl's own iterator pads rows to
            # the declared dimension and the last column used.
            cells = WorkSheetParser(
                source,
                sheet._shared_strings,  # type: ignore[attr-defined]  # openpyxl private
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,  # type: ignore[attr-defined]  # openpyxl private
                timedelta_formats=workbook._timedelta_formats,  # type: ignore[attr-defined]  # openpyxl private
            )
            number = HEADER_ROW - 1
            seen_cells = 0
            values: dict[int, str] = {}
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == ROW_TAG:
                        reference = element.get("r")
                        number = int(reference) if reference else number + 1
                        budget.row(number)
                        cells.row_counter, cells.col_counter = number, 0
                        values = {}
                    continue
                if tag == CELL_TAG:
                    cell = cells.parse_cell(element)
                    element.clear()
                    text = _cell_text(cell["value"])
                    if text:
                        column = int(cell["column"])
                        budget.column(column)
                        budget.cell(text, column)
                        values[column] = text
                    seen_cells += 1
                    if seen_cells % 256 == 0:
                        budget.check_time()
                elif tag == ROW_TAG:
                    element.clear()
                    width = max(values, default=0)
                    yield number, [values.get(column, "") for column in range(1, width + 1)]
    finally:
        workbook.close()


def iter_table_rows(
    *, filename: str, content: bytes, limits: TableLimits = DEFAULT_LIMITS
) -> Iterator[tuple[int, list[str]]]:
    """(row number, raw cell texts) for every row read, blank ones included; bounded by ``limits``."""
    budget = _Budget(filename, limits)
    if table_format_of(filename) is TableFormat.CSV:
        return _csv_rows(filename, content, budget)
    return _xlsx_rows(filename, content, budget)


def read_table(*, filename: str, content: bytes, limits: TableLimits = DEFAULT_LIMITS) -> Table:
    """The header (lower-cased) and the data rows as (spreadsheet row number, column -> text).

    Cells are read back through ``undefused``; blank rows are skipped (their numbers too, so that numbers
    stay those the spreadsheet shows).
    """
    header: list[str] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    for number, values in iter_table_rows(filename=filename, content=content, limits=limits):
        cells = [undefused(value) for value in values]
        if header is None:
            if not any(cells):
                raise TableReadError(f"{filename}: empty file (the first row must name the columns)")
            header = [cell.lower() for cell in cells]
            while header and not header[-1]:
                header.pop()
            continue
        if not any(cells):
            continue
        if len(records) >= limits.max_rows:
            raise TableReadError(f"{filename}: more than {limits.max_rows:,} rows; split the file")
        padded = cells + [""] * (len(header) - len(cells))
        records.append((number, dict(zip(header, padded, strict=False))))
    if not header:
        raise TableReadError(f"{filename}: empty file (the first row must name the columns)")
    return Table(header=header, records=records)
