"""Oracle: our location quotients against the ones BLS publishes, on real 2016 county files.

The shared data has no 2016 U.S. file, so LQs are checked relative to the state: for a county cell,
lq(county vs US) / lq(state vs US) = lq(county vs state). BLS publishes both LQs rounded to 2 decimals, so
our unrounded LQ against the state must lie in [(c - 0.005) / (s + 0.005), (c + 0.005) / (s - 0.005)].
BLS's published values are read from the files here, never stored in the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import pytest

from sectorwise.lmi import warehouse
from sectorwise.lmi.ingest import ingest_into
from sectorwise.lmi.measures import QUARTERS, annual_measures, quarterly_measures
from sectorwise.lmi.regions import Region
from tests.conftest import shared_data_path

pytestmark = pytest.mark.realdata

#: Our column -> the column of BLS's by_area file that publishes it.
CHECKED_LQS = {
    "lq_month1_emplvl": "lq_month1_emplvl",
    "lq_month2_emplvl": "lq_month2_emplvl",
    "lq_month3_emplvl": "lq_month3_emplvl",
    "lq_qtrly_estabs": "lq_qtrly_estabs_count",
    "lq_total_qtrly_wages": "lq_total_qtrly_wages",
    "lq_avg_wkly_wage": "lq_avg_wkly_wage",
}

STATES = {"50000": "vermont_50", "34000": "new_jersey_34"}


@dataclass
class StateOracle:
    con: duckdb.DuckDBPyConnection
    state: str
    files: Path


@pytest.fixture(scope="module", params=sorted(STATES))
def oracle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StateOracle]:
    state: str = request.param
    files = shared_data_path("qcew", "2016_q1-q4_by_area", STATES[state])
    con = duckdb.connect(str(tmp_path_factory.mktemp("oracle") / "warehouse.duckdb"))
    ingest_into(con, [files])  # the real ingest path, as `sectorwise lmi ingest` runs it
    con.execute(
        f"CREATE TABLE bls AS SELECT area_fips, own_code::SMALLINT AS own_code, industry_code, qtr, "
        f"lq_disclosure_code, {', '.join(f'{col}::DOUBLE AS {col}' for col in CHECKED_LQS.values())} "
        f"FROM read_csv('{files / '*.csv.gz'}', all_varchar=true)"
    )
    backend = ibis.duckdb.from_connection(con)
    qcew = backend.table(warehouse.QUARTERLY_TABLE)
    for qtr in QUARTERS:
        ours = quarterly_measures(qcew, year=2016, qtr=qtr, reference=state, bls_rounding=False).to_pyarrow()
        con.register("ours_view", ours)
        con.execute(
            "CREATE TABLE IF NOT EXISTS ours AS SELECT * FROM ours_view WHERE false; "
            "INSERT INTO ours SELECT * FROM ours_view"
        )
        con.unregister("ours_view")
    yield StateOracle(con=con, state=state, files=files)
    con.close()


@pytest.mark.parametrize("ours_column", sorted(CHECKED_LQS))
def test_every_disclosed_county_lq_lies_in_the_interval_bls_rounding_leaves(
    oracle: StateOracle, ours_column: str
) -> None:
    bls_column = CHECKED_LQS[ours_column]
    checked, agreeing, disclosed = oracle.con.execute(
        f"""
        WITH county AS (
            SELECT b.own_code, b.industry_code, b.qtr, b.{bls_column} AS c, o.{ours_column} AS mine
            FROM bls b JOIN ours o USING (area_fips, own_code, industry_code, qtr)
            WHERE b.area_fips <> ? AND b.area_fips LIKE ? AND b.area_fips NOT LIKE '%000'
              AND coalesce(b.lq_disclosure_code, '') <> 'N'
        ), state AS (
            SELECT own_code, industry_code, qtr, {bls_column} AS s FROM bls
            WHERE area_fips = ? AND coalesce(lq_disclosure_code, '') <> 'N'
        )
        SELECT count(*) FILTER (WHERE s IS NOT NULL),
               count(*) FILTER (
                   WHERE mine >= (c - 0.005) / (s + 0.005)
                     AND (s <= 0.005 OR mine <= (c + 0.005) / (s - 0.005))
               ),
               count(*)
        FROM county LEFT JOIN state USING (own_code, industry_code, qtr)
        """,
        [oracle.state, oracle.state[:2] + "%", oracle.state],
    ).fetchone() or (0, 0, 0)
    # A county cell whose state cell is suppressed (no published state LQ) cannot be checked; ours is NULL.
    print(
        f"\n{oracle.state} {ours_column}: {agreeing}/{checked} county cells agree "
        f"({100 * agreeing / checked:.2f} %); {disclosed - checked} more sit under a suppressed state cell"
    )
    assert checked > 10_000
    assert agreeing == checked


def test_suppressed_cells_get_no_location_quotient(oracle: StateOracle) -> None:
    suppressed, with_lq = oracle.con.execute(
        f"""
        SELECT count(*), count(*) FILTER (WHERE {" OR ".join(f"{c} IS NOT NULL" for c in CHECKED_LQS)})
        FROM ours WHERE disclosure_code = 'N'
        """
    ).fetchone() or (0, 0)
    assert suppressed > 1_000
    assert with_lq == 0


def test_a_county_cell_under_a_suppressed_state_cell_gets_no_lq(oracle: StateOracle) -> None:
    under_suppressed, with_lq = oracle.con.execute(
        """
        SELECT count(*), count(o.lq_month3_emplvl)
        FROM ours o JOIN ours s
          ON s.area_fips = ? AND s.own_code = o.own_code AND s.industry_code = o.industry_code
         AND s.qtr = o.qtr
        WHERE o.area_fips <> ? AND s.disclosure_code = 'N' AND coalesce(o.disclosure_code, '') <> 'N'
        """,
        [oracle.state, oracle.state],
    ).fetchone() or (0, 0)
    assert under_suppressed > 500
    assert with_lq == 0


def test_all_counties_as_a_region_sum_to_the_statewide_cells(oracle: StateOracle) -> None:
    counties = [
        row[0]
        for row in oracle.con.execute(
            "SELECT DISTINCT area_fips FROM qcew_quarterly WHERE area_fips <> ? ORDER BY 1", [oracle.state]
        ).fetchall()
    ]
    whole_state = Region(name="whole state", counties=tuple(counties))
    qcew = ibis.duckdb.from_connection(oracle.con).table(warehouse.QUARTERLY_TABLE)
    region = quarterly_measures(
        qcew, year=2016, qtr="1", reference=oracle.state, areas=[], regions=[whole_state]
    ).to_pyarrow()
    oracle.con.register("region_view", region)
    compared, equal = oracle.con.execute(
        """
        SELECT count(*), count(*) FILTER (
            WHERE r.month1_emplvl = s.month1_emplvl AND r.month3_emplvl = s.month3_emplvl
              AND r.qtrly_estabs = s.qtrly_estabs AND r.total_qtrly_wages = s.total_qtrly_wages
              AND r.avg_wkly_wage = s.avg_wkly_wage)
        FROM region_view r JOIN qcew_quarterly s
          ON s.area_fips = ? AND s.year = 2016 AND s.qtr = '1'
         AND s.own_code = r.own_code AND s.industry_code = r.industry_code
        WHERE NOT r.incomplete AND coalesce(s.disclosure_code, '') <> 'N'
        """,
        [oracle.state],
    ).fetchone() or (0, 0)
    oracle.con.unregister("region_view")
    print(f"\n{oracle.state} whole-state region: {equal}/{compared} complete cells equal the statewide cell")
    assert compared > 100
    assert equal == compared


#: Annual LQs: ours -> BLS's column (the Ohio files are BLS's annual area slices, re-serialized by pandas).
ANNUAL_LQS = {
    "lq_annual_avg_emplvl": "lq_annual_avg_emplvl",
    "lq_annual_avg_estabs": "lq_annual_avg_estabs",
    "lq_total_annual_wages": "lq_total_annual_wages",
    "lq_annual_avg_wkly_wage": "lq_annual_avg_wkly_wage",
    "lq_avg_annual_pay": "lq_avg_annual_pay",
}
OHIO_REFERENCE = "39049"  # Franklin County


@pytest.fixture(scope="module")
def ohio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """Five Mid-Ohio counties, 2020 annual averages: our LQs against Franklin County, and BLS's published."""
    folder = shared_data_path("qcew", "2020_ohio_morpc")
    files = sorted(folder.glob("morpc-qcew-2020-a-*.csv.gz"))
    con = duckdb.connect(str(tmp_path_factory.mktemp("ohio") / "warehouse.duckdb"))
    ingest_into(con, files)
    con.execute(
        "CREATE TABLE bls AS SELECT area_fips, own_code::SMALLINT AS own_code, industry_code, "
        f"disclosure_code, lq_disclosure_code, annual_avg_wkly_wage::BIGINT AS annual_avg_wkly_wage, "
        f"avg_annual_pay::BIGINT AS avg_annual_pay, "
        f"{', '.join(f'{col}::DOUBLE AS {col}' for col in ANNUAL_LQS.values())} "
        f"FROM read_csv({[str(f) for f in files]!r}, all_varchar=true)"
    )
    qcew = ibis.duckdb.from_connection(con).table(warehouse.ANNUAL_TABLE)
    counties = [str(f.name).split("-")[-1].split(".")[0] for f in files]
    one_county_regions = [Region(name=f"only {county}", counties=(county,)) for county in counties]
    ours = annual_measures(
        qcew, year=2020, reference=OHIO_REFERENCE, regions=one_county_regions, bls_rounding=False
    ).to_pyarrow()
    con.register("ours_view", ours)
    con.execute("CREATE TABLE ours AS SELECT * FROM ours_view")
    con.unregister("ours_view")
    yield con
    con.close()


