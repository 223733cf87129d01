"""Writing tables people open in a spreadsheet (CSV, XLSX), with formula defusal: one writer for the web's
exports and the LMI command line's result tables.

Pure (no Django; an import-linter contract keeps it so): ``sectorwise.lmi`` and the web apps both import it.
Why one writer: a value such as ``=HYPERLINK(...)`` in an organisation's name or a region's name is run by
Excel or LibreOffice when the file is opened; every file Sectorwise writes for a spreadsheet must therefore
quote such text, and two writers would sooner or later disagree.

Styled workbooks (the command line's result tables) also get a number format per column from its kind
(``ColumnKind``: given by the caller, else inferred from the column's name, see ``infer_column_kind``), column
widths fitted to the content, a bold frozen header row and, given a ``Provenance``, a README sheet saying
where the figures come from (QCEW period, warehouse, OEWS release) and who made the file (command, version,
when).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

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

README_SHEET: Final = "README"
#: Fitted column widths stay within these (characters); a long title is cut off on screen, not in the cell.
MIN_COLUMN_WIDTH: Final = 6
MAX_COLUMN_WIDTH: Final = 60


class ColumnKind(StrEnum):
    """What a column holds, which decides its number format in a styled workbook."""

    COUNT = "count"  # jobs, establishments: 12,345
    MONEY = "money"  # wages, pay, contributions (whole dollars): $1,234
    RATIO = "ratio"  # location quotients, wage ratios: 1.23
    PERCENT = "percent"  # a share held as a fraction: 0.062 shows 6.2%
    # A percent change as BLS publishes it, in percent points: 6.2 shows 6.2% (a "%" format would
    # multiply it by 100).
    PERCENT_POINTS = "percent_points"
    TEXT = "text"  # codes and names: kept as text ("01001" stays "01001")


NUMBER_FORMATS: Final[Mapping[ColumnKind, str]] = {
    ColumnKind.COUNT: "#,##0",
    ColumnKind.MONEY: '"$"#,##0',
    ColumnKind.RATIO: "0.00",
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.PERCENT_POINTS: '0.0"%"',
    ColumnKind.TEXT: "@",
}

_MONEY_WORDS: Final = frozenset({"wage", "wages", "pay", "contributions", "payroll", "earnings"})
_COUNT_WORDS: Final = frozenset(
    {"emplvl", "estabs", "employment", "establishments", "jobs", "workers", "emp"}
)


def infer_column_kind(name: str) -> ColumnKind | None:
    """A column's kind from its name (BLS's and Sectorwise's conventions), None when the name says nothing
    (a year, a score, a code): ``lq_*`` and ``*_ratio`` ratio; ``*_pct*`` percent points (BLS's percent
    changes); ``*_share*`` a share; ``*_wages``, ``*_wage``, ``*_pay``, ``*contributions`` money;
    ``*_emplvl``, ``*_estabs``, employment, jobs, workers counts. Checked in that order, so
    ``lq_avg_wkly_wage`` is a ratio and ``oty_month3_emplvl_pct_chg`` a percent."""
    words = name.lower().split("_")
    if words[0] == "lq" or "ratio" in words or words[-1] == "lq":
        return ColumnKind.RATIO
    if "pct" in words:
        return ColumnKind.PERCENT_POINTS
    if "share" in words:
        return ColumnKind.PERCENT
    if _MONEY_WORDS.intersection(words):
        return ColumnKind.MONEY
    if _COUNT_WORDS.intersection(words):
        return ColumnKind.COUNT
    return None


def column_kinds(
    columns: Sequence[str], given: Mapping[str, ColumnKind | str] | None = None
) -> list[ColumnKind | None]:
    """Each column's kind: the caller's where given, else inferred from its name."""
    given = given or {}
    return [ColumnKind(given[name]) if name in given else infer_column_kind(name) for name in columns]


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sectorwise")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Provenance:
    """Where a workbook's figures come from and who made it: the README sheet's content.

    A command fills what it knows (``Provenance.of_this_run(qcew="2016 Q1", warehouse=path, ...)``); the
    command line, version and time are taken from the running process when not given."""

    command: str = ""
    version: str = ""
    generated_at: dt.datetime | None = None
    qcew: str | None = None  # the QCEW year/quarter(s) used, e.g. "2016 Q1" or "2016 annual averages"
    warehouse: str | None = None  # the warehouse file read
    oews: str | None = None  # the OEWS release used, e.g. "May 2016 (oe.data)"
    sources: Mapping[str, str] = field(default_factory=dict)  # any other source -> its vintage
    notes: Sequence[str] = ()  # e.g. the data mix: "OEWS May 2016 against QCEW 2016 Q1"

    @classmethod
    def of_this_run(
        cls,
        *,
        qcew: str | None = None,
        warehouse: Path | str | None = None,
        oews: str | None = None,
        sources: Mapping[str, str] | None = None,
        notes: Sequence[str] = (),
        argv: Sequence[str] | None = None,
    ) -> Provenance:
        """Provenance for the running command: its command line (``sys.argv``), the installed version, now."""
        words = list(sys.argv if argv is None else argv)
        if words:
            words[0] = Path(words[0]).name
        return cls(
            command=" ".join(words),
            version=_package_version(),
            generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            qcew=qcew,
            warehouse=None if warehouse is None else str(warehouse),
            oews=oews,
            sources=dict(sources or {}),
            notes=tuple(notes),
        )

    def rows(self) -> list[tuple[str, str]]:
        """(item, value) rows of the README sheet, in reading order; unknown items left out."""
        generated = self.generated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if self.generated_at else ""
        items = [
            ("Generated", generated),
            ("Command", self.command),
            ("Sectorwise version", self.version),
            ("QCEW (BLS Quarterly Census of Employment and Wages)", self.qcew or ""),
            ("Warehouse", self.warehouse or ""),
            ("OEWS (BLS Occupational Employment and Wage Statistics)", self.oews or ""),
            *self.sources.items(),
            *(("Note", note) for note in self.notes),
        ]
        return [(item, value) for item, value in items if value]


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


def _display_width(value: Any, kind: ColumnKind | None) -> int:
    """About how many characters a cell shows with its kind's format (for fitting column widths)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return max((len(line) for line in str(value).splitlines()), default=0)
    if isinstance(value, float) and not math.isfinite(value):
        return 3
    if kind is ColumnKind.COUNT:
        return len(f"{value:,.0f}")
    if kind is ColumnKind.MONEY:
        return len(f"{value:,.0f}") + 1
    if kind is ColumnKind.RATIO:
        return len(f"{value:.2f}")
    if kind is ColumnKind.PERCENT:
        return len(f"{value * 100:.1f}") + 1
    if kind is ColumnKind.PERCENT_POINTS:
        return len(f"{value:.1f}") + 1
    return len(str(value)) if isinstance(value, int) else len(f"{value:.10g}")


