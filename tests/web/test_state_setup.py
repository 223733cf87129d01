"""`sectorwise state setup`: from a clean data directory and a local mirror of BLS and Census, Vermont's QCEW
(LQs equal to BLS's), its commuting zones and CBSAs as region sets and registry regions; a second run
downloads and creates nothing; a failed download leaves the warehouse as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import ibis
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi import warehouse as wh
from sectorwise.lmi.measures import quarterly_measures
from sectorwise.lmi.regionsets import RegionSet, load_region_set, store_region_set
from sectorwise.partnerships.models import Region, RegionSource
from tests.conftest import shared_data_path
from tests.lmi.fetch_server import FetchServer, Serve, industry_slice, open_data_slices, running
from tests.lmi.test_fetch_acs_flows import shared_flows, table1_xlsx

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

VT_DIR = ("qcew", "2016_q1-q4_by_area", "vermont_50")
FLOWS_PATH = "/programs-surveys/demo/tables/metro-micro/2015/commuting-flows-2015/table1.xlsx"
CBSA_PATH = "/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx"
SLICES = 16 * 4  # (14 counties + 50000 + 50999) x 4 quarters


@pytest.fixture
def server() -> Iterator[FetchServer]:
    yield from running(FetchServer())


@pytest.fixture(scope="module")
def mirror() -> dict[str, bytes]:
    """What the mirror serves: Vermont's 2016 area slices and county list (from BLS's by_area files) and
    OMB's CBSA list. The shared data hold no 2016 annual or national (US000) files, so the runs below ask
    for neither (--no-annual --no-us)."""
    slices, industry_10 = open_data_slices(shared_data_path(*VT_DIR), 2016)
    rows = [list(row) for row in industry_10["1"]]
    template = rows[0]
    rows.append(["33009", *template[1:]])  # the real list covers the nation: another state's county
    slices["/cew/data/api/2016/1/industry/10.csv"] = industry_slice(rows)
    slices[CBSA_PATH] = shared_data_path("cbsa", "list1_2023.xlsx").read_bytes()
    # Census's table1.xlsx layout of the shared ACS flows (the Northeast's residents: fast to read, and
    # enough for zones that cross Vermont's borders).
    slices[FLOWS_PATH] = table1_xlsx(shared_flows())[0]
    return slices


@pytest.fixture(scope="module")
def flows() -> Path:
    return shared_data_path("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")


def serve(server: FetchServer, files: dict[str, bytes]) -> None:
    for path, body in files.items():
        server.routes[path] = Serve(body)


def setup(server: FetchServer, warehouse: Path, flows: Path | None, *more: str) -> tuple[int, str]:
    """The command against the mirror; without ``flows`` it fetches the ACS flows (table1.xlsx) too."""
    given = ("--flows", str(flows)) if flows is not None else ()
    result = CliRunner().invoke(
        app,
        [
            *("state", "setup", "VT", "--years", "2016", "--no-annual", "--no-us", *given),
            *("--warehouse", str(warehouse), "--bls-base-url", server.url, "--census-base-url", server.url),
            *("--backoff", "0", "--contact", "tests@sectorwise.example", *more),
        ],
    )
    return result.exit_code, " ".join(result.output.split())


def lqs_checked_and_agreeing(warehouse: Path) -> tuple[int, int]:
    """Chittenden County's Q1 LQs against the state, against the interval BLS's published (rounded) LQs
    of the county and the state leave (the oracle of tests/lmi/test_lq_oracle.py and test_fetch.py)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        qcew = ibis.duckdb.from_connection(con).table(wh.QUARTERLY_TABLE)
        ours = quarterly_measures(
            qcew, year=2016, qtr="1", reference="50000", bls_rounding=False
        ).to_pyarrow()
        con.register("ours", ours)
        by_area = shared_data_path(*VT_DIR)
        found = con.execute(
            f"""
            WITH bls AS (
                SELECT area_fips, own_code::SMALLINT AS own_code, industry_code,
                       lq_month1_emplvl::DOUBLE AS lq, lq_disclosure_code
                FROM read_csv('{by_area / "*.csv.gz"}', all_varchar=true) WHERE qtr = '1'
            ), county AS (
                SELECT b.own_code, b.industry_code, b.lq AS c, o.lq_month1_emplvl AS mine
                FROM bls b JOIN ours o USING (area_fips, own_code, industry_code)
                WHERE b.area_fips = '50007' AND coalesce(b.lq_disclosure_code, '') <> 'N'
            ), state AS (
                SELECT own_code, industry_code, lq AS s FROM bls
                WHERE area_fips = '50000' AND coalesce(lq_disclosure_code, '') <> 'N'
            )
            SELECT count(*), count(*) FILTER (
                WHERE mine >= (c - 0.005) / (s + 0.005) AND (s <= 0.005 OR mine <= (c + 0.005) / (s - 0.005)))
            FROM county JOIN state USING (own_code, industry_code) WHERE s IS NOT NULL
            """
        ).fetchone()
    finally:
        con.close()
    assert found is not None
    return int(found[0]), int(found[1])


