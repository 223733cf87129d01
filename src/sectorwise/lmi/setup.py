"""Set a state up in one run: QCEW fetched and loaded, CBSAs stored, commuting zones delineated and stored.

The pure part of ``sectorwise state setup`` (the web command adds the registry's regions): analysts can run
it from a notebook without the web app. Steps, in order:

1. fetch: every QCEW open-data slice still needed (the state's counties, statewide row, unknown county and
   the nation; quarters and annual averages) and OMB's CBSA list, into the download cache;
2. ingest: the slices not yet in the warehouse;
3. commuting zones: Tolbert-Sizer on the flows the user gives, delineated over the whole nation and then
   the zones holding a county of the state kept whole, so a zone that crosses the state line keeps its
   out-of-state counties (a border county is judged by all its commuters, not only in-state ones);
4. CBSAs: OMB's national set and the state's CBSAs (every county of each, in the state or not).

Every network access happens in step 1, before the warehouse is touched, and steps 2-4 write one copy of the
warehouse moved over the live file at the end (``warehouse.writing``): a failure anywhere leaves the
warehouse as it was.

Resumable: a step is done when the warehouse's ``state_setup_log`` says so AND its data is there (each
year's areas and periods in the QCEW tables, the region sets stored, the flows file unchanged). The log is
written in the same transaction as the data, so the two cannot disagree after a crash; the data check
catches rows deleted or replaced since. A second run therefore fetches and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb

from sectorwise.lmi.delineation import DEFAULT_CUTOFF, delineate
from sectorwise.lmi.fetch import sources
from sectorwise.lmi.fetch.client import Download, Fetcher, FetchFailed, FetchReport, MissingFromCache
from sectorwise.lmi.ingest import ingest_into
from sectorwise.lmi.regionsets import RegionSet, load_region_set, store_region_set
from sectorwise.lmi.sources.commuting import read_flows
from sectorwise.lmi.sources.delineations import CBSA_KIND, load_published
from sectorwise.lmi.warehouse import (
    ANNUAL_TABLE,
    DEFAULT_LOCK_TIMEOUT,
    QUARTERLY_TABLE,
    open_duckdb,
    writing,
)

SETUP_LOG_TABLE: Final = "state_setup_log"
CBSA_YEAR: Final = 2023

DONE: Final = "done"
ALREADY_DONE: Final = "already done"
SKIPPED: Final = "skipped"


class SetupError(Exception):
    """A step that cannot be done: the message says which, and why (URLs and HTTP statuses for downloads)."""


@dataclass(frozen=True)
class StatePlan:
    """What to set up: one state, its years and where the inputs come from."""

    state: str  # two-digit FIPS
    years: tuple[int, ...]
    warehouse: Path
    quarters: bool = True
    annual: bool = True
    us: bool = True
    flows: tuple[Path, ...] = ()
    cutoff: float = DEFAULT_CUTOFF
    bls_base_url: str | None = None
    census_base_url: str | None = None

    @property
    def postal(self) -> str:
        return sources.POSTAL_BY_FIPS[self.state]

    @property
    def zones_set(self) -> str:
        """The name the state's commuting zones are stored under, e.g. ``vt-zones``."""
        return f"{self.postal.lower()}-zones"

    @property
    def cbsa_set(self) -> str:
        """The name the state's CBSAs are stored under, e.g. ``vt-cbsa2023``."""
        return f"{self.postal.lower()}-{CBSA_KIND}"

    @property
    def periods(self) -> tuple[str, ...]:
        return sources.qcew_periods(quarters=self.quarters, annual=self.annual)

    def extra_areas(self) -> tuple[str, ...]:
        """The areas besides the counties: statewide, unknown county, and the nation when asked for."""
        return (f"{self.state}000", f"{self.state}999", *((sources.US_AREA,) if self.us else ()))


@dataclass(frozen=True)
class StepResult:
    step: str
    status: str  # DONE, ALREADY_DONE or SKIPPED
    detail: str
    seconds: float
    downloaded: int = 0


StepHook = Callable[[StepResult], None]


# -- what the warehouse holds ----------------------------------------------------------------------------


