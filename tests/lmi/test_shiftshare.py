"""Shift-share: a published worked example, the identities (hypothesis), suppression."""

from __future__ import annotations

import math

import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import COMPONENTS, shift_share, shift_share_summary
from tests.lmi.qcew_rows import Cell, annual_frame, quarterly_frame

# Krumme, "Shift & Share Table with Excel Explanations" (University of Washington, Geography 350),
# http://faculty.washington.edu/krumme/350/ssexcel.html: region "Holukuluku", four industries, 1985-1995.
# Regional employment 1985 -> 1995: I 500 -> 1000, II 100 -> 100, III 200 -> 250, IV 200 -> 280.
# The nation's 1985 shares are 10/20/40/30 % and its industries grew 10/20/30/40 % (29 % overall); we
# give the nation 10,000 jobs in 1985 to turn those into counts. Published results: national growth
# effect 290, composition (industry-mix) effect -80 (I -95, II -9, III +2, IV +22), differential
# (competitive) effect 420 (I +450, II -20, III -10, IV 0), regional growth 630.
REGION = "15001"
NATION = "US000"
INDUSTRIES = ("11", "21", "22", "23")
REGION_1985 = (500, 100, 200, 200)
REGION_1995 = (1000, 100, 250, 280)
NATION_1985 = (1000, 2000, 4000, 3000)
NATION_1995 = (1100, 2400, 5200, 4200)


def textbook_table() -> ibis.Table:
    cells = []
    for year, regional, national in ((1985, REGION_1985, NATION_1985), (1995, REGION_1995, NATION_1995)):
        for industry, here, there in zip(INDUSTRIES, regional, national, strict=True):
            cells.append(Cell(REGION, 5, industry, year, "A", here))
            cells.append(Cell(NATION, 5, industry, year, "A", there))
        cells.append(Cell(REGION, 5, "10", year, "A", sum(regional)))
        cells.append(Cell(NATION, 5, "10", year, "A", sum(national)))
    return ibis.memtable(annual_frame(cells))


def test_the_textbook_example_is_reproduced() -> None:
    result = shift_share(
        textbook_table(), area=REGION, reference=NATION, start=(1985, "A"), end=(1995, "A")
    ).to_pandas()
    by_industry = result.set_index("industry_code")
    assert list(by_industry.index) == list(INDUSTRIES)
    assert by_industry.national_growth.round(6).tolist() == [145.0, 29.0, 58.0, 58.0]
    assert by_industry.industry_mix.round(6).tolist() == [-95.0, -9.0, 2.0, 22.0]
    assert by_industry.competitive_effect.round(6).tolist() == [450.0, -20.0, -10.0, 0.0]
    summary = shift_share_summary(
        shift_share(textbook_table(), area=REGION, reference=NATION, start=(1985, "A"), end=(1995, "A"))
    ).to_pandas()
    assert summary.actual_change[0] == 630
    assert summary.national_growth[0] == pytest.approx(290)
    assert summary.industry_mix[0] == pytest.approx(-80)
    assert summary.competitive_effect[0] == pytest.approx(420)
    # Esteban-Marquillas on the same data (derived by hand from the definitions, not published there):
    # homothetic employment = 1000 x national share = 100, 200, 400, 300.
    assert by_industry.homothetic_value.round(6).tolist() == [100.0, 200.0, 400.0, 300.0]
    assert by_industry.homothetic_competitive_effect.round(6).tolist() == [90.0, -40.0, -20.0, 0.0]
    assert by_industry.allocation_effect.round(6).tolist() == [360.0, 20.0, 10.0, 0.0]
    assert not by_industry.incomplete.any()


def _assert_sums_to_change(row: dict[str, float]) -> None:
    change = float(row["actual_change"])
    scale = max(1.0, abs(row["start_value"]), abs(row["end_value"]), *(abs(row[c]) for c in COMPONENTS))
    classic = row["national_growth"] + row["industry_mix"] + row["competitive_effect"]
    esteban = (
        row["national_growth"]
        + row["industry_mix"]
        + row["homothetic_competitive_effect"]
        + row["allocation_effect"]
    )
    assert math.isclose(classic, change, rel_tol=0, abs_tol=1e-9 * scale)
    assert math.isclose(esteban, change, rel_tol=0, abs_tol=1e-9 * scale)
    assert math.isclose(
        row["competitive_effect"],
        row["homothetic_competitive_effect"] + row["allocation_effect"],
        rel_tol=0,
        abs_tol=1e-9 * scale,
    )


