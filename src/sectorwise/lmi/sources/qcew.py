"""BLS QCEW CSV files: the layouts BLS publishes, header detection, file discovery and completeness checks.

BLS publishes four CSV layouts, told apart by their header:

- ``quarterly`` (42 columns): the open-data area, industry and size slices and the quarterly single files
  (``qtrly_estabs, month1_emplvl, ...``, then ``lq_*`` and ``oty_*``).
- ``annual`` (38 columns): the same for annual averages (``annual_avg_estabs, ..., avg_annual_pay``).
- ``quarterly_titled`` (47 columns): the quarterly by_area / by_industry files, which add five title columns
  and call the establishment count ``qtrly_estabs_count``.
- ``annual_titled`` (43 columns): the annual by_area / by_industry files (``annual_avg_estabs_count``).

This module only looks at files (headers, names, gzip integrity); reading rows is DuckDB's job, in
:mod:`sectorwise.lmi.ingest`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from sectorwise.lmi.warehouse import (
    ANNUAL_TABLE,
    ANNUAL_VALUE_COLUMNS,
    KEY_COLUMNS,
    QUARTERLY_TABLE,
    QUARTERLY_VALUE_COLUMNS,
    TITLE_TABLES,
)


class IngestError(Exception):
    """A file Sectorwise refuses to load, with where the problem is and what was expected there."""

    def __init__(
        self,
        *,
        file: str,
        problem: str,
        expected: str,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
        self.expected = expected
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {problem}; expected {expected}")


TITLE_COLUMNS: Final = tuple(title for _code, title in TITLE_TABLES.values())
_KEYS: Final = tuple(KEY_COLUMNS)


def _value_columns(measures: Sequence[str], with_lq_and_oty: bool = True) -> tuple[str, ...]:
    if not with_lq_and_oty:
        return tuple(measures)
    lq = ("lq_disclosure_code", *(f"lq_{m}" for m in measures))
    oty = ("oty_disclosure_code", *(f"oty_{m}_{part}" for m in measures for part in ("chg", "pct_chg")))
    return (*measures, *lq, *oty)


@dataclass(frozen=True)
class Layout:
    """One CSV layout: its exact header and how its columns map onto a warehouse table."""

    name: str
    description: str
    columns: tuple[str, ...]
    table: str
    # file column -> warehouse column, where BLS names them differently (``qtrly_estabs_count``).
    renames: tuple[tuple[str, str], ...] = ()

    @property
    def annual(self) -> bool:
        return self.table == ANNUAL_TABLE

    @property
    def has_titles(self) -> bool:
        return "area_title" in self.columns

    def warehouse_column(self, file_column: str) -> str:
        return dict(self.renames).get(file_column, file_column)

    def file_column(self, warehouse_column: str) -> str:
        for file_name, stored in self.renames:
            if stored == warehouse_column:
                return file_name
        return warehouse_column

    def duckdb_types(self) -> dict[str, str]:
        """Explicit types for DuckDB's ``read_csv(columns=...)``: every cell is checked against them."""
        return {column: column_type(self.warehouse_column(column)) for column in self.columns}


def column_type(column: str) -> str:
    """The DuckDB type of a QCEW column (warehouse name): codes are text, counts integers, ratios doubles."""
    if column in KEY_COLUMNS:
        return KEY_COLUMNS[column]
    if column in QUARTERLY_VALUE_COLUMNS:
        return QUARTERLY_VALUE_COLUMNS[column]
    if column in ANNUAL_VALUE_COLUMNS:
        return ANNUAL_VALUE_COLUMNS[column]
    if column.endswith("_title") or column.endswith("disclosure_code"):
        return "VARCHAR"
    if column.startswith("lq_") or column.endswith("_pct_chg"):
        return "DOUBLE"
    if column.startswith("oty_") and column.endswith("_chg"):
        return "BIGINT"
    raise KeyError(f"no type known for QCEW column {column!r}")


