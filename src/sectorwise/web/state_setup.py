"""`sectorwise state setup`: a state's official data, commuting zones, CBSAs and registry regions in one run.

The fetching, loading, delineating and storing are the pure ``sectorwise.lmi.setup`` (analysts can run them
without the web app); this command adds the last step, the registry's regions, for which it needs Django
(imported inside the command only, as ``sectorwise.web.commands`` does).
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sectorwise.lmi.commands.errors import REPORTED, fail
from sectorwise.lmi.commands.fetch import (
    BackoffOption,
    ContactOption,
    OfflineOption,
    RetriesOption,
    TimeoutOption,
)
from sectorwise.lmi.commands.options import WarehouseOption
from sectorwise.lmi.delineation import DEFAULT_CUTOFF
from sectorwise.lmi.fetch import client, sources
from sectorwise.lmi.fetch.acs_flows import flows_csv
from sectorwise.lmi.fetch.client import Download, Fetcher
from sectorwise.lmi.ingest import IngestError
from sectorwise.lmi.regionsets import RegionSet
from sectorwise.lmi.setup import (
    ALREADY_DONE,
    DONE,
    SKIPPED,
    SetupError,
    StatePlan,
    StepResult,
    record_step,
    run_setup,
    state_region_sets,
    warehouse_status,
)
from sectorwise.lmi.sources.commuting import FlowFileError
from sectorwise.lmi.warehouse import DEFAULT_LOCK_TIMEOUT, writing

state_app = typer.Typer(
    help="Set a state up: its official data, commuting zones, CBSAs and the registry's regions.",
    no_args_is_help=True,
)

STATUS_STYLE = {DONE: "green", ALREADY_DONE: "cyan", SKIPPED: "yellow"}
REGISTRY_STEP = "registry"
SETTINGS_MODULE = "sectorwise.web.settings"


@state_app.command("setup")
def setup_command(
    state: Annotated[str, typer.Argument(help="The state: postal abbreviation (VT) or FIPS (50).")],
    years_text: Annotated[
        str, typer.Option("--years", help="QCEW years: 2022-2024, 2016 or 2016,2018.", show_default=False)
    ],
    flows: Annotated[
        list[Path] | None,
        typer.Option(
            "--flows",
            help="National ACS county-to-county flows (CSV, may be gzipped; any layout `lmi regions "
            "delineate` reads) for the commuting zones; without it the Census table1.xlsx is fetched "
            "(as `lmi fetch flows`).",
        ),
    ] = None,
    flows_year: Annotated[
        int,
        typer.Option(
            "--flows-year",
            help="Without --flows: the ACS five-year flows ending this year (2015: 2011-2015).",
        ),
    ] = sources.ACS_FLOWS_YEAR,
    fetch_flows: Annotated[
        bool,
        typer.Option(
            "--fetch-flows/--no-fetch-flows",
            help="Without --flows, fetch the ACS flows (--no-fetch-flows skips the commuting zones).",
        ),
    ] = True,
    annual: Annotated[bool, typer.Option("--annual/--no-annual", help="The annual averages.")] = True,
    quarters: Annotated[bool, typer.Option("--quarters/--no-quarters", help="The quarterly slices.")] = True,
    us: Annotated[
        bool, typer.Option("--us/--no-us", help="The national slices (US000), for LQs against the U.S.")
    ] = True,
    cutoff: Annotated[
        float, typer.Option("--cutoff", help="Commuting-zone cutoff (dissimilarity height, 0-1).")
    ] = DEFAULT_CUTOFF,
    registry: Annotated[
        bool,
        typer.Option("--registry/--no-registry", help="Create the registry's regions (the web database)."),
    ] = True,
    warehouse: WarehouseOption = None,
    bls_base_url: Annotated[
        str | None,
        typer.Option(
            "--bls-base-url",
            envvar=sources.BLS.env,
            help=f"Base URL of a BLS mirror serving the same paths (or {sources.BLS.env}).",
        ),
    ] = None,
    census_base_url: Annotated[
        str | None,
        typer.Option(
            "--census-base-url",
            envvar=sources.CENSUS.env,
            help=f"Base URL of a Census mirror serving the same paths (or {sources.CENSUS.env}).",
        ),
    ] = None,
    offline: OfflineOption = False,
    retries: RetriesOption = client.DEFAULT_RETRIES,
    backoff: BackoffOption = client.DEFAULT_BACKOFF,
    timeout: TimeoutOption = client.DEFAULT_TIMEOUT,
    contact: ContactOption = None,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for another write of the warehouse.")
    ] = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Fetch a state's QCEW (counties, statewide, U.S.; quarters and annual) and OMB's CBSA list, load them,
    delineate commuting zones from national flows, store the state's zones and CBSAs as region sets and
    create the registry's regions from them. A second run does only what is missing.

    Commuting zones are delineated over every county of the flows and the zones holding a county of the
    state are kept whole, so a zone across the state line keeps its counties in other states. Nothing is
    written to the warehouse until every download has succeeded."""
    total = time.perf_counter()
    try:
        chosen = sources.one_state(state)
        wanted = tuple(sources.years(years_text))
        if not (quarters or annual):
            raise ValueError("nothing to fetch: --no-quarters needs --annual")
    except ValueError as error:
        fail(str(error))
    _setup_django()
    from sectorwise.core.warehouse_gateway import warehouse_path

    target = warehouse or warehouse_path()
    if registry:
        _check_migrated()
    plan = StatePlan(
        state=chosen,
        years=wanted,
        warehouse=target,
        quarters=quarters,
        annual=annual,
        us=us,
        flows=tuple(flows or ()),
        cutoff=cutoff,
        bls_base_url=bls_base_url,
        census_base_url=census_base_url,
    )
    err = Console(stderr=True)
    if not contact and not offline:
        err.print(
            f"note: no contact address; set {client.CONTACT_ENV} or --contact (BLS may refuse the requests).",
            highlight=False,
        )
    fetcher = Fetcher(
        user_agent=client.user_agent(contact),
        offline=offline,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
    )
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task(f"{plan.postal}: fetching", total=None, current="")

    def on_file(done: int, count: int) -> None:
        progress.update(task, completed=done, total=count)

    def on_bytes(download: Download, done: int, size: int | None) -> None:
        progress.update(task, current=download.cache_path.rsplit("/", 1)[-1])

    def on_step(result: StepResult) -> None:
        progress.update(task, description=f"{plan.postal}: {result.step} {result.status}", current="")

    fetcher.on_file, fetcher.on_bytes = on_file, on_bytes
    results: list[StepResult] = []
    try:
        with progress:
            flows_step: list[StepResult] = []
            if not plan.flows and fetch_flows:
                fetched, csv_path = _fetch_flows(fetcher, year=flows_year, base_url=census_base_url)
                flows_step.append(fetched)
                plan = replace(plan, flows=(csv_path,))
            results = [*flows_step, *run_setup(plan, fetcher, on_step=on_step, lock_timeout=lock_timeout)]
    except (SetupError, IngestError, FlowFileError, ValueError, OSError, duckdb.Error, *REPORTED) as error:
        err.print(f"[bold red]error:[/bold red] {error}", highlight=False, soft_wrap=True)
        err.print("Nothing was written: the warehouse is as it was.", highlight=False)
        raise typer.Exit(code=1) from None
    if registry:
        try:
            results.append(_registry_step(plan, lock_timeout=lock_timeout))
        except (SetupError, ValueError, OSError, duckdb.Error, *REPORTED) as error:
            _summary(plan, results, time.perf_counter() - total)
            fail(f"registry: {error} (no region was created)")
    _summary(plan, results, time.perf_counter() - total)


