"""Measures on hand-made cells: LQ definition, rounding, suppression, over-the-year change, growth, annual."""

from __future__ import annotations

import math

import ibis
import pandas as pd
import pytest

from sectorwise.lmi.measures import annual_measures, growth, location_quotients, quarterly_measures
from sectorwise.lmi.regions import Region
from tests.lmi.qcew_rows import Cell, annual_frame, quarterly_frame


def quarterly_cells(year: int = 2016, scale: int = 1) -> list[Cell]:
    """A state (50000), two counties and the U.S.; the own_code 5 rows have a smaller total than own 0."""
    return [
        Cell("US000", 0, "10", year, "1", 1_000_000 * scale, estabs=10_000, wages=13_000_000_000 * scale),
        Cell("US000", 5, "10", year, "1", 800_000 * scale, estabs=9_000, wages=10_400_000_000 * scale),
        Cell("US000", 5, "31-33", year, "1", 100_000 * scale, estabs=1_000, wages=1_560_000_000 * scale),
        Cell("50000", 0, "10", year, "1", 10_000 * scale, estabs=200, wages=104_000_000 * scale),
        Cell("50000", 5, "10", year, "1", 9_000 * scale, estabs=180, wages=93_600_000 * scale),
        Cell("50000", 5, "31-33", year, "1", 2_000 * scale, estabs=20, wages=26_000_000 * scale),
        Cell("50001", 0, "10", year, "1", 4_000 * scale, estabs=80, wages=41_600_000 * scale),
        Cell("50001", 5, "31-33", year, "1", 1_500 * scale, estabs=12, wages=19_500_000 * scale),
        Cell("50003", 0, "10", year, "1", 6_000 * scale, estabs=120, wages=62_400_000 * scale),
        Cell("50003", 5, "31-33", year, "1", 500 * scale, estabs=8, wages=6_500_000 * scale),
    ]


def rows_by_area(table: ibis.Table) -> dict[tuple[str, int, str], dict[str, object]]:
    frame: pd.DataFrame = table.to_pandas()
    return {(r["area_fips"], r["own_code"], r["industry_code"]): r for r in frame.to_dict("records")}


def test_lq_uses_the_areas_total_covered_employment_as_base_for_every_ownership() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    rows = rows_by_area(quarterly_measures(qcew, year=2016, qtr="1", reference="US000", bls_rounding=False))
    state = rows[("50000", 5, "31-33")]
    # (2,000 / 10,000) / (100,000 / 1,000,000): own 0 industry 10 is the base, not the private total.
    assert state["lq_month3_emplvl"] == pytest.approx(2.0)
    assert state["lq_qtrly_estabs"] == pytest.approx((20 / 200) / (1_000 / 10_000))
    assert state["lq_total_qtrly_wages"] == pytest.approx((26_000_000 / 104_000_000) / (1_560_000_000 / 13e9))
    # lq_avg_wkly_wage is the ratio of the published whole-dollar average weekly wages.
    assert state["avg_wkly_wage"] == 1000
    assert state["lq_avg_wkly_wage"] == pytest.approx((1000 / 800) / (1200 / 1000))
    assert rows[("US000", 5, "31-33")]["lq_month3_emplvl"] == pytest.approx(1.0)


def test_lqs_are_rounded_as_bls_rounds_them_by_default() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    rows = rows_by_area(quarterly_measures(qcew, year=2016, qtr="1", reference="50000"))
    county = rows[("50001", 5, "31-33")]
    # (1,500 / 4,000) / (2,000 / 10,000) = 1.875 -> 1.88
    assert county["lq_month3_emplvl"] == 1.88
    assert rows[("50003", 5, "31-33")]["lq_month3_emplvl"] == pytest.approx(0.42)  # 0.41666...


