"""The synthetic demo state looks, adds up and is labelled like a real BLS by_area set, but says SYNTHETIC."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pytest

from sectorwise.demo.geography import DEMO_STATE_FIPS, layout_state
from sectorwise.demo.industries import SECTORS, SUPERSECTOR_TITLES, industry_tree
from sectorwise.demo.synthetic import DEMO_REGION, DEMO_YEARS, DemoSource, write_synthetic_qcew
from sectorwise.lmi.codes import naics_level
from sectorwise.lmi.delineation import delineate
from sectorwise.lmi.sources.commuting import read_acs_flows

# BLS's by_area headers (the layout, not data): quarterly with titles, 47 columns; annual, 43.
QUARTERLY_HEADER = [
    "area_fips",
    "own_code",
    "industry_code",
    "agglvl_code",
    "size_code",
    "year",
    "qtr",
    "disclosure_code",
    "area_title",
    "own_title",
    "industry_title",
    "agglvl_title",
    "size_title",
    "qtrly_estabs_count",
    "month1_emplvl",
    "month2_emplvl",
    "month3_emplvl",
    "total_qtrly_wages",
    "taxable_qtrly_wages",
    "qtrly_contributions",
    "avg_wkly_wage",
    "lq_disclosure_code",
    "lq_qtrly_estabs_count",
    "lq_month1_emplvl",
    "lq_month2_emplvl",
    "lq_month3_emplvl",
    "lq_total_qtrly_wages",
    "lq_taxable_qtrly_wages",
    "lq_qtrly_contributions",
    "lq_avg_wkly_wage",
    "oty_disclosure_code",
    "oty_qtrly_estabs_count_chg",
    "oty_qtrly_estabs_count_pct_chg",
    "oty_month1_emplvl_chg",
    "oty_month1_emplvl_pct_chg",
    "oty_month2_emplvl_chg",
    "oty_month2_emplvl_pct_chg",
    "oty_month3_emplvl_chg",
    "oty_month3_emplvl_pct_chg",
    "oty_total_qtrly_wages_chg",
    "oty_total_qtrly_wages_pct_chg",
    "oty_taxable_qtrly_wages_chg",
    "oty_taxable_qtrly_wages_pct_chg",
    "oty_qtrly_contributions_chg",
    "oty_qtrly_contributions_pct_chg",
    "oty_avg_wkly_wage_chg",
    "oty_avg_wkly_wage_pct_chg",
]
ANNUAL_HEADER = [
    "area_fips",
    "own_code",
    "industry_code",
    "agglvl_code",
    "size_code",
    "year",
    "qtr",
    "disclosure_code",
    "area_title",
    "own_title",
    "industry_title",
    "agglvl_title",
    "size_title",
    "annual_avg_estabs_count",
    "annual_avg_emplvl",
    "total_annual_wages",
    "taxable_annual_wages",
    "annual_contributions",
    "annual_avg_wkly_wage",
    "avg_annual_pay",
    "lq_disclosure_code",
    "lq_annual_avg_estabs_count",
    "lq_annual_avg_emplvl",
    "lq_total_annual_wages",
    "lq_taxable_annual_wages",
    "lq_annual_contributions",
    "lq_annual_avg_wkly_wage",
    "lq_avg_annual_pay",
    "oty_disclosure_code",
    "oty_annual_avg_estabs_count_chg",
    "oty_annual_avg_estabs_count_pct_chg",
    "oty_annual_avg_emplvl_chg",
    "oty_annual_avg_emplvl_pct_chg",
    "oty_total_annual_wages_chg",
    "oty_total_annual_wages_pct_chg",
    "oty_taxable_annual_wages_chg",
    "oty_taxable_annual_wages_pct_chg",
    "oty_annual_contributions_chg",
    "oty_annual_contributions_pct_chg",
    "oty_annual_avg_wkly_wage_chg",
    "oty_annual_avg_wkly_wage_pct_chg",
    "oty_avg_annual_pay_chg",
    "oty_avg_annual_pay_pct_chg",
]

QUARTERLY_SUMMED = (
    "qtrly_estabs_count",
    "month1_emplvl",
    "month2_emplvl",
    "month3_emplvl",
    "total_qtrly_wages",
    "taxable_qtrly_wages",
    "qtrly_contributions",
)
ANNUAL_SUMMED = (
    "annual_avg_estabs_count",
    "annual_avg_emplvl",
    "total_annual_wages",
    "taxable_annual_wages",
    "annual_contributions",
)
LAYOUTS = pytest.mark.parametrize(("table", "measures"), [("q", QUARTERLY_SUMMED), ("a", ANNUAL_SUMMED)])


def _sum_mismatches(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_files_are_named_and_laid_out_as_bls_by_area_files(demo_source: DemoSource) -> None:
    folder = demo_source.qcew_directory
    quarterly = folder / "2024.q1-q4.by_area" / "2024.q1-q4 91001 Alder County, Demo State.csv"
    annual = folder / "2024.annual.by_area" / "2024.annual 91001 Alder County, Demo State.csv"
    assert quarterly.read_bytes().split(b"\r\n")[0].decode() == ",".join(f'"{c}"' for c in QUARTERLY_HEADER)
    assert annual.read_bytes().split(b"\r\n")[0].decode() == ",".join(f'"{c}"' for c in ANNUAL_HEADER)
    assert (folder / "2024.q1-q4.by_area" / "2024.q1-q4 US000 U.S. TOTAL.csv").exists()
    assert (folder / "2021.q1-q4.by_area" / "2021.q1-q4 91000 Demo State -- Statewide.csv").exists()
    areas = len(demo_source.state.counties) + 2  # counties, the state and the nation
    assert len(demo_source.qcew_files) == 2 * len(DEMO_YEARS) * areas
    # BLS's quoting: codes and titles quoted, numbers bare, LQs with two decimals.
    second_line = quarterly.read_bytes().decode().split("\r\n")[1]
    assert second_line.startswith('"91001","0","10","70","0","2024","1","",')
    assert ',"",1.00,1.00,' in second_line


def test_a_few_dozen_counties_in_an_unused_state_code(demo_source: DemoSource) -> None:
    counties = demo_source.state.counties
    assert 24 <= len(counties) <= 40
    assert all(county.fips.startswith(DEMO_STATE_FIPS) for county in counties)
    assert len({county.fips for county in counties}) == len(counties)


def test_everything_is_labelled_synthetic(
    demo_source: DemoSource, demo_rows: duckdb.DuckDBPyConnection
) -> None:
    for table in ("q", "a"):
        titles = demo_rows.execute(f"SELECT DISTINCT area_fips, area_title FROM {table}").fetchall()
        assert {fips[:2] for fips, _ in titles} == {DEMO_STATE_FIPS, "US"}
        assert all("(SYNTHETIC)" in title for _, title in titles)
    assert "SYNTHETIC" in (demo_source.directory / "README.txt").read_text()
    assert "SYNTHETIC" in demo_source.commuting_flows.read_text(encoding="latin-1")


@LAYOUTS
def test_aggregation_levels_match_area_kind_and_industry_level(
    demo_rows: duckdb.DuckDBPyConnection, table: str, measures: tuple[str, ...]
) -> None:
    del measures
    levels = ("total", "ownership", "domain", "supersector", "sector", "naics3", "naics4", "naics5", "naics6")
    rows = demo_rows.execute(f"SELECT DISTINCT area_fips, own_code, industry_code, agglvl_code FROM {table}")
    for area, own, industry, agglvl in rows.fetchall():
        base = 10 if area == "US000" else 50 if area.endswith("000") else 70
        level = int(agglvl) - base
        assert 0 <= level <= 8, (area, agglvl)
        if level == 0:
            assert (own, industry) == ("0", "10")
        elif level == 1:
            assert own != "0" and industry == "10"
        else:
            assert own in ("1", "2", "3", "5")
            assert naics_level(industry).value == levels[level], (industry, agglvl)


def _parent_table(con: duckdb.DuckDBPyConnection) -> None:
    """industry_code -> parent code one QCEW level up (the domain's parent is the ownership total '10')."""
    tree = industry_tree()
    parents: dict[str, str] = {}
    for i, leaf in enumerate(tree.leaves):
        parents[leaf] = tree.naics5[i]
        parents[tree.naics5[i]] = tree.naics4[i]
        parents[tree.naics4[i]] = tree.naics3[i]
        parents[tree.naics3[i]] = tree.sector[i]
    parents |= {sector: supersector for sector, (_, supersector) in SECTORS.items()}
    parents |= {ss: ("101" if ss in ("1011", "1012", "1013") else "102") for ss in SUPERSECTOR_TITLES}
    parents |= {"101": "10", "102": "10"}
    con.execute("CREATE OR REPLACE TEMP TABLE parents (code VARCHAR, parent VARCHAR)")
    con.executemany("INSERT INTO parents VALUES (?, ?)", list(parents.items()))


@LAYOUTS
def test_children_sum_to_parents_at_every_level(
    demo_rows: duckdb.DuckDBPyConnection, table: str, measures: tuple[str, ...]
) -> None:
    """State and national cells are never suppressed, so every level must add up exactly."""
    _parent_table(demo_rows)
    sums = ", ".join(f"sum({m}::BIGINT) AS {m}" for m in measures)
    differs = " OR ".join(f"s.{m} <> p.{m}::BIGINT" for m in measures)
    mismatches = _sum_mismatches(
        demo_rows,
        f"""
        WITH children AS (
            SELECT c.area_fips, c.own_code, parents.parent AS industry_code, c.year, c.qtr, {sums}
            FROM {table} c JOIN parents ON parents.code = c.industry_code
            WHERE c.area_fips LIKE '%000' AND c.own_code <> '0'
            GROUP BY ALL
        )
        SELECT s.area_fips, s.own_code, s.industry_code, s.year, s.qtr
        FROM children s JOIN {table} p USING (area_fips, own_code, industry_code, year, qtr)
        WHERE {differs}
        """,
    )
    assert mismatches == []
    checked = demo_rows.execute(f"SELECT count(*) FROM {table} WHERE industry_code LIKE '______'").fetchone()
    assert checked is not None and checked[0] > 1000


@LAYOUTS
def test_total_covered_is_the_sum_of_the_ownerships(
    demo_rows: duckdb.DuckDBPyConnection, table: str, measures: tuple[str, ...]
) -> None:
    sums = ", ".join(f"sum({m}::BIGINT) AS {m}" for m in measures)
    differs = " OR ".join(f"s.{m} <> t.{m}::BIGINT" for m in measures)
    mismatches = _sum_mismatches(
        demo_rows,
        f"""
        WITH owners AS (
            SELECT area_fips, year, qtr, {sums}, bool_or(disclosure_code = 'N') AS hidden
            FROM {table} WHERE industry_code = '10' AND own_code <> '0' GROUP BY ALL
        )
        SELECT s.area_fips, s.year, s.qtr FROM owners s
        JOIN {table} t ON t.area_fips = s.area_fips AND t.year = s.year AND t.qtr = s.qtr
             AND t.own_code = '0' AND t.industry_code = '10'
        WHERE NOT s.hidden AND ({differs})
        """,
    )
    assert mismatches == []


@LAYOUTS
def test_counties_sum_to_the_state_and_suppression_never_makes_it_wrong(
    demo_rows: duckdb.DuckDBPyConnection, table: str, measures: tuple[str, ...]
) -> None:
    employment = measures[1]
    rows = demo_rows.execute(
        f"""
        WITH counties AS (
            SELECT own_code, industry_code, year, qtr, sum({employment}::BIGINT) AS shown,
                   bool_or(disclosure_code = 'N') AS hidden
            FROM {table} WHERE area_fips NOT LIKE '%000' GROUP BY ALL
        )
        SELECT c.shown, s.{employment}::BIGINT, c.hidden FROM counties c
        JOIN {table} s ON s.area_fips = '91000' AND s.own_code = c.own_code
             AND s.industry_code = c.industry_code AND s.year = c.year AND s.qtr = c.qtr
        """
    ).fetchall()
    assert rows
    # Where nothing is suppressed the counties add up to the state; where something is, the state keeps
    # the true total, so the published county cells add up to less, never more.
    assert all(shown == state for shown, state, hidden in rows if not hidden)
    assert all(shown <= state for shown, state, hidden in rows if hidden)
    assert any(shown < state for shown, state, hidden in rows if hidden)


def test_some_cells_are_suppressed_as_bls_publishes_them(demo_rows: duckdb.DuckDBPyConnection) -> None:
    share = demo_rows.execute(
        "SELECT avg((disclosure_code = 'N')::INT) FROM q WHERE area_fips NOT LIKE '%000'"
    ).fetchone()
    assert share is not None and 0.03 < share[0] < 0.45
    bad = demo_rows.execute(
        """SELECT count(*) FROM q WHERE disclosure_code = 'N' AND (
               month1_emplvl::BIGINT + month3_emplvl::BIGINT + total_qtrly_wages::BIGINT
               + avg_wkly_wage::BIGINT <> 0 OR lq_disclosure_code <> 'N' OR oty_disclosure_code <> 'N'
               OR qtrly_estabs_count::BIGINT < 1)"""
    ).fetchone()
    assert bad == (0,)
    at_state = demo_rows.execute(
        "SELECT count(*) FROM q WHERE area_fips LIKE '%000' AND disclosure_code = 'N'"
    )
    assert at_state.fetchone() == (0,)


def test_location_quotients_follow_bls_definition(demo_rows: duckdb.DuckDBPyConnection) -> None:
    """lq = (cell / area's total covered) / (U.S. cell / U.S. total covered), rounded to 2 decimals."""
    rows = demo_rows.execute(
        """
        SELECT c.lq_month3_emplvl::DOUBLE,
               (c.month3_emplvl::DOUBLE / t.month3_emplvl::DOUBLE)
               / (u.month3_emplvl::DOUBLE / ut.month3_emplvl::DOUBLE)
        FROM q c
        JOIN q t ON t.area_fips = c.area_fips AND t.year = c.year AND t.qtr = c.qtr
             AND t.own_code = '0' AND t.industry_code = '10'
        JOIN q u ON u.area_fips = 'US000' AND u.own_code = c.own_code AND u.industry_code = c.industry_code
             AND u.year = c.year AND u.qtr = c.qtr
        JOIN q ut ON ut.area_fips = 'US000' AND ut.year = c.year AND ut.qtr = c.qtr
             AND ut.own_code = '0' AND ut.industry_code = '10'
        WHERE c.disclosure_code = '' AND c.year = '2024' AND c.qtr = '2'
        """
    ).fetchall()
    assert len(rows) > 5000
    published, exact = np.array(rows).T
    assert np.all(np.abs(published - exact) <= 0.005 + 1e-9)
    assert published.max() > 3  # some real specialisations


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    def digest(directory: Path) -> str:
        state = layout_state(fips="92", name="Tiny State", county_count=4, rng=np.random.default_rng(5))
        written = write_synthetic_qcew(
            [state], directory=directory, years=[2024], seed=5, rest_of_nation_employment=1e6, per_naics4=1
        )
        content = hashlib.sha256()
        for path in sorted(written.all):
            content.update(path.name.encode() + path.read_bytes())
        return content.hexdigest()

    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def _flows(path: Path) -> dict[tuple[str, str], int]:
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "Home State FIPS CODE",
        "HOME COUNTY FIPS CODE",
        "WORK STATE FIPS CODE",
        "WORK COUNTY FIPS CODE",
        "Workers in Commuting Flow",
        "Margin of Error",
    ]
    flows: dict[tuple[str, str], int] = {}
    for row in rows[1:]:
        if not row[0]:
            break  # the blank line before the source notes, as in the Census table
        home = f"{int(row[0]):02d}{int(row[1]):03d}"
        work = f"{int(row[2]):02d}{int(row[3]):03d}"
        flows[home, work] = int(row[4].replace(",", ""))
    return flows


def test_commuting_flows_are_in_the_census_layout(demo_source: DemoSource) -> None:
    raw = demo_source.commuting_flows.read_bytes()
    assert b"\r\n" in raw and b'"' in raw  # CRLF and quoted thousands ("12,345")
    flows = _flows(demo_source.commuting_flows)
    counties = {county.fips for county in demo_source.state.counties}
    assert {home for home, _ in flows} == counties
    assert all(
        flows[county, county] == max(v for (h, _), v in flows.items() if h == county) for county in counties
    )


def test_commuting_zones_come_out_as_a_few_multi_county_regions(demo_source: DemoSource) -> None:
    """The real reader and Tolbert-Sizer delineation (cutoff 0.977) find a few multi-county labour markets,
    the largest being the demo region."""
    zones = delineate(read_acs_flows(demo_source.commuting_flows))
    members: dict[str, set[str]] = {}
    for county in zones.counties:
        members.setdefault(zones.region_of(county), set()).add(county)
    assert len(zones.counties) == len(demo_source.state.counties)
    assert 3 <= zones.zone_count <= 8
    assert all(len(zone) >= 2 for zone in members.values())
    assert set(DEMO_REGION.counties) in members.values()