def stored(warehouse: Path, name: str) -> RegionSet:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return load_region_set(con, name)
    finally:
        con.close()


def registry(prefix: str) -> dict[str, list[str]]:
    """source_detail -> counties of the registry regions made from the set ``prefix``."""
    return {
        region.source_detail: region.county_fips_list
        for region in Region.objects.filter(source_detail__startswith=f"{prefix}: ").prefetch_related(
            "counties"
        )
    }


def test_vermont_from_a_clean_data_directory_then_a_second_run_does_nothing(
    server: FetchServer, mirror: dict[str, bytes], tmp_path: Path
) -> None:
    """Everything from the mirror, the ACS flows (table1.xlsx) included: no local file is given."""
    serve(server, mirror)
    warehouse = tmp_path / "w.duckdb"

    code, output = setup(server, warehouse, None)

    assert code == 0, output
    assert server.count() == 1 + 1 + SLICES + 1  # ACS flows, county list, slices, CBSA list
    assert "flows │ done │ ACS 2011-2015" in output, output
    checked, agreeing = lqs_checked_and_agreeing(warehouse)
    assert checked > 500 and agreeing == checked

    zones = stored(warehouse, "vt-zones")
    assert zones.kind == "delineation"
    vermont = {f"50{n:03d}" for n in range(1, 28, 2)}
    assert vermont <= set(zones.counties)  # every county of Vermont is in one of its zones
    # Delineated nationally: a zone crossing the state line keeps its New Hampshire or New York counties.
    assert any(not county.startswith("50") for county in zones.counties)
    assert 3 <= len(zones.region_ids) <= 14
    cbsas = stored(warehouse, "vt-cbsa2023")
    assert "15540" in cbsas.region_ids  # Burlington-South Burlington, VT
    assert stored(warehouse, "cbsa2023").region_ids.__len__() == 935

    in_registry = registry("vt-zones")
    assert in_registry == {f"vt-zones: {zone}": list(zones.members(zone)) for zone in zones.region_ids}
    assert set(
        Region.objects.filter(source_detail__startswith="vt-zones: ").values_list("source", flat=True)
    ) == {RegionSource.DELINEATION}
    assert registry("vt-cbsa2023") == {
        f"vt-cbsa2023: {cbsa}": list(cbsas.members(cbsa)) for cbsa in cbsas.region_ids
    }
    assert "Burlington-South Burlington, VT (CBSA 15540)" in set(
        Region.objects.values_list("name", flat=True)
    )
    for step in ("flows", "fetch", "ingest", "commuting zones", "CBSAs", "registry"):
        assert step in output
    regions = Region.objects.count()
    before = warehouse.stat()

    again, output = setup(server, warehouse, None)

    assert again == 0, output
    assert server.count() == 1 + 1 + SLICES + 1  # nothing downloaded, not even the county list
    assert Region.objects.count() == regions  # nothing created twice
    after = warehouse.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # nothing written
    assert "already done" in output and " done " not in output.replace("already done", "")


def test_a_404_names_the_url_leaves_the_warehouse_as_it_was_and_the_next_run_resumes(
    server: FetchServer, mirror: dict[str, bytes], flows: Path, tmp_path: Path
) -> None:
    serve(server, mirror)
    missing = "/cew/data/api/2016/3/area/50021.csv"
    del server.routes[missing]
    warehouse = tmp_path / "w.duckdb"
    with wh.writing(warehouse) as con:
        store_region_set(con, RegionSet(name="mine", assignments={"50007": "A"}))
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    code, output = setup(server, warehouse, flows)

    assert code == 1
    assert f"{server.url}{missing}: HTTP 404" in output
    assert "the warehouse is as it was" in output
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest
    assert not Region.objects.exists()
    asked = server.count()

    server.routes[missing] = Serve(mirror[missing])
    code, output = setup(server, warehouse, flows)

    assert code == 0, output
    assert server.count() == asked + 1  # only the slice that failed: the rest came from the cache
    assert stored(warehouse, "mine").assignments == {"50007": "A"}
    assert registry("vt-zones")