def ensure_setup_log(con: duckdb.DuckDBPyConnection) -> None:
    """The step log (owned here, not in warehouse.py's schema)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {SETUP_LOG_TABLE} (state VARCHAR NOT NULL, step VARCHAR NOT NULL, "
        "item VARCHAR NOT NULL, detail VARCHAR, done_at TIMESTAMP DEFAULT current_timestamp, "
        "PRIMARY KEY (state, step, item))"
    )


def record_step(
    con: duckdb.DuckDBPyConnection, *, state: str, step: str, item: str, detail: dict[str, Any]
) -> None:
    """Record that ``step`` (for ``item``, e.g. a year) is done, replacing an older record."""
    ensure_setup_log(con)
    con.execute(
        f"DELETE FROM {SETUP_LOG_TABLE} WHERE state = ? AND step = ? AND item = ?", [state, step, item]
    )
    con.execute(
        f"INSERT INTO {SETUP_LOG_TABLE} (state, step, item, detail) VALUES (?, ?, ?, ?)",
        [state, step, item, json.dumps(detail, sort_keys=True)],
    )


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


@dataclass
class WarehouseStatus:
    """The step log and the data a setup checks it against (read once, read-only)."""

    log: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # year -> {(area, period)} of the state's areas and the nation, period "1".."4" or "a"
    loaded: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    region_sets: dict[str, RegionSet] = field(default_factory=dict)

    def logged(self, step: str, item: str) -> dict[str, Any] | None:
        return self.log.get((step, item))


def warehouse_status(path: Path, *, state: str, years: Sequence[int], sets: Iterable[str]) -> WarehouseStatus:
    """What ``path`` holds for a setup of ``state``: nothing when the file does not exist yet."""
    status = WarehouseStatus()
    if not path.exists():
        return status
    con = open_duckdb(path, read_only=True)
    try:
        tables = _tables(con)
        if SETUP_LOG_TABLE in tables:
            for step, item, detail in con.execute(
                f"SELECT step, item, detail FROM {SETUP_LOG_TABLE} WHERE state = ?", [state]
            ).fetchall():
                status.log[(str(step), str(item))] = json.loads(detail or "{}")
        status.loaded = loaded_periods(con, state=state, years=years, tables=tables)
        for name in sets:
            try:
                status.region_sets[name] = load_region_set(con, name)
            except ValueError:
                continue
    finally:
        con.close()
    return status


def loaded_periods(
    con: duckdb.DuckDBPyConnection, *, state: str, years: Sequence[int], tables: set[str] | None = None
) -> dict[int, set[tuple[str, str]]]:
    """year -> {(area, period)} loaded for the state's areas and the nation (period ``a``: annual)."""
    present = tables if tables is not None else _tables(con)
    found: dict[int, set[tuple[str, str]]] = {year: set() for year in years}
    if not years:
        return found
    marks = ", ".join("?" for _ in years)
    where = f"year IN ({marks}) AND (area_fips LIKE ? OR area_fips = ?)"
    params: list[object] = [*years, f"{state}%", sources.US_AREA]
    queries = []
    if QUARTERLY_TABLE in present:
        queries.append(f"SELECT DISTINCT year, area_fips, qtr FROM {QUARTERLY_TABLE} WHERE {where}")
    if ANNUAL_TABLE in present:
        queries.append(
            f"SELECT DISTINCT year, area_fips, '{sources.ANNUAL}' FROM {ANNUAL_TABLE} WHERE {where}"
        )
    for query in queries:
        for year, area, period in con.execute(query, params).fetchall():
            found.setdefault(int(year), set()).add((str(area), str(period).lower()))
    return found


# -- the run ---------------------------------------------------------------------------------------------


@dataclass
class _QcewWork:
    counties: dict[int, list[str]]  # year -> the state's counties
    missing: dict[int, list[tuple[str, str]]]  # year -> (area, period) to fetch and load
    county_lists: FetchReport | None
    base_url: str | None = None

    @property
    def downloads(self) -> list[Download]:
        return [
            sources.qcew_slice("area", year, period, area, self.base_url)
            for year, wanted in self.missing.items()
            for area, period in wanted
        ]


