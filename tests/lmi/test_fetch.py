"""`sectorwise lmi fetch`: downloads from a local server into the cache, retries, resumption, offline use, and
the acceptance check: Vermont's 2016 QCEW fetched and loaded gives the location quotients BLS publishes."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import ibis
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi import warehouse as wh
from sectorwise.lmi.fetch import sources
from sectorwise.lmi.fetch.client import (
    Download,
    Fetcher,
    FetchFailed,
    MissingFromCache,
    user_agent,
)
from sectorwise.lmi.measures import quarterly_measures
from sectorwise.lmi.regionsets import stored_region_sets
from sectorwise.lmi.sources.oews import load_oews
from tests.conftest import shared_data_path
from tests.lmi.fetch_server import (
    FailFirst,
    FetchServer,
    Serve,
    Slow,
    Status,
    Truncated,
    industry_slice,
    open_data_slices,
    running,
)

BODY = b"area_fips,value\n" + b"".join(f"{n:05d},{n * 7}\n".encode() for n in range(5000))


@pytest.fixture
def server() -> Iterator[FetchServer]:
    yield from running(FetchServer())


def fetcher(tmp_path: Path, waits: list[float] | None = None, **options: object) -> Fetcher:
    recorded = waits if waits is not None else []
    settings: dict[str, object] = {"retries": 2, "backoff": 0.0, "timeout": 10.0, **options}
    return Fetcher(cache_dir=tmp_path / "cache", sleep=recorded.append, **settings)  # type: ignore[arg-type]


def download(server: FetchServer, path: str = "/files/data.csv") -> Download:
    return Download(url=server.url + path, cache_path="test" + path)


# -- the client ----------------------------------------------------------------------------------------------


def test_a_file_is_cached_with_its_record_and_a_second_run_downloads_nothing(
    server: FetchServer, tmp_path: Path
) -> None:
    server.routes["/files/data.csv"] = Serve(BODY)
    first = fetcher(tmp_path).fetch_all([download(server)])
    assert first.downloaded == 1 and first.files[0].path.read_bytes() == BODY
    record = json.loads((tmp_path / "cache" / ".meta" / "test/files/data.csv.json").read_text())
    assert record["url"] == server.url + "/files/data.csv"
    assert record["size"] == len(BODY)
    assert record["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert record["fetched_at"] and record["etag"]

    again = fetcher(tmp_path).fetch_all([download(server)])

    assert again.downloaded == 0 and again.from_cache == 1
    assert server.count() == 1


def test_a_503_is_retried_after_the_wait_retry_after_gives(server: FetchServer, tmp_path: Path) -> None:
    server.routes["/files/data.csv"] = FailFirst(1, 503, Serve(BODY), headers={"Retry-After": "0"})
    waits: list[float] = []
    report = fetcher(tmp_path, waits, backoff=30.0).fetch_all([download(server)])
    assert report.files[0].path.read_bytes() == BODY
    assert waits == [0.0]  # Retry-After, not the 30 s backoff
    assert [seen.status for seen in server.requests] == [503, 200]


def test_429_backs_off_exponentially_then_gives_up_naming_url_and_status(
    server: FetchServer, tmp_path: Path
) -> None:
    server.routes["/files/data.csv"] = Status(429)
    waits: list[float] = []
    with pytest.raises(FetchFailed) as failed:
        fetcher(tmp_path, waits, retries=2, backoff=0.5).fetch_all([download(server)])
    (error,) = failed.value.errors
    assert error.status == 429
    assert server.url + "/files/data.csv" in str(error) and "HTTP 429" in str(error)
    assert waits == [0.5, 1.0]
    assert server.count() == 3
    assert not (tmp_path / "cache" / "test" / "files" / "data.csv").exists()


def test_a_404_is_not_retried_and_the_other_files_are_still_fetched(
    server: FetchServer, tmp_path: Path
) -> None:
    server.routes["/files/data.csv"] = Serve(BODY)
    with pytest.raises(FetchFailed) as failed:
        fetcher(tmp_path).fetch_all([download(server, "/files/missing.csv"), download(server)])
    (error,) = failed.value.errors
    assert error.status == 404 and error.url == server.url + "/files/missing.csv"
    assert [f.download.url for f in failed.value.fetched] == [server.url + "/files/data.csv"]
    assert server.count("/files/missing.csv") == 1


def test_a_truncated_body_is_an_error_and_never_reaches_the_cache(
    server: FetchServer, tmp_path: Path
) -> None:
    server.routes["/files/data.csv"] = Truncated(Serve(BODY), sent=1000)
    with pytest.raises(FetchFailed) as failed:
        fetcher(tmp_path, retries=1).fetch_all([download(server)])
    message = str(failed.value.errors[0])
    assert server.url + "/files/data.csv" in message
    assert f"truncated body: received 1,000 of {len(BODY):,} bytes" in message
    assert not (tmp_path / "cache" / "test" / "files" / "data.csv").exists()
    assert not (tmp_path / "cache" / ".meta" / "test" / "files" / "data.csv.json").exists()


def test_a_truncated_download_resumes_with_a_range_request(server: FetchServer, tmp_path: Path) -> None:
    server.routes["/files/data.csv"] = Truncated(Serve(BODY), sent=1000, times=1)
    report = fetcher(tmp_path, retries=1).fetch_all([download(server)])
    assert report.files[0].path.read_bytes() == BODY
    assert report.files[0].sha256 == hashlib.sha256(BODY).hexdigest()
    first, second = server.requests
    assert "Range" not in first.headers
    assert second.headers["Range"] == "bytes=1000-" and second.headers["If-Range"]
    assert second.status == 206


def test_a_slow_answer_times_out_with_the_url_in_the_error(server: FetchServer, tmp_path: Path) -> None:
    server.routes["/files/data.csv"] = Slow(delay=30.0, then=Serve(BODY))
    with pytest.raises(FetchFailed) as failed:
        fetcher(tmp_path, retries=0, timeout=0.2).fetch_all([download(server)])
    message = str(failed.value.errors[0])
    assert server.url + "/files/data.csv" in message and "timed out" in message


def test_offline_uses_only_the_cache_and_lists_what_is_missing(server: FetchServer, tmp_path: Path) -> None:
    server.routes["/files/data.csv"] = Serve(BODY)
    with pytest.raises(MissingFromCache) as missing:
        fetcher(tmp_path, offline=True).fetch_all([download(server)])
    assert [d.url for d in missing.value.missing] == [server.url + "/files/data.csv"]
    assert server.count() == 0
    fetcher(tmp_path).fetch_all([download(server)])
    report = fetcher(tmp_path, offline=True).fetch_all([download(server)])
    assert report.from_cache == 1 and server.count() == 1


def test_refresh_revalidates_with_the_etag_and_downloads_a_changed_file(
    server: FetchServer, tmp_path: Path
) -> None:
    server.routes["/files/data.csv"] = Serve(BODY)
    fetcher(tmp_path).fetch_all([download(server)])
    same = fetcher(tmp_path, refresh=True).fetch_all([download(server)])
    assert same.downloaded == 0 and server.requests[-1].status == 304
    record = json.loads((tmp_path / "cache" / ".meta" / "test/files/data.csv.json").read_text())
    assert server.requests[-1].headers["If-None-Match"] == record["etag"]
    server.routes["/files/data.csv"] = Serve(BODY + b"99999,1\n")
    changed = fetcher(tmp_path, refresh=True).fetch_all([download(server)])
    assert changed.downloaded == 1 and changed.files[0].path.read_bytes().endswith(b"99999,1\n")


def test_requests_carry_a_descriptive_user_agent(server: FetchServer, tmp_path: Path) -> None:
    server.routes["/files/data.csv"] = Serve(BODY)
    fetcher(tmp_path, user_agent=user_agent("lmi@state.example")).fetch_all([download(server)])
    agent = server.requests[0].headers["User-Agent"]
    assert agent.startswith("sectorwise/") and "lmi@state.example" in agent


def test_base_urls_come_from_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sources.qcew_slice("area", 2016, "1", "50001").url == (
        "https://data.bls.gov/cew/data/api/2016/1/area/50001.csv"
    )
    monkeypatch.setenv("SECTORWISE_BLS_BASE_URL", "http://mirror.example/bls/")
    assert sources.qcew_slice("area", 2016, "a", "50001").url == (
        "http://mirror.example/bls/cew/data/api/2016/a/area/50001.csv"
    )
    assert sources.oews_downloads("http://other.example")[0].url == (
        "http://other.example/pub/time.series/oe/oe.data.0.Current"
    )
    lodes = sources.lodes_downloads("50", 2021)
    assert [d.cache_path for d in lodes] == [
        "lehd/data/lodes/LODES8/vt/od/vt_od_main_JT00_2021.csv.gz",
        "lehd/data/lodes/LODES8/vt/od/vt_od_aux_JT00_2021.csv.gz",
    ]


def test_offline_command_exits_1_and_names_the_missing_urls(server: FetchServer) -> None:
    result = CliRunner().invoke(app, ["lmi", "fetch", "oews", "--offline", "--base-url", server.url])
    assert result.exit_code == 1
    assert f"{server.url}/pub/time.series/oe/oe.data.0.Current" in result.output
    assert server.count() == 0


# -- QCEW from BLS's own 2016 Vermont files ------------------------------------------------------------------

VT_DIR = ("qcew", "2016_q1-q4_by_area", "vermont_50")


@pytest.fixture(scope="module")
def vermont() -> dict[str, bytes]:
    """The open-data paths a Vermont 2016 fetch asks for, made from BLS's by_area files."""
    slices, industry_10 = open_data_slices(shared_data_path(*VT_DIR), 2016)
    rows = [list(row) for row in industry_10["1"]]
    # The real slice lists the whole nation: another state's county and the nation must be left out.
    template = rows[0]
    rows.append(["33001", *template[1:]])
    rows.append(["US000", *template[1:]])
    slices["/cew/data/api/2016/1/industry/10.csv"] = industry_slice(rows)
    return slices


