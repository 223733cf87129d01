"""Load BLS QCEW CSV files into the warehouse: atomically, idempotently, at the speed of DuckDB's CSV reader.

How (and why so):

1. Every file is looked at from Python only cheaply, on every core: its header (which picks the layout and
   the line break) and whether it is complete (a gzip stream cut short, a last line without its line break).
2. Files are grouped by layout and line break, and each group is read by ONE DuckDB ``read_csv`` call with
   explicit column types into a temporary staging table of the columns the warehouse keeps. ``store_rejects``
   collects every cell that does not parse, with its file, line and column, instead of stopping at the first.
3. One GROUP BY (file, area, year, qtr) pass gives every per-file check (empty keys, quarter codes, one year
   per file, what the file name promises, empty files); a hash GROUP BY finds duplicate keys. Only on a
   failure does Python scan the one offending file, to name its line.
4. One transaction deletes what the staged data replaces and inserts it, titles included. A failure anywhere
   before the commit leaves the warehouse exactly as it was. ``ingest_paths`` does all this on a copy of the
   warehouse that replaces the live file once committed, so readers are never locked out by a load.

The unit of replacement is (area_fips, year, qtr): loading a by_area file, an area slice or a single file
again replaces those areas' periods. Industry and size slices (one industry, or one size class, across many
areas) cover only part of an area's period, so they replace rows key by key instead of whole units.

A load that would replace an area's period with fewer than ``SHRINK_LIMIT`` (90 %) of the rows it replaces is
refused (``ShrinkRefused``) unless ``allow_shrink``: a file cut at a line boundary looks complete to every
other check. A slice is compared with the rows of its industry (size class) and period already stored.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import count
from pathlib import Path
from types import MappingProxyType
from typing import Final, NoReturn

import duckdb

from sectorwise.lmi.sources.qcew import (
    IngestError,
    Layout,
    SourceFile,
    check_complete,
    collect_files,
    detect_layout,
    diagnose,
    expected_text,
    find_first,
    find_line,
    iter_rows,
    name_hints,
    read_header,
)
from sectorwise.lmi.warehouse import (
    ANNUAL_PUBLISHED_COLUMNS,
    ANNUAL_TABLE,
    ANNUAL_VALUE_COLUMNS,
    DEFAULT_LOCK_TIMEOUT,
    KEY_COLUMNS,
    QUARTERLY_PUBLISHED_COLUMNS,
    QUARTERLY_TABLE,
    QUARTERLY_VALUE_COLUMNS,
    TITLE_TABLES,
    ensure_schema,
    writing,
)

__all__ = [
    "SHRINK_LIMIT",
    "IngestError",
    "IngestSummary",
    "Shrink",
    "ShrinkRefused",
    "ingest_into",
    "ingest_paths",
]

Progress = Callable[[int, int], None]

# Stored: BLS's figures, then its published LQs and over-the-year changes (every layout carries them).
VALUE_COLUMNS: Final = {
    QUARTERLY_TABLE: QUARTERLY_VALUE_COLUMNS | QUARTERLY_PUBLISHED_COLUMNS,
    ANNUAL_TABLE: ANNUAL_VALUE_COLUMNS | ANNUAL_PUBLISHED_COLUMNS,
}
# The key of one row; (area_fips, year, qtr) is the unit that a new load of an area's period replaces.
ROW_KEY: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr")
UNIT_KEY: Final = ("area_fips", "year", "qtr")
#: The order rows are written in (see ``write``): a period's rows sit together on disk, and within a
#: period its area totals (own_code 0, every LQ's base) sit together, ahead of the ownerships' cells.
PHYSICAL_ORDER: Final = ("year", "qtr", "own_code", "area_fips")
REQUIRED: Final = ROW_KEY  # every key cell must be filled
#: A load may replace what is stored with no fewer than this share of its rows (see ``ShrinkRefused``).
SHRINK_LIMIT: Final = 0.9

_scan_ids = count()


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest loaded."""

    files: int
    rows: int
    areas: tuple[str, ...]
    years: tuple[int, ...]
    # "2016Q1" for a quarter, "2016A" for an annual average.
    periods: tuple[str, ...]
    # Rows inserted per warehouse table.
    table_rows: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # Rows deleted because the new data replaces them.
    replaced_rows: int = 0


