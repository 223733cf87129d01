"""What a new load replaces: whole (area, year, qtr) units for area files, single rows for industry slices."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sectorwise.lmi.ingest import ingest_paths
from tests.lmi.qcew_files import INDUSTRIES, LAYOUT, render, rows

QUARTERLY = LAYOUT["quarterly"]
COLUMN = {name: index for index, name in enumerate(QUARTERLY.columns)}


def area_slice(root: Path, area: str, *, employment: int | None = None) -> Path:
    """The open-data area slice ``<root>/2016/1/area/<area>.csv``."""
    data = rows(QUARTERLY, area=area, qtrs="1")
    if employment is not None:
        for row in data:
            row[COLUMN["month3_emplvl"]] = str(employment)
    path = root / "2016" / "1" / "area" / f"{area}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(QUARTERLY, data))
    return path


def industry_slice(root: Path, industry: str, areas: list[str], employment: int) -> Path:
    """The open-data industry slice ``<root>/2016/1/industry/<industry>.csv``: one industry, many areas."""
    data = [
        row
        for area in areas
        for row in rows(QUARTERLY, area=area, qtrs="1")
        if row[COLUMN["industry_code"]] == industry
    ]
    for row in data:
        row[COLUMN["month3_emplvl"]] = str(employment)
    path = root / "2016" / "1" / "industry" / f"{industry}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(QUARTERLY, data))
    return path


def stored(warehouse: Path) -> dict[tuple[str, str, int], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "SELECT area_fips, industry_code, own_code, month3_emplvl FROM qcew_quarterly"
        ).fetchall()
    return {(area, industry, own): employment for area, industry, own, employment in found}


def test_an_area_slice_loaded_again_replaces_its_unit(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths(
        [area_slice(tmp_path / "a", "50001"), area_slice(tmp_path / "a", "50003")], warehouse=warehouse
    )
    again = ingest_paths([area_slice(tmp_path / "b", "50001", employment=7)], warehouse=warehouse)
    assert again.replaced_rows == len(INDUSTRIES)
    figures = stored(warehouse)
    assert len(figures) == 2 * len(INDUSTRIES)
    assert {v for (area, _i, _o), v in figures.items() if area == "50001"} == {7}
    assert 7 not in {v for (area, _i, _o), v in figures.items() if area == "50003"}


def test_an_industry_slice_replaces_only_its_rows(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths(
        [area_slice(tmp_path / "a", "50001"), area_slice(tmp_path / "a", "50003")], warehouse=warehouse
    )
    summary = ingest_paths(
        [industry_slice(tmp_path / "b", "23", ["50001", "50003"], 99)], warehouse=warehouse
    )
    assert summary.rows == 2 and summary.replaced_rows == 2
    figures = stored(warehouse)
    # Every other industry of both areas is still there; only the slice's rows changed.
    assert len(figures) == 2 * len(INDUSTRIES)
    assert {key: v for key, v in figures.items() if v == 99} == {
        ("50001", "23", 5): 99,
        ("50003", "23", 5): 99,
    }
