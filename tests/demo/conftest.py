"""The demo source is generated once per test session: every test here reads the same files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sectorwise.demo.synthetic import DemoSource, write_demo_source


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> DemoSource:
    return write_demo_source(tmp_path_factory.mktemp("demo-source"))


@pytest.fixture(scope="session")
def demo_rows(demo_source: DemoSource) -> duckdb.DuckDBPyConnection:
    """Every quarterly and annual row of the demo files, read as text by DuckDB, in tables q and a
    ('""' stays an empty string, as BLS means it, not NULL)."""
    con = duckdb.connect()
    for table, pattern in (("q", "*.q1-q4.by_area/*.csv"), ("a", "*.annual.by_area/*.csv")):
        files = sorted(str(path) for path in Path(demo_source.qcew_directory).glob(pattern))
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv($files, header = true, all_varchar = true, "
            "allow_quoted_nulls = false)",
            {"files": files},
        )
    return con
