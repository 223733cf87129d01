"""`sectorwise lmi fetch SOURCE ...`: download official data into the cache, then load or store it (thin).

Everything a command needs is fetched first; the warehouse is written only once every file is complete, so a
failed or partial download never reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from sectorwise.lmi.commands.options import WarehouseOption
from sectorwise.lmi.fetch import client, sources
from sectorwise.lmi.fetch.client import (
    CachedFile,
    Download,
    Fetcher,
    FetchFailed,
    FetchReport,
    MissingFromCache,
)
from sectorwise.lmi.ingest import IngestError, ingest_paths
from sectorwise.lmi.regionsets import store_region_set
from sectorwise.lmi.sources.delineations import CBSA_KIND, load_published
from sectorwise.lmi.warehouse import (
    DEFAULT_LOCK_TIMEOUT,
    WarehouseBusy,
    WarehouseUnavailable,
    default_warehouse_path,
    writing,
)

fetch_app = typer.Typer(
    help="Download official data (BLS, Census, LEHD) into the cache in the data directory, then load it.",
    no_args_is_help=True,
)

OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Use only the cache; list what is missing and fail if anything is."),
]
RefreshOption = Annotated[
    bool,
    typer.Option(
        "--refresh", help="Ask the server whether cached files changed (If-None-Match / If-Modified-Since)."
    ),
]
RetriesOption = Annotated[
    int, typer.Option("--retries", min=0, help="Retries of a file after a 429, 5xx, timeout or cut body.")
]
BackoffOption = Annotated[
    float,
    typer.Option(
        "--backoff", min=0.0, help="Seconds before the first retry, doubled each time (unless Retry-After)."
    ),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.001, help="Seconds to wait for an answer or the next bytes.")
]
ContactOption = Annotated[
    str | None,
    typer.Option(
        "--contact",
        envvar=client.CONTACT_ENV,
        help="An e-mail address sent in the User-Agent (BLS refuses anonymous clients); "
        f"or {client.CONTACT_ENV}.",
    ),
]


def _base_url_option(publisher: sources.Publisher) -> object:
    return typer.Option(
        "--base-url",
        envvar=publisher.env,
        help=f"Base URL of a {publisher.name} mirror serving the same paths (or {publisher.env}).",
    )


BlsBaseUrl = Annotated[str | None, _base_url_option(sources.BLS)]
CensusBaseUrl = Annotated[str | None, _base_url_option(sources.CENSUS)]
LehdBaseUrl = Annotated[str | None, _base_url_option(sources.LEHD)]


class _Failed(Exception):
    """Reported already; exit with code 1."""


def _error(message: str) -> None:
    Console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def _fetcher(
    *, offline: bool, refresh: bool, retries: int, backoff: float, timeout: float, contact: str | None
) -> Fetcher:
    if not contact and not offline:
        Console(stderr=True).print(
            f"note: no contact address; set {client.CONTACT_ENV} or --contact (BLS may refuse the requests).",
            highlight=False,
        )
    return Fetcher(
        user_agent=client.user_agent(contact),
        offline=offline,
        refresh=refresh,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
    )


def _fetch(fetcher: Fetcher, downloads: Sequence[Download], what: str) -> FetchReport:
    """Fetch with a progress bar; report failures (each URL and status) and raise ``_Failed``."""
    err = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task(what, total=len(set(downloads)), current="")

    def on_bytes(download: Download, done: int, total: int | None) -> None:
        name = download.cache_path.rsplit("/", 1)[-1]
        amount = f"{done / 1e6:.1f}" + (f"/{total / 1e6:.1f}" if total else "") + " MB"
        progress.update(task, current=f"{name} {amount}")

    def on_file(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    fetcher.on_bytes, fetcher.on_file = on_bytes, on_file
    try:
        with progress:
            return fetcher.fetch_all(downloads)
    except MissingFromCache as missing:
        _error(f"--offline: {len(missing.missing)} files needed are not in the cache {fetcher.cache_dir}:")
        for download in missing.missing:
            err.print(f"  {download.url}", highlight=False, soft_wrap=True)
        raise _Failed from None
    except FetchFailed as failed:
        _error(
            f"{len(failed.errors)} of {len(failed.errors) + len(failed.fetched)} files could not be fetched:"
        )
        for error in failed.errors:
            err.print(f"  {error}", highlight=False, soft_wrap=True)
        raise _Failed from None


def _report(report: FetchReport, cache_dir: Path) -> None:
    Console(stderr=True).print(
        f"fetched {report.downloaded:,} files ({report.downloaded_bytes / 1e6:,.1f} MB), "
        f"{report.from_cache:,} already in the cache {cache_dir}",
        highlight=False,
    )


@fetch_app.command("qcew")
def qcew_command(
    state: Annotated[str, typer.Option("--state", help="The state: postal abbreviation (VT) or FIPS (50).")],
    years_text: Annotated[
        str, typer.Option("--years", help="Years: 2019-2024, 2016 or 2016,2018.", show_default=False)
    ],
    annual: Annotated[bool, typer.Option("--annual", help="Also the annual averages (period a).")] = False,
    quarters: Annotated[
        bool, typer.Option("--quarters/--no-quarters", help="The quarterly slices (1-4).")
    ] = True,
    us: Annotated[bool, typer.Option("--us", help="Also the national slices (US000).")] = False,
    ingest: Annotated[
        bool, typer.Option("--ingest/--no-ingest", help="Load the fetched slices into the warehouse.")
    ] = True,
    warehouse: WarehouseOption = None,
    base_url: BlsBaseUrl = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for another load of the warehouse.")
    ] = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """BLS QCEW open-data area slices of a state, fetched then loaded in one ingest.

    One file per area and period: the state's counties, its statewide row and unknown county (SS999), and
    with --us the nation (US000). A state's counties are those listed in BLS's all-industries slice of
    each year (<year>/1/industry/10.csv), fetched and cached too."""
    try:
        chosen = sources.one_state(state)
        wanted = sources.years(years_text)
        periods = sources.qcew_periods(quarters=quarters, annual=annual)
        if not periods:
            raise ValueError("nothing to fetch: --no-quarters needs --annual")
    except ValueError as error:
        _error(str(error))
        raise typer.Exit(code=1) from None
    fetcher = _fetcher(
        offline=offline, refresh=refresh, retries=retries, backoff=backoff, timeout=timeout, contact=contact
    )
    try:
        lists = _fetch(fetcher, [sources.county_list_download(y, base_url) for y in wanted], "county lists")
        slices: list[Download] = []
        for year, listed in zip(wanted, lists.files, strict=True):
            counties = sources.state_counties(listed.path, chosen)
            if not counties:
                _error(f"{listed.download.url} lists no county of state {chosen}")
                raise _Failed
            areas = sources.qcew_state_areas(chosen, counties, us=us)
            slices += sources.qcew_area_downloads(areas=areas, year=year, periods=periods, base_url=base_url)
        report = _fetch(fetcher, slices, "QCEW slices")
    except _Failed:
        Console(stderr=True).print("Nothing was loaded: the warehouse is unchanged.")
        raise typer.Exit(code=1) from None
    except ValueError as error:
        _error(str(error))
        raise typer.Exit(code=1) from None
    _report(FetchReport(files=lists.files + report.files), fetcher.cache_dir)
    if not ingest:
        Console().print(
            f"{len(report.files):,} slices in {fetcher.cache_dir / 'bls' / 'cew'}",
            highlight=False,
            soft_wrap=True,
        )
        return
    _ingest(report.paths, warehouse, lock_timeout)


def _ingest(paths: list[Path], warehouse: Path | None, lock_timeout: float) -> None:
    err = Console(stderr=True)
    target = warehouse or default_warehouse_path()
    progress = Progress(
        TextColumn("[bold]ingest"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
    )
    task = progress.add_task("ingest", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    try:
        with progress:
            summary = ingest_paths(paths, warehouse=target, progress=report, lock_timeout=lock_timeout)
    except (IngestError, WarehouseBusy, WarehouseUnavailable, duckdb.IOException, OSError) as error:
        _error(str(error))
        err.print("The files are in the cache; nothing was loaded: the warehouse is unchanged.")
        raise typer.Exit(code=1) from None
    periods = ", ".join(summary.periods[:8]) + (", ..." if len(summary.periods) > 8 else "")
    Console().print(
        f"loaded {summary.files:,} files, {summary.rows:,} rows ({len(summary.areas):,} areas; {periods}) "
        f"into {target}; {summary.replaced_rows:,} rows replaced",
        highlight=False,
        soft_wrap=True,
    )


@fetch_app.command("oews")
def oews_command(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="The release year expected (BLS's time series holds only the current one)."
        ),
    ] = None,
    base_url: BlsBaseUrl = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
) -> None:
    """BLS OEWS time-series files into the cache; prints the directory for --oews.

    oe.data.0.Current and the lookups (oe.area, oe.industry, ...): the directory that `lmi occupations` and
    `lmi rank` take as --oews (or SECTORWISE_OEWS)."""
    fetcher = _fetcher(
        offline=offline, refresh=refresh, retries=retries, backoff=backoff, timeout=timeout, contact=contact
    )
    try:
        report = _fetch(fetcher, sources.oews_downloads(base_url), "OEWS")
    except _Failed:
        raise typer.Exit(code=1) from None
    _report(report, fetcher.cache_dir)
    data = report.files[0].path
    found = sources.oews_year(data)
    if year is not None and found != year:
        _error(
            f"{report.files[0].download.url} holds the {found} release, not {year}: BLS's time-series "
            "directory keeps only the current release"
        )
        raise typer.Exit(code=1)
    directory = data.parent
    # Paths are printed whole (soft_wrap): a path broken across lines cannot be copied.
    Console().print(f"OEWS {found} files in {directory}", highlight=False, soft_wrap=True)
    Console().print(
        f"use: --oews {directory}   (or: export SECTORWISE_OEWS={directory})", highlight=False, soft_wrap=True
    )


@fetch_app.command("flows")
def flows_command(
    year: Annotated[
        int, typer.Option("--year", help="The last year of the ACS five-year period (2015: 2011-2015).")
    ] = 2015,
    base_url: CensusBaseUrl = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
) -> None:
    """The Census ACS county-to-county commuting flows (table1.xlsx) into the cache; prints its path."""
    _fetch_and_print(
        [sources.acs_flows_download(year, base_url)],
        "ACS flows",
        _fetcher(
            offline=offline,
            refresh=refresh,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            contact=contact,
        ),
    )


@fetch_app.command("lodes")
def lodes_command(
    state: Annotated[str, typer.Option("--state", help="The state: postal abbreviation (VT) or FIPS (50).")],
    year: Annotated[int, typer.Option("--year", help="The LODES year.", show_default=False)],
    version: Annotated[str, typer.Option("--version", help="The LODES release.")] = "LODES8",
    base_url: LehdBaseUrl = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
) -> None:
    """A state's LODES origin-destination files into the cache; prints their paths.

    Main (home and work in the state) and aux (home elsewhere), all jobs (JT00): the files
    `lmi regions delineate --flows` reads."""
    try:
        chosen = sources.one_state(state)
    except ValueError as error:
        _error(str(error))
        raise typer.Exit(code=1) from None
    files = _fetch_and_print(
        sources.lodes_downloads(chosen, year, version=version, base_url=base_url),
        "LODES",
        _fetcher(
            offline=offline,
            refresh=refresh,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            contact=contact,
        ),
    )
    Console().print("use: " + " ".join(f"--flows {f.path}" for f in files), highlight=False, soft_wrap=True)


def _fetch_and_print(downloads: list[Download], what: str, fetcher: Fetcher) -> tuple[CachedFile, ...]:
    try:
        report = _fetch(fetcher, downloads, what)
    except _Failed:
        raise typer.Exit(code=1) from None
    _report(report, fetcher.cache_dir)
    for cached in report.files:
        Console().print(
            f"{cached.path}  ({cached.size:,} bytes, sha256 {cached.sha256[:16]}...)",
            highlight=False,
            soft_wrap=True,
        )
    return report.files


@fetch_app.command("cbsa")
def cbsa_command(
    year: Annotated[
        int, typer.Option("--year", help="The OMB delineation (the reader knows 2023's).")
    ] = 2023,
    name: Annotated[str, typer.Option("--name", help="Store the CBSAs under this name.")] = CBSA_KIND,
    warehouse: WarehouseOption = None,
    base_url: CensusBaseUrl = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
) -> None:
    """OMB's CBSA delineation list into the cache, stored in the warehouse.

    list1_2023.xlsx, stored as `lmi regions store NAME cbsa2023 --file list1_2023.xlsx` would."""
    if year != 2023:
        _error(f"--year {year}: Sectorwise reads OMB's July 2023 delineation (list1_2023.xlsx) only")
        raise typer.Exit(code=1)
    fetcher = _fetcher(
        offline=offline, refresh=refresh, retries=retries, backoff=backoff, timeout=timeout, contact=contact
    )
    (cached,) = _fetch_and_print([sources.cbsa_download(year, base_url)], "CBSA list", fetcher)
    try:
        region_set = load_published(CBSA_KIND, cached.path, name=name)
        with writing(warehouse) as con:
            count = store_region_set(con, region_set)
    except (ValueError, OSError, WarehouseBusy, WarehouseUnavailable, duckdb.IOException) as error:
        _error(str(error))
        raise typer.Exit(code=1) from None
    Console().print(
        f"stored {name!r}: {count:,} counties in {len(region_set.region_ids):,} CBSAs", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")