def _fetch(fetcher: Fetcher, downloads: Sequence[Download], what: str) -> FetchReport:
    try:
        return fetcher.fetch_all(downloads)
    except MissingFromCache as missing:
        urls = "\n".join(f"  {d.url}" for d in missing.missing)
        raise SetupError(
            f"--offline: {len(missing.missing)} {what} files are not in the cache "
            f"{fetcher.cache_dir}:\n{urls}"
        ) from None
    except FetchFailed as failed:
        lines = "\n".join(f"  {error}" for error in failed.errors)
        total = len(failed.errors) + len(failed.fetched)
        raise SetupError(
            f"{len(failed.errors)} of {total} {what} files could not be fetched:\n{lines}"
        ) from None


def _qcew_work(plan: StatePlan, status: WarehouseStatus, fetcher: Fetcher) -> _QcewWork:
    counties: dict[int, list[str]] = {}
    unknown: list[int] = []
    for year in plan.years:
        logged = status.logged("qcew", str(year))
        if logged and logged.get("counties"):
            counties[year] = [str(c) for c in logged["counties"]]
        else:
            unknown.append(year)
    lists: FetchReport | None = None
    if unknown:
        lists = _fetch(
            fetcher, [sources.county_list_download(y, plan.bls_base_url) for y in unknown], "county list"
        )
        for year, listed in zip(unknown, lists.files, strict=True):
            found = sources.state_counties(listed.path, plan.state)
            # SS999 is listed like a county; it is one of the extra areas either way.
            found = [c for c in found if c != f"{plan.state}999"]
            if not found:
                raise SetupError(f"{listed.download.url} lists no county of state {plan.state}")
            counties[year] = found
    missing: dict[int, list[tuple[str, str]]] = {}
    for year in plan.years:
        areas = [*counties[year], *plan.extra_areas()]
        have = status.loaded.get(year, set())
        wanted = [(area, period) for period in plan.periods for area in sorted(areas)]
        absent = [pair for pair in wanted if pair not in have]
        logged = status.logged("qcew", str(year))
        covered = logged is not None and set(plan.periods) <= set(logged.get("periods", ()))
        if absent or not covered:
            missing[year] = absent
    return _QcewWork(counties=counties, missing=missing, county_lists=lists, base_url=plan.bls_base_url)


def _flows_fingerprint(paths: Sequence[Path]) -> list[dict[str, object]]:
    prints: list[dict[str, object]] = []
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        prints.append({"file": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()})
    return prints


def state_zones(plan: StatePlan) -> tuple[RegionSet, str]:
    """The commuting zones holding a county of the state, from a delineation of every county in the flows
    (whole: a zone's counties in other states stay in it), and a one-line description."""
    if not plan.flows:
        raise SetupError("commuting zones need --flows FILE (ACS county-to-county flows or LODES OD files)")
    flows = read_flows(list(plan.flows))
    national = delineate(flows, cutoff=plan.cutoff)
    zones = {region for county, region in zip(national.counties, national.region_ids, strict=True)
             if county.startswith(plan.state)}  # fmt: skip
    if not zones:
        raise SetupError(f"the flows hold no county of state {plan.state} ({flows.source})")
    assignments = {
        county: region
        for county, region in zip(national.counties, national.region_ids, strict=True)
        if region in zones
    }
    region_set = RegionSet(
        name=plan.zones_set,
        assignments=assignments,
        kind="delineation",
        source=f"Tolbert-Sizer at cutoff {national.cutoff} over all {len(national):,} counties of "
        f"{flows.source}; the zones holding a county of {plan.postal}",
    )
    outside = sum(1 for county in assignments if not county.startswith(plan.state))
    detail = (
        f"{len(zones)} zones of {plan.postal} ({len(assignments)} counties, {outside} in other states) "
        f"from {national.zone_count:,} national zones"
    )
    return region_set, detail


def state_cbsas(national: RegionSet, plan: StatePlan) -> RegionSet:
    """The CBSAs holding a county of the state, each with all its counties."""
    codes = {region for county, region in national.assignments.items() if county.startswith(plan.state)}
    return RegionSet(
        name=plan.cbsa_set,
        assignments={c: r for c, r in national.assignments.items() if r in codes},
        region_names={r: t for r, t in national.region_names.items() if r in codes},
        kind=national.kind,
        source=f"{national.source}; the CBSAs holding a county of {plan.postal}",
    )


