"""`measures --reference US000` without the U.S. file: BLS's published LQs, said to be BLS's (issue 13).

Real data: Vermont 2016 quarters (by_area files) and Mid-Ohio 2020 annual averages, neither with a U.S. file
beside it. BLS's published values are read from the files here by DuckDB (not through ingest), and compared
with what the command writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.ingest import ingest_paths
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse

pytestmark = pytest.mark.realdata

runner = CliRunner()

QUARTERLY_LQS = {
    "lq_month3_emplvl": "lq_month3_emplvl",
    "lq_qtrly_estabs": "lq_qtrly_estabs_count",
    "lq_total_qtrly_wages": "lq_total_qtrly_wages",
    "lq_avg_wkly_wage": "lq_avg_wkly_wage",
}
ANNUAL_LQS = {name: name for name in ("lq_annual_avg_emplvl", "lq_annual_avg_estabs", "lq_avg_annual_pay")}


def _measures(tmp_path: Path, warehouse: Path, *args: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    out = tmp_path / "out.parquet"
    result = runner.invoke(
        app,
        ["lmi", "measures", *args, "--warehouse", str(warehouse), "--format", "parquet", "-o", str(out)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return out


def _compare(out: Path, files: str, lqs: dict[str, str], qtr: str) -> tuple[int, int, int]:
    """(rows compared, rows equal on every LQ, rows said to be BLS's) over the disclosed LQ rows."""
    con = duckdb.connect()
    con.execute(f"CREATE TABLE ours AS SELECT * FROM read_parquet('{out}')")
    con.execute(
        "CREATE TABLE bls AS SELECT area_fips, own_code::SMALLINT AS own_code, industry_code, "
        f"lq_disclosure_code, {', '.join(f'{b}::DOUBLE AS {b}' for b in lqs.values())} "
        f"FROM read_csv('{files}', all_varchar=true) WHERE qtr = '{qtr}' AND size_code = '0'"
    )
    equal = " AND ".join(f"o.{ours} = round(b.{bls}, 2)" for ours, bls in lqs.items())
    row = con.execute(
        f"""SELECT count(*), count(*) FILTER ({equal}), count(*) FILTER (o.lq_source = 'BLS published')
        FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)
        WHERE coalesce(b.lq_disclosure_code, '') <> 'N'"""
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def test_quarterly_lqs_against_the_nation_are_bls_published_ones_without_the_us_file(tmp_path: Path) -> None:
    files = shared_data_path("qcew", "2016_q1-q4_by_area", "vermont_50")
    out = _measures(
        tmp_path, real_warehouse("50"), "--year", "2016", "--period", "2", "--reference", "US000",
        "--no-estimate",
    )  # fmt: skip
    region_out = _measures(
        tmp_path / "region", real_warehouse("50"), "--year", "2016", "--period", "2", "--reference", "US000",
        "--region-counties", "Burlington=50007,50011,50013",
    )  # fmt: skip
    compared, equal, said = _compare(out, str(files / "*.csv.gz"), QUARTERLY_LQS, "2")
    assert compared > 7_000  # every disclosed row of 14 counties, the unknown county and the state (7,114)
    assert equal == compared
    assert said == compared
    with duckdb.connect() as con:
        # A withheld cell keeps BLS's establishment LQ and no other; a region (no BLS LQ) gets none.
        withheld = con.execute(
            f"SELECT count(*), count(lq_qtrly_estabs), count(lq_month3_emplvl) FROM read_parquet('{out}') "
            "WHERE disclosure_code = 'N'"
        ).fetchone()
        region = con.execute(
            "SELECT count(*), count(lq_month3_emplvl), count(lq_source) "
            f"FROM read_parquet('{region_out}') WHERE area_fips = 'Burlington'"
        ).fetchone()
    assert withheld is not None and withheld[0] > 1000 and withheld[1] > 0 and withheld[2] == 0
    assert region is not None and region[0] > 100 and region[1] == 0 and region[2] == 0


def test_computed_lqs_say_so(tmp_path: Path) -> None:
    out = _measures(
        tmp_path, real_warehouse("50"), "--year", "2016", "--period", "2", "--reference", "50000",
        "--area", "50007",
    )  # fmt: skip
    sources = pq.read_table(out).column("lq_source").to_pylist()
    assert set(sources) <= {"computed", None} and sources.count("computed") > 500


def test_annual_lqs_from_the_published_ones(tmp_path: Path) -> None:
    folder = shared_data_path("qcew", "2020_ohio_morpc")
    annual = sorted(folder.glob("morpc-qcew-2020-a-*.csv.gz"))
    warehouse = tmp_path / "ohio.duckdb"
    ingest_paths(annual, warehouse=warehouse)
    out = _measures(tmp_path, warehouse, "--year", "2020", "--period", "A", "--reference", "US000")
    compared, equal, said = _compare(out, str(folder / "morpc-qcew-2020-a-*.csv.gz"), ANNUAL_LQS, "A")
    assert compared > 3000
    assert equal == compared
    assert said == compared
