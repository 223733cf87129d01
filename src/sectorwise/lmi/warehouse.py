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
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import duckdb
import ibis
import platformdirs
from ibis.backends.duckdb import Backend as DuckDBBackend

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
    """DDL that creates every warehouse table if it is missing."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {QUARTERLY_TABLE} "
        f"({_columns_sql(KEY_COLUMNS | QUARTERLY_VALUE_COLUMNS)})",
        f"CREATE TABLE IF NOT EXISTS {ANNUAL_TABLE} ({_columns_sql(KEY_COLUMNS | ANNUAL_VALUE_COLUMNS)})",
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


def open_duckdb(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A raw DuckDB connection to the warehouse file, with the schema in place."""
    target = path or default_warehouse_path()
    if read_only and not target.exists():
        raise FileNotFoundError(
            f"no warehouse at {target}: load data first with `sectorwise lmi ingest PATH...`"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only)
    if not read_only:
        ensure_schema(con)
    return con


def connect(path: Path | None = None, *, read_only: bool = False) -> DuckDBBackend:
    """An Ibis connection to the warehouse; measures are built on its tables."""
    return ibis.duckdb.from_connection(open_duckdb(path, read_only=read_only))