employment = st.integers(min_value=0, max_value=5_000_000)
reference_employment = st.integers(min_value=1, max_value=50_000_000)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(employment, employment, reference_employment, reference_employment), min_size=1, max_size=12
    )
)
def test_components_sum_to_the_actual_change(rows: list[tuple[int, int, int, int]]) -> None:
    cells = []
    industries = [f"{31 + index}" for index in range(len(rows))]
    for industry, (here0, here1, there0, there1) in zip(industries, rows, strict=True):
        cells += [
            Cell("15001", 5, industry, 2015, "4", here0),
            Cell("15001", 5, industry, 2016, "4", here1),
            Cell("US000", 5, industry, 2015, "4", there0),
            Cell("US000", 5, industry, 2016, "4", there1),
        ]
    for year, index in ((2015, 0), (2016, 1)):
        cells.append(Cell("15001", 5, "10", year, "4", sum(r[index] for r in rows)))
        cells.append(Cell("US000", 5, "10", year, "4", sum(r[2 + index] for r in rows)))
    result = shift_share(
        ibis.memtable(quarterly_frame(cells)),
        area="15001",
        reference="US000",
        start=(2015, "4"),
        end=(2016, "4"),
        industries=industries,
    ).to_pandas()
    assert len(result) == len(rows)
    for row in result.to_dict("records"):
        assert not row["incomplete"]
        assert row["actual_change"] == row["end_value"] - row["start_value"]
        _assert_sums_to_change(row)
    # Homothetic employment redistributes the area's total over the reference's industry structure.
    assert math.isclose(result.homothetic_value.sum(), sum(r[0] for r in rows), rel_tol=1e-12, abs_tol=1e-6)


def test_a_suppressed_cell_gets_no_decomposition() -> None:
    cells = [
        Cell("15001", 5, "31-33", 2015, "A", 100),
        Cell("15001", 5, "31-33", 2016, "A", 0, disclosure="N"),
        Cell("15001", 5, "44-45", 2015, "A", 50),
        Cell("15001", 5, "44-45", 2016, "A", 60),
        Cell("15001", 5, "10", 2015, "A", 150),
        Cell("15001", 5, "10", 2016, "A", 170),
    ]
    for year, factor in ((2015, 10), (2016, 11)):
        cells += [
            Cell("US000", 5, "31-33", year, "A", 100 * factor),
            Cell("US000", 5, "44-45", year, "A", 200 * factor),
            Cell("US000", 5, "10", year, "A", 300 * factor),
        ]
    result = shift_share(
        ibis.memtable(annual_frame(cells)),
        area="15001",
        reference="US000",
        start=(2015, "A"),
        end=(2016, "A"),
    ).to_pandas()
    manufacturing, retail = result.to_dict("records")
    assert manufacturing["incomplete"]
    assert all(manufacturing[c] is None or math.isnan(manufacturing[c]) for c in COMPONENTS)
    assert not retail["incomplete"]
    _assert_sums_to_change(retail)


def test_a_region_is_decomposed_from_its_counties() -> None:
    cells = []
    for county, base in (("50001", 40), ("50003", 60)):
        for year, growth in ((2015, 0), (2016, 10)):
            cells += [
                Cell(county, 5, "62", year, "A", base + growth),
                Cell(county, 5, "10", year, "A", 2 * base + growth),
            ]
    for year, national in ((2015, 1000), (2016, 1100)):
        cells += [
            Cell("US000", 5, "62", year, "A", national),
            Cell("US000", 5, "10", year, "A", 4 * national),
        ]
    region = Region("Southern Vermont", ("50001", "50003"))
    (row,) = (
        shift_share(
            ibis.memtable(annual_frame(cells)),
            area=region.name,
            reference="US000",
            start=(2015, "A"),
            end=(2016, "A"),
            regions=[region],
        )
        .to_pandas()
        .to_dict("records")
    )
    assert (row["start_value"], row["end_value"], row["actual_change"]) == (100, 120, 20)
    assert row["national_growth"] == pytest.approx(10.0)
    assert row["industry_mix"] == pytest.approx(0.0)
    assert row["competitive_effect"] == pytest.approx(10.0)


def test_bad_periods_are_refused() -> None:
    table = textbook_table()
    with pytest.raises(ValueError, match="both be quarters or both annual"):
        shift_share(table, area=REGION, reference=NATION, start=(1985, "A"), end=(1995, "1"))
    with pytest.raises(ValueError, match="must come before"):
        shift_share(table, area=REGION, reference=NATION, start=(1995, "A"), end=(1985, "A"))