def expected_text(sql_type: str) -> str:
    """How an error message says what a column of this type must hold."""
    if sql_type in {"SMALLINT", "INTEGER", "BIGINT"}:
        return "a whole number"
    if sql_type == "DOUBLE":
        return "a number"
    return "text"


_QUARTERLY_MEASURES: Final = tuple(QUARTERLY_VALUE_COLUMNS)
_ANNUAL_MEASURES: Final = tuple(ANNUAL_VALUE_COLUMNS)
_Q_RENAMES: Final = {"qtrly_estabs": "qtrly_estabs_count"}
_A_RENAMES: Final = {"annual_avg_estabs": "annual_avg_estabs_count"}


def _titled(measures: tuple[str, ...], renames: dict[str, str]) -> tuple[str, ...]:
    # In the titled files BLS renames the establishment count everywhere it appears (lq_, oty_ too).
    columns = (*_KEYS, *TITLE_COLUMNS, *_value_columns(measures))
    old, new = next(iter(renames.items()))
    return tuple(column.replace(old, new) for column in columns)


def _titled_renames(measures: tuple[str, ...], renames: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """file column -> warehouse column for every column the titled files name differently (the
    establishment count and its published LQ and changes)."""
    old, new = next(iter(renames.items()))
    return tuple((column.replace(old, new), column) for column in _value_columns(measures) if old in column)


LAYOUTS: Final[tuple[Layout, ...]] = (
    Layout(
        name="quarterly",
        description="quarterly open-data slice / single file (42 columns, qtrly_estabs)",
        columns=(*_KEYS, *_value_columns(_QUARTERLY_MEASURES)),
        table=QUARTERLY_TABLE,
    ),
    Layout(
        name="annual",
        description="annual open-data slice / single file (38 columns, annual_avg_estabs)",
        columns=(*_KEYS, *_value_columns(_ANNUAL_MEASURES)),
        table=ANNUAL_TABLE,
    ),
    Layout(
        name="quarterly_titled",
        description="quarterly by_area / by_industry file with titles (47 columns, qtrly_estabs_count)",
        columns=_titled(_QUARTERLY_MEASURES, _Q_RENAMES),
        table=QUARTERLY_TABLE,
        renames=_titled_renames(_QUARTERLY_MEASURES, _Q_RENAMES),
    ),
    Layout(
        name="annual_titled",
        description="annual by_area / by_industry file with titles (43 columns, annual_avg_estabs_count)",
        columns=_titled(_ANNUAL_MEASURES, _A_RENAMES),
        table=ANNUAL_TABLE,
        renames=_titled_renames(_ANNUAL_MEASURES, _A_RENAMES),
    ),
)

_BY_HEADER: Final = {layout.columns: layout for layout in LAYOUTS}


def known_layouts_text() -> str:
    return "; ".join(f"{layout.name}: {layout.description}" for layout in LAYOUTS)


def detect_layout(header: Sequence[str], *, file: str) -> Layout:
    """The layout whose header is exactly ``header``; else an error saying what was seen and what is known."""
    columns = tuple(name.strip() for name in header)
    found = _BY_HEADER.get(columns)
    if found is not None:
        return found
    seen = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    closest = max(LAYOUTS, key=lambda layout: _common_prefix(layout.columns, columns))
    position = _common_prefix(closest.columns, columns)
    if position == 0 and (not columns or columns[0] != "area_fips"):
        raise IngestError(
            file=file,
            line=1,
            column=f"1 ({columns[0] if columns else 'nothing'})",
            problem=f"not a QCEW header (saw {len(columns)} columns: {seen})",
            expected=f"one of the BLS QCEW CSV layouts: {known_layouts_text()}",
        )
    if position < len(closest.columns) and position < len(columns):
        detail = f"found {columns[position]!r} where layout {closest.name} has {closest.columns[position]!r}"
    elif len(columns) < len(closest.columns):
        detail = f"the header stops after {len(columns)} columns; {closest.columns[position]!r} is missing"
    else:
        detail = f"the header has {len(columns)} columns; extra column {columns[position]!r}"
    raise IngestError(
        file=file,
        line=1,
        column=f"{position + 1} ({columns[position] if position < len(columns) else 'missing'})",
        problem=f"unknown header ({detail}; saw {len(columns)} columns: {seen})",
        expected=f"the exact header of one of the BLS QCEW CSV layouts: {known_layouts_text()}",
    )


def _common_prefix(left: Sequence[str], right: Sequence[str]) -> int:
    count = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        count += 1
    return count


@dataclass(frozen=True)
class SourceFile:
    """A CSV file to load: where DuckDB reads it and the name errors give it (``archive.zip!member.csv``)."""

    path: Path
    name: str

    @property
    def gzipped(self) -> bool:
        return self.path.suffix.lower() == ".gz"


_CSV_SUFFIXES: Final = (".csv", ".csv.gz", ".txt", ".txt.gz")


def _is_data_file(path: Path) -> bool:
    lowered = path.name.lower()
    return not lowered.startswith(".") and (lowered.endswith(_CSV_SUFFIXES) or lowered.endswith(".zip"))


def collect_files(paths: Sequence[Path | str], *, extract_to: Path) -> list[SourceFile]:
    """Every CSV under ``paths``: files as given, directories recursively, zips extracted to a temp dir."""
    found: list[SourceFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and _is_data_file(p))
            if not members:
                raise IngestError(
                    file=str(path),
                    problem="the directory holds no CSV, .csv.gz or .zip file",
                    expected="a directory of BLS QCEW CSV files",
                )
            for member in members:
                found.extend(_expand(member, extract_to))
        elif path.is_file():
            found.extend(_expand(path, extract_to))
        else:
            raise IngestError(
                file=str(path), problem="no such file or directory", expected="an existing path"
            )
    return found


def _expand(path: Path, extract_to: Path) -> list[SourceFile]:
    if path.suffix.lower() != ".zip":
        return [SourceFile(path=path, name=str(path))]
    # DuckDB cannot read inside a zip archive: its CSV members are extracted (zipfile checks their CRCs).
    target = extract_to / f"zip{len(list(extract_to.iterdir()))}"
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir()
                and _is_data_file(Path(info.filename))
                and not info.filename.endswith(".zip")
            )
            if not members:
                raise IngestError(
                    file=str(path),
                    problem="the zip archive holds no CSV file",
                    expected="a zip of BLS QCEW CSV files",
                )
            for member in members:
                archive.extract(member, target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise IngestError(
            file=str(path), problem=f"unreadable zip archive ({error})", expected="a complete zip file"
        ) from error
    return [SourceFile(path=target / member, name=f"{path}!{member}") for member in members]


@dataclass(frozen=True)
class Header:
    """A file's header fields and line break (one DuckDB read cannot mix LF and CRLF files)."""

    fields: list[str]
    newline: str


def read_header(source: SourceFile) -> Header:
    """The header of ``source``; an empty file is refused."""
    try:
        with open_text(source) as handle:
            first = handle.readline()
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise IngestError(
            file=source.name, line=1, problem=f"unreadable file ({error})", expected="a UTF-8 CSV file"
        ) from error
    if not first.strip():
        raise IngestError(
            file=source.name, line=1, problem="the file is empty", expected="a BLS QCEW CSV header line"
        )
    newline = "\r\n" if first.endswith("\r\n") else "\n"
    return Header(fields=next(csv.reader([first])), newline=newline)


_CHUNK: Final = 1 << 20


def check_complete(source: SourceFile) -> None:
    """Refuse a truncated file: a gzip stream cut short, or a last line without its line break.

    Every BLS file ends with a line break, so a missing one means the file was cut inside its last row
    (which may still parse, e.g. ``5.8`` cut to ``5.``). A gzip file is decompressed once here because
    DuckDB silently stops at the end of a cut gzip stream.
    """
    if source.gzipped:
        last, lines = _gzip_tail(source)
    else:
        with open(source.path, "rb") as handle:
            handle.seek(0, io.SEEK_END)
            if handle.tell() == 0:
                return  # read_header reports the empty file
            handle.seek(-1, io.SEEK_END)
            last = handle.read(1)
        lines = -1
    if last not in (b"\n", b""):
        if lines < 0:
            lines = _count_lines(source)
        raise IngestError(
            file=source.name,
            line=lines + 1,
            problem="the last line has no line break: the file looks truncated",
            expected="a complete last row ending with a line break",
        )


def _gzip_tail(source: SourceFile) -> tuple[bytes, int]:
    decompressor = zlib.decompressobj(wbits=31)
    last = b""
    lines = 0
    with open(source.path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                data = decompressor.decompress(chunk)
                while decompressor.eof and decompressor.unused_data:
                    # A concatenated (multi-member) gzip file: go on with the next member.
                    rest = decompressor.unused_data
                    decompressor = zlib.decompressobj(wbits=31)
                    data += decompressor.decompress(rest)
            except zlib.error as error:
                raise IngestError(
                    file=source.name,
                    line=lines + 1,
                    problem=f"corrupt gzip data ({error})",
                    expected="a complete, uncorrupted gzip file",
                ) from error
            if data:
                last = data[-1:]
                lines += data.count(b"\n")
    if not decompressor.eof:
        raise IngestError(
            file=source.name,
            line=lines + 1,
            problem="the gzip stream ends early: the file is truncated",
            expected="a complete gzip file",
        )
    return last, lines


def _count_lines(source: SourceFile) -> int:
    """Line breaks in the file (a last line without one is line ``_count_lines + 1``)."""
    with open(source.path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(_CHUNK), b""))


def open_text(source: SourceFile) -> TextIO:
    """The file as text (gzip decompressed, a UTF-8 byte-order mark dropped)."""
    if source.gzipped:
        return gzip.open(source.path, "rt", encoding="utf-8-sig", newline="")
    return open(source.path, encoding="utf-8-sig", newline="")


def iter_rows(source: SourceFile) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line number, row) for every data row: the slow path, used only to point at an error."""
    with open_text(source) as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        line = reader.line_num
        for row in reader:
            yield line + 1, dict(zip(header, row, strict=False))
            line = reader.line_num


def find_first(
    source: SourceFile, matches: Callable[[dict[str, str]], bool]
) -> tuple[int, dict[str, str]] | None:
    """The physical line and the row of the first data row for which ``matches`` holds."""
    for line, row in iter_rows(source):
        if matches(row):
            return line, row
    return None


def find_line(source: SourceFile, matches: Callable[[dict[str, str]], bool], *, nth: int = 1) -> int | None:
    """The physical line of the ``nth`` data row for which ``matches`` holds (header = line 1)."""
    seen = 0
    for line, row in iter_rows(source):
        if matches(row):
            seen += 1
            if seen == nth:
                return line
    return None


@dataclass(frozen=True)
class NameHints:
    """What a BLS file name says about its contents (``2016.q1-q4 50001 Addison County, Vermont.csv``)."""

    year: int | None = None
    qtr: str | None = None
    area_fips: str | None = None


# by_area: "2016.q1-q4 50007 Chittenden County, Vermont"; by_industry repeats its code:
# "2016.annual 10 10 Total, all industries", "2016.annual 11111 NAICS 11111 Soybean farming" (not an area).
_BY_AREA_NAME: Final = re.compile(
    r"^(?P<year>\d{4})\.(?P<period>q1-q4|q[1-4]|annual) (?P<area>[0-9A-Z]{5}) (?!NAICS )(?!(?P=area) )"
)
_BY_INDUSTRY_NAME: Final = re.compile(r"^(?P<year>\d{4})\.(?P<period>q1-q4|q[1-4]|annual) (?P<code>\S+) ")
_YEAR_PERIOD: Final = re.compile(
    r"(?:^|[-_.])(?P<year>(?:19|20)\d\d)(?:[-_.](?P<period>q[1-4](?!-q)|[1-4aA]|annual)(?=[-_. ]|$))?"
)
_AREA_TOKEN: Final = re.compile(r"(?:^|[-_. ])(?P<area>US000|US[A-Z]{3}|C\d{4}|CS\d{3})(?=[-_. ]|$)")
_TRAILING_AREA: Final = re.compile(
    r"(?:^|[-_.])(?:19|20)\d\d[-_.](?:q?[1-4]|[aA]|annual|q1-q4)[-_.](?P<area>\d{5})$"
)


def _period_qtr(period: str | None) -> str | None:
    if period is None:
        return None
    lowered = period.lower()
    if lowered in {"a", "annual"}:
        return "A"
    if lowered in {"1", "2", "3", "4"}:
        return lowered
    if re.fullmatch(r"q[1-4]", lowered):
        return lowered[1]
    return None


def name_hints(name: str) -> NameHints:
    """Year, quarter and area that a file's name (or its open-data folder path) promises."""
    path = Path(name.split("!")[-1])
    stem = path.name
    for suffix in (".gz", ".csv", ".txt"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    by_area = _BY_AREA_NAME.match(stem)
    if by_area:
        return NameHints(
            year=int(by_area["year"]), qtr=_period_qtr(by_area["period"]), area_fips=by_area["area"]
        )
    by_industry = _BY_INDUSTRY_NAME.match(stem)
    if by_industry:
        return NameHints(year=int(by_industry["year"]), qtr=_period_qtr(by_industry["period"]))
    year: int | None = None
    qtr: str | None = None
    area: str | None = None
    parts = path.parts
    # Open-data API paths: .../<year>/<qtr or a>/area|industry|size/<code>.csv
    if len(parts) >= 4 and parts[-2] in {"area", "industry", "size"} and re.fullmatch(r"\d{4}", parts[-4]):
        year = int(parts[-4])
        qtr = _period_qtr(parts[-3])
        if parts[-2] == "area":
            area = stem
    stated = _YEAR_PERIOD.search(stem)
    if stated and year is None:
        year = int(stated["year"])
        qtr = _period_qtr(stated["period"])
    token = _AREA_TOKEN.search(stem) or _TRAILING_AREA.search(stem)
    if token and area is None:
        area = token["area"]
    return NameHints(year=year, qtr=qtr, area_fips=area)


def _parses_as(sql_type: str, cell: str) -> bool:
    text = cell.strip()
    if not text or sql_type == "VARCHAR":
        return True
    try:
        value = float(text)
    except ValueError:
        return False
    return sql_type == "DOUBLE" or value.is_integer()


def diagnose(source: SourceFile, layout: Layout) -> None:
    """Find the first malformed row of ``source`` in Python (slow; only after DuckDB refused the file)."""
    types = list(layout.duckdb_types().items())
    try:
        for line, row in _raw_rows(source):
            if len(row) != len(types):
                raise IngestError(
                    file=source.name,
                    line=line,
                    column=f"{min(len(row), len(types)) + 1}",
                    problem=f"a row of {len(row)} cells",
                    expected=f"{len(types)} comma-separated cells as in the {layout.name} layout",
                )
            for (column, sql_type), cell in zip(types, row, strict=True):
                if not _parses_as(sql_type, cell):
                    raise IngestError(
                        file=source.name,
                        line=line,
                        column=column,
                        problem=f"the cell {cell!r} is not {expected_text(sql_type)}",
                        expected=expected_text(sql_type),
                    )
    except csv.Error as error:
        raise IngestError(
            file=source.name, problem=f"malformed CSV ({error})", expected="a well-formed CSV file"
        ) from error


def _raw_rows(source: SourceFile) -> Iterator[tuple[int, list[str]]]:
    with open_text(source) as handle:
        reader = csv.reader(handle, strict=True)
        next(reader, None)
        line = reader.line_num
        for row in reader:
            yield line + 1, row
            line = reader.line_num
