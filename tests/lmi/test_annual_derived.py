"""Annual averages derived from four quarters when no annual file is loaded, checked against BLS's annual
file (issue 13). Real data: Mid-Ohio 2020, Delaware (39041) and Franklin (39049) counties, the two with both
the four quarterly slices and the annual slice. BLS's annual figures are read from the files by DuckDB here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.ingest import ingest_paths
from tests.conftest import shared_data_path

pytestmark = pytest.mark.realdata

runner = CliRunner()
COUNTIES = ("39041", "39049")
FIGURES = (
    "annual_avg_estabs",
    "annual_avg_emplvl",
    "total_annual_wages",
    "taxable_annual_wages",
    "annual_contributions",
    "annual_avg_wkly_wage",
    "avg_annual_pay",
)


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = shared_data_path("qcew", "2020_ohio_morpc")
    quarters = [folder / f"morpc-qcew-2020-{q}-{c}.csv.gz" for q in "1234" for c in COUNTIES]
    tmp = tmp_path_factory.mktemp("annual")
    warehouse = tmp / "quarters.duckdb"
    ingest_paths(quarters, warehouse=warehouse)
    out = tmp / "derived.parquet"
    result = runner.invoke(
        app,
        [
            "lmi", "measures", "--year", "2020", "--period", "A", "--reference", "39049",
            "--no-estimate", "--warehouse", str(warehouse), "--format", "parquet", "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    annual = ", ".join(f"'{folder / f'morpc-qcew-2020-a-{c}.csv.gz'}'" for c in COUNTIES)
    return out, folder, annual


def _con(out: Path, annual: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE ours AS SELECT * FROM read_parquet('{out}')")
    con.execute(
        "CREATE TABLE bls AS SELECT area_fips, own_code::SMALLINT AS own_code, industry_code, "
        "disclosure_code, "
        f"{', '.join(f'{f}::BIGINT AS {f}' for f in FIGURES)} "
        f"FROM read_csv([{annual}], all_varchar=true) WHERE size_code = '0'"
    )
    return con


def test_every_cell_is_flagged_derived_and_every_bls_cell_is_there(derived: tuple[Path, Path, str]) -> None:
    out, _folder, annual = derived
    con = _con(out, annual)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM bls), (SELECT count(*) FROM ours), "
        "(SELECT count(*) FROM ours WHERE derived), "
        "(SELECT count(*) FROM bls JOIN ours USING (area_fips, own_code, industry_code))"
    ).fetchone()
    assert counts is not None
    bls_rows, our_rows, flagged, matched = counts
    assert bls_rows == our_rows == flagged == matched == 3808


def test_derived_figures_equal_bls_annual_file_where_both_disclose(derived: tuple[Path, Path, str]) -> None:
    out, _folder, annual = derived
    con = _con(out, annual)
    equal = ", ".join(f"count(*) FILTER (o.{f} = b.{f})" for f in FIGURES)
    row = con.execute(
        f"""SELECT count(*), {equal} FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)
        WHERE coalesce(b.disclosure_code, '') <> 'N' AND coalesce(o.disclosure_code, '') <> 'N'"""
    ).fetchone()
    assert row is not None
    compared, *agreeing = row
    # Measured: 2,071 cells, every figure equal (establishments, 12-month mean employment, the summed
    # wages and contributions, and both average wages).
    assert compared > 2000
    assert agreeing == [compared] * len(FIGURES)
    # Establishments are published for withheld cells too: equal in every cell.
    estabs = con.execute(
        "SELECT count(*), count(*) FILTER (o.annual_avg_estabs = b.annual_avg_estabs) "
        "FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)"
    ).fetchone()
    assert estabs is not None and estabs[0] == estabs[1] == 3808


def test_a_cell_with_a_withheld_quarter_stays_withheld(derived: tuple[Path, Path, str]) -> None:
    out, _folder, annual = derived
    con = _con(out, annual)
    row = con.execute(
        """SELECT count(*) FILTER (o.disclosure_code = 'N' AND coalesce(b.disclosure_code, '') <> 'N'),
                  count(*) FILTER (b.disclosure_code = 'N' AND coalesce(o.disclosure_code, '') <> 'N'),
                  count(*) FILTER (o.disclosure_code = 'N' AND o.annual_avg_emplvl <> 0)
        FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)"""
    ).fetchone()
    # BLS discloses 160 annual cells of which a quarter was withheld (they cannot be derived); every cell
    # BLS withholds is withheld here too; a withheld cell shows no figure.
    assert row == (160, 0, 0)


def test_filled_quarters_give_estimated_annual_cells_within_their_bounds(tmp_path: Path) -> None:
    from tests.lmi.lmi_real_warehouse import real_warehouse_estimated

    out = tmp_path / "vt.parquet"
    result = runner.invoke(
        app,
        [
            "lmi", "measures", "--year", "2016", "--period", "A", "--reference", "50000", "--area", "50007",
            "--ownership", "5", "--warehouse", str(real_warehouse_estimated("50")), "--format", "parquet",
            "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with duckdb.connect() as con:
        row = con.execute(
            "SELECT count(*), count(*) FILTER (derived), count(*) FILTER (estimated), "
            "count(*) FILTER (estimated AND annual_avg_emplvl BETWEEN floor(annual_avg_emplvl_low) "
            "AND ceil(annual_avg_emplvl_high)), "
            "count(*) FILTER (estimated AND disclosure_code = 'N' AND annual_avg_emplvl > 0) "
            f"FROM read_parquet('{out}')"
        ).fetchone()
    assert row is not None
    rows, derived, estimated, within, filled = row
    assert rows == derived > 500
    assert estimated > 50 and within == estimated
    assert filled > 20  # cells with a withheld quarter, filled from the quarters' estimates