@dataclass(frozen=True)
class Shrink:
    """One stored scope a load would replace with markedly fewer rows."""

    files: tuple[str, ...]
    # "area 50007" for an area's period, "industry 23" or "size class 5" for a slice.
    scope: str
    period: str  # "2016Q1" or "2016A"
    before: int  # rows stored now
    after: int  # rows the load brings

    def __str__(self) -> str:
        share = self.after / self.before if self.before else 0.0
        return (
            f"{', '.join(self.files)}: {self.scope}, {self.period}: {self.before:,} rows before -> "
            f"{self.after:,} after ({share:.0%})"
        )


class ShrinkRefused(IngestError):
    """A re-ingest that would shrink stored periods (or slices): likely a truncated file."""

    def __init__(self, shrinks: Sequence[Shrink]) -> None:
        self.shrinks = tuple(shrinks)
        shown = "; ".join(str(shrink) for shrink in self.shrinks[:5])
        more = f"; and {len(self.shrinks) - 5} more" if len(self.shrinks) > 5 else ""
        super().__init__(
            file=", ".join(dict.fromkeys(f for shrink in self.shrinks for f in shrink.files)),
            problem=f"the load would replace stored rows with far fewer ({shown}{more}); "
            "a file cut at a line boundary looks complete",
            expected=f"at least {SHRINK_LIMIT:.0%} of the rows each period (or slice) has now, "
            "or --allow-shrink (allow_shrink=True) to replace them anyway",
        )


def ingest_paths(
    paths: Sequence[Path | str],
    *,
    warehouse: Path | None = None,
    progress: Progress | None = None,
    lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
    on_wait: Callable[[Path], None] | None = None,
    allow_shrink: bool = False,
) -> IngestSummary:
    """Load every QCEW CSV under ``paths`` (files, .gz, .zip, directories) into the warehouse file.

    The load writes a copy of the warehouse and moves it over the live file only once it has committed
    (``warehouse.writing``): readers keep the data as it was meanwhile, and a failed load changes nothing.
    Another load in progress is waited for up to ``lock_timeout`` seconds (``on_wait`` is told).
    A load that would replace an area's period (or a slice's rows) with fewer than 90 % of the rows stored
    now raises :class:`ShrinkRefused` and writes nothing, unless ``allow_shrink``.
    """
    with writing(warehouse, lock_timeout=lock_timeout, on_wait=on_wait) as con:
        return ingest_into(con, paths, progress=progress, allow_shrink=allow_shrink)


def ingest_into(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    progress: Progress | None = None,
    allow_shrink: bool = False,
) -> IngestSummary:
    """Like :func:`ingest_paths`, on an open connection (the warehouse schema is created if missing)."""
    ensure_schema(con)
    with tempfile.TemporaryDirectory(prefix="sectorwise-ingest-") as scratch:
        files = collect_files(paths, extract_to=Path(scratch))
        if not files:
            raise IngestError(
                file=", ".join(map(str, paths)), problem="no files given", expected="QCEW CSV files"
            )
        steps = 2 * len(files) + 1
        done = 0

        def advance(by: int) -> None:
            nonlocal done
            done += by
            if progress is not None:
                progress(done, steps)

        # Grouped by layout and line break: DuckDB silently skips files whose line break differs from the
        # first file's in one multi-file read.
        _refuse_repeated_files(files)
        groups: dict[tuple[Layout, str], list[SourceFile]] = {}
        # zlib releases the GIL: checking gzip files on every core takes a fraction of the time. Results (and
        # so the error reported first) come in the order the files were given.
        pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        try:
            for source, (layout, newline) in zip(files, pool.map(_look_at, files), strict=True):
                groups.setdefault((layout, newline), []).append(source)
                advance(1)
        finally:
            pool.shutdown(cancel_futures=True)  # after an error, the files not yet looked at are skipped
        batch = _Batch(con)
        try:
            for (layout, newline), sources in groups.items():
                reading = (
                    None if progress is None else partial(_part_done, progress, done, len(sources), steps)
                )
                with _reading_progress(con, reading):
                    batch.stage(layout, newline, sources)
                advance(len(sources))
            batch.validate()
            summary = batch.write(len(files), allow_shrink=allow_shrink)
            advance(1)
            return summary
        finally:
            batch.drop()