def _fetch_flows(fetcher: Fetcher, *, year: int, base_url: str | None) -> tuple[StepResult, Path]:
    """The ACS flows table (from the cache when there), and the CSV of it the delineation reads."""
    started = time.perf_counter()
    report = fetcher.fetch_all([sources.acs_flows_download(year, base_url)])
    cached = report.files[0]
    csv_path = flows_csv(cached.path)
    what = f"ACS {year - 4}-{year} flows ({cached.size / 1e6:,.1f} MB)"
    return StepResult(
        "flows",
        DONE if cached.downloaded else ALREADY_DONE,
        f"{what} {'downloaded' if cached.downloaded else 'from the cache'}: {csv_path}",
        time.perf_counter() - started,
        downloaded=int(cached.downloaded),
    ), csv_path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def _check_migrated() -> None:
    """The registry's tables must exist before anything is fetched (hours of downloads, then a failure)."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail("the web database needs migrating first: run `sectorwise manage migrate` (or use --no-registry)")


def _registry_name(region_set: RegionSet, region_id: str) -> str:
    if region_set.kind == "delineation":
        return f"Commuting zone {region_id}"
    return f"{region_set.region_title(region_id)} (CBSA {region_id})"


def _registry_step(plan: StatePlan, *, lock_timeout: float) -> StepResult:
    """A registry region for each of the state's zones and CBSAs that has none yet (all or none)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from sectorwise.partnerships.models import Region, RegionSource
    from sectorwise.partnerships.services import region_create_from_region_set

    started = time.perf_counter()
    region_sets = state_region_sets(plan.warehouse, plan)
    if not region_sets:
        return StepResult(REGISTRY_STEP, SKIPPED, "no region set of the state is stored", 0.0)
    created: list[str] = []
    kept = 0
    try:
        with transaction.atomic():
            for region_set in region_sets:
                source = (
                    RegionSource.DELINEATION if region_set.kind == "delineation" else RegionSource.REGION_SET
                )
                existing = {
                    row["source_detail"]: row["name"]
                    for row in Region.objects.filter(source_detail__startswith=f"{region_set.name}: ").values(
                        "source_detail", "name"
                    )
                }
                for region_id in region_set.region_ids:
                    if f"{region_set.name}: {region_id}" in existing:
                        kept += 1
                        continue
                    counties = region_set.members(region_id)
                    name = _registry_name(region_set, region_id)
                    same_name = Region.objects.prefetch_related("counties").filter(name=name).first()
                    if same_name is not None:
                        if same_name.county_fips_list == sorted(counties):
                            kept += 1  # made by another state's setup from the same zone
                            continue
                        name = f"{name} ({region_set.name})"
                    region_create_from_region_set(
                        region_set_name=region_set.name,
                        regions=[region_set.to_region(region_id, name=region_id)],
                        zone=region_id,
                        name=name,
                        source=source,
                    )
                    created.append(name)
    except ValidationError as error:
        raise SetupError("; ".join(error.messages)) from None
    detail: dict[str, Any] = {"sets": [s.name for s in region_sets], "regions": kept + len(created)}
    status = warehouse_status(plan.warehouse, state=plan.state, years=(), sets=())
    if created or status.logged(REGISTRY_STEP, "regions") != detail:
        with writing(plan.warehouse, lock_timeout=lock_timeout) as con:
            record_step(con, state=plan.state, step=REGISTRY_STEP, item="regions", detail=detail)
    names = ", ".join(region_set.name for region_set in region_sets)
    if not created:
        return StepResult(REGISTRY_STEP, ALREADY_DONE, f"{kept} regions from {names}", 0.0)
    return StepResult(
        REGISTRY_STEP,
        DONE,
        f"created {len(created)} regions from {names}" + (f"; {kept} were there" if kept else ""),
        time.perf_counter() - started,
    )


def _summary(plan: StatePlan, results: list[StepResult], seconds: float) -> None:
    table = Table(title=f"State setup: {plan.postal} {', '.join(map(str, plan.years))} ({plan.warehouse})")
    table.add_column("Step")
    table.add_column("Status")
    table.add_column("What", overflow="fold")
    table.add_column("Seconds", justify="right")
    for result in results:
        style = STATUS_STYLE.get(result.status, "")
        table.add_row(
            result.step, f"[{style}]{result.status}[/{style}]", result.detail, f"{result.seconds:.1f}"
        )
    table.add_section()
    table.add_row("total", "", "", f"{seconds:.1f}")
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
