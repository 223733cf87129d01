"""The command line and the partnership page choose the same period and reference area for a region
(both ask sectorwise.lmi.defaults), and say which reference they used."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from sectorwise.core import warehouse_gateway
from sectorwise.lmi import warehouse
from sectorwise.lmi.commands.analysis_inputs import choose_reference, period_table
from sectorwise.lmi.regions import Region
from sectorwise.partnerships.industry_profile import IndustryProfile, region_industry_profile
from sectorwise.partnerships.lmi_employment import region_industry_employment
from tests.lmi.qcew_rows import Cell, annual_frame

COUNTIES = ("50007", "50011")


def _load(path: Path, areas: tuple[str, ...]) -> None:
    cells = [
        Cell(area, own, industry, year, "A", 1000 if own == 0 else 500, wages=1_000_000)
        for year in (2024, 2025)
        for area in areas
        for own, industry in ((0, "10"), (5, "10"), (5, "62"))
    ]
    con = warehouse.open_duckdb(path)
    try:
        frame = annual_frame(cells)  # noqa: F841  (DuckDB reads it by name)
        con.execute(f"INSERT INTO {warehouse.ANNUAL_TABLE} BY NAME SELECT * FROM frame")
    finally:
        con.close()


def _cli_choice(path: Path) -> tuple[int, str]:
    con = warehouse.connect(path, read_only=True)
    try:
        qcew, year, qtr = period_table(con, None, "A")  # `--period A`, no --year, no --reference
        return year, choose_reference(qcew, Region(name="R", counties=COUNTIES), year, qtr, None)
    finally:
        con.disconnect()


@pytest.mark.parametrize(
    ("areas", "expected"),
    [((*COUNTIES, "50000", "US000"), "US000"), ((*COUNTIES, "50000"), "50000")],
    ids=["nation loaded", "state only"],
)
def test_cli_and_page_choose_the_same_year_and_reference(
    tmp_path: Path, areas: tuple[str, ...], expected: str
) -> None:
    path = tmp_path / "warehouse.duckdb"
    _load(path, areas)
    profile = region_industry_profile(region_name="R", county_fips=COUNTIES, warehouse_path=path)
    assert isinstance(profile, IndustryProfile)
    assert _cli_choice(path) == (profile.year, profile.reference) == (2025, expected)
    employment = region_industry_employment(county_fips=COUNTIES, naics_codes=["62"], warehouse_path=path)
    assert employment is not None and not hasattr(employment, "reason") and employment.year == 2025


def test_the_page_reads_the_warehouse_named_in_settings(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.duckdb"
    _load(path, (*COUNTIES, "US000"))
    assert region_industry_profile(region_name="R", county_fips=COUNTIES) is None  # the data dir's: none
    with override_settings(SECTORWISE_WAREHOUSE=path):
        assert warehouse_gateway.warehouse_path() == path
        profile = region_industry_profile(region_name="R", county_fips=COUNTIES)
    assert isinstance(profile, IndustryProfile) and profile.reference == "US000"
    assert "nation" in profile.reference_reason