def _part_done(progress: Progress, before: int, share: int, steps: int, fraction: float) -> None:
    progress(before + int(fraction * share), steps)


@contextlib.contextmanager
def _reading_progress(
    con: duckdb.DuckDBPyConnection, report: Callable[[float], None] | None
) -> Iterator[None]:
    """While DuckDB reads a group of files (one long query), report the fraction it has done, polled."""
    if report is None:
        yield
        return
    settings = ("enable_progress_bar", "enable_progress_bar_print")
    saved = {name: con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0] for name in settings}
    # DuckDB tracks progress only with its progress bar on; it must not print it (the caller draws its own).
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            percent = con.query_progress()
            if percent >= 0:
                report(min(percent, 100.0) / 100)

    watcher = threading.Thread(target=poll, name="sectorwise-ingest-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        for name, value in saved.items():
            con.execute(f"SET {name} = {str(value).lower()}")


def _look_at(source: SourceFile) -> tuple[Layout, str]:
    """The file's layout and line break, once its header is known and the file is known to be complete."""
    header = read_header(source)
    layout = detect_layout(header.fields, file=source.name)
    check_complete(source)
    return layout, header.newline


def _refuse_repeated_files(files: Sequence[SourceFile]) -> None:
    seen: dict[Path, str] = {}
    for source in files:
        resolved = source.path.resolve()
        if resolved in seen:
            raise IngestError(
                file=source.name,
                problem=f"the same file is given twice (also as {seen[resolved]})",
                expected="each file once",
            )
        seen[resolved] = source.name


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _struct(types: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_sql_text(name)}: {_sql_text(sql)}" for name, sql in types.items()) + "}"


@dataclass
class _Staged:
    layout: Layout
    sources: list[SourceFile]
    table: str  # the temporary staging table: warehouse columns (normalized), titles, file_no


@dataclass
class _FileStats:
    """What one file holds, from the per-(file, area, year, qtr) counts."""

    table: str
    layout: Layout
    rows: int = 0
    incomplete: int = 0  # rows missing own_code, industry_code, agglvl_code or size_code
    years: set[int | None] = field(default_factory=set)
    qtrs: set[str | None] = field(default_factory=set)
    areas: set[str | None] = field(default_factory=set)
    industries: set[str] = field(default_factory=set)  # min and max only: enough to tell "one industry"
    sizes: set[int] = field(default_factory=set)
    # rows per (area, year, qtr)
    unit_rows: dict[tuple[str, int, str], int] = field(default_factory=dict)

    @property
    def slice_scope(self) -> tuple[str, str] | None:
        """(column, value) of an industry or size slice: the stored rows it is compared with."""
        if self.replaces_units:
            return None
        if len(self.industries) == 1:
            return ("industry_code", next(iter(self.industries)))
        return ("size_code", str(next(iter(self.sizes))))

    @property
    def replaces_units(self) -> bool:
        # An industry slice (one industry) or a size slice (one size class other than 0) covers only part of
        # each area's period: it replaces rows key by key, not whole (area, year, qtr) units.
        slice_only = len(self.areas) > 1 and (
            len(self.industries) == 1 or (len(self.sizes) == 1 and 0 not in self.sizes)
        )
        return not slice_only