def test_a_suppressed_cell_gets_no_lq_and_no_change() -> None:
    cells = quarterly_cells(2015) + quarterly_cells(2016, scale=2)
    cells = [
        Cell(c.area, c.own, c.industry, c.year, c.qtr, c.employment, disclosure="N")
        if (c.area, c.industry, c.year) == ("50003", "31-33", 2016)
        else c
        for c in cells
    ]
    qcew = ibis.memtable(quarterly_frame(cells))
    rows = rows_by_area(quarterly_measures(qcew, year=2016, qtr="1", reference="50000"))
    hidden = rows[("50003", 5, "31-33")]
    assert hidden["disclosure_code"] == "N"
    assert hidden["month3_emplvl"] == 0
    lqs = [v for k, v in hidden.items() if k.startswith(("lq_", "oty_"))]
    assert lqs and all(v is None or (isinstance(v, float) and math.isnan(v)) for v in lqs)


def test_a_suppressed_reference_cell_leaves_the_lq_empty() -> None:
    cells = [
        Cell(c.area, c.own, c.industry, c.year, c.qtr, c.employment, disclosure="N")
        if (c.area, c.industry) == ("50000", "31-33")
        else c
        for c in quarterly_cells()
    ]
    rows = rows_by_area(
        quarterly_measures(ibis.memtable(quarterly_frame(cells)), year=2016, qtr="1", reference="50000")
    )
    assert math.isnan(rows[("50001", 5, "31-33")]["lq_month3_emplvl"])


def test_over_the_year_change_needs_the_same_quarter_a_year_earlier() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells(2015) + quarterly_cells(2016, scale=2)))
    rows = rows_by_area(quarterly_measures(qcew, year=2016, qtr="1", reference="US000"))
    county = rows[("50001", 5, "31-33")]
    assert county["oty_month3_emplvl_chg"] == 1_500
    assert county["oty_month3_emplvl_pct_chg"] == 100.0
    assert county["oty_avg_wkly_wage_chg"] == 0
    first_year = rows_by_area(quarterly_measures(qcew, year=2015, qtr="1", reference="US000"))
    assert pd.isna(first_year[("50001", 5, "31-33")]["oty_month3_emplvl_chg"])


def test_areas_and_ownerships_filter_the_rows() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    table = quarterly_measures(qcew, year=2016, qtr="1", reference="US000", areas=["50001"], ownerships=[5])
    assert list(rows_by_area(table)) == [("50001", 5, "31-33")]


def test_titles_are_joined_where_known() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    area_titles = ibis.memtable({"area_fips": ["50001"], "area_title": ["Addison County, Vermont"]})
    industry_titles = ibis.memtable(
        {"industry_code": ["31-33"], "industry_title": ["NAICS 31-33 Manufacturing"]}
    )
    rows = rows_by_area(
        quarterly_measures(
            qcew,
            year=2016,
            qtr="1",
            reference="US000",
            area_titles=area_titles,
            industry_titles=industry_titles,
        )
    )
    assert rows[("50001", 5, "31-33")]["area_title"] == "Addison County, Vermont"
    assert rows[("50001", 5, "31-33")]["industry_title"] == "NAICS 31-33 Manufacturing"
    assert pd.isna(rows[("50003", 5, "31-33")]["area_title"])


def test_a_region_sums_its_counties_and_can_be_the_reference() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    region = Region("Two counties", ("50001", "50003"))
    rows = rows_by_area(
        quarterly_measures(qcew, year=2016, qtr="1", reference="US000", regions=[region], bls_rounding=False)
    )
    total = rows[("Two counties", 0, "10")]
    manufacturing = rows[("Two counties", 5, "31-33")]
    assert (total["month3_emplvl"], total["qtrly_estabs"]) == (10_000, 200)
    assert manufacturing["month3_emplvl"] == 2_000
    assert manufacturing["total_qtrly_wages"] == 26_000_000
    assert manufacturing["avg_wkly_wage"] == 1000
    assert not manufacturing["incomplete"]
    assert manufacturing["lq_month3_emplvl"] == pytest.approx(2.0)
    against_region = rows_by_area(
        quarterly_measures(
            qcew, year=2016, qtr="1", reference=region.name, regions=[region], bls_rounding=False
        )
    )
    assert against_region[("50001", 5, "31-33")]["lq_month3_emplvl"] == pytest.approx(1.875)


