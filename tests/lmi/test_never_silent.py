"""Never silent (issue 13): an unknown area, industry, region or period is an error naming it, with "did you
mean" where a near name exists, not an empty table with exit code 0."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.lookup import suggestions
from sectorwise.lmi.regionsets import RegionSet, store_region_set
from tests.conftest import shared_data_path
from tests.lmi.test_measures_cli import warehouse_file  # noqa: F401  (the small Vermont warehouse)

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["lmi", *args], env={"COLUMNS": "250"})
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def with_zones(warehouse_file: Path) -> Path:  # noqa: F811
    con = duckdb.connect(str(warehouse_file))
    zones = RegionSet(
        name="zones",
        assignments={"50001": "CZ1", "50003": "CZ1"},
        region_names={"CZ1": "Addison County, VT area"},
    )
    store_region_set(con, zones)
    con.close()
    return warehouse_file


def measures(path: Path, *args: str) -> tuple[int, str]:
    return run("measures", "--year", "2016", "--period", "1", "--warehouse", str(path), *args)


def test_suggestions_offer_typos_of_codes_and_titles_containing_the_words() -> None:
    areas = {"50001": "Addison County, Vermont", "50003": "", "US000": "U.S. TOTAL"}
    assert suggestions("50002", areas) == ["50001", "50003"]  # one digit off
    assert suggestions("06000", areas) == []  # every five-digit code is "close" to difflib
    assert suggestions("Addison", areas) == ["50001"]
    assert suggestions("Adison County", areas) == ["50001"]
    assert suggestions("3345", {"3344": "Semiconductors", "6221": "Hospitals"}) == ["3344"]


def test_an_unknown_area_is_an_error_with_near_codes(warehouse_file: Path) -> None:  # noqa: F811
    code, output = measures(warehouse_file, "--reference", "50000", "--area", "50002")
    assert code == 1
    assert (
        "--area '50002' is not in the warehouse; "
        "did you mean 50000 or 50001 (Addison County, Vermont) or 50003?" in output
    )
    code, output = measures(warehouse_file, "--reference", "50000", "--area", "Addison")
    assert code == 1 and "did you mean 50001 (Addison County, Vermont)?" in output


def test_a_quarter_not_loaded_names_the_loaded_periods(warehouse_file: Path) -> None:  # noqa: F811
    # Quarter 1 of each year is loaded, and the annual averages.
    code, output = run(
        "growth", "--start-year", "2015", "--end-year", "2016", "--period", "2", "--area", "50001",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert "2015 Q2 is not in the warehouse; it holds 2016 annual, 2016 Q1, 2015 annual, 2015 Q1" in output


def test_an_unknown_year_names_the_loaded_periods(warehouse_file: Path) -> None:  # noqa: F811
    code, output = run(
        "measures", "--year", "2019", "--period", "A", "--reference", "50000",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert (
        "2019 annual is not in the warehouse; it holds 2016 annual, 2016 Q1, 2015 annual, 2015 Q1" in output
    )
    code, output = run(
        "growth", "--start-year", "2010", "--end-year", "2016", "--area", "50001",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1 and "2010 annual is not in the warehouse" in output


def test_growth_of_an_unknown_area_is_an_error(warehouse_file: Path) -> None:  # noqa: F811
    code, output = run(
        "growth", "--start-year", "2015", "--end-year", "2016", "--area", "5001",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1 and "--area '5001' is not in the warehouse" in output


def test_shiftshare_of_an_unknown_industry_is_an_error(warehouse_file: Path) -> None:  # noqa: F811
    code, output = run(
        "shiftshare", "--area", "50001", "--reference", "US000", "--start", "2015:1", "--end", "2016:1",
        "--industry", "63", "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1 and "--industry '63' is not in the warehouse; did you mean 62?" in output


def test_an_unknown_stored_region_offers_the_near_ones(with_zones: Path) -> None:
    code, output = measures(with_zones, "--reference", "50000", "--region", "zone:CZ1")
    assert code == 1
    assert "--region 'zone:CZ1': no region set named 'zone' in the warehouse; did you mean zones" in output
    code, output = measures(with_zones, "--reference", "50000", "--region", "zones:CZ2")
    assert code == 1
    assert (
        "region set 'zones' has no region 'CZ2'; did you mean zones:CZ1 (Addison County, VT area)?" in output
    )
    # A name that is no defined region: the stored region of that name is offered.
    code, output = measures(with_zones, "--reference", "50000", "--region", "Addison")
    assert code == 1
    assert "--region 'Addison' is not defined; did you mean zones:CZ1 (Addison County, VT area)?" in output


def test_the_analysis_commands_offer_near_regions_and_references(with_zones: Path) -> None:
    clusters = shared_data_path("clusters", "cmp_cluster_meta_2015.json")
    common = ["--clusters", str(clusters), "--warehouse", str(with_zones), "--period", "1"]
    code, output = run("rank", "--region", "zones:CZ2", *common)
    assert code == 1 and "did you mean zones:CZ1 (Addison County, VT area)?" in output
    code, output = run("clusters", "region", "--region", "zones:CZ1", "--reference", "50001x", *common)
    assert code == 1 and "--reference '50001x' is not in the warehouse for 2016 Q1" in output
    code, output = run("clusters", "region", "--region", "zones:CZ1", "--peers", "zone", *common)
    assert (
        code == 1
        and "--peers 'zone': no region set named 'zone' in the warehouse; did you mean zones" in output
    )


def test_an_area_loaded_for_other_periods_says_which(warehouse_file: Path) -> None:  # noqa: F811
    con = duckdb.connect(str(warehouse_file))
    con.execute(
        "INSERT INTO qcew_annual BY NAME SELECT * REPLACE ('50005' AS area_fips) FROM qcew_annual "
        "WHERE area_fips = '50003' AND year = 2015"
    )
    con.close()
    code, output = run(
        "measures", "--year", "2016", "--period", "A", "--reference", "50000", "--area", "50005",
        "--warehouse", str(warehouse_file),
    )  # fmt: skip
    assert code == 1
    assert "--area '50005' has no data for 2016 annual in the warehouse; it has 2015 annual" in output