class _Batch:
    """The staging tables of one ingest call, and the checks and writes on them."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.staged: list[_Staged] = []
        self.by_path: dict[str, SourceFile] = {}
        # file_no (a small integer, cheaper to stage per row than the file's path) -> path
        self.paths: list[str] = []
        self.scratch: list[str] = []
        self.stats: dict[str, _FileStats] = {}
        self.units: dict[str, set[tuple[str, int, str]]] = {}

    def _scratch(self, kind: str, name: str) -> str:
        self.scratch.append(f"{kind} {name}")
        return name

    # -- staging ---------------------------------------------------------------------------------------------

    def stage(self, layout: Layout, newline: str, sources: list[SourceFile]) -> None:
        scan = next(_scan_ids)
        table = self._scratch("TABLE", f"_sw_stage_{scan}")
        rejects = self._scratch("TABLE", f"_sw_rejects_{scan}")
        scans = self._scratch("TABLE", f"_sw_scans_{scan}")
        offset = len(self.paths)
        for source in sources:
            self.by_path[str(source.path)] = source
            self.paths.append(str(source.path))
        file_list = "[" + ", ".join(_sql_text(str(s.path)) for s in sources) + "]"
        # Only the stored columns are kept, but DuckDB parses (and so checks) a column only when the query
        # uses it: the published LQs and changes are used by a filter that is always true.
        checked = [
            column
            for column, sql_type in layout.duckdb_types().items()
            if sql_type != "VARCHAR"
            and layout.warehouse_column(column) not in KEY_COLUMNS
            and layout.warehouse_column(column) not in VALUE_COLUMNS[layout.table]
        ]
        parsed = " AND ".join(f"({c} IS NULL OR {c} IS NOT NULL)" for c in checked) or "true"
        try:
            self.con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT {self._normalized(layout, offset)} "
                f"FROM read_csv({file_list}, "
                f"columns = {_struct(layout.duckdb_types())}, auto_detect = false, header = true, "
                f"delim = ',', quote = '\"', escape = '\"', "
                f"new_line = {_sql_text(newline.encode('unicode_escape').decode())}, "
                f"store_rejects = true, rejects_table = '{rejects}', "
                f"rejects_scan = '{scans}') WHERE {parsed}"
            )
        except duckdb.Error as error:
            # DuckDB stops on some malformed input instead of listing it: find the first bad row in Python.
            for source in sources:
                diagnose(source, layout)
            raise IngestError(
                file=sources[0].name if len(sources) == 1 else ", ".join(s.name for s in sources),
                problem=f"DuckDB could not read the file ({error})",
                expected=f"a CSV file in the {layout.name} layout",
            ) from error
        self._refuse_rejects(layout, rejects, scans)
        self.staged.append(_Staged(layout=layout, sources=sources, table=table))

    @staticmethod
    def _normalized(layout: Layout, offset: int) -> str:
        exprs = []
        for column in [*KEY_COLUMNS, *VALUE_COLUMNS[layout.table]]:
            source = layout.file_column(column)
            if column == "area_fips":
                # Files re-written by spreadsheets or pandas lose the leading zero of a state code (1001).
                exprs.append(
                    f"CASE WHEN length(trim({source})) BETWEEN 1 AND 4 THEN lpad(trim({source}), 5, '0') "
                    f"ELSE nullif(trim({source}), '') END AS area_fips"
                )
            elif column == "qtr":
                exprs.append(f"nullif(upper(trim({source})), '') AS qtr")
            elif KEY_COLUMNS.get(column) == "VARCHAR":
                exprs.append(f"nullif(trim({source}), '') AS {column}")
            else:
                exprs.append(f"{source} AS {column}")
        if layout.has_titles:
            exprs += [title for _code, title in TITLE_TABLES.values()]
        exprs.append(f"file_index + {offset} AS file_no")
        return ", ".join(exprs)

    def _refuse_rejects(self, layout: Layout, rejects: str, scans: str) -> None:
        first = self.con.execute(
            f"SELECT s.file_path, e.line, e.column_name, CAST(e.error_type AS VARCHAR), e.csv_line "
            f"FROM {rejects} e JOIN {scans} s USING (scan_id, file_id) ORDER BY s.file_path, e.line LIMIT 1"
        ).fetchone()
        if first is None:
            return
        path, line, column, error_type, csv_line = first
        source = self.by_path.get(str(path))
        name = source.name if source else str(path)
        shown = " ".join(csv_line.split())
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        if error_type == "CAST":
            sql_type = layout.duckdb_types().get(column, "VARCHAR")
            raise IngestError(
                file=name,
                line=int(line),
                column=column,
                problem=f"a cell that is not {expected_text(sql_type)} (row: {shown})",
                expected=expected_text(sql_type),
            )
        if error_type in {"MISSING COLUMNS", "TOO MANY COLUMNS"}:
            raise IngestError(
                file=name,
                line=int(line),
                column=column,
                problem=f"{error_type.lower()} (row: {shown}); a short last row means a truncated file",
                expected=f"{len(layout.columns)} comma-separated cells as in the {layout.name} layout",
            )
        raise IngestError(
            file=name,
            line=int(line),
            column=column,
            problem=f"{error_type.lower()} (row: {shown})",
            expected=f"a well-formed CSV row of {len(layout.columns)} cells in the {layout.name} layout",
        )

    # -- validation ------------------------------------------------------------------------------------------

    def _rows(self, table: str) -> str | None:
        tables = [s.table for s in self.staged if s.layout.table == table]
        if not tables:
            return None
        columns = ", ".join([*KEY_COLUMNS, *VALUE_COLUMNS[table], "file_no"])
        return "(" + " UNION ALL ".join(f"SELECT {columns} FROM {staged}" for staged in tables) + ")"

    def _tables(self) -> list[tuple[str, str]]:
        return [(table, rows) for table in (QUARTERLY_TABLE, ANNUAL_TABLE) if (rows := self._rows(table))]

    def validate(self) -> None:
        for staged in self.staged:
            self._count_groups(staged)
        self._refuse_missing_keys()
        self._refuse_bad_quarters()
        self._refuse_empty_files()
        self._refuse_contradictions()
        for _table, rows in self._tables():
            self._refuse_duplicates(rows)

    def _count_groups(self, staged: _Staged) -> None:
        """One pass over a staging table: rows per (file, area, year, qtr), plus what the checks need."""
        for source in staged.sources:
            self.stats[str(source.path)] = _FileStats(table=staged.layout.table, layout=staged.layout)
        incomplete = " OR ".join(f"{c} IS NULL" for c in REQUIRED if c not in UNIT_KEY)
        groups = self.con.execute(
            f"SELECT file_no, area_fips, year, qtr, count(*), count_if({incomplete}), "
            f"min(industry_code), max(industry_code), min(size_code), max(size_code) "
            f"FROM {staged.table} GROUP BY ALL"
        ).fetchall()
        for file_no, area, year, qtr, rows, missing, low_ind, high_ind, low_size, high_size in groups:
            path = self.paths[file_no]
            stats = self.stats[path]
            stats.rows += rows
            stats.incomplete += missing
            stats.areas.add(area)
            stats.years.add(year)
            stats.qtrs.add(qtr)
            stats.industries.update(i for i in (low_ind, high_ind) if i is not None)
            stats.industries = {min(stats.industries), max(stats.industries)} if stats.industries else set()
            stats.sizes.update(z for z in (low_size, high_size) if z is not None)
            stats.sizes = {min(stats.sizes), max(stats.sizes)} if stats.sizes else set()
            if area is not None and year is not None and qtr is not None:
                self.units.setdefault(path, set()).add((area, year, qtr))
                stats.unit_rows[(area, year, qtr)] = stats.unit_rows.get((area, year, qtr), 0) + rows

    def _source(self, path: str) -> SourceFile:
        return self.by_path[path]

    def _refuse_missing_keys(self) -> None:
        for path, stats in self.stats.items():
            if stats.incomplete or None in stats.areas or None in stats.years or None in stats.qtrs:
                source = self._source(path)
                layout = stats.layout
                required = [layout.file_column(c) for c in REQUIRED]
                hit = find_first(source, partial(_lacks_any, required))
                line, row = hit if hit else (None, {})
                column = next((c for c in required if not row.get(c, "").strip()), None)
                raise IngestError(
                    file=source.name,
                    line=line,
                    column=column,
                    problem="an empty cell in a key column",
                    expected=f"a value: every row needs its full key ({', '.join(required)})",
                )

    def _refuse_bad_quarters(self) -> None:
        for path, stats in self.stats.items():
            allowed = ("A",) if stats.layout.annual else ("1", "2", "3", "4")
            bad = sorted(q for q in stats.qtrs if q not in allowed and q is not None)
            if not bad:
                continue
            source = self._source(path)
            line = find_line(source, partial(_qtr_outside, allowed))
            kind = "annual" if stats.layout.annual else "quarterly"
            raise IngestError(
                file=source.name,
                line=line,
                column="qtr",
                problem=f"qtr {bad[0]!r} in a {kind} layout",
                expected=" or ".join(repr(q) for q in allowed),
            )

    def _refuse_empty_files(self) -> None:
        for path, stats in self.stats.items():
            if stats.rows == 0:
                raise IngestError(
                    file=self._source(path).name,
                    line=2,
                    problem="the file has a header but no data rows",
                    expected="at least one data row after the header",
                )

    def _refuse_contradictions(self) -> None:
        for path, stats in self.stats.items():
            source = self._source(path)
            hints = name_hints(source.name)
            if hints.year is not None and stats.years != {hints.year}:
                self._contradiction(source, "year", str(hints.year), f"the file name says {hints.year}")
            if len(stats.years) > 1:
                self._contradiction(source, "year", None, "a BLS file holds one year")
            if hints.qtr is not None and stats.qtrs != {hints.qtr}:
                self._contradiction(source, "qtr", hints.qtr, f"the file name says period {hints.qtr}")
            if hints.area_fips is not None and stats.areas != {hints.area_fips}:
                self._contradiction(
                    source, "area_fips", hints.area_fips, f"the file name says area {hints.area_fips}"
                )

    def _contradiction(self, source: SourceFile, column: str, wanted: str | None, why: str) -> NoReturn:
        """Point at the first row that disagrees with ``wanted`` (or, if None, with the file's first row)."""
        reference = wanted
        offending: tuple[int, str] | None = None
        for at, row in iter_rows(source):
            cell = _normal(column, row.get(column, ""))
            if reference is None:
                reference = cell
            elif cell != reference:
                offending = (at, cell)
                break
        line = offending[0] if offending else None
        value = offending[1] if offending else "?"
        raise IngestError(
            file=source.name,
            line=line,
            column=column,
            problem=f"{column} {value!r} contradicts the rest of the file",
            expected=f"{column} {reference!r} ({why})",
        )

    def _refuse_duplicates(self, rows: str) -> None:
        keys = ", ".join(ROW_KEY)
        # Grouping on one 64-bit hash is much cheaper than on seven columns; only the (few) rows whose hash
        # repeats are then compared key by key.
        hit = self.con.execute(
            f"WITH hashed AS (SELECT *, hash({keys}) AS h FROM {rows}), "
            f"repeated AS (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1) "
            f"SELECT {keys} FROM hashed SEMI JOIN repeated USING (h) GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if hit is None:
            return
        key = dict(zip(ROW_KEY, (str(v) for v in hit), strict=True))
        where = " AND ".join(f"CAST({k} AS VARCHAR) = {_sql_text(v)}" for k, v in key.items())
        paths = [
            self.paths[n]
            for (n,) in self.con.execute(f"SELECT DISTINCT file_no FROM {rows} WHERE {where}").fetchall()
        ]
        found: list[tuple[SourceFile, int]] = []
        for source in (s for s in self._all_sources() if str(s.path) in paths):
            nth = 1
            while len(found) < 2:
                at = find_line(source, lambda row: _row_key(row) == key, nth=nth)
                if at is None:
                    break
                found.append((source, at))
                nth += 1
        (first_source, first_line), (source, line) = found[0], found[-1]
        shown = ", ".join(f"{k}={v}" for k, v in key.items())
        raise IngestError(
            file=source.name,
            line=line,
            column=", ".join(ROW_KEY),
            problem=f"duplicate row ({shown}); the same key is at {first_source.name} line {first_line}",
            expected=f"one row per ({', '.join(ROW_KEY)}) in one ingest",
        )

    def _all_sources(self) -> list[SourceFile]:
        return [source for staged in self.staged for source in staged.sources]

    # -- writing ---------------------------------------------------------------------------------------------

    def write(self, file_count: int, *, allow_shrink: bool = False) -> IngestSummary:
        units = self._scratch("TABLE", "_sw_units")
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {units} (area_fips VARCHAR, year SMALLINT, qtr VARCHAR)"
        )
        whole = sorted(
            {u for path, found in self.units.items() if self.stats[path].replaces_units for u in found}
        )
        _insert_values(self.con, units, whole)
        row_keyed = [path for path, stats in self.stats.items() if not stats.replaces_units]
        if not allow_shrink:
            shrinks = self._shrinking_units(units) + self._shrinking_slices()
            if shrinks:
                raise ShrinkRefused(shrinks)
        table_rows: dict[str, int] = {}
        replaced = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table, rows in self._tables():
                replaced += self._delete_replaced(table, rows, units, row_keyed)
                columns = ", ".join([*KEY_COLUMNS, *VALUE_COLUMNS[table]])
                # Rows land ordered by period, ownership, area: DuckDB's per-row-group min/max (zone maps)
                # then let a one-period query skip the other periods' row groups instead of scanning them
                # all, and the LQs' bases (own_code 0) be read from a row group or two, not from the whole
                # period (a quarter of the national set: 0.05 s of a 0.5 s query). A county's cells are
                # then in one run per ownership, which a region's query reads almost as fast.
                inserted = self.con.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {rows} "
                    f"ORDER BY {', '.join(PHYSICAL_ORDER)}"
                )
                table_rows[table] = _count(inserted)
            self._upsert_titles()
            self._log()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return self._summary(file_count, table_rows, replaced)

    # -- the shrink check (before anything is written) -------------------------------------------------

    def _shrinking_units(self, units: str) -> list[Shrink]:
        """Whole (area, year, qtr) units the load would replace with fewer than SHRINK_LIMIT of their rows."""
        after: dict[tuple[str, tuple[str, int, str]], int] = {}
        files: dict[tuple[str, tuple[str, int, str]], list[str]] = {}
        for path, stats in self.stats.items():
            for unit, rows in stats.unit_rows.items():
                # Slices' rows in a replaced unit land in it too, so they count towards what it will hold.
                after[(stats.table, unit)] = after.get((stats.table, unit), 0) + rows
                if stats.replaces_units:
                    files.setdefault((stats.table, unit), []).append(self._source(path).name)
        shrinks = []
        for table in {table for table, _unit in files}:
            stored = self.con.execute(
                f"SELECT area_fips, year, qtr, count(*) FROM {table} "
                f"SEMI JOIN {units} USING ({', '.join(UNIT_KEY)}) GROUP BY ALL"
            ).fetchall()
            for area, year, qtr, before in stored:
                key = (table, (area, int(year), qtr))
                if key in files and after[key] < SHRINK_LIMIT * before:
                    shrinks.append(
                        Shrink(tuple(files[key]), f"area {area}", _period(year, qtr), before, after[key])
                    )
        return sorted(shrinks, key=lambda s: (s.files, s.scope, s.period))

    def _shrinking_slices(self) -> list[Shrink]:
        """Industry and size slices bringing fewer than SHRINK_LIMIT of the rows stored for their slice."""
        after: dict[tuple[str, str, str, int, str], int] = {}
        files: dict[tuple[str, str, str, int, str], list[str]] = {}
        for path, stats in self.stats.items():
            scope = stats.slice_scope
            if scope is None:
                continue
            for (_area, year, qtr), rows in stats.unit_rows.items():
                key = (stats.table, *scope, year, qtr)
                after[key] = after.get(key, 0) + rows
                files.setdefault(key, []).append(self._source(path).name)
        shrinks = []
        # One grouped count per table and slice kind (a national year has thousands of industry slices).
        for table, column in sorted({(table, column) for table, column, *_rest in after}):
            scopes = self._scratch("TABLE", f"_sw_slices_{next(_scan_ids)}")
            sql_type = KEY_COLUMNS[column]
            self.con.execute(f"CREATE TEMP TABLE {scopes} ({column} {sql_type}, year SMALLINT, qtr VARCHAR)")
            wanted = sorted({(v, y, q) for t, c, v, y, q in after if (t, c) == (table, column)})
            _insert_values(
                self.con, scopes, [(int(v) if sql_type != "VARCHAR" else v, y, q) for v, y, q in wanted]
            )
            stored = self.con.execute(
                f"SELECT CAST({column} AS VARCHAR), year, qtr, count(*) FROM {table} "
                f"SEMI JOIN {scopes} USING ({column}, year, qtr) GROUP BY ALL"
            ).fetchall()
            for value, year, qtr, before in stored:
                key = (table, column, value, int(year), qtr)
                if key in after and after[key] < SHRINK_LIMIT * before:
                    what = f"industry {value}" if column == "industry_code" else f"size class {value}"
                    named = tuple(dict.fromkeys(files[key]))
                    shrinks.append(Shrink(named, what, _period(year, qtr), before, after[key]))
        return sorted(shrinks, key=lambda s: (s.files, s.scope, s.period))

    def _delete_replaced(self, table: str, rows: str, units: str, row_keyed: list[str]) -> int:
        match = " AND ".join(f"{table}.{k} = u.{k}" for k in UNIT_KEY)
        deleted = _count(self.con.execute(f"DELETE FROM {table} USING {units} u WHERE {match}"))
        if row_keyed:
            keys = ", ".join(ROW_KEY)
            listed = ", ".join(str(self.paths.index(path)) for path in row_keyed)
            match = " AND ".join(f"{table}.{k} = r.{k}" for k in ROW_KEY)
            deleted += _count(
                self.con.execute(
                    f"DELETE FROM {table} USING (SELECT {keys} FROM {rows} WHERE file_no IN ({listed})) r "
                    f"WHERE {match}"
                )
            )
        return deleted

    def _upsert_titles(self) -> None:
        titled = [s.table for s in self.staged if s.layout.has_titles]
        if not titled:
            return
        pairs = list(TITLE_TABLES.values())
        columns = ", ".join(["year", *(name for pair in pairs for name in pair)])
        rows = "(" + " UNION ALL ".join(f"SELECT {columns} FROM {table}" for table in titled) + ")"
        sets = ", ".join(f"(year, {code}, {title})" for code, title in pairs)
        # One pass for all five title tables: each grouping set yields that code's distinct titles by year.
        found = self._scratch("TABLE", "_sw_titles")
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {found} AS "
            f"SELECT {columns} FROM {rows} GROUP BY GROUPING SETS ({sets})"
        )
        for title_table, (code, title) in TITLE_TABLES.items():
            # The newest year's title wins when BLS retitled a code.
            self.con.execute(
                f"INSERT OR REPLACE INTO {title_table} ({code}, {title}) "
                f"SELECT {code}, arg_max(trim({title}), year) FROM {found} "
                f"WHERE {code} IS NOT NULL AND nullif(trim({title}), '') IS NOT NULL GROUP BY {code}"
            )

    def _log(self) -> None:
        entries = [
            (self._source(path).name, stats.layout.name, stats.rows, len(stats.areas))
            for path, stats in self.stats.items()
        ]
        _insert_values(self.con, "ingest_log (file, layout, rows, areas)", entries)

    def _summary(self, file_count: int, table_rows: dict[str, int], replaced: int) -> IngestSummary:
        found = {unit for units in self.units.values() for unit in units}
        return IngestSummary(
            files=file_count,
            rows=sum(table_rows.values()),
            areas=tuple(sorted({area for area, _year, _qtr in found})),
            years=tuple(sorted({int(year) for _area, year, _qtr in found})),
            periods=tuple(sorted({f"{year}A" if qtr == "A" else f"{year}Q{qtr}" for _a, year, qtr in found})),
            table_rows=MappingProxyType(dict(table_rows)),
            replaced_rows=replaced,
        )

    def drop(self) -> None:
        for entry in reversed(self.scratch):
            kind, name = entry.split()
            self.con.execute(f"DROP {kind} IF EXISTS {name}")


