"""Ingest keeps BLS's published LQs and over-the-year changes, and upgrades a warehouse that lacks them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sectorwise.lmi import warehouse
from sectorwise.lmi.ingest import ingest_paths
from tests.lmi import qcew_files


@pytest.mark.parametrize("layout", ["quarterly", "quarterly_titled", "annual", "annual_titled"])
def test_ingest_keeps_the_published_lq_and_oty_columns(tmp_path: Path, layout: str) -> None:
    source = qcew_files.write(tmp_path / "slice.csv", layout, qtrs=("A",) if "annual" in layout else ("1",))
    path = tmp_path / "warehouse.duckdb"
    ingest_paths([source], warehouse=path)
    estabs = "annual_avg_estabs" if "annual" in layout else "qtrly_estabs"
    table = warehouse.ANNUAL_TABLE if "annual" in layout else warehouse.QUARTERLY_TABLE
    with duckdb.connect(str(path), read_only=True) as con:
        stored = con.execute(
            f"SELECT industry_code, own_code, lq_{estabs}, oty_{estabs}_chg, oty_{estabs}_pct_chg "
            f"FROM {table} ORDER BY industry_code, own_code"
        ).fetchall()
    by_file = {
        (row[2], int(row[1])): row
        for row in qcew_files.rows(qcew_files.LAYOUT[layout], qtrs=("A",) if "annual" in layout else ("1",))
    }
    columns = qcew_files.LAYOUT[layout].columns
    wanted = [qcew_files.LAYOUT[layout].file_column(c) for c in (f"lq_{estabs}", f"oty_{estabs}_chg")]
    for industry, own, lq, chg, _pct in stored:
        row = by_file[(industry, own)]
        assert lq == pytest.approx(float(row[columns.index(wanted[0])]))
        assert chg == int(row[columns.index(wanted[1])])


def test_opening_an_old_warehouse_for_writing_adds_the_published_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        columns = ", ".join(
            f"{n} {t}" for n, t in (warehouse.KEY_COLUMNS | warehouse.QUARTERLY_VALUE_COLUMNS).items()
        )
        con.execute(f"CREATE TABLE {warehouse.QUARTERLY_TABLE} ({columns})")
        con.execute(
            f"INSERT INTO {warehouse.QUARTERLY_TABLE} (area_fips, year, qtr) VALUES ('50001', 2016, '1')"
        )
    warehouse.open_duckdb(path).close()
    with duckdb.connect(str(path), read_only=True) as con:
        names = [row[0] for row in con.execute(f"DESCRIBE {warehouse.QUARTERLY_TABLE}").fetchall()]
        kept = con.execute(f"SELECT area_fips, lq_month3_emplvl FROM {warehouse.QUARTERLY_TABLE}").fetchall()
    assert set(warehouse.QUARTERLY_PUBLISHED_COLUMNS) <= set(names)
    assert kept == [("50001", None)]
