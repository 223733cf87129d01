"""Load BLS QCEW CSV files into the warehouse: atomically, idempotently, at the speed of DuckDB's CSV reader.

How (and why so):

1. Every file is looked at from Python only cheaply: its header (which picks the layout) and whether it is
   complete (a gzip stream cut short, a last line without its line break).
2. Files are grouped by layout and each group is read by ONE DuckDB ``read_csv`` call with explicit column
   types into a temporary staging table. ``store_rejects`` collects every cell that does not parse, with its
   file, line and column, instead of stopping at the first.
3. A few set-based queries validate the staged rows (quarter codes, one year per file, what the file name
   promises, duplicate keys). Only on a failure does Python scan the one offending file, to name its line.
4. One transaction deletes what the staged data replaces and inserts it, titles included. A failure anywhere
   before the commit leaves the warehouse exactly as it was.

The unit of replacement is (area_fips, year, qtr): loading a by_area file, an area slice or a single file
again replaces those areas' periods. Industry and size slices (one industry, or one size class, across many
areas) cover only part of an area's period, so they replace rows key by key instead of whole units.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    find_line,
    iter_rows,
    name_hints,
    read_header,
)
from sectorwise.lmi.warehouse import (
    ANNUAL_TABLE,
    ANNUAL_VALUE_COLUMNS,
    KEY_COLUMNS,
    QUARTERLY_TABLE,
    QUARTERLY_VALUE_COLUMNS,
    TITLE_TABLES,
    ensure_schema,
    open_duckdb,
)

__all__ = ["IngestError", "IngestSummary", "ingest_into", "ingest_paths"]

Progress = Callable[[int, int], None]

VALUE_COLUMNS: Final = {QUARTERLY_TABLE: QUARTERLY_VALUE_COLUMNS, ANNUAL_TABLE: ANNUAL_VALUE_COLUMNS}
# The key of one row; (area_fips, year, qtr) is the unit that a new load of an area's period replaces.
ROW_KEY: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr")
UNIT_KEY: Final = ("area_fips", "year", "qtr")
REQUIRED: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr")

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


def ingest_paths(
    paths: Sequence[Path | str],
    *,
    warehouse: Path | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Load every QCEW CSV under ``paths`` (files, .gz, .zip, directories) into the warehouse file."""
    con = open_duckdb(warehouse)
    try:
        return ingest_into(con, paths, progress=progress)
    finally:
        con.close()