def _period(year: int, qtr: str) -> str:
    return f"{year}A" if qtr == "A" else f"{year}Q{qtr}"


def _insert_values(con: duckdb.DuckDBPyConnection, target: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Insert a few thousand small rows as literal VALUES (prepared parameters are slow by the thousand)."""
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        values = ", ".join("(" + ", ".join(_literal(value) for value in row) + ")" for row in chunk)
        con.execute(f"INSERT INTO {target} VALUES {values}")


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _sql_text(str(value))


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0


def _normal(column: str, value: str) -> str:
    value = value.strip()
    if column == "qtr":
        return value.upper()
    if column == "area_fips" and value.isdigit() and len(value) < 5:
        return value.zfill(5)
    if column == "year":
        try:
            return str(int(float(value)))
        except ValueError:
            return value
    return value


def _lacks_any(columns: list[str], row: dict[str, str]) -> bool:
    return any(not row.get(column, "").strip() for column in columns)


def _qtr_outside(allowed: tuple[str, ...], row: dict[str, str]) -> bool:
    return row.get("qtr", "").strip().upper() not in allowed


def _row_key(row: dict[str, str]) -> dict[str, str]:
    key = {}
    for column in ROW_KEY:
        value = _normal(column, row.get(column, ""))
        if column in {"own_code", "agglvl_code", "size_code", "year"}:
            with contextlib.suppress(ValueError):
                value = str(int(float(value)))
        key[column] = value
    return key