def test_annual_measures_use_the_annual_columns() -> None:
    cells = [
        Cell("US000", 0, "10", 2020, "A", 1_000_000, wages=52_000_000_000),
        Cell("US000", 5, "62", 2020, "A", 200_000, wages=10_400_000_000),
        Cell("39049", 0, "10", 2020, "A", 10_000, wages=520_000_000),
        Cell("39049", 5, "62", 2020, "A", 3_000, wages=156_000_000),
        Cell("39041", 0, "10", 2020, "A", 5_000, wages=260_000_000),
        Cell("39041", 5, "62", 2020, "A", 1_000, wages=49_000_000),
    ]
    region = Region("Columbus core", ("39049", "39041"))
    rows = rows_by_area(
        annual_measures(ibis.memtable(annual_frame(cells)), year=2020, reference="US000", regions=[region])
    )
    county = rows[("39049", 5, "62")]
    assert county["lq_annual_avg_emplvl"] == 1.5
    assert pd.isna(county["oty_annual_avg_emplvl_chg"])
    health = rows[("Columbus core", 5, "62")]
    assert health["annual_avg_emplvl"] == 4_000
    assert health["avg_annual_pay"] == round(205_000_000 / 4_000)
    assert health["annual_avg_wkly_wage"] == round(205_000_000 / 4_000 / 52)
    assert health["lq_annual_avg_emplvl"] == pytest.approx(round((4_000 / 15_000) / 0.2, 2))


def test_growth_is_the_compound_annual_rate() -> None:
    cells = [
        Cell("50001", 5, "62", 2016, "A", 1_000),
        Cell("50001", 5, "62", 2018, "A", 1_210),
        Cell("50003", 5, "62", 2016, "A", 500),
        Cell("50003", 5, "62", 2018, "A", 0, disclosure="N"),
    ]
    rows = rows_by_area(growth(ibis.memtable(annual_frame(cells)), start_year=2016, end_year=2018))
    grown = rows[("50001", 5, "62")]
    assert grown["annual_avg_emplvl_chg"] == 210
    assert grown["annual_avg_emplvl_cagr_pct"] == pytest.approx(10.0)
    assert math.isnan(rows[("50003", 5, "62")]["annual_avg_emplvl_cagr_pct"])
    with pytest.raises(ValueError, match="must come after"):
        growth(ibis.memtable(annual_frame(cells)), start_year=2018, end_year=2016)
    with pytest.raises(ValueError, match="not a figure"):
        growth(ibis.memtable(annual_frame(cells)), start_year=2016, end_year=2018, figure="month3_emplvl")


def test_a_bad_period_is_refused() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells()))
    with pytest.raises(ValueError, match="quarter must be"):
        quarterly_measures(qcew, year=2016, qtr="5", reference="US000")


def test_location_quotients_alone_equal_those_of_the_full_measures() -> None:
    qcew = ibis.memtable(quarterly_frame(quarterly_cells(2015) + quarterly_cells(2016, scale=2)))
    full = quarterly_measures(qcew, year=2016, qtr="1", reference="50000", bls_rounding=False)
    alone = location_quotients(qcew, year=2016, qtr="1", reference="50000", bls_rounding=False)
    keys = ["area_fips", "own_code", "industry_code"]
    lq_columns = [c for c in alone.columns if c.startswith("lq_")]
    assert len(lq_columns) == 8
    assert not any(c.startswith("oty_") for c in alone.columns)
    expected = full.to_pandas().sort_values(keys).reset_index(drop=True)[keys + lq_columns]
    actual = alone.to_pandas().sort_values(keys).reset_index(drop=True)[keys + lq_columns]
    pd.testing.assert_frame_equal(expected, actual)