@pytest.mark.parametrize("ours_column", sorted(ANNUAL_LQS))
def test_annual_lqs_against_another_county_lie_in_the_rounding_interval(
    ohio: duckdb.DuckDBPyConnection, ours_column: str
) -> None:
    """lq(county vs US) / lq(Franklin vs US) = lq(county vs Franklin), within BLS's 2-decimal rounding."""
    bls_column = ANNUAL_LQS[ours_column]
    checked, agreeing = ohio.execute(
        f"""
        WITH county AS (
            SELECT b.own_code, b.industry_code, b.{bls_column} AS c, o.{ours_column} AS mine
            FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)
            WHERE b.area_fips <> ? AND coalesce(b.lq_disclosure_code, '') <> 'N'
        ), franklin AS (
            SELECT own_code, industry_code, {bls_column} AS s FROM bls
            WHERE area_fips = ? AND coalesce(lq_disclosure_code, '') <> 'N'
        )
        SELECT count(*), count(*) FILTER (
            WHERE mine >= (c - 0.005) / (s + 0.005) AND (s <= 0.005 OR mine <= (c + 0.005) / (s - 0.005)))
        FROM county JOIN franklin USING (own_code, industry_code)
        """,
        [OHIO_REFERENCE, OHIO_REFERENCE],
    ).fetchone() or (0, 0)
    share = 100 * agreeing / checked
    print(f"\nOhio 2020 annual {ours_column}: {agreeing}/{checked} cells agree ({share:.2f} %)")
    assert checked > 1_000
    assert agreeing == checked