def format_sheet(
    sheet: Worksheet,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    kinds: Mapping[str, ColumnKind | str] | None = None,
) -> None:
    """Write the header and rows into an (empty, not write-only) worksheet, styled: bold header frozen in
    place, each column's number format from its kind, widths fitted to the content. For workbooks that
    hold more than tables (the assessment's, the ranking's) as well as ``xlsx_bytes``."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    found = column_kinds(columns, kinds)
    formats = [NUMBER_FORMATS.get(kind) if kind is not None else None for kind in found]
    widths = [len(str(name)) for name in columns]
    sheet.append([_xlsx_value(name) for name in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        values = [_xlsx_value(value) for value in row]
        sheet.append(values)
        for index, value in enumerate(values):
            if value is None:
                continue
            widths[index] = max(widths[index], _display_width(value, found[index]))
            number_format = formats[index]
            # Text stays General unless the caller said TEXT: "@" on a number would show it as text.
            if number_format is not None and (found[index] is ColumnKind.TEXT or not isinstance(value, str)):
                sheet.cell(row=number, column=index + 1).number_format = number_format
    for index, width in enumerate(widths, start=1):
        # +2: the header's bold face and the filter-arrow room; kept between the limits.
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"


def add_readme_sheet(
    book: Workbook, provenance: Provenance, *, sheets: Mapping[str, int] | None = None
) -> None:
    """A README sheet from ``provenance``, after the data sheets; ``sheets`` (name -> data rows) lists them.

    Last, not first: ``pandas.read_excel(path)`` and most scripts read the first sheet, which stays the
    data."""
    readme = book.create_sheet(title=README_SHEET)
    rows: list[tuple[str, Any]] = list(provenance.rows())
    for name, count in (sheets or {}).items():
        rows.append((f"Sheet {name}", f"{count:,} rows"))
    format_sheet(readme, ["item", "value"], rows, kinds={"item": ColumnKind.TEXT, "value": ColumnKind.TEXT})


def xlsx_bytes(
    sheets: Sheets,
    *,
    bold_header: bool = False,
    column_kinds: Mapping[str, ColumnKind | str] | None = None,
    provenance: Provenance | None = None,
) -> bytes:
    """A workbook with one sheet per (columns, rows), names cut to Excel's 31 characters; cells defused.

    ``bold_header`` makes a styled workbook (the command line's tables): bold frozen header, number formats
    by column kind (``column_kinds`` by column name, else inferred from the name), fitted widths, and a
    README sheet when ``provenance`` is given. Exports stay a streaming (write-only) workbook, which cannot
    style cells.
    """
    from openpyxl import Workbook

    if bold_header:
        book = Workbook()
        book.remove(book.active)  # type: ignore[arg-type]  # openpyxl's stub: active may be None
        counts: dict[str, int] = {}
        for name, (columns, rows) in sheets.items():
            sheet = book.create_sheet(title=sheet_name(name))
            format_sheet(sheet, columns, rows, kinds=column_kinds)
            counts[sheet.title] = sheet.max_row - 1
        if provenance is not None:
            add_readme_sheet(book, provenance, sheets=counts)
    else:
        if provenance is not None:
            raise ValueError("a README sheet needs a styled workbook (bold_header=True)")
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
    column_kinds: Mapping[str, ColumnKind | str] | None = None,
    provenance: Provenance | None = None,
) -> None:
    path.write_bytes(
        xlsx_bytes(sheets, bold_header=bold_header, column_kinds=column_kinds, provenance=provenance)
    )
