"""Options and checks shared by `clusters`, `occupations`, `rank` and `assessment` (thin)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import ibis.expr.types as ir
import typer
from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.lmi import defaults, lookup, warehouse
from sectorwise.lmi.clusters import county_peers
from sectorwise.lmi.commands.errors import UserError
from sectorwise.lmi.filled import analysis_table
from sectorwise.lmi.regions import Region, RegionFileError, load_regions, parse_region_counties
from sectorwise.lmi.regionsets import (
    UnknownCountyError,
    UnknownRegionError,
    UnknownRegionSetError,
    latest_region_set_of_kind,
    load_region_set,
    stored_region,
)
from sectorwise.lmi.sources.clusters import ClusterCatalog, ClusterFileError, load_clusters
from sectorwise.lmi.sources.delineations import CBSA_KIND
from sectorwise.lmi.sources.oews import OewsData, OewsFileError, load_oews
from sectorwise.lmi.staffing import WageArea, choose_wage_area, county_jobs

CLUSTERS_ENV = "SECTORWISE_CLUSTERS"
OEWS_ENV = "SECTORWISE_OEWS"

YearOption = Annotated[
    int | None, typer.Option("--year", help="The year (default: the latest loaded).", show_default=False)
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period", help="Quarter 1-4, or A for annual (default: the latest loaded).", show_default=False
    ),
]
ReferenceOption = Annotated[
    str | None,
    typer.Option(
        "--reference",
        help="LQ and shift-share reference area (default: the U.S., US000, when loaded, else the region's "
        "state; see docs/architecture.md, 'LMI once').",
    ),
]
BaseYearOption = Annotated[
    int | None,
    typer.Option(
        "--base-year",
        help="Start year of growth and shift-share, same period (default: the year before, when loaded).",
    ),
]
ClustersOption = Annotated[
    Path | None,
    typer.Option(
        "--clusters",
        envvar=CLUSTERS_ENV,
        help="Cluster Mapping Project definitions JSON (e.g. cmp_cluster_meta_2015.json); "
        f"or set {CLUSTERS_ENV}.",
    ),
]
OewsOption = Annotated[
    Path | None,
    typer.Option(
        "--oews",
        envvar=OEWS_ENV,
        help=f"Directory with BLS OEWS oe.data.* and lookup files (oe.industry, ...); or set {OEWS_ENV}.",
    ),
]
WageAreaOption = Annotated[
    str | None,
    typer.Option(
        "--wage-area",
        help="OEWS area for occupation wages, e.g. 5000000 (Vermont) or 0015540 (Burlington MSA) "
        "(default: the metro area holding half or more of the region's jobs, when an OMB CBSA delineation "
        "is stored (`sectorwise lmi regions store NAME cbsa2023 --file list1_2023.xlsx`); else the "
        "region's state when it lies in one).",
    ),
]


def connect(path: Path | None) -> DuckDBBackend:
    try:
        return warehouse.connect(path, read_only=True)
    except FileNotFoundError as error:
        raise UserError(str(error)) from error


def period_table(
    con: DuckDBBackend, year: int | None, period: str | None, *, estimate: bool = False
) -> tuple[ir.Table, int, str]:
    """The warehouse table of the period, and the (year, qtr) chosen (``defaults.resolve_period``); with
    ``estimate``, filled with the stored estimates of suppressed cells (:mod:`sectorwise.lmi.filled`)."""
    chosen = defaults.resolve_period(con, year=year, qtr=period)
    if estimate:
        return analysis_table(con, annual=chosen.annual, estimate=True), chosen.year, chosen.qtr
    return defaults.period_table(con, chosen), chosen.year, chosen.qtr


def loaded_areas(qcew: ir.Table, year: int, qtr: str) -> set[str]:
    return defaults.loaded_areas(qcew, defaults.Period(year, qtr))


def resolve_region(spec: str | None, regions_file: Path | None, con: DuckDBBackend) -> Region:
    """The region the user named (see :data:`RegionOption`)."""
    if spec is None or not spec.strip():
        raise UserError(
            "give the region with --region (NAME with --regions-file, NAME=FIPS,..., or a county)"
        )
    spec = spec.strip()
    if "=" in spec:
        try:
            return parse_region_counties(spec)
        except ValueError as error:
            raise UserError(str(error)) from error
    if regions_file is not None:
        try:
            regions = load_regions(regions_file)
        except RegionFileError as error:
            raise UserError(str(error)) from error
        if spec not in regions:
            raise lookup.unknown_region(
                spec,
                dict.fromkeys(regions, ""),
                hint=f" in {regions_file} (it defines {', '.join(sorted(regions))})",
            )
        return regions[spec]
    if len(spec) == 5 and spec.isdigit():
        try:
            return Region(name=spec, counties=(spec,), description=f"County {spec}")
        except ValueError as error:
            raise UserError(str(error)) from error
    if ":" in spec or "@" in spec:
        lookup.check_stored_region(con, spec)
        try:
            return stored_region(con.con, spec)
        except (UnknownRegionSetError, UnknownRegionError, UnknownCountyError, ValueError) as error:
            raise UserError(str(error)) from error
    raise lookup.undefined_region(
        con,
        spec,
        (),
        hint="; give --regions-file FILE to look the name up, or define the region as "
        "NAME=FIPS,FIPS,..., or name one county by its FIPS code, or SET:REGION_ID, or SET@COUNTY",
    )


def wage_area_for(
    con: DuckDBBackend,
    qcew: ir.Table,
    region: Region,
    year: int,
    qtr: str,
    oews: OewsData,
    given: str | None,
) -> WageArea:
    """The OEWS area whose wages the region's occupations get (see :func:`choose_wage_area`); the metros are
    the OMB CBSA delineation stored last, if any."""
    metros = latest_region_set_of_kind(con.con, CBSA_KIND)
    jobs = county_jobs(qcew, region, year=year, qtr=qtr) if metros is not None else None
    try:
        return choose_wage_area(region, oews, given=given, county_jobs=jobs, metros=metros)
    except ValueError as error:
        raise UserError(f"--wage-area {error}") from error


def check_region_loaded(qcew: ir.Table, region: Region, year: int, qtr: str) -> None:
    """Refuse a region with a county that the warehouse does not hold for the period."""
    loaded = loaded_areas(qcew, year, qtr)
    missing = [county for county in region.counties if county not in loaded]
    if missing:
        period = f"{year} Q{qtr}" if qtr != "A" else f"{year} annual"
        raise UserError(
            f"region {region.name!r}: unknown county {missing[0]}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            + f": not in the warehouse for {period}; load its QCEW file with `sectorwise lmi ingest`"
        )


def choose_reference(qcew: ir.Table, region: Region, year: int, qtr: str, given: str | None) -> str:
    """The reference area (``defaults.default_reference``: the U.S., else the region's state)."""
    period = defaults.Period(year, qtr)
    try:
        chosen = defaults.default_reference(qcew, counties=region.counties, period=period, given=given)
    except defaults.UnknownReference:
        assert given is not None
        known = dict.fromkeys(sorted(loaded_areas(qcew, year, qtr)), "")
        raise lookup.unknown_area(given, known, option="--reference", where=f" for {period.label}") from None
    return chosen.area_fips


def base_year_for(qcew: ir.Table, region: Region, year: int, qtr: str, given: int | None) -> int | None:
    """The growth/shift-share start year (``defaults.base_year``); a given year must hold the region."""
    start = defaults.base_year(qcew, counties=region.counties, period=defaults.Period(year, qtr), given=given)
    if given is not None:
        check_region_loaded(qcew, region, given, qtr)
    return start


def peer_counties(qcew: ir.Table, region: Region, year: int, qtr: str) -> list[Region]:
    """Default peers of the strong-cluster rule: every loaded county of the region's states, one by one."""
    peers: list[Region] = []
    for state in sorted({county[:2] for county in region.counties}):
        table = county_peers(qcew, year=year, qtr=qtr, state=state).to_pyarrow()
        peers.extend(Region(name=c, counties=(c,)) for c in table.column("area_fips").to_pylist())
    return peers


def peers_from_set(con: DuckDBBackend, qcew: ir.Table, set_name: str, year: int, qtr: str) -> list[Region]:
    """Peers = the regions of a stored region set whose counties are all loaded for the period."""
    lookup.check_region_set(con, set_name, option="--peers")
    try:
        region_set = load_region_set(con.con, set_name)
    except UnknownRegionSetError as error:
        raise UserError(str(error)) from error
    loaded = loaded_areas(qcew, year, qtr)
    peers = [
        region_set.to_region(region_id, name=f"{set_name}:{region_id}")
        for region_id in region_set.region_ids
        if all(c in loaded for c in region_set.members(region_id))
    ]
    if len(peers) < 4:
        raise UserError(
            f"region set {set_name!r} has only {len(peers)} region(s) with every county loaded; "
            "the strong-cluster rule compares at least 4 peers"
        )
    return peers


def catalog_from(path: Path | None) -> ClusterCatalog:
    if path is None:
        raise UserError(f"give the cluster definitions with --clusters FILE (or set {CLUSTERS_ENV})")
    try:
        return load_clusters(path)
    except ClusterFileError as error:
        raise UserError(str(error)) from error


def oews_from(path: Path | None, *, required: bool = True) -> OewsData | None:
    if path is None:
        if required:
            raise UserError(f"give the OEWS files with --oews DIR (or set {OEWS_ENV})")
        return None
    try:
        return load_oews(path)
    except OewsFileError as error:
        raise UserError(str(error)) from error


def env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def codes_list(values: Sequence[str] | None) -> list[str]:
    """Comma-separated or repeated codes, cleaned."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