def run_setup(
    plan: StatePlan,
    fetcher: Fetcher,
    *,
    on_step: StepHook | None = None,
    lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
) -> list[StepResult]:
    """Fetch, ingest, delineate and store what ``plan`` asks for and the warehouse does not hold yet.

    Raises :class:`SetupError` (nothing written) when a download fails or a step cannot be done;
    ``IngestError``, ``WarehouseBusy`` and the readers' errors pass through, also with nothing written.
    """
    results: list[StepResult] = []

    def done(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    status = warehouse_status(
        plan.warehouse,
        state=plan.state,
        years=plan.years,
        sets=(plan.zones_set, plan.cbsa_set, CBSA_KIND),
    )

    # 1. fetch: everything from the network before the warehouse is touched.
    started = time.perf_counter()
    qcew = _qcew_work(plan, status, fetcher)
    cbsa_logged = status.logged("cbsa", CBSA_KIND)
    cbsa_needed = not (
        cbsa_logged is not None and CBSA_KIND in status.region_sets and plan.cbsa_set in status.region_sets
    )
    slices = qcew.downloads
    cbsa_download = sources.cbsa_download(CBSA_YEAR, plan.census_base_url)
    report = _fetch(fetcher, [*slices, *([cbsa_download] if cbsa_needed else [])], "QCEW and CBSA")
    lists = qcew.county_lists.files if qcew.county_lists else ()
    downloaded = report.downloaded + sum(1 for f in lists if f.downloaded)
    wanted = len(slices) + len(lists) + int(cbsa_needed)
    done(
        StepResult(
            "fetch",
            DONE if wanted else ALREADY_DONE,
            f"{wanted:,} files needed: {downloaded:,} downloaded "
            f"({(report.downloaded_bytes + sum(f.size for f in lists if f.downloaded)) / 1e6:,.1f} MB), "
            f"{wanted - downloaded:,} from the cache"
            if wanted
            else "nothing needed",
            time.perf_counter() - started,
            downloaded=downloaded,
        )
    )
    paths = report.paths[: len(slices)]
    cbsa_path = report.files[-1].path if cbsa_needed else None

    # 3 (computed before the warehouse is locked: reading flows and clustering take a few seconds).
    started = time.perf_counter()
    zones: RegionSet | None = None
    zones_detail = ""
    fingerprint: list[dict[str, object]] = []
    zones_logged = status.logged("zones", plan.zones_set)
    if plan.flows:
        fingerprint = _flows_fingerprint(plan.flows)
        current = {"flows": fingerprint, "cutoff": plan.cutoff}
        if not (
            zones_logged is not None
            and {k: zones_logged.get(k) for k in current} == current
            and plan.zones_set in status.region_sets
        ):
            zones, zones_detail = state_zones(plan)
    zones_seconds = time.perf_counter() - started

    cbsa_national = load_published(CBSA_KIND, cbsa_path) if cbsa_path is not None else None

    if not (qcew.missing or zones is not None or cbsa_national is not None):
        done(StepResult("ingest", ALREADY_DONE, _loaded_detail(plan, status.loaded), 0.0))
        done(_zones_result(plan, status, zones_logged, zones_seconds))
        done(StepResult("CBSAs", ALREADY_DONE, _cbsa_detail(plan, status.region_sets), 0.0))
        return results

    # 2-4: one copy of the warehouse, moved over the live file only when every step has succeeded.
    pending: list[StepResult] = []
    with writing(plan.warehouse, lock_timeout=lock_timeout) as con:
        started = time.perf_counter()
        if qcew.missing:
            summary = ingest_into(con, paths) if paths else None
            loaded = loaded_periods(con, state=plan.state, years=plan.years)
            for year in qcew.missing:
                absent = [
                    (a, p)
                    for p in plan.periods
                    for a in [*qcew.counties[year], *plan.extra_areas()]
                    if (a, p) not in loaded.get(year, set())
                ]
                if absent:
                    area, period = absent[0]
                    raise SetupError(
                        f"QCEW {year}: {len(absent)} area slices loaded no rows, e.g. {area} period {period}"
                    )
                record_step(
                    con,
                    state=plan.state,
                    step="qcew",
                    item=str(year),
                    detail={
                        "counties": qcew.counties[year],
                        "areas": [*qcew.counties[year], *plan.extra_areas()],
                        "periods": sorted(set(plan.periods) | set(_logged_periods(status, year))),
                    },
                )
            rows = f"{summary.rows:,} rows from {summary.files:,} files; " if summary else ""
            pending.append(
                StepResult("ingest", DONE, rows + _loaded_detail(plan, loaded), time.perf_counter() - started)
            )
        else:
            pending.append(StepResult("ingest", ALREADY_DONE, _loaded_detail(plan, status.loaded), 0.0))

        started = time.perf_counter()
        if zones is not None:
            store_region_set(con, zones)
            record_step(
                con,
                state=plan.state,
                step="zones",
                item=plan.zones_set,
                detail={"flows": fingerprint, "cutoff": plan.cutoff, "zones": len(zones.region_ids)},
            )
            pending.append(
                StepResult(
                    "commuting zones",
                    DONE,
                    f"stored {plan.zones_set!r}: {zones_detail}",
                    zones_seconds + time.perf_counter() - started,
                )
            )
        else:
            pending.append(_zones_result(plan, status, zones_logged, zones_seconds))

        started = time.perf_counter()
        if cbsa_national is not None:
            mine = state_cbsas(cbsa_national, plan)
            store_region_set(con, cbsa_national)
            store_region_set(con, mine)
            record_step(
                con,
                state=plan.state,
                step="cbsa",
                item=CBSA_KIND,
                detail={"cbsas": len(mine.region_ids), "counties": len(mine)},
            )
            sets = {CBSA_KIND: cbsa_national, plan.cbsa_set: mine}
            pending.append(StepResult("CBSAs", DONE, _cbsa_detail(plan, sets), time.perf_counter() - started))
        else:
            pending.append(StepResult("CBSAs", ALREADY_DONE, _cbsa_detail(plan, status.region_sets), 0.0))
    # Reported once the new warehouse is in place: a failure above leaves no step claiming "done".
    for result in pending:
        done(result)
    return results


def _logged_periods(status: WarehouseStatus, year: int) -> list[str]:
    logged = status.logged("qcew", str(year))
    return [str(p) for p in logged.get("periods", ())] if logged else []


def _loaded_detail(plan: StatePlan, loaded: dict[int, set[tuple[str, str]]]) -> str:
    parts = []
    for year in plan.years:
        have = loaded.get(year, set())
        periods = sorted({p for _, p in have})
        areas = len({a for a, _ in have})
        parts.append(f"{year}: {areas} areas, periods {','.join(periods) or 'none'}")
    return "; ".join(parts)


def _zones_result(
    plan: StatePlan, status: WarehouseStatus, logged: dict[str, Any] | None, seconds: float
) -> StepResult:
    if not plan.flows:
        return StepResult(
            "commuting zones",
            SKIPPED,
            "no commuting flows (--no-fetch-flows): drop that option to fetch the ACS county-to-county "
            "flows, or give --flows FILE (ACS flows CSV or LODES OD files)",
            seconds,
        )
    stored = status.region_sets.get(plan.zones_set)
    zones = len(stored.region_ids) if stored else (logged or {}).get("zones", 0)
    return StepResult("commuting zones", ALREADY_DONE, f"{plan.zones_set!r}: {zones} zones", seconds)


def _cbsa_detail(plan: StatePlan, sets: dict[str, RegionSet]) -> str:
    mine = sets.get(plan.cbsa_set)
    national = sets.get(CBSA_KIND)
    if mine is None or national is None:
        return "not stored"
    return (
        f"{CBSA_KIND!r}: {len(national.region_ids):,} CBSAs; {plan.cbsa_set!r}: "
        f"{len(mine.region_ids)} CBSAs ({len(mine)} counties)"
    )


def state_region_sets(path: Path, plan: StatePlan) -> list[RegionSet]:
    """The state's stored region sets (zones, CBSAs) that the registry's regions are made from."""
    status = warehouse_status(path, state=plan.state, years=(), sets=(plan.zones_set, plan.cbsa_set))
    return [
        status.region_sets[name] for name in (plan.zones_set, plan.cbsa_set) if name in status.region_sets
    ]