def ingest_into(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    progress: Progress | None = None,
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
        groups: dict[tuple[Layout, str], list[SourceFile]] = {}
        for source in files:
            header = read_header(source)
            layout = detect_layout(header.fields, file=source.name)
            check_complete(source)
            groups.setdefault((layout, header.newline), []).append(source)
            advance(1)
        _refuse_repeated_files(files)
        batch = _Batch(con)
        try:
            for (layout, newline), sources in groups.items():
                batch.stage(layout, newline, sources)
                advance(len(sources))
            batch.validate()
            summary = batch.write(len(files))
            advance(1)
            return summary
        finally:
            batch.drop()


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
    table: str  # the temporary staging table, all columns as typed by the layout
    view: str  # the staged rows under warehouse names, normalized


class _Batch:
    """The staging tables of one ingest call and the checks and writes on them."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.staged: list[_Staged] = []
        self.by_path: dict[str, SourceFile] = {}
        self.scratch: list[str] = []

    # -- staging ---------------------------------------------------------------------------------------------

    def stage(self, layout: Layout, newline: str, sources: list[SourceFile]) -> None:
        scan = next(_scan_ids)
        table, rejects, scans = f"_sw_stage_{scan}", f"_sw_rejects_{scan}", f"_sw_scans_{scan}"
        view = f"_sw_rows_{scan}"
        self.scratch += [f"VIEW {view}", f"TABLE {table}", f"TABLE {rejects}", f"TABLE {scans}"]
        for source in sources:
            self.by_path[str(source.path)] = source
        file_list = "[" + ", ".join(_sql_text(str(s.path)) for s in sources) + "]"
        try:
            self.con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({file_list}, "
                f"columns = {_struct(layout.duckdb_types())}, auto_detect = false, header = true, "
                f"delim = ',', quote = '\"', "
                f"escape = '\"', new_line = {_sql_text(newline.encode('unicode_escape').decode())}, "
                f"filename = true, store_rejects = true, rejects_table = '{rejects}', "
                f"rejects_scan = '{scans}')"
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
        self.con.execute(f"CREATE TEMP VIEW {view} AS SELECT {self._normalized(layout)} FROM {table}")
        self.staged.append(_Staged(layout=layout, sources=sources, table=table, view=view))

    @staticmethod
    def _normalized(layout: Layout) -> str:
        stored = [*KEY_COLUMNS, *VALUE_COLUMNS[layout.table]]
        titles = [title for _code, title in TITLE_TABLES.values()] if layout.has_titles else []
        exprs = []
        for column in [*stored, *titles]:
            source = layout.file_column(column)
            if column == "area_fips":
                # Files re-written by spreadsheets or pandas lose the leading zero of a state code (1001).
                exprs.append(
                    f"CASE WHEN regexp_full_match(trim({source}), '[0-9]{{1,4}}') "
                    f"THEN lpad(trim({source}), 5, '0') ELSE nullif(trim({source}), '') END AS area_fips"
                )
            elif column == "qtr":
                exprs.append(f"nullif(upper(trim({source})), '') AS qtr")
            elif KEY_COLUMNS.get(column) == "VARCHAR" or column in titles:
                exprs.append(f"nullif(trim({source}), '') AS {column}")
            else:
                exprs.append(f"{source} AS {column}")
        exprs.append("filename")
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
        views = [s.view for s in self.staged if s.layout.table == table]
        if not views:
            return None
        columns = ", ".join([*KEY_COLUMNS, *VALUE_COLUMNS[table], "filename"])
        return "(" + " UNION ALL ".join(f"SELECT {columns} FROM {view}" for view in views) + ")"

    def _tables(self) -> list[tuple[str, str]]:
        return [(table, rows) for table in (QUARTERLY_TABLE, ANNUAL_TABLE) if (rows := self._rows(table))]

    def validate(self) -> None:
        for staged in self.staged:
            self._refuse_missing_keys(staged)
            self._refuse_bad_quarters(staged)
        self.file_stats = self._file_stats()
        self._refuse_empty_files()
        self._refuse_contradictions()
        for table, rows in self._tables():
            self._refuse_duplicates(table, rows)

    def _source(self, path: str) -> SourceFile:
        return self.by_path[path]

    def _refuse_missing_keys(self, staged: _Staged) -> None:
        missing = " OR ".join(f"{column} IS NULL" for column in REQUIRED)
        which = " ".join(f"WHEN {column} IS NULL THEN '{column}'" for column in REQUIRED)
        hit = self.con.execute(
            f"SELECT filename, CASE {which} END FROM {staged.view} WHERE {missing} LIMIT 1"
        ).fetchone()
        if hit is None:
            return
        path, column = hit
        source = self._source(path)
        file_column = staged.layout.file_column(column)
        line = find_line(source, lambda row: not row.get(file_column, "").strip())
        raise IngestError(
            file=source.name,
            line=line,
            column=file_column,
            problem="an empty cell in a key column",
            expected=f"a value for {file_column}: every row needs its full key ({', '.join(REQUIRED)})",
        )

    def _refuse_bad_quarters(self, staged: _Staged) -> None:
        allowed = ("A",) if staged.layout.annual else ("1", "2", "3", "4")
        listed = ", ".join(_sql_text(q) for q in allowed)
        hit = self.con.execute(
            f"SELECT filename, qtr FROM {staged.view} WHERE qtr NOT IN ({listed}) LIMIT 1"
        ).fetchone()
        if hit is None:
            return
        path, qtr = hit
        source = self._source(path)
        line = find_line(source, lambda row: row.get("qtr", "").strip().upper() not in allowed)
        kind = "annual" if staged.layout.annual else "quarterly"
        raise IngestError(
            file=source.name,
            line=line,
            column="qtr",
            problem=f"qtr {qtr!r} in a {kind} layout",
            expected=" or ".join(repr(q) for q in allowed),
        )

    def _file_stats(self) -> dict[str, _FileStats]:
        stats: dict[str, _FileStats] = {}
        for table, rows in self._tables():
            for (
                path,
                n,
                years,
                qtrs,
                areas,
                min_year,
                min_qtr,
                min_area,
                industries,
                sizes,
                size,
            ) in self.con.execute(
                f"SELECT filename, count(*), count(DISTINCT year), count(DISTINCT qtr), "
                f"count(DISTINCT area_fips), min(year), min(qtr), min(area_fips), "
                f"count(DISTINCT industry_code), count(DISTINCT size_code), min(size_code) "
                f"FROM {rows} GROUP BY filename"
            ).fetchall():
                # An industry slice (one industry) or a size slice (one size class) covers only part of each
                # area's period: it replaces row by row, not whole (area, year, qtr) units.
                partial = areas > 1 and (industries == 1 or (sizes == 1 and size != 0))
                stats[path] = _FileStats(
                    table=table,
                    rows=n,
                    one_year=years == 1,
                    one_qtr=qtrs == 1,
                    one_area=areas == 1,
                    year=min_year,
                    qtr=min_qtr,
                    area=min_area,
                    replaces_units=not partial,
                )
        return stats

    def _refuse_empty_files(self) -> None:
        for staged in self.staged:
            for source in staged.sources:
                if str(source.path) not in self.file_stats:
                    raise IngestError(
                        file=source.name,
                        line=2,
                        problem="the file has a header but no data rows",
                        expected="at least one data row after the header",
                    )

    def _refuse_contradictions(self) -> None:
        for path, stats in self.file_stats.items():
            source = self._source(path)
            hints = name_hints(source.name)
            if hints.year is not None and not (stats.one_year and stats.year == hints.year):
                wanted = str(hints.year)
                self._contradiction(source, "year", wanted, f"the file name says {wanted}")
            if not stats.one_year:
                self._contradiction(source, "year", None, "a BLS file holds one year")
            if hints.qtr is not None and not (stats.one_qtr and stats.qtr == hints.qtr):
                self._contradiction(source, "qtr", hints.qtr, f"the file name says period {hints.qtr}")
            if hints.area_fips is not None and not (stats.one_area and stats.area == hints.area_fips):
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

    def _refuse_duplicates(self, table: str, rows: str) -> None:
        keys = ", ".join(ROW_KEY)
        hit = self.con.execute(
            f"SELECT {keys} FROM {rows} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if hit is None:
            return
        key = dict(zip(ROW_KEY, (str(v) for v in hit), strict=True))
        where = " AND ".join(f"CAST({k} AS VARCHAR) = {_sql_text(v)}" for k, v in key.items())
        paths = [
            p for (p,) in self.con.execute(f"SELECT DISTINCT filename FROM {rows} WHERE {where}").fetchall()
        ]
        ordered = [s for s in self._all_sources() if str(s.path) in paths]
        found: list[tuple[SourceFile, int]] = []
        for source in ordered:
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

    def write(self, file_count: int) -> IngestSummary:
        self.con.execute("CREATE OR REPLACE TEMP TABLE _sw_files (filename VARCHAR, replaces_units BOOLEAN)")
        self.scratch.append("TABLE _sw_files")
        self.con.executemany(
            "INSERT INTO _sw_files VALUES (?, ?)",
            [(path, stats.replaces_units) for path, stats in self.file_stats.items()],
        )
        table_rows: dict[str, int] = {}
        replaced = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table, rows in self._tables():
                replaced += self._delete_replaced(table, rows)
                columns = ", ".join([*KEY_COLUMNS, *VALUE_COLUMNS[table]])
                inserted = self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {rows}")
                table_rows[table] = _count(inserted)
            self._upsert_titles()
            self._log()
            summary = self._summary(file_count, table_rows, replaced)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return summary

    def _delete_replaced(self, table: str, rows: str) -> int:
        deleted = 0
        for replaces_units, key in ((True, UNIT_KEY), (False, ROW_KEY)):
            keys = ", ".join(key)
            match = " AND ".join(f"{table}.{k} = r.{k}" for k in key)
            result = self.con.execute(
                f"DELETE FROM {table} USING (SELECT DISTINCT {keys} FROM {rows} "
                f"JOIN _sw_files USING (filename) WHERE replaces_units = {str(replaces_units).lower()}) r "
                f"WHERE {match}"
            )
            deleted += _count(result)
        return deleted

    def _upsert_titles(self) -> None:
        titled = [s.view for s in self.staged if s.layout.has_titles]
        if not titled:
            return
        columns = ", ".join(["year", *(name for pair in TITLE_TABLES.values() for name in pair)])
        rows = "(" + " UNION ALL ".join(f"SELECT {columns} FROM {view}" for view in titled) + ")"
        for title_table, (code, title) in TITLE_TABLES.items():
            # The newest year's title wins when BLS retitled a code.
            self.con.execute(
                f"INSERT OR REPLACE INTO {title_table} ({code}, {title}) "
                f"SELECT {code}, arg_max({title}, year) FROM {rows} WHERE {title} IS NOT NULL GROUP BY {code}"
            )

    def _log(self) -> None:
        entries = []
        for staged in self.staged:
            for source in staged.sources:
                stats = self.file_stats[str(source.path)]
                entries.append((source.name, staged.layout.name, stats.rows, 1 if stats.one_area else None))
        self.con.executemany(
            "INSERT INTO ingest_log (file, layout, rows, areas) VALUES (?, ?, ?, ?)", entries
        )

    def _summary(self, file_count: int, table_rows: dict[str, int], replaced: int) -> IngestSummary:
        areas: set[str] = set()
        years: set[int] = set()
        periods: set[str] = set()
        for _table, rows in self._tables():
            for (area,) in self.con.execute(f"SELECT DISTINCT area_fips FROM {rows}").fetchall():
                areas.add(area)
            for year, qtr in self.con.execute(f"SELECT DISTINCT year, qtr FROM {rows}").fetchall():
                years.add(int(year))
                periods.add(f"{year}A" if qtr == "A" else f"{year}Q{qtr}")
        return IngestSummary(
            files=file_count,
            rows=sum(table_rows.values()),
            areas=tuple(sorted(areas)),
            years=tuple(sorted(years)),
            periods=tuple(sorted(periods)),
            table_rows=MappingProxyType(dict(table_rows)),
            replaced_rows=replaced,
        )

    def drop(self) -> None:
        for entry in reversed(self.scratch):
            kind, name = entry.split()
            self.con.execute(f"DROP {kind} IF EXISTS {name}")


@dataclass(frozen=True)
class _FileStats:
    table: str
    rows: int
    one_year: bool
    one_qtr: bool
    one_area: bool
    year: int
    qtr: str
    area: str
    replaces_units: bool


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


def _row_key(row: dict[str, str]) -> dict[str, str]:
    key = {}
    for column in ROW_KEY:
        value = _normal(column, row.get(column, ""))
        if column in {"own_code", "agglvl_code", "size_code", "year"}:
            with contextlib.suppress(ValueError):
                value = str(int(float(value)))
        key[column] = value
    return key
