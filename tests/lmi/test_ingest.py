"""Ingest of real BLS QCEW files (read in place from ../shared/data): counts, sums, idempotence, layouts."""

from __future__ import annotations

import csv
import gzip
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sectorwise.lmi.ingest import IngestSummary, ingest_into, ingest_paths
from sectorwise.lmi.warehouse import open_duckdb
from tests.conftest import shared_data_path

pytestmark = pytest.mark.realdata

BY_AREA = ("qcew", "2016_q1-q4_by_area")
VALUE_COLUMNS = (
    "qtrly_estabs",
    "month1_emplvl",
    "month2_emplvl",
    "month3_emplvl",
    "total_qtrly_wages",
    "taxable_qtrly_wages",
    "qtrly_contributions",
)


def manifest_rows(folder: str) -> dict[str, int]:
    """Data-row counts the manifest gives for the files of one folder (header excluded)."""
    manifest = shared_data_path("MANIFEST_qcew_titles_clusters.csv")
    with manifest.open(encoding="utf-8", newline="") as handle:
        return {
            row["path"]: int(row["data_rows"])
            for row in csv.DictReader(handle)
            if row["path"].startswith(f"{folder}/") and row["data_rows"]
        }


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_duckdb(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def vermont(tmp_path_factory: pytest.TempPathFactory) -> tuple[IngestSummary, Path]:
    """All of Vermont 2016 by_area, ingested once for the tests that only read it."""
    warehouse = tmp_path_factory.mktemp("vermont") / "warehouse.duckdb"
    summary = ingest_paths([shared_data_path(*BY_AREA, "vermont_50")], warehouse=warehouse)
    return summary, warehouse


@pytest.fixture
def vermont_con(vermont: tuple[IngestSummary, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(vermont[1]), read_only=True)
    yield connection
    connection.close()


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_vermont_2016_by_area_loads_every_row_of_every_file(
    vermont: tuple[IngestSummary, Path], vermont_con: duckdb.DuckDBPyConnection
) -> None:
    expected = manifest_rows("/".join((*BY_AREA, "vermont_50")))
    assert len(expected) == 16
    summary, con = vermont[0], vermont_con

    assert summary.files == 16
    assert summary.rows == sum(expected.values()) == 71_656
    assert summary.table_rows["qcew_quarterly"] == 71_656
    assert summary.years == (2016,)
    assert summary.periods == ("2016Q1", "2016Q2", "2016Q3", "2016Q4")
    assert len(summary.areas) == 16 and "50000" in summary.areas and "50999" in summary.areas
    assert count(con, "SELECT count(*) FROM qcew_quarterly") == 71_656
    # Each file's rows arrive under its own area: per-area counts equal the manifest's per-file counts.
    per_area = dict(con.execute("SELECT area_fips, count(*) FROM qcew_quarterly GROUP BY ALL").fetchall())
    for path, rows in expected.items():
        area = Path(path).name.split(" ")[1]
        assert per_area[area] == rows, path
    logged = count(con, "SELECT sum(rows) FROM ingest_log")
    assert logged == 71_656


def test_rows_are_stored_period_by_period_so_a_one_period_scan_skips_the_others(
    vermont_con: duckdb.DuckDBPyConnection,
) -> None:
    # Vermont's files each hold four quarters; stored in file order, every row group would span all four.
    # Within a period the area totals (own_code 0, the LQs' bases) come first, then ownership by ownership.
    rows = vermont_con.execute(
        "SELECT year, qtr, own_code, area_fips, industry_code FROM qcew_quarterly"
    ).fetchall()
    assert [row[:4] for row in rows] == sorted(row[:4] for row in rows)
    assert len({row[1] for row in rows}) == 4
    first_of_q1 = [row for row in rows if row[:2] == (2016, "1")][:15]
    assert {(own, industry) for _, _, own, _, industry in first_of_q1} == {(0, "10")}


def test_vermont_values_titles_and_disclosure_codes_are_kept(vermont_con: duckdb.DuckDBPyConnection) -> None:
    con = vermont_con
    # The statewide total covered row of 2016 Q1 as BLS publishes it (README of the data folder).
    row = con.execute(
        "SELECT month1_emplvl, total_qtrly_wages, qtrly_estabs, disclosure_code FROM qcew_quarterly "
        "WHERE area_fips = '50000' AND own_code = 0 AND industry_code = '10' AND year = 2016 AND qtr = '1'"
    ).fetchone()
    assert row == (304_337, 3_304_539_577, row[2], None)
    assert row[2] > 20_000
    assert count(con, "SELECT count(*) FROM qcew_quarterly WHERE disclosure_code = 'N'") > 1000
    # '-' marks a cell with no activity (all zeros); BLS writes nothing for a disclosed cell.
    assert count(con, "SELECT count(*) FROM qcew_quarterly WHERE disclosure_code = '-'") == 854
    assert count(con, "SELECT count(*) FROM qcew_quarterly WHERE disclosure_code NOT IN ('N', '-')") == 0
    titles = dict(con.execute("SELECT area_fips, area_title FROM area_titles").fetchall())
    assert titles["50007"] == "Chittenden County, Vermont"
    assert titles["50000"] == "Vermont -- Statewide"
    owners = dict(con.execute("SELECT own_code, own_title FROM own_titles").fetchall())
    assert owners[5] == "Private"
    industries = dict(con.execute("SELECT industry_code, industry_title FROM industry_titles").fetchall())
    assert industries["10"] == "10 Total, all industries"


def test_ingesting_again_replaces_and_never_duplicates(tmp_path: Path) -> None:
    folder = shared_data_path(*BY_AREA, "vermont_50")
    warehouse = tmp_path / "w.duckdb"
    first = ingest_paths([folder], warehouse=warehouse)
    second = ingest_paths([folder], warehouse=warehouse)
    assert first.rows == second.rows == 71_656
    assert first.replaced_rows == 0 and second.replaced_rows == 71_656
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert count(con, "SELECT count(*) FROM qcew_quarterly") == 71_656
        assert count(con, "SELECT count(*) FROM area_titles") == 16
    # One county alone again: only its unit is replaced.
    addison = next(folder.glob("*50001*"))
    third = ingest_paths([addison], warehouse=warehouse)
    assert third.replaced_rows == third.rows > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert count(con, "SELECT count(*) FROM qcew_quarterly") == 71_656


def _county_sum_mismatches(con: duckdb.DuckDBPyConnection, state: str) -> tuple[int, list[tuple[str, ...]]]:
    """Cells where nothing is suppressed (state and every county row disclosed): county sums vs statewide."""
    sums = ", ".join(f"sum(c.{c}) AS {c}" for c in VALUE_COLUMNS)
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM k.{c}" for c in VALUE_COLUMNS)
    # County aggregation levels are the state's plus 20 (70 total ... 78 six-digit NAICS vs 50 ... 58).
    comparable = f"""
        WITH k AS (
            SELECT own_code, industry_code, agglvl_code - 20 AS agglvl_code, qtr, {sums},
                   bool_or(disclosure_code = 'N') AS suppressed
            FROM qcew_quarterly c
            WHERE c.area_fips LIKE '{state}%' AND c.area_fips <> '{state}000' AND c.agglvl_code >= 70
            GROUP BY ALL
        )
        SELECT s.own_code, s.industry_code, s.qtr, ({differs}) AS differs
        FROM qcew_quarterly s JOIN k USING (own_code, industry_code, agglvl_code, qtr)
        WHERE s.area_fips = '{state}000' AND s.disclosure_code IS NULL AND NOT coalesce(k.suppressed, false)
    """
    cells = con.execute(comparable).fetchall()
    return len(cells), [tuple(map(str, cell[:3])) for cell in cells if cell[3]]


@pytest.mark.parametrize(
    "state, folder, comparable", [("50", "vermont_50", 567), ("10", "delaware_10", 1_550)]
)
def test_county_cells_sum_to_the_statewide_totals_where_nothing_is_suppressed(
    request: pytest.FixtureRequest, state: str, folder: str, comparable: int
) -> None:
    if folder == "vermont_50":
        con = request.getfixturevalue("vermont_con")
    else:
        con = request.getfixturevalue("con")
        ingest_into(con, [shared_data_path(*BY_AREA, folder)])
    compared, mismatches = _county_sum_mismatches(con, state)
    # Every (ownership, industry, quarter) cell where the state and all its county rows are disclosed.
    assert compared == comparable
    assert mismatches == []
    # The total covered row in particular, every quarter.
    total_rows = count(
        con,
        f"SELECT count(*) FROM qcew_quarterly WHERE area_fips = '{state}000' AND own_code = 0 "
        "AND industry_code = '10'",
    )
    assert total_rows == 4


def test_us000_area_slices_of_two_quarters(con: duckdb.DuckDBPyConnection) -> None:
    summary = ingest_into(con, [shared_data_path("qcew", "us000_area_slices")])
    assert summary.rows == 4_560 + 4_526
    assert summary.areas == ("US000",)
    assert summary.periods == ("2019Q1", "2024Q1")
    # BLS's own check: the ownerships sum to the total covered employment.
    for year, total in ((2019, 146_553_073), (2024, 153_848_430)):
        parts = count(
            con,
            f"SELECT sum(month3_emplvl) FROM qcew_quarterly WHERE year = {year} AND industry_code = '10' "
            "AND own_code IN (1, 2, 3, 5)",
        )
        assert parts == total


def test_ohio_2020_annual_and_quarterly_slices_rewritten_by_pandas(con: duckdb.DuckDBPyConnection) -> None:
    folder = shared_data_path("qcew", "2020_ohio_morpc")
    expected = manifest_rows("qcew/2020_ohio_morpc")
    annual_rows = sum(rows for path, rows in expected.items() if "-2020-a-" in path)
    quarterly_rows = sum(rows for path, rows in expected.items() if "-2020-a-" not in path)

    summary = ingest_into(con, [folder])

    assert summary.table_rows["qcew_annual"] == annual_rows
    assert summary.table_rows["qcew_quarterly"] == quarterly_rows
    assert "2020A" in summary.periods and "2020Q4" in summary.periods
    assert count(con, "SELECT count(*) FROM qcew_annual WHERE qtr <> 'A'") == 0
    franklin = con.execute(
        "SELECT annual_avg_emplvl, avg_annual_pay FROM qcew_annual "
        "WHERE area_fips = '39049' AND own_code = 0 AND industry_code = '10'"
    ).fetchone()
    assert franklin is not None and franklin[0] > 600_000 and franklin[1] > 50_000


def test_zip_and_gzip_and_plain_files_load_alike(tmp_path: Path) -> None:
    source = next(shared_data_path(*BY_AREA, "delaware_10").glob("*10001*"))
    plain = tmp_path / "plain" / source.name.removesuffix(".gz")
    plain.parent.mkdir()
    with gzip.open(source, "rb") as compressed, plain.open("wb") as out:
        shutil.copyfileobj(compressed, out)
    archive = tmp_path / "2016_qtrly_by_area.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(plain, f"2016.q1-q4.by_area/{plain.name}")

    results: list[IngestSummary] = [
        ingest_paths([path], warehouse=tmp_path / f"{kind}.duckdb")
        for kind, path in (("gz", source), ("plain", plain), ("zip", archive))
    ]

    assert {summary.rows for summary in results} == {5_848}
    tables = []
    for kind in ("gz", "plain", "zip"):
        with duckdb.connect(str(tmp_path / f"{kind}.duckdb"), read_only=True) as con:
            tables.append(con.execute("SELECT * FROM qcew_quarterly ORDER BY ALL").fetchall())
    assert tables[0] == tables[1] == tables[2]


def test_files_of_several_states_and_layouts_in_one_call(con: duckdb.DuckDBPyConnection) -> None:
    paths = [
        shared_data_path(*BY_AREA, "rhode_island_44"),
        shared_data_path("qcew", "us000_area_slices"),
        shared_data_path("qcew", "2020_ohio_morpc"),
    ]
    expected = sum(manifest_rows("/".join((*BY_AREA, "rhode_island_44"))).values())
    expected += sum(manifest_rows("qcew/us000_area_slices").values())
    expected += sum(manifest_rows("qcew/2020_ohio_morpc").values())
    summary = ingest_into(con, paths)
    assert summary.rows == expected
    stored = count(con, "SELECT (SELECT count(*) FROM qcew_quarterly) + (SELECT count(*) FROM qcew_annual)")
    assert stored == expected
