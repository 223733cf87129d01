"""The LMI warehouse: one DuckDB file, reached through Ibis.

Tables (column names are BLS's open-data names, so that output diffs against BLS files):

- ``qcew_quarterly``: area_fips, own_code, industry_code, agglvl_code, size_code, year, qtr ('1'-'4'),
  disclosure_code, qtrly_estabs, month1_emplvl, month2_emplvl, month3_emplvl, total_qtrly_wages,
  taxable_qtrly_wages, qtrly_contributions, avg_wkly_wage.
- ``qcew_annual``: the same keys with qtr 'A', and annual_avg_estabs, annual_avg_emplvl, total_annual_wages,
  taxable_annual_wages, annual_contributions, annual_avg_wkly_wage, avg_annual_pay.
- ``area_titles``, ``industry_titles``, ``agglvl_titles``, ``size_titles``, ``own_titles``: code -> title, as
  the files that carry titles give them.
- ``ingest_log``: one row per file loaded.

A unit of replacement is (area_fips, year, qtr): ingesting it again replaces it.

Writers never write the live file in place (:func:`writing`): DuckDB lets one process hold a file open for
writing and refuses every other process, readers included, so a load written in place took the web's pages
down for its whole length. A load copies the live file beside it, writes the copy, checkpoints and closes it,
and moves it over the live file with ``os.replace`` (atomic on one filesystem). A reader that opens the file
read-only therefore always finds a complete warehouse and no writer's lock, and a reader that opened the old
file keeps reading it (POSIX keeps the replaced inode until it is closed). Writers queue on an advisory lock
on ``<warehouse>.lock`` for the whole copy-write-swap, so two loads never lose each other's rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import duckdb
import ibis
import platformdirs
from ibis.backends.duckdb import Backend as DuckDBBackend
from ibis.common.exceptions import TableNotFound

QUARTERLY_TABLE: Final = "qcew_quarterly"
ANNUAL_TABLE: Final = "qcew_annual"

KEY_COLUMNS: Final[dict[str, str]] = {
    "area_fips": "VARCHAR",
    "own_code": "SMALLINT",
    "industry_code": "VARCHAR",
    "agglvl_code": "SMALLINT",
    "size_code": "SMALLINT",
    "year": "SMALLINT",
    "qtr": "VARCHAR",
    "disclosure_code": "VARCHAR",
}

QUARTERLY_VALUE_COLUMNS: Final[dict[str, str]] = {
    "qtrly_estabs": "BIGINT",
    "month1_emplvl": "BIGINT",
    "month2_emplvl": "BIGINT",
    "month3_emplvl": "BIGINT",
    "total_qtrly_wages": "BIGINT",
    "taxable_qtrly_wages": "BIGINT",
    "qtrly_contributions": "BIGINT",
    "avg_wkly_wage": "BIGINT",
}

ANNUAL_VALUE_COLUMNS: Final[dict[str, str]] = {
    "annual_avg_estabs": "BIGINT",
    "annual_avg_emplvl": "BIGINT",
    "total_annual_wages": "BIGINT",
    "taxable_annual_wages": "BIGINT",
    "annual_contributions": "BIGINT",
    "annual_avg_wkly_wage": "BIGINT",
    "avg_annual_pay": "BIGINT",
}


def _published(measures: dict[str, str]) -> dict[str, str]:
    """BLS's own location quotients (against the U.S.) and over-the-year changes of each figure, as the
    files carry them: kept so that an LQ can be read where the national file is not loaded, and compared."""
    columns = {"lq_disclosure_code": "VARCHAR"} | {f"lq_{name}": "DOUBLE" for name in measures}
    columns["oty_disclosure_code"] = "VARCHAR"
    for name in measures:
        columns |= {f"oty_{name}_chg": "BIGINT", f"oty_{name}_pct_chg": "DOUBLE"}
    return columns


#: BLS's published ``lq_*`` and ``oty_*`` columns, after the figures (NULL where a row was loaded before
#: the warehouse kept them, or came from a file without them).
QUARTERLY_PUBLISHED_COLUMNS: Final[dict[str, str]] = _published(QUARTERLY_VALUE_COLUMNS)
ANNUAL_PUBLISHED_COLUMNS: Final[dict[str, str]] = _published(ANNUAL_VALUE_COLUMNS)
PUBLISHED_COLUMNS: Final[dict[str, dict[str, str]]] = {
    QUARTERLY_TABLE: QUARTERLY_PUBLISHED_COLUMNS,
    ANNUAL_TABLE: ANNUAL_PUBLISHED_COLUMNS,
}

#: How long a writer waits for another load to finish before giving up (a national load takes minutes).
DEFAULT_LOCK_TIMEOUT: Final = 3600.0
#: How often a waiting writer tries the lock again.
_LOCK_POLL_SECONDS: Final = 0.2

TITLE_TABLES: Final[dict[str, tuple[str, str]]] = {
    "area_titles": ("area_fips", "area_title"),
    "own_titles": ("own_code", "own_title"),
    "industry_titles": ("industry_code", "industry_title"),
    "agglvl_titles": ("agglvl_code", "agglvl_title"),
    "size_titles": ("size_code", "size_title"),
}


def default_warehouse_path() -> Path:
    """``$SECTORWISE_DATA_DIR/warehouse.duckdb``, else the per-user data directory."""
    return data_dir() / "warehouse.duckdb"


def data_dir() -> Path:
    """Where Sectorwise keeps its files: ``SECTORWISE_DATA_DIR`` or the per-user data directory."""
    configured = os.environ.get("SECTORWISE_DATA_DIR")
    base = Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("sectorwise"))
    base.mkdir(parents=True, exist_ok=True)
    return base


def _columns_sql(columns: dict[str, str]) -> str:
    return ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())


def schema_statements() -> list[str]:
    """DDL that creates every warehouse table if it is missing, and adds the columns a warehouse written by
    an earlier version lacks (the published LQs and changes), so that opening it for writing upgrades it."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {QUARTERLY_TABLE} "
        f"({_columns_sql(KEY_COLUMNS | QUARTERLY_VALUE_COLUMNS | QUARTERLY_PUBLISHED_COLUMNS)})",
        f"CREATE TABLE IF NOT EXISTS {ANNUAL_TABLE} "
        f"({_columns_sql(KEY_COLUMNS | ANNUAL_VALUE_COLUMNS | ANNUAL_PUBLISHED_COLUMNS)})",
        *(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {sql_type}"
            for table, columns in PUBLISHED_COLUMNS.items()
            for name, sql_type in columns.items()
        ),
        "CREATE TABLE IF NOT EXISTS ingest_log (file VARCHAR, layout VARCHAR, rows BIGINT, "
        "areas BIGINT, ingested_at TIMESTAMP DEFAULT current_timestamp)",
    ]
    for table, (code, title) in TITLE_TABLES.items():
        code_type = KEY_COLUMNS[code]
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table} ({code} {code_type} PRIMARY KEY, {title} VARCHAR)"
        )
    return statements


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in schema_statements():
        con.execute(statement)