def serve_all(server: FetchServer, files: dict[str, bytes]) -> None:
    for path, body in files.items():
        server.routes[path] = Serve(body)


def fetch_qcew(server: FetchServer, warehouse: Path, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            *("lmi", "fetch", "qcew", "--state", "VT", "--years", "2016", "--warehouse", str(warehouse)),
            *("--base-url", server.url, "--backoff", "0", "--contact", "tests@sectorwise.example", *more),
        ],
    )
    return result.exit_code, result.output


@pytest.mark.realdata
def test_vermont_2016_fetched_and_loaded_gives_the_lqs_bls_publishes(
    server: FetchServer, vermont: dict[str, bytes], tmp_path: Path
) -> None:
    serve_all(server, vermont)
    warehouse = tmp_path / "w.duckdb"

    code, output = fetch_qcew(server, warehouse)

    assert code == 0, output
    # 1 county list + (14 counties + 50999 + 50000) x 4 quarters
    assert server.count() == 1 + 16 * 4
    con = duckdb.connect(str(warehouse), read_only=True)
    areas = {row[0] for row in con.execute("SELECT DISTINCT area_fips FROM qcew_quarterly").fetchall()}
    assert len(areas) == 16 and "33001" not in areas and "US000" not in areas
    qcew = ibis.duckdb.from_connection(con).table(wh.QUARTERLY_TABLE)
    ours = quarterly_measures(qcew, year=2016, qtr="1", reference="50000", bls_rounding=False).to_pyarrow()
    # BLS publishes LQs against the nation, rounded to 2 decimals; with the state as reference ours must
    # lie in the interval the county's and the state's published LQs leave (see test_lq_oracle).
    con.register("ours", ours)
    by_area = shared_data_path(*VT_DIR)
    checked, agreeing = con.execute(
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
    ).fetchone() or (0, 0)
    con.close()
    assert checked > 500
    assert agreeing == checked

    again, output = fetch_qcew(server, warehouse)

    assert again == 0, output
    assert server.count() == 1 + 16 * 4  # nothing downloaded the second time
    assert "fetched 0 files" in output