def test_a_one_county_regions_annual_wages_are_within_the_rounding_of_its_employment(
    ohio: duckdb.DuckDBPyConnection,
) -> None:
    """BLS divides annual wages by the unrounded 12-month mean employment, which annual files do not carry
    (checked on Ohio's quarterly files: 2,066 of 2,226 cells); an aggregate of annual cells can only divide
    by the sum of the rounded annual averages E. So both ours and BLS's average pay must lie within
    [W / (E + 0.5) - 0.5, W / (E - 0.5) + 0.5] for a one-county region, and ours is round(W / E)."""
    compared, both_inside, exact = ohio.execute(
        """
        WITH cells AS (
            SELECT r.total_annual_wages::DOUBLE AS w, r.annual_avg_emplvl::DOUBLE AS e,
                   r.avg_annual_pay AS ours, b.avg_annual_pay AS theirs
            FROM ours r JOIN bls b ON r.area_fips = 'only ' || b.area_fips
             AND r.own_code = b.own_code AND r.industry_code = b.industry_code
            WHERE coalesce(b.disclosure_code, '') <> 'N' AND r.annual_avg_emplvl > 0
        )
        SELECT count(*),
               count(*) FILTER (WHERE ours = round(w / e)
                   AND theirs BETWEEN w / (e + 0.5) - 0.5 AND w / greatest(e - 0.5, 0.5) + 0.5
                   AND ours BETWEEN w / (e + 0.5) - 0.5 AND w / greatest(e - 0.5, 0.5) + 0.5),
               count(*) FILTER (WHERE ours = theirs)
        FROM cells
        """
    ).fetchone() or (0, 0, 0)
    print(
        f"\nOhio 2020 one-county regions: avg_annual_pay within the bound {both_inside}/{compared}, "
        f"equal to BLS's {exact}/{compared}"
    )
    assert compared > 1_000
    assert both_inside == compared
