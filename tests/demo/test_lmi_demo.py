"""The LMI demo: synthetic files through the real ingest; the profile comes from the real measures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from sectorwise.demo.lmi_demo import SOURCE_FOLDER, prepare_demo_lmi, print_demo_profile, region_profile
from sectorwise.demo.synthetic import DEMO_REGION, DemoSource
from sectorwise.lmi import warehouse as lmi_warehouse


@pytest.fixture(scope="module")
def demo_warehouse(demo_source: DemoSource, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose demo-source is the session's generated files (so they are not written twice)."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    (data_dir / SOURCE_FOLDER).symlink_to(demo_source.directory, target_is_directory=True)
    return prepare_demo_lmi(data_dir=data_dir, console=Console(record=True, width=160))


def test_prepare_ingests_every_demo_file_and_is_not_repeated(demo_warehouse: Path) -> None:
    con = lmi_warehouse.open_duckdb(demo_warehouse, read_only=True)
    try:
        quarters = con.execute("SELECT count(DISTINCT (year, qtr)) FROM qcew_quarterly").fetchone()
        areas = con.execute("SELECT count(DISTINCT area_fips) FROM qcew_annual").fetchone()
    finally:
        con.close()
    assert quarters == (16,)
    assert areas == (32,)
    console = Console(record=True, width=160)
    assert prepare_demo_lmi(data_dir=demo_warehouse.parent, console=console) == demo_warehouse
    assert "already loaded" in console.export_text()


def test_profile_prints_the_regions_leading_industries(demo_warehouse: Path) -> None:
    console = Console(record=True, width=220)
    print_demo_profile(warehouse=demo_warehouse, console=console)
    text = console.export_text()
    assert "Alder Valley (synthetic)" in text
    assert "SYNTHETIC DATA" in text
    assert "Health care and social assistance" in text
    assert "LQ vs U.S." in text


def test_profile_figures_are_the_sums_of_the_member_counties(
    demo_warehouse: Path, demo_rows: duckdb.DuckDBPyConnection
) -> None:
    con = lmi_warehouse.connect(demo_warehouse, read_only=True)
    try:
        profile = region_profile(con, region=DEMO_REGION, year=2024, start_year=2021).to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    assert len(profile) >= 15  # the private NAICS sectors
    members = ", ".join(f"'{county}'" for county in DEMO_REGION.counties)
    expected = dict(
        demo_rows.execute(
            f"""SELECT industry_code, sum(annual_avg_emplvl::BIGINT) FROM a
                WHERE year = '2024' AND own_code = '5' AND agglvl_code = '74' AND area_fips IN ({members})
                GROUP BY ALL HAVING bool_and(disclosure_code = '')"""
        ).fetchall()
    )
    complete = [row for row in profile if not row["incomplete"]]
    assert complete
    for row in complete:
        assert row["employment"] == expected[row["industry_code"]]
        assert row["lq"] is not None and row["lq"] > 0
    employment = [row["employment"] for row in profile]
    assert employment == sorted(employment, reverse=True)
