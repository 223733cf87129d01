"""`sectorwise lmi measures`, `growth` and `shiftshare` on a small warehouse file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi import warehouse
from sectorwise.lmi.regionsets import RegionSet, store_region_set
from tests.lmi.qcew_rows import Cell, annual_frame, quarterly_frame

runner = CliRunner()


def small_state() -> list[Cell]:
    cells = []
    for year, grow in ((2015, 0), (2016, 100)):
        cells += [
            Cell("US000", 0, "10", year, "1", 1_000_000 + 10 * grow, wages=13_000_000_000),
            Cell("US000", 5, "10", year, "1", 800_000 + 10 * grow, wages=10_400_000_000),
            Cell("US000", 5, "62", year, "1", 100_000 + 10 * grow, wages=1_300_000_000),
            Cell("50000", 0, "10", year, "1", 10_000 + grow, wages=130_000_000),
            Cell("50000", 5, "10", year, "1", 9_000 + grow, wages=117_000_000),
            Cell("50000", 5, "62", year, "1", 2_000 + grow, wages=26_000_000),
            Cell("50001", 0, "10", year, "1", 4_000 + grow, wages=52_000_000),
            Cell("50001", 5, "10", year, "1", 3_500 + grow, wages=45_500_000),
            Cell("50001", 5, "62", year, "1", 1_500 + grow, wages=19_500_000),
            Cell("50003", 0, "10", year, "1", 6_000, wages=78_000_000),
            Cell("50003", 5, "10", year, "1", 5_500, wages=71_500_000),
            Cell("50003", 5, "62", year, "1", 500, wages=6_500_000),
        ]
    return cells


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    warehouse.ensure_schema(con)
    quarterly = quarterly_frame(small_state())  # noqa: F841 (read by DuckDB's replacement scan)
    annual = annual_frame(  # noqa: F841
        [Cell(c.area, c.own, c.industry, c.year, "A", c.employment, wages=c.wages * 4) for c in small_state()]
    )
    con.execute(f"INSERT INTO {warehouse.QUARTERLY_TABLE} BY NAME SELECT * FROM quarterly")
    con.execute(f"INSERT INTO {warehouse.ANNUAL_TABLE} BY NAME SELECT * FROM annual")
    con.execute("INSERT INTO area_titles VALUES ('50001', 'Addison County, Vermont')")
    con.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["lmi", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_measures_as_csv_carry_bls_columns(warehouse_file: Path) -> None:
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "50000",
        "--area", "50001", "--ownership", "5", "--warehouse", str(warehouse_file), "--format", "csv",
    )  # fmt: skip
    assert code == 0, output
    codes_as_text = pacsv.ConvertOptions(
        column_types={"area_fips": pa.string(), "industry_code": pa.string()}
    )
    table = pacsv.read_csv(io.BytesIO(output.encode()), convert_options=codes_as_text)
    rows = {row["industry_code"]: row for row in table.to_pylist()}
    assert set(rows) == {"10", "62"}
    health = rows["62"]
    assert health["area_title"] == "Addison County, Vermont"
    assert health["lq_month3_emplvl"] == round((1_600 / 4_100) / (2_100 / 10_100), 2)
    assert health["oty_month3_emplvl_chg"] == 100
    assert health["oty_month3_emplvl_pct_chg"] == 6.7
    for column in ("month1_emplvl", "qtrly_estabs", "total_qtrly_wages", "avg_wkly_wage", "lq_qtrly_estabs"):
        assert column in table.column_names


def test_measures_of_a_command_line_region_as_json(warehouse_file: Path) -> None:
    code, output = run(
        "measures", "--year", "2016", "--period", "A", "--reference", "US000",
        "--region-counties", "South=50001,50003", "--warehouse", str(warehouse_file), "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    rows = json.loads(output)
    assert {row["area_fips"] for row in rows} == {"South"}
    health = next(row for row in rows if row["industry_code"] == "62" and row["own_code"] == 5)
    assert health["annual_avg_emplvl"] == 2_100
    assert health["incomplete"] is False
    assert health["lq_annual_avg_emplvl"] == round((2_100 / 10_100) / (101_000 / 1_001_000), 2)


def test_a_region_from_a_file_written_to_parquet(warehouse_file: Path, tmp_path: Path) -> None:
    regions = tmp_path / "regions.toml"
    regions.write_text('[regions.South]\ncounties = ["50001", "50003"]\n', encoding="utf-8")
    target = tmp_path / "out.parquet"
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "50000", "--region", "South",
        "--regions-file", str(regions), "--warehouse", str(warehouse_file),
        "--format", "parquet", "-o", str(target),
    )  # fmt: skip
    assert code == 0, output
    assert set(pq.read_table(target).column("area_fips").to_pylist()) == {"South"}


def test_the_readable_table_shows_key_columns(warehouse_file: Path) -> None:
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "50000", "--area", "50003",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 0, output
    assert "50003" in output and "lq_month3_emplvl" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reference", "06000"], "--reference '06000' is not in the warehouse"),
        (["--reference", "50000", "--region", "North"], "--region 'North' is not defined"),
        (["--reference", "50000", "--region-counties", "North=50001,50099"], "unknown county 50099"),
        (["--reference", "50000", "--format", "parquet"], "give it with -o FILE"),
    ],
)
def test_user_errors_exit_1_with_a_message(warehouse_file: Path, args: list[str], message: str) -> None:
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--warehouse", str(warehouse_file), *args
    )
    assert code == 1
    assert message in " ".join(output.split())
    assert "Traceback" not in output


def test_a_bad_period_and_a_missing_warehouse_are_reported(tmp_path: Path) -> None:
    code, output = run("measures", "--year", "2016", "--period", "7", "--reference", "US000")
    assert code == 1
    assert "--period must be 1, 2, 3, 4 or A (annual), not '7'" in " ".join(output.split())
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "US000",
        "--warehouse", str(tmp_path / "missing.duckdb"),
    )  # fmt: skip
    assert code == 1
    assert "no warehouse at" in output


def test_growth_over_a_span(warehouse_file: Path) -> None:
    code, output = run(
        "growth", "--start-year", "2015", "--end-year", "2016", "--area", "50001", "--ownership", "5",
        "--warehouse", str(warehouse_file), "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    health = next(row for row in json.loads(output) if row["industry_code"] == "62")
    assert health["annual_avg_emplvl_cagr_pct"] == pytest.approx(100 * (1_600 / 1_500 - 1))


def test_shiftshare_of_a_region(warehouse_file: Path) -> None:
    code, output = run(
        "shiftshare", "--region-counties", "South=50001,50003", "--region", "South", "--reference", "US000",
        "--start", "2015:1", "--end", "2016:1", "--level", "sector", "--warehouse", str(warehouse_file),
        "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    (health,) = json.loads(output)
    assert health["actual_change"] == 100
    components = ("national_growth", "industry_mix", "competitive_effect")
    assert sum(health[c] for c in components) == pytest.approx(100)


def test_shiftshare_needs_exactly_one_area(warehouse_file: Path) -> None:
    code, output = run(
        "shiftshare", "--reference", "US000", "--start", "2015:1", "--end", "2016:1",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert "exactly one of --area AREA or --region NAME" in output
    code, output = run(
        "shiftshare", "--area", "50001", "--reference", "US000", "--start", "2015", "--end", "2016:1",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert "--start must be YEAR:PERIOD" in output


def test_a_region_of_a_stored_region_set(warehouse_file: Path) -> None:
    con = duckdb.connect(str(warehouse_file))
    store_region_set(con, RegionSet(name="zones", assignments={"50001": "CZ1", "50003": "CZ1"}))
    con.close()
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "50000", "--region", "zones@50003",
        "--ownership", "5", "--warehouse", str(warehouse_file), "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    health = next(row for row in json.loads(output) if row["industry_code"] == "62")
    assert (health["area_fips"], health["month3_emplvl"]) == ("zones@50003", 2_100)
    code, output = run(
        "measures", "--year", "2016", "--period", "1", "--reference", "50000", "--region", "nosuch:CZ1",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert "--region 'nosuch:CZ1'" in output