@pytest.mark.realdata
def test_a_failed_slice_keeps_everything_out_of_the_warehouse(
    server: FetchServer, vermont: dict[str, bytes], tmp_path: Path
) -> None:
    serve_all(server, vermont)
    missing = "/cew/data/api/2016/3/area/50999.csv"
    del server.routes[missing]
    busy = "/cew/data/api/2016/2/area/50007.csv"
    server.routes[busy] = FailFirst(1, 503, Serve(vermont[busy]), headers={"Retry-After": "0"})
    warehouse = tmp_path / "w.duckdb"

    code, output = fetch_qcew(server, warehouse)

    assert code == 1
    flat = " ".join(output.split())
    assert f"{server.url}{missing}: HTTP 404" in flat
    assert busy not in flat  # retried after its 503, then fetched
    assert "Nothing was loaded" in flat
    assert not warehouse.exists()
    # The offline run that follows names the one file still missing.
    code, output = fetch_qcew(server, warehouse, "--offline")
    assert code == 1 and missing in " ".join(output.split())
    assert not warehouse.exists()


@pytest.mark.realdata
def test_oews_files_land_where_load_oews_reads_them(server: FetchServer) -> None:
    folder = shared_data_path("oews")
    data = gzip.decompress(
        (folder / "oe.data.2025A01.state_metro_crossindustry.dt01-02-04-13-17.tsv.gz").read_bytes()
    )
    server.routes["/pub/time.series/oe/oe.data.0.Current"] = Serve(data, content_type="text/plain")
    for name in sources.OEWS_LOOKUPS:
        server.routes[f"/pub/time.series/oe/{name}"] = Serve((folder / f"{name}.tsv").read_bytes())

    result = CliRunner().invoke(app, ["lmi", "fetch", "oews", "--year", "2025", "--base-url", server.url])

    assert result.exit_code == 0, result.output
    directory = Path(result.output.split("--oews ", 1)[1].split()[0])
    assert directory == wh.data_dir() / "cache" / "bls" / "pub" / "time.series" / "oe"
    assert load_oews(directory).data.num_rows == data.count(b"\n") - 1
    wrong = CliRunner().invoke(app, ["lmi", "fetch", "oews", "--year", "2024", "--base-url", server.url])
    assert wrong.exit_code == 1 and "holds the 2025 release, not 2024" in " ".join(wrong.output.split())


@pytest.mark.realdata
def test_cbsa_list_is_fetched_and_stored_as_regions_store_does(server: FetchServer, tmp_path: Path) -> None:
    body = shared_data_path("cbsa", "list1_2023.xlsx").read_bytes()
    path = "/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx"
    server.routes[path] = Serve(body)
    warehouse = tmp_path / "w.duckdb"

    result = CliRunner().invoke(
        app, ["lmi", "fetch", "cbsa", "--warehouse", str(warehouse), "--base-url", server.url]
    )

    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    stored = stored_region_sets(con).to_pylist()
    con.close()
    assert [(row["set_name"], row["kind"], row["regions"]) for row in stored] == [
        ("cbsa2023", "cbsa2023", 935)
    ]
