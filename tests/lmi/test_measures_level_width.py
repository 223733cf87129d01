"""`sectorwise lmi measures --level/--industry`, and its terminal table fitted to the terminal's width."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from tests.lmi.test_measures_cli import warehouse_file  # noqa: F401  (the small Vermont warehouse)


def run(path: Path, *args: str, columns: int = 250) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["lmi", "measures", "--year", "2016", "--period", "1", "--reference", "US000", "--area", "50001",
         "--warehouse", str(path), *args],
        env={"COLUMNS": str(columns)},
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def industries(output: str) -> list[tuple[int, str]]:
    types = pacsv.ConvertOptions(column_types={"industry_code": pa.string()})
    table = pacsv.read_csv(io.BytesIO(output.encode()), convert_options=types)
    return sorted(
        zip(table.column("own_code").to_pylist(), table.column("industry_code").to_pylist(), strict=True)
    )


@pytest.mark.parametrize(
    ("args", "rows"),
    [
        ([], [(0, "10"), (5, "10"), (5, "62")]),
        (["--level", "sector"], [(5, "62")]),
        (["--level", "2"], [(5, "62")]),
        (["--level", "total"], [(0, "10"), (5, "10")]),
        (["--level", "71"], [(5, "10")]),  # BLS's aggregation level: county, total by ownership
        (["--industry", "6"], [(5, "62")]),  # a prefix
        (["--industry", "10,62", "--level", "sector"], [(5, "62")]),
    ],
)
def test_level_and_industry_select_rows(
    warehouse_file: Path,  # noqa: F811
    args: list[str],
    rows: list[tuple[int, str]],
) -> None:
    code, out, err = run(warehouse_file, "--format", "csv", *args)
    assert code == 0, err
    assert industries(out) == rows


def test_a_bad_level_or_industry_is_an_error(warehouse_file: Path) -> None:  # noqa: F811
    code, _, err = run(warehouse_file, "--level", "naics9")
    assert code == 1 and "--level 'naics9': choose sector, 3, 4, 5 or 6" in " ".join(err.split())
    code, _, err = run(warehouse_file, "--industry", "7")
    assert code == 1 and "--industry '7' is not in the warehouse" in " ".join(err.split())


def test_a_narrow_terminal_gets_fewer_columns_never_cut_numbers(warehouse_file: Path) -> None:  # noqa: F811
    code, out, err = run(warehouse_file, "--level", "sector", columns=80)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    header = next(line for line in out.splitlines() if "area_fips" in line)
    # The identifiers and the main figures stay, whole.
    for name in ("area_fips", "industry_code", "month3_emplvl", "lq_month3_emplvl"):
        assert name in header
    assert "1,600" in out and "3.87" in out
    assert "avg_wkly_wage" not in header and "qtrly_estabs" not in header
    note = " ".join(err.split())
    assert "Left out to fit the terminal (80 columns wide): " in note
    assert "qtrly_estabs, avg_wkly_wage" in note and "Files carry every column" in note


def test_a_wide_terminal_gets_every_table_column(warehouse_file: Path) -> None:  # noqa: F811
    code, out, err = run(warehouse_file, "--level", "sector", columns=250)
    assert code == 0, err
    assert "oty_month3_emplvl_pct_chg" in out and "Addison County, Vermont" in out
    assert "Left out" not in err
