"""The partnership page's industry profile, computed by ``sectorwise.lmi.measures`` from a warehouse."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.lmi import filled, warehouse
from sectorwise.partnerships import industry_profile
from sectorwise.partnerships.industry_profile import region_industry_profile
from tests.lmi.qcew_rows import Cell, agglvl, annual_frame
from tests.web.personas import Personas

COUNTIES = ("50007", "50011")


def _cells(year: int, growth: int) -> list[Cell]:
    """Two Vermont counties and the state; manufacturing grows by ``growth`` jobs per county."""
    cells = []
    for county in COUNTIES:
        cells += [
            Cell(county, 0, "10", year, "A", 1000, wages=50_000_000),
            Cell(county, 5, "10", year, "A", 800, wages=40_000_000),
            Cell(county, 5, "31-33", year, "A", 100 + growth, wages=6_000_000),
            Cell(county, 5, "62", year, "A", 150, wages=7_500_000),
        ]
    cells += [
        Cell("50007", 5, "3364", year, "A", 50, wages=4_000_000),
        Cell("50011", 5, "3364", year, "A", 0, disclosure="N"),
        Cell("50000", 0, "10", year, "A", 10_000, wages=500_000_000),
        Cell("50000", 5, "10", year, "A", 8_000, wages=400_000_000),
        Cell("50000", 5, "31-33", year, "A", 1_000, wages=60_000_000),
        Cell("50000", 5, "62", year, "A", 2_000, wages=100_000_000),
        Cell("50000", 5, "3364", year, "A", 200, wages=16_000_000),
    ]
    return cells


def _load_warehouse() -> None:
    con = warehouse.open_duckdb()
    try:
        frame = annual_frame(_cells(2024, 0) + _cells(2025, 50))  # noqa: F841  (DuckDB reads it by name)
        con.execute(f"INSERT INTO {warehouse.ANNUAL_TABLE} BY NAME SELECT * FROM frame")
        con.execute("INSERT INTO industry_titles VALUES ('31-33', 'NAICS 31-33 Manufacturing')")
    finally:
        con.close()


def test_no_warehouse_means_no_profile() -> None:
    assert region_industry_profile(region_name="R", county_fips=COUNTIES) is None


def test_profile_of_the_latest_year_against_the_state() -> None:
    _load_warehouse()
    profile = region_industry_profile(
        region_name="Champlain", county_fips=COUNTIES, target_naics=["3364", "31"]
    )
    assert profile is not None
    assert (profile.year, profile.reference) == (2025, "50000")
    by_code = {row.industry_code: row for row in profile.sectors}
    manufacturing = by_code["31-33"]
    assert manufacturing.industry_title == "NAICS 31-33 Manufacturing"
    assert manufacturing.employment == 300
    # (300 / 2000) / (1000 / 10000)
    assert manufacturing.location_quotient == pytest.approx(1.5)
    assert manufacturing.employment_change_pct == pytest.approx(50.0)
    assert manufacturing.is_target  # the target 31 is the sector 31-33
    # Largest first; 300 jobs each, so the code decides (the measures' rows come in no particular order).
    assert [row.industry_code for row in profile.sectors] == ["31-33", "62"]
    aerospace = next(row for row in profile.targets if row.industry_code == "3364")
    assert aerospace.incomplete and aerospace.location_quotient is None  # one county suppressed


@pytest.mark.django_db
def test_the_partnership_page_shows_the_profile(personas: Personas) -> None:
    _load_warehouse()
    client = Client()
    client.force_login(personas.viewer)
    response = client.get(reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk]))
    body = response.content.decode()
    assert response.context["profile"].year == 2025
    assert "not loaded" not in body
    assert "NAICS 31-33 Manufacturing" in body and "1.50" in body


def test_a_profile_from_the_compiled_query_of_another_region_is_its_own() -> None:
    _load_warehouse()
    industry_profile._COMPILED.clear()
    first = region_industry_profile(region_name="West", county_fips=["50007"], target_naics=["3364"])
    second = region_industry_profile(region_name="East", county_fips=["50011"], target_naics=["3364"])
    assert len(industry_profile._COMPILED) == 1  # one shape: compiled for the first, bound for the second
    industry_profile._COMPILED.clear()
    fresh = region_industry_profile(region_name="East", county_fips=["50011"], target_naics=["3364"])
    assert second == fresh
    assert first is not None and second is not None and first != second
    assert [row.employment for row in second.targets] == [None]  # 50011's aerospace cell is suppressed


def _store_aerospace_estimate() -> None:
    """A stored estimate for 50011's suppressed aerospace cell of 2025, as `lmi estimate` stores it."""
    con = warehouse.open_duckdb()
    try:
        filled.ensure_estimates_table(con)
        con.executemany(
            f"INSERT INTO {filled.ESTIMATES_TABLE} VALUES "
            "('50011', 5, '3364', ?, 0, 2025, 'A', ?, ?, ?, ?, 'estimated')",
            [
                [agglvl("50011", 5, "3364"), "annual_avg_emplvl", 38.0, 35.0, 45.0],
                [agglvl("50011", 5, "3364"), "total_annual_wages", 3_040_000.0, 2_800_000.0, 3_600_000.0],
            ],
        )
    finally:
        con.close()


def test_a_suppressed_cell_shows_its_stored_estimate_with_bounds() -> None:
    _load_warehouse()
    _store_aerospace_estimate()
    profile = region_industry_profile(region_name="Champlain", county_fips=COUNTIES, target_naics=["3364"])
    assert profile is not None
    aerospace = next(row for row in profile.targets if row.industry_code == "3364")
    # 50007's published 50 plus 50011's estimate 38; its bounds plus the published 50.
    assert (aerospace.employment, aerospace.employment_low, aerospace.employment_high) == (88, 85, 95)
    assert aerospace.estimated and aerospace.employment_estimated and not aerospace.incomplete
    assert aerospace.employment_shown == 90  # hundreds would leave the bounds
    assert aerospace.avg_annual_pay == round((4_000_000 + 3_040_000) / 88)
    # (88 / 1600) / (200 / 8000), the state's private total being the reference base
    assert aerospace.location_quotient == pytest.approx(2.2)
    manufacturing = next(row for row in profile.sectors if row.industry_code == "31-33")
    assert not manufacturing.estimated and not manufacturing.employment_estimated


@pytest.mark.django_db
def test_the_partnership_page_marks_estimated_figures(personas: Personas) -> None:
    _load_warehouse()
    _store_aerospace_estimate()
    client = Client()
    client.force_login(personas.viewer)
    response = client.get(reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk]))
    body = response.content.decode()
    assert "≈&nbsp;90 <span" in body and "(estimated, 85–95)" in body
    assert "≈&nbsp;2.20" in body  # the LQ computed with the estimate is marked too
    assert "suppressed</td>" not in body