class WarehouseUnavailable(OSError):
    """The warehouse file exists but cannot be opened: a process writes it in place (DuckDB's lock; only an
    old-style writer or a program outside Sectorwise does that now), or the file is damaged. An OSError, so
    commands that report unreadable files report this one too."""

    def __init__(self, path: Path, cause: BaseException) -> None:
        super().__init__(f"cannot open the warehouse {path}: {cause}")
        self.path = path
        self.cause = cause


class WarehouseBusy(TimeoutError):
    """Another load holds the writers' lock longer than this writer was willing to wait."""

    def __init__(self, lock_path: Path, waited: float) -> None:
        super().__init__(
            f"another load is writing the warehouse: the lock {lock_path} was not free within {waited:g} s "
            "(try again when it has finished)"
        )
        self.lock_path = lock_path


#: What reading a warehouse that is locked, damaged or not a Sectorwise warehouse raises (WarehouseUnavailable
#: is an OSError): a reader that must not fail, such as a web page, catches these.
READ_ERRORS: Final = (duckdb.Error, OSError, TableNotFound)


def open_duckdb(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A raw DuckDB connection to the warehouse file, with the schema in place.

    ``read_only=False`` writes the file in place and locks every other process out while it is open: keep it
    for files nobody else reads (a test's, a scratch copy); a shared warehouse is written with
    :func:`writing`. A read-only open that fails (the file is locked or damaged) raises
    :class:`WarehouseUnavailable`.
    """
    target = path or default_warehouse_path()
    if read_only and not target.exists():
        raise FileNotFoundError(
            f"no warehouse at {target}: load data first with `sectorwise lmi ingest PATH...`"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if read_only:
        try:
            return duckdb.connect(str(target), read_only=True)
        except duckdb.Error as error:
            raise WarehouseUnavailable(target, error) from error
    con = duckdb.connect(str(target))
    ensure_schema(con)
    return con


def connect(path: Path | None = None, *, read_only: bool = False) -> DuckDBBackend:
    """An Ibis connection to the warehouse; measures are built on its tables."""
    return ibis.duckdb.from_connection(open_duckdb(path, read_only=read_only))


def lock_path(path: Path) -> Path:
    """The side file writers lock (never deleted: removing a lock file lets two writers hold "the" lock)."""
    return path.with_name(path.name + ".lock")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _scratch_prefix(path: Path) -> str:
    return f".{path.name}.writing-"


@contextlib.contextmanager
def writers_lock(
    path: Path,
    *,
    timeout: float | None = DEFAULT_LOCK_TIMEOUT,
    on_wait: Callable[[Path], None] | None = None,
) -> Iterator[None]:
    """Hold the exclusive advisory lock on ``<path>.lock``; ``timeout=None`` waits as long as it takes.

    ``on_wait`` is called once, with the lock file, when another writer holds it (the CLI says so). flock
    locks belong to the open file, so the lock goes when the process dies: a crashed load never blocks the
    next one.
    """
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if timeout is not None and waited >= timeout:
                    raise WarehouseBusy(lock, timeout) from None
                if not told and on_wait is not None:
                    on_wait(lock)
                told = True
                time.sleep(_LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def writing(
    path: Path | None = None,
    *,
    lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
    on_wait: Callable[[Path], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the warehouse that replaces the live file when the block ends.

    All or nothing: if the block raises, the copy is deleted and the live file is untouched. Readers never
    see the writer's lock or a half-written file (see the module's notes). Cost: the whole file is copied
    once per write (docs/architecture.md, "QCEW ingest", has the measured seconds per GB).
    """
    target = path or default_warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with writers_lock(target, timeout=lock_timeout, on_wait=on_wait):
        _remove_abandoned_copies(target)
        scratch = target.with_name(f"{_scratch_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}")
        try:
            if target.exists():
                _copy_live(target, scratch)
            con = duckdb.connect(str(scratch))
            try:
                ensure_schema(con)
                yield con
                # Everything into the main file: the copy must not need a .wal to be complete once moved.
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync(scratch)
            # A .wal left by a crashed in-place writer belongs to the old file (its rows are in the copy,
            # replayed when the copy was opened); beside the new file it would be replayed onto it.
            _wal(target).unlink(missing_ok=True)
            os.replace(scratch, target)
            _fsync(target.parent)
        except BaseException:
            scratch.unlink(missing_ok=True)
            _wal(scratch).unlink(missing_ok=True)
            raise


def _copy_live(live: Path, copy: Path) -> None:
    """Copy the live file (and a .wal a crashed in-place writer left) while holding it open read-only:
    DuckDB then refuses a process that writes it in place, instead of letting us copy a file in flux."""
    try:
        guard = duckdb.connect(str(live), read_only=True)
    except duckdb.Error as error:
        raise WarehouseUnavailable(live, error) from error
    try:
        shutil.copyfile(live, copy)
        shutil.copymode(live, copy)
        if _wal(live).exists():
            shutil.copyfile(_wal(live), _wal(copy))
    finally:
        guard.close()


def _remove_abandoned_copies(target: Path) -> None:
    """Copies left by a writer that was killed mid-load; only called under the writers' lock, so no
    running writer owns them."""
    for leftover in target.parent.glob(_scratch_prefix(target) + "*"):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
