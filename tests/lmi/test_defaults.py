"""The analysis defaults (sectorwise.lmi.defaults): latest period, reference area, base year, typed errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sectorwise.lmi import defaults, warehouse
from sectorwise.lmi.defaults import Period
from tests.lmi.qcew_rows import Cell, annual_frame, quarterly_frame

COUNTIES = ("50007", "50011")


def _cells(year: int, qtr: str, areas: tuple[str, ...]) -> list[Cell]:
    return [Cell(area, 0, "10", year, qtr, 1000) for area in areas]


def _warehouse(tmp_path: Path, *, annual: list[Cell], quarterly: list[Cell] | None = None) -> Path:
    path = tmp_path / "w.duckdb"
    con = warehouse.open_duckdb(path)
    try:
        a = annual_frame(annual)  # noqa: F841  (DuckDB reads it by name)
        con.execute(f"INSERT INTO {warehouse.ANNUAL_TABLE} BY NAME SELECT * FROM a")
        if quarterly:
            q = quarterly_frame(quarterly)  # noqa: F841
            con.execute(f"INSERT INTO {warehouse.QUARTERLY_TABLE} BY NAME SELECT * FROM q")
    finally:
        con.close()
    return path


def test_latest_period_prefers_a_quarter_and_annual_on_request(tmp_path: Path) -> None:
    path = _warehouse(
        tmp_path,
        annual=_cells(2024, "A", COUNTIES) + _cells(2025, "A", ("50007",)),
        quarterly=_cells(2025, "2", COUNTIES) + _cells(2025, "3", ("50007",)),
    )
    con = warehouse.connect(path, read_only=True)
    assert defaults.latest_period(con) == Period(2025, "3")
    assert defaults.latest_period(con, annual=True) == Period(2025, "A")
    # Only periods that hold one of the areas count.
    assert defaults.latest_period(con, annual=True, areas=["50011"]) == Period(2024, "A")
    assert defaults.latest_period(con, areas=["50011"]) == Period(2025, "2")


def test_no_data_and_unknown_periods_name_what_is_loaded(tmp_path: Path) -> None:
    empty = warehouse.connect(_warehouse(tmp_path, annual=[]), read_only=True)
    with pytest.raises(defaults.NoDataLoaded, match="holds no QCEW data"):
        defaults.latest_period(empty)
    path = _warehouse(tmp_path / "b", annual=_cells(2023, "A", COUNTIES) + _cells(2024, "A", COUNTIES))
    con = warehouse.connect(path, read_only=True)
    with pytest.raises(
        defaults.UnknownPeriod,
        match=r"2030 annual is not in the warehouse; it holds 2024 annual, 2023 annual",
    ):
        defaults.resolve_period(con, year=2030, qtr="A")
    with pytest.raises(defaults.UnknownPeriod, match="2024 Q2 is not in the warehouse"):
        defaults.resolve_period(con, year=2024, qtr="2")
    with pytest.raises(defaults.BadPeriod, match="expected 1, 2, 3, 4 or A"):
        defaults.resolve_period(con, year=2024, qtr="5")
    assert defaults.resolve_period(con, year=None, qtr=None) == Period(2024, "A")
    assert defaults.resolve_period(con, year=2023, qtr="a") == Period(2023, "A")


def test_the_reference_is_the_nation_when_loaded_else_the_regions_state(tmp_path: Path) -> None:
    period = Period(2024, "A")
    both = warehouse.connect(
        _warehouse(tmp_path, annual=_cells(2024, "A", (*COUNTIES, "50000", "US000"))), read_only=True
    )
    table = defaults.period_table(both, period)
    chosen = defaults.default_reference(table, counties=COUNTIES, period=period)
    assert chosen.area_fips == "US000" and "nation" in chosen.reason
    assert (
        defaults.default_reference(table, counties=COUNTIES, period=period, given="50000").area_fips
        == "50000"
    )
    with pytest.raises(defaults.UnknownReference, match="--reference '33000' is not in the warehouse"):
        defaults.default_reference(table, counties=COUNTIES, period=period, given="33000")

    state_only = warehouse.connect(
        _warehouse(tmp_path / "s", annual=_cells(2024, "A", (*COUNTIES, "50000"))), read_only=True
    )
    table = defaults.period_table(state_only, period)
    chosen = defaults.default_reference(table, counties=COUNTIES, period=period)
    assert chosen.area_fips == "50000" and "U.S. is not loaded" in chosen.reason
    # A region across two states has no single state to fall back on.
    with pytest.raises(defaults.NoReferenceLoaded, match="give --reference AREA"):
        defaults.default_reference(table, counties=("50007", "33001"), period=period)


def test_base_year_is_the_year_before_when_every_county_is_loaded(tmp_path: Path) -> None:
    path = _warehouse(
        tmp_path,
        annual=_cells(2023, "A", ("50007",)) + _cells(2024, "A", COUNTIES) + _cells(2025, "A", COUNTIES),
    )
    con = warehouse.connect(path, read_only=True)
    table = defaults.period_table(con, Period(2025, "A"))
    assert defaults.base_year(table, counties=COUNTIES, period=Period(2025, "A")) == 2024
    assert defaults.base_year(table, counties=COUNTIES, period=Period(2024, "A")) is None  # 50011 not in 2023
    with pytest.raises(defaults.BadBaseYear, match="must come before 2025"):
        defaults.base_year(table, counties=COUNTIES, period=Period(2025, "A"), given=2025)
