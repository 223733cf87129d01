"""Reads of the intelligence pages: which regions can be explored, a region's industry profile, the ranking's
candidates and the industry assessment, all from the LMI warehouse through ``core.warehouse_gateway``.

Every function that reads the warehouse returns a :class:`Unavailable` note instead of raising when there is
no warehouse, nothing loaded for the region, or a file that cannot be read (locked, damaged): the pages show
the note and never answer 500. The work Ibis does per query (building and compiling, ~0.25 s a query) is paid
once per process: the profile's queries through ``lmi.prepared.PreparedQueries`` (values bound, one compiled
template per shape), the ranking's candidates (one expensive lazy table per region and level) kept in a small
per-process cache keyed by the warehouse file's identity, so that moving a weight only re-ranks in Python.
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import ibis.expr.types as ir
import pyarrow as pa
from django.conf import settings
from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.charts import CountyShapes, contribution_bars, region_membership_map, value_bars
from sectorwise.core.warehouse_gateway import (
    READ_ERRORS,
    WarehouseMissing,
    open_warehouse_read_only,
    warehouse_path,
)
from sectorwise.lmi import defaults
from sectorwise.lmi.assessment import Assessment, build_assessment, find_node_modules, write_html, write_xlsx
from sectorwise.lmi.clusters import cluster_metrics, county_peers, strong_clusters
from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, SUPPRESSED, NaicsLevel
from sectorwise.lmi.filled import ESTIMATED, analysis_table, high_column, is_filled, low_column
from sectorwise.lmi.measures import measures
from sectorwise.lmi.prepared import PreparedQueries
from sectorwise.lmi.rank_indicators import RankingInputs, industry_indicators
from sectorwise.lmi.ranking import (
    INDICATOR_LABELS,
    INDICATORS,
    RankingConfig,
    RankingResult,
    default_config,
    rank_candidates,
)
from sectorwise.lmi.regions import Region as LmiRegion
from sectorwise.lmi.regionsets import (
    RegionSet,
    UnknownRegionSetError,
    compare,
    county_titles,
    differing_counties,
    load_region_set,
    stored_region_sets,
    within_states,
)
from sectorwise.lmi.shapes import county_shapes
from sectorwise.lmi.shiftshare import shift_share
from sectorwise.lmi.sources.clusters import ClusterCatalog, ClusterFileError, load_clusters
from sectorwise.partnerships.models import Region

logger = logging.getLogger(__name__)

#: NAICS levels a region is explored and ranked at, with their labels and the county agglvl_code of the
#: private-ownership rows (74 sector ... 78 six-digit; a region's rows keep its counties' level).
LEVELS: Final[dict[str, tuple[str, int]]] = {
    NaicsLevel.SECTOR: ("Sector (2-digit NAICS)", 74),
    NaicsLevel.NAICS3: ("Subsector (3-digit)", 75),
    NaicsLevel.NAICS4: ("Industry group (4-digit)", 76),
    NaicsLevel.NAICS5: ("Industry (5-digit)", 77),
    NaicsLevel.NAICS6: ("National industry (6-digit)", 78),
}
DEFAULT_LEVEL: Final = NaicsLevel.SECTOR
DEFAULT_RANKING_LEVEL: Final = NaicsLevel.NAICS4
NATION: Final = "US000"
BAR_ROWS: Final = 15
#: Regions whose ranking candidates a process keeps (each a few hundred rows).
CANDIDATE_CACHE_SIZE: Final = 32

#: Facts about the loaded data kept per process (periods, areas, titles, shapes of a region): keyed by the
#: warehouse file's identity, so that a load, which swaps a new file in, is seen at the next request.
FACT_CACHE_SIZE: Final = 256

_COMPILED: Final[dict[Hashable, Any]] = {}
_CANDIDATES: Final[OrderedDict[Hashable, CandidateSet]] = OrderedDict()
_FACTS: Final[OrderedDict[Hashable, Any]] = OrderedDict()
_LOCK: Final = threading.Lock()


def _remembered(store: OrderedDict[Hashable, Any], key: Hashable, size: int) -> Any:
    with _LOCK:
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
        return found


def _remember(store: OrderedDict[Hashable, Any], key: Hashable, value: Any, size: int) -> Any:
    with _LOCK:
        store[key] = value
        while len(store) > size:
            store.popitem(last=False)
    return value


def clear_caches() -> None:
    """Forget every compiled query and remembered fact of this process (tests)."""
    with _LOCK:
        _COMPILED.clear()
        _CANDIDATES.clear()
        _FACTS.clear()


@dataclass(frozen=True)
class Unavailable:
    """Why a page cannot show figures: ``note`` is for the page, ``detail`` for the log."""

    note: str
    detail: str = ""


NOT_LOADED: Final = Unavailable(
    "No labor-market data is loaded yet (`sectorwise lmi ingest` or `sectorwise demo`)."
)
BEING_UPDATED: Final = Unavailable("The labor-market data is being updated or is not available right now.")


# --- regions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionChoice:
    key: str
    """``registry:<id>``, ``set:<set name>:<region id>`` or ``county:<FIPS>``."""
    label: str


@dataclass(frozen=True)
class RegionChoices:
    registry: tuple[RegionChoice, ...]
    region_sets: tuple[tuple[str, tuple[RegionChoice, ...]], ...]
    """(set name, its regions)."""
    counties: tuple[RegionChoice, ...]
    """Counties loaded in the warehouse (annual data), by title."""
    note: str = ""


def region_choices() -> RegionChoices:
    """The regions a user can explore: the registry's, the stored region sets' and the loaded counties."""
    registry = tuple(
        RegionChoice(f"registry:{region.pk}", region.name) for region in Region.objects.order_by("name")
    )
    key = ("choices", _warehouse_identity())
    remembered = _remembered(_FACTS, key, FACT_CACHE_SIZE)
    if remembered is not None:
        return RegionChoices(registry, *remembered)
    try:
        with open_warehouse_read_only() as con:
            sets, counties = _remember(_FACTS, key, _warehouse_choices(con), FACT_CACHE_SIZE)
    except WarehouseMissing:
        return RegionChoices(registry, (), (), note=NOT_LOADED.note)
    except READ_ERRORS as error:
        logger.warning("region choices: %s", error)
        return RegionChoices(registry, (), (), note=BEING_UPDATED.note)
    return RegionChoices(registry, sets, counties)


def _warehouse_choices(
    con: DuckDBBackend,
) -> tuple[tuple[tuple[str, tuple[RegionChoice, ...]], ...], tuple[RegionChoice, ...]]:
    raw = con.con
    sets = []
    for name in stored_region_sets(raw).column("set_name").to_pylist():
        region_set = load_region_set(raw, str(name))
        sets.append(
            (
                str(name),
                tuple(
                    RegionChoice(f"set:{name}:{region_id}", region_set.region_title(region_id))
                    for region_id in region_set.region_ids
                ),
            )
        )
    loaded = raw.execute(
        # Counties only: not statewide (SS000), unknown-county (SS999), national or metro (C...) areas.
        "SELECT DISTINCT area_fips FROM qcew_annual WHERE length(area_fips) = 5 "
        "AND area_fips NOT LIKE '%000' AND area_fips NOT LIKE '%999' "
        "AND area_fips NOT LIKE 'US%' AND area_fips NOT LIKE 'C%'"
    ).fetchall()
    titles = county_titles(raw, [str(row[0]) for row in loaded])
    counties = sorted(
        (RegionChoice(f"county:{row[0]}", titles.get(str(row[0]), str(row[0]))) for row in loaded),
        key=lambda choice: choice.label,
    )
    return tuple(sets), tuple(counties)


class UnknownRegion(LookupError):
    """A region key that names nothing (a stale link, a set since replaced)."""


def region_resolve(*, key: str = "", counties: Sequence[str] = ()) -> LmiRegion:
    """The region a page was asked for: counties chosen one by one (when given) or a region key."""
    chosen = sorted(set(counties))
    if chosen:
        name = chosen[0] if len(chosen) == 1 else f"{len(chosen)} counties"
        return _lmi_region(name, chosen, description="Counties chosen in the region explorer")
    kind, _, rest = key.partition(":")
    if kind == "registry" and rest.isdigit():
        region = Region.objects.filter(pk=int(rest)).prefetch_related("counties").first()
        if region is None:
            raise UnknownRegion(f"no registry region {rest}")
        return _lmi_region(region.name, region.county_fips_list, description=region.description)
    if kind == "county" and rest:
        return _lmi_region(rest, [rest], description=f"County {rest}")
    if kind == "set" and ":" in rest:
        set_name, region_id = rest.rsplit(":", 1)
        return _stored_set_region(set_name, region_id)
    raise UnknownRegion(f"unknown region {key!r}")


def _lmi_region(name: str, counties: Sequence[str], *, description: str = "") -> LmiRegion:
    if not counties:
        raise UnknownRegion(f"region {name!r} has no counties")
    try:
        return LmiRegion(name=name, counties=tuple(counties), description=description)
    except ValueError as error:
        raise UnknownRegion(str(error)) from error


def _stored_set_region(set_name: str, region_id: str) -> LmiRegion:
    try:
        with open_warehouse_read_only() as con:
            region_set = load_region_set(con.con, set_name)
    except (WarehouseMissing, UnknownRegionSetError) as error:
        raise UnknownRegion(str(error)) from error
    if region_id not in region_set.region_ids:
        raise UnknownRegion(f"region set {set_name!r} has no region {region_id!r}")
    return region_set.to_region(region_id, name=region_set.region_title(region_id))


# --- the region's profile --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRow:
    code: str
    title: str
    employment: int | None
    """Annual average private employment; None when withheld and not estimated (never shown as 0)."""
    establishments: int | None
    avg_annual_pay: int | None
    lq_state: float | None
    lq_nation: float | None
    change_pct: float | None
    estimated: bool
    """A figure of the row, or its LQ or change, rests on a stored estimate of a suppressed cell."""
    incomplete: bool
    employment_low: int | None = None
    employment_high: int | None = None

    @property
    def employment_estimated(self) -> bool:
        return self.employment_low is not None and self.employment_high is not None

    @property
    def employment_shown(self) -> int | None:
        """An estimate rounded as coarsely as its bounds allow (as on the partnership page)."""
        if self.employment is None or self.employment_low is None or self.employment_high is None:
            return self.employment
        for step in (100, 10):
            rounded = round(self.employment / step) * step
            if self.employment_low <= rounded <= self.employment_high:
                return rounded
        return self.employment


@dataclass(frozen=True)
class ShiftShareRow:
    code: str
    title: str
    start_value: int | None
    end_value: int | None
    actual_change: int | None
    national_growth: float | None
    industry_mix: float | None
    competitive_effect: float | None
    homothetic_competitive_effect: float | None
    allocation_effect: float | None
    estimated: bool
    incomplete: bool


@dataclass(frozen=True)
class RegionProfile:
    region: LmiRegion
    level: str
    year: int
    base_year: int | None
    state: str | None
    """The region's state (``SS000``) when it lies in one and is loaded: the within-state LQ."""
    nation: str | None
    """``US000`` when loaded: the national LQ and the shift-share reference."""
    shift_share_reference: str | None
    rows: tuple[ProfileRow, ...]
    shift_share: tuple[ShiftShareRow, ...]
    county_names: Mapping[str, str]
    county_shapes: tuple[dict[str, Any], ...] = field(default=(), repr=False)

    @property
    def county_labels(self) -> list[str]:
        return [self.county_names.get(fips, fips) for fips in self.region.counties]

    @property
    def estimated_rows(self) -> int:
        return sum(1 for row in self.rows if row.estimated)

    def map_spec(self, us_atlas_url: str) -> dict[str, Any]:
        """The region's counties highlighted among its states' (stored shapes when held, else us-atlas)."""
        shapes = (
            CountyShapes.geojson(self.county_shapes)
            if self.county_shapes
            else CountyShapes.us_atlas_url(us_atlas_url)
        )
        return region_membership_map(
            shapes=shapes,
            members=list(self.region.counties),
            title=f"{self.region.name}: {len(self.region.counties)} counties",
            size=360,
        )

    def bars_spec(self) -> dict[str, Any]:
        """The largest industries' private employment (estimates included, marked in the tooltip)."""
        shown = [row for row in self.rows if row.employment is not None][:BAR_ROWS]
        return value_bars(
            [
                {
                    "label": _short(row.title),
                    "rank": rank,
                    "value": row.employment,
                    "kind": "estimated" if row.employment_estimated else "published",
                }
                for rank, row in enumerate(shown, start=1)
            ],
            title=f"Largest industries, {self.year} (private employment)",
            x_title="Jobs (annual average)",
        )


def _short(text: str, limit: int = 48) -> str:
    clean = text.removeprefix("NAICS ").strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def region_profile(*, region: LmiRegion, level: str = DEFAULT_LEVEL) -> RegionProfile | Unavailable:
    """The region's private industries at ``level`` for the latest year loaded for its counties."""
    if level not in LEVELS:
        level = DEFAULT_LEVEL
    try:
        with open_warehouse_read_only() as con:
            return _profile(con, region, level)
    except WarehouseMissing:
        return NOT_LOADED
    except defaults.NoDataLoaded:
        return Unavailable(f"No labor-market data is loaded for the counties of {region.name}.")
    except defaults.AnalysisDefaultsError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("region profile of %s: %s", region.name, error)
        return replace(BEING_UPDATED, detail=str(error))


@dataclass(frozen=True)
class RegionFacts:
    """What ``lmi.defaults`` decides for a region (annual data, as the partnership page and ``--period A``),
    and the region's county titles and shapes."""

    period: defaults.Period
    reference: str
    base_year: int | None
    state: str | None
    nation: str | None
    county_names: Mapping[str, str]
    county_shapes: tuple[dict[str, Any], ...]


def _region_facts(con: DuckDBBackend, counties: tuple[str, ...]) -> RegionFacts:
    key = ("facts", _warehouse_identity(), counties)
    found = _remembered(_FACTS, key, FACT_CACHE_SIZE)
    if found is not None:
        return found
    period = defaults.latest_period(con, annual=True, areas=counties)
    table = defaults.period_table(con, period)
    loaded = defaults.loaded_areas(table, period)
    missing = [county for county in counties if county not in loaded]
    if missing:
        raise defaults.NoDataLoaded(missing)
    states = {county[:2] for county in counties}
    state = f"{next(iter(states))}000" if len(states) == 1 else None
    facts = RegionFacts(
        period=period,
        reference=defaults.default_reference(table, counties=counties, period=period).area_fips,
        base_year=defaults.base_year(table, counties=counties, period=period),
        state=state if state in loaded else None,
        nation=NATION if NATION in loaded else None,
        county_names=county_titles(con.con, counties),
        county_shapes=tuple(county_shapes(con.con, states=sorted(states))),
    )
    return _remember(_FACTS, key, facts, FACT_CACHE_SIZE)


def _profile(con: DuckDBBackend, region: LmiRegion, level: str) -> RegionProfile:
    counties = tuple(region.counties)
    facts = _region_facts(con, counties)
    period, state, nation, base = facts.period, facts.state, facts.nation, facts.base_year
    annual = analysis_table(con, annual=True, estimate=True)
    filled = is_filled(annual)
    titles = con.table("industry_titles")
    agglvl = LEVELS[level][1]
    prepared = PreparedQueries(con, templates=_COMPILED)

    def builder(changes: bool) -> Callable[..., ir.Table]:
        def build(name: str, members: tuple[str, ...], reference: str) -> ir.Table:
            # Only employment gets LQ and change columns: a smaller query, compiled and run faster.
            measured = measures(
                annual,
                year=period.year,
                qtr="A",
                reference=reference,
                areas=[],
                ownerships=[PRIVATE_OWNERSHIP],
                regions=[LmiRegion(name=name, counties=members)],
                industry_titles=titles,
                columns=["annual_avg_emplvl"],
                changes=changes,
            )
            return measured.filter(measured.agglvl_code == agglvl)

        return build

    def measured(reference: str, *, changes: bool) -> dict[str, dict[str, Any]]:
        records = prepared.to_pyarrow(
            ("intelligence profile", period.year, len(counties), agglvl, filled, changes),
            builder(changes),
            {"name": region.name, "members": counties, "reference": reference},
        ).to_pylist()
        return {str(record["industry_code"]): record for record in records}

    # The figures and their change come with the nation's LQ (else the state's); the state's LQ alone.
    main = nation or state
    records = measured(main, changes=True) if main else {}
    by_nation = records if nation else {}
    by_state = records if not nation else (measured(state, changes=False) if state else {})
    rows = sorted(
        (
            _profile_row(code, record, by_state.get(code), by_nation.get(code))
            for code, record in records.items()
        ),
        key=lambda row: (-(row.employment or 0), row.code),
    )
    reference = nation or state
    shares: tuple[ShiftShareRow, ...] = ()
    if base is not None and reference is not None:
        shares = _shift_share(prepared, annual, region, reference, base, period.year, level, filled)
        names = {row.code: row.title for row in rows}
        shares = tuple(replace(share, title=names.get(share.code, share.title)) for share in shares)
    return RegionProfile(
        region=region,
        level=level,
        year=period.year,
        base_year=base,
        state=state,
        nation=nation,
        shift_share_reference=reference if shares else None,
        rows=tuple(rows),
        shift_share=shares,
        county_names=facts.county_names,
        county_shapes=facts.county_shapes,
    )


def _shift_share(
    prepared: PreparedQueries,
    annual: ir.Table,
    region: LmiRegion,
    reference: str,
    base: int,
    year: int,
    level: str,
    filled: bool,
) -> tuple[ShiftShareRow, ...]:
    def build(name: str, members: tuple[str, ...], reference: str) -> ir.Table:
        return shift_share(
            annual,
            area=name,
            reference=reference,
            start=(base, "A"),
            end=(year, "A"),
            level=NaicsLevel(level),
            regions=[LmiRegion(name=name, counties=members)],
        )

    records = prepared.to_pyarrow(
        ("intelligence shift-share", base, year, len(region.counties), level, filled),
        build,
        {"name": region.name, "members": tuple(region.counties), "reference": reference},
    ).to_pylist()
    return tuple(
        ShiftShareRow(
            code=str(record["industry_code"]),
            title=str(record["industry_code"]),
            start_value=_whole(_number(record.get("start_value"))),
            end_value=_whole(_number(record.get("end_value"))),
            actual_change=_whole(_number(record.get("actual_change"))),
            national_growth=_number(record.get("national_growth")),
            industry_mix=_number(record.get("industry_mix")),
            competitive_effect=_number(record.get("competitive_effect")),
            homothetic_competitive_effect=_number(record.get("homothetic_competitive_effect")),
            allocation_effect=_number(record.get("allocation_effect")),
            estimated=bool(record.get(ESTIMATED)),
            incomplete=bool(record.get("incomplete")),
        )
        for record in records
    )


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _profile_row(
    code: str, record: dict[str, Any], by_state: dict[str, Any] | None, by_nation: dict[str, Any] | None
) -> ProfileRow:
    estimated = bool(record.get(ESTIMATED))
    # A cell BLS withholds and no estimate fills stays withheld: no figure, never a zero.
    suppressed = (record.get("disclosure_code") or "") == SUPPRESSED and not estimated
    employment = _number(record.get("annual_avg_emplvl"))
    low = _number(record.get(low_column("annual_avg_emplvl")))
    high = _number(record.get(high_column("annual_avg_emplvl")))
    own_estimate = (
        estimated and low is not None and high is not None and (low != employment or high != employment)
    )
    withheld = suppressed

    def figure(name: str) -> int | None:
        return None if withheld else _whole(_number(record.get(name)))

    def lq(source: dict[str, Any] | None) -> float | None:
        return None if source is None else _number(source.get("lq_annual_avg_emplvl"))

    return ProfileRow(
        code=code,
        title=str(record.get("industry_title") or code),
        employment=figure("annual_avg_emplvl"),
        establishments=_whole(_number(record.get("annual_avg_estabs"))),
        avg_annual_pay=figure("avg_annual_pay"),
        lq_state=lq(by_state),
        lq_nation=lq(by_nation),
        change_pct=_number(record.get("oty_annual_avg_emplvl_pct_chg")),
        estimated=estimated,
        incomplete=bool(record.get("incomplete")),
        employment_low=_whole(low) if own_estimate and not withheld else None,
        employment_high=_whole(high) if own_estimate and not withheld else None,
    )


# --- the ranking -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateSet:
    """A region's ranking candidates (indicators computed), with what they were computed from."""

    region: LmiRegion
    level: str
    year: int
    reference: str
    base_year: int | None
    candidates: pa.Table
    notes: tuple[str, ...]
    clusters: ClusterCatalog | None


def default_weights() -> dict[str, float]:
    """The weights of ``ranking_defaults.toml``."""
    return dict(default_config().weights)


def ranking_config(weights: Mapping[str, float] | None = None) -> RankingConfig:
    """The default settings with the user's weights (indicators not given keep their default)."""
    config = default_config()
    if not weights:
        return config
    return replace(config, weights={key: float(weights.get(key, config.weights[key])) for key in INDICATORS})


def _cluster_catalog() -> tuple[ClusterCatalog | None, str]:
    path: Path | None = getattr(settings, "SECTORWISE_CLUSTERS", None)
    if path is None:
        return None, (
            f"{INDICATOR_LABELS['cluster_strength']} needs the U.S. Cluster Mapping Project definitions, "
            "which this site has not been given (SECTORWISE_CLUSTERS): left out."
        )
    try:
        return load_clusters(path), ""
    except ClusterFileError as error:
        logger.warning("cluster definitions: %s", error)
        return (
            None,
            f"{INDICATOR_LABELS['cluster_strength']}: the cluster definitions cannot be read: left out.",
        )


def _warehouse_identity() -> tuple[str, int, int] | None:
    path = warehouse_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def ranking_candidates(
    *, region: LmiRegion, level: str = DEFAULT_RANKING_LEVEL
) -> CandidateSet | Unavailable:
    """The region's candidates at ``level`` with their indicators (computed once per process and warehouse
    file: a load swaps a new file in, which changes its identity)."""
    if level not in LEVELS:
        level = DEFAULT_RANKING_LEVEL
    identity = _warehouse_identity()
    if identity is None:
        return NOT_LOADED
    key = (
        identity,
        region.name,
        tuple(region.counties),
        level,
        str(getattr(settings, "SECTORWISE_CLUSTERS", "")),
    )
    found = _remembered(_CANDIDATES, key, CANDIDATE_CACHE_SIZE)
    if found is not None:
        return found
    try:
        with open_warehouse_read_only() as con:
            computed = _candidates(con, region, level)
    except WarehouseMissing:
        return NOT_LOADED
    except defaults.NoDataLoaded:
        return Unavailable(f"No labor-market data is loaded for the counties of {region.name}.")
    except defaults.AnalysisDefaultsError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("ranking of %s: %s", region.name, error)
        return replace(BEING_UPDATED, detail=str(error))
    return _remember(_CANDIDATES, key, computed, CANDIDATE_CACHE_SIZE)


def _ranking_inputs(
    con: DuckDBBackend, region: LmiRegion
) -> tuple[RankingInputs, ClusterCatalog | None, str]:
    """What ``sectorwise lmi rank --period A`` computes the indicators from (lmi/commands/rank.py)."""
    counties = tuple(region.counties)
    facts = _region_facts(con, counties)
    period, reference, base = facts.period, facts.reference, facts.base_year
    qcew = analysis_table(con, annual=True, estimate=True)
    catalog, note = _cluster_catalog()
    peers: list[LmiRegion] = []
    if catalog is not None:
        # The strong-cluster rule's default peers: every loaded county of the region's states.
        for state in sorted({county[:2] for county in counties}):
            table = county_peers(qcew, year=period.year, qtr=period.qtr, state=state).to_pyarrow()
            peers.extend(LmiRegion(name=c, counties=(c,)) for c in table.column("area_fips").to_pylist())
    inputs = RankingInputs(
        qcew=qcew,
        region=region,
        year=period.year,
        qtr=period.qtr,
        reference=reference,
        catalog=catalog or ClusterCatalog(clusters=(), source=Path("(none)"), repairs={}),
        peers=peers,
        base_year=base,
        industry_titles=con.table("industry_titles"),
    )
    return inputs, catalog, note


def _without_cluster_strength(candidates: pa.Table) -> pa.Table:
    """No definitions, no indicator: NULL for every candidate, so that the ranking leaves it out with its
    note, instead of the 0 an empty catalogue gives every industry."""
    index = candidates.column_names.index("cluster_strength")
    return candidates.set_column(index, "cluster_strength", pa.nulls(candidates.num_rows, type=pa.float64()))


def _candidates(con: DuckDBBackend, region: LmiRegion, level: str) -> CandidateSet:
    inputs, catalog, note = _ranking_inputs(con, region)
    candidates = industry_indicators(inputs, NaicsLevel(level)).to_pyarrow()
    if catalog is None:
        candidates = _without_cluster_strength(candidates)
    return CandidateSet(
        region=region,
        level=level,
        year=inputs.year,
        reference=inputs.reference,
        base_year=inputs.base_year,
        candidates=candidates,
        notes=(note,) if note else (),
        clusters=catalog,
    )


def ranking_run(*, candidates: CandidateSet, weights: Mapping[str, float] | None = None) -> RankingResult:
    """Rank the candidates with these weights (``lmi.ranking.rank_candidates``; pure Python, fast)."""
    return rank_candidates(candidates.candidates, ranking_config(weights))


def ranking_chart_spec(*, result: RankingResult, region_name: str, rows: int = 15) -> dict[str, Any]:
    """Each ranked candidate's score split into its indicators' contributions."""
    ranked = {row["code"]: row for row in result.ranked.to_pylist()[:rows]}
    values = [
        {
            "label": f"{ranked[row['code']]['rank']}. {_short(ranked[row['code']]['title'] or row['code'])}",
            "rank": row["rank"],
            "indicator": row["label"],
            "contribution": round(row["contribution"], 4),
            "value": row["value"],
        }
        for row in result.explanation.to_pylist()
        if row["code"] in ranked
    ]
    return contribution_bars(values, title=f"Target industries of {region_name}")


# --- the assessment --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentFile:
    content: bytes
    content_type: str
    filename: str


ASSESSMENT_FORMATS: Final = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render_assessment(assessment: Assessment, fmt: str, assets: Path) -> bytes:
    """The assessment as the CLI writes it (HTML, XLSX), or as a PDF of that HTML (WeasyPrint: it runs no
    scripts, so the PDF has the tables, notes and sources but not the Vega charts and the map)."""
    with tempfile.TemporaryDirectory(prefix="sectorwise-assessment-") as scratch:
        if fmt == "xlsx":
            target = Path(scratch) / "assessment.xlsx"
            write_xlsx(assessment, target, assets)
            return target.read_bytes()
        target = Path(scratch) / "assessment.html"
        write_html(assessment, target, assets)
        if fmt == "html":
            return target.read_bytes()
        from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango and fonts

        pdf: bytes = HTML(filename=str(target)).write_pdf()
        return pdf


@dataclass(frozen=True)
class AssessmentBundle:
    """An assessment rendered in several formats, with what it was computed from (stored with a
    partnership: ``intelligence.models.PartnershipAssessment``)."""

    files: dict[str, bytes]
    period: str
    vintage: str
    level: str
    region_name: str
    counties: tuple[str, ...]


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "region"


def assessment_filename(region_name: str, level: str, fmt: str) -> str:
    return f"assessment-{_slug(region_name)}-{level}.{fmt}"


def assessment_bundle(
    *,
    region: LmiRegion,
    level: str,
    weights: Mapping[str, float] | None,
    formats: Sequence[str],
    focus: Sequence[str] = (),
) -> AssessmentBundle | Unavailable:
    """The industry assessment as ``sectorwise lmi assessment --period A`` writes it (``lmi.assessment``),
    with these weights, in each of ``formats`` (html, xlsx, pdf). ``focus``: industry codes (a
    partnership's targets) whose rank, or reason for not being ranked, the assessment's notes state."""
    unknown = [fmt for fmt in formats if fmt not in ASSESSMENT_FORMATS]
    if unknown:
        return Unavailable(f"The assessment is written as HTML, XLSX or PDF, not {unknown[0]!r}.")
    if level not in LEVELS:
        level = DEFAULT_RANKING_LEVEL
    try:
        assets = find_node_modules(Path(settings.NODE_MODULES))
    except FileNotFoundError as error:
        logger.warning("assessment: %s", error)
        return Unavailable("The assessment's charts and map need the front-end packages (npm install).")
    try:
        with open_warehouse_read_only() as con:
            assessment = _assessment(con, region, level, weights)
            vintage = _vintage(con, assessment)
    except WarehouseMissing:
        return NOT_LOADED
    except defaults.NoDataLoaded:
        return Unavailable(f"No labor-market data is loaded for the counties of {region.name}.")
    except defaults.AnalysisDefaultsError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("assessment of %s: %s", region.name, error)
        return replace(BEING_UPDATED, detail=str(error))
    if focus:
        assessment = replace(assessment, notes=(_focus_note(assessment, focus), *assessment.notes))
    files = {fmt: render_assessment(assessment, fmt, assets) for fmt in formats}
    return AssessmentBundle(
        files=files,
        period=assessment.period,
        vintage=vintage,
        level=level,
        region_name=region.name,
        counties=tuple(region.counties),
    )


def _vintage(con: DuckDBBackend, assessment: Assessment) -> str:
    """What the figures are: the QCEW period and when the warehouse's files were last loaded."""
    loaded = ""
    if "ingest_log" in con.list_tables():
        row = con.con.execute("SELECT max(ingested_at) FROM ingest_log").fetchone()
        if row is not None and row[0] is not None:
            loaded = f"; warehouse loaded {row[0]:%Y-%m-%d %H:%M}"
    return f"QCEW {assessment.period}, LQ against {assessment.reference}{loaded}"


def _focus_note(assessment: Assessment, focus: Sequence[str]) -> str:
    ranked = {str(row["code"]): row for row in assessment.ranking.ranked.to_pylist()}
    refused = {str(row["code"]): row for row in assessment.ranking.not_ranked.to_pylist()}
    total = len(ranked)
    parts = []
    for code in focus:
        if code in ranked:
            parts.append(f"{code} ranked {ranked[code]['rank']} of {total}")
        elif code in refused:
            parts.append(f"{code} not ranked ({refused[code]['reason']})")
        else:
            parts.append(f"{code} not among the {assessment.level} candidates")
    return "The partnership's target industries: " + "; ".join(parts) + "."


def assessment_file(
    *, region: LmiRegion, level: str, weights: Mapping[str, float] | None, fmt: str
) -> AssessmentFile | Unavailable:
    """One format of :func:`assessment_bundle`, as a download."""
    bundle = assessment_bundle(region=region, level=level, weights=weights, formats=[fmt])
    if isinstance(bundle, Unavailable):
        return bundle
    return AssessmentFile(
        bundle.files[fmt], ASSESSMENT_FORMATS[fmt], assessment_filename(region.name, bundle.level, fmt)
    )


def _assessment(
    con: DuckDBBackend, region: LmiRegion, level: str, weights: Mapping[str, float] | None
) -> Assessment:
    inputs, catalog, note = _ranking_inputs(con, region)
    if catalog is None:
        # The library ranks with cluster strength 0 for every industry without definitions; weight 0 leaves
        # it out, which the assessment's notes then say.
        weights = {**(weights or default_weights()), "cluster_strength": 0.0}
    log = con.table("ingest_log").count().to_pyarrow().as_py() if "ingest_log" in con.list_tables() else 0
    sources = [
        (
            "BLS Quarterly Census of Employment and Wages (QCEW)",
            f"{inputs.year} period {inputs.qtr}"
            + (f" and {inputs.base_year}" if inputs.base_year else "")
            + f"; {log} file(s) in the warehouse; private ownership (own_code 5); NAICS as published",
        ),
    ]
    if catalog is not None:
        sources.append(
            (
                "U.S. Cluster Mapping Project benchmark clusters",
                f"Delgado, Porter & Stern (2016), 6-digit NAICS 2012; {len(catalog)} clusters from "
                f"{catalog.source.name}",
            )
        )
    sources.append(("County boundaries", "us-atlas 3 (U.S. Census cartographic boundaries, 2017, 1:10m)"))
    assessment = build_assessment(
        inputs,
        level=level,
        config=ranking_config(weights),
        sources=sources,
        drawn=region.description,
        county_names=county_titles(con.con, region.counties),
    )
    if note:
        assessment = replace(assessment, notes=(*assessment.notes, note))
    return assessment


def counties_of(choices: Iterable[RegionChoice]) -> list[tuple[str, str]]:
    """(FIPS, title) of county choices, for a multiple select."""
    return [(choice.key.removeprefix("county:"), choice.label) for choice in choices]


# --- commuting zones compared ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneDifference:
    county: str
    title: str
    region_a: str
    region_b: str
    matched_b: str


@dataclass(frozen=True)
class ZoneComparison:
    """Two stored region sets compared over their common counties (in the chosen states)."""

    set_a: str
    set_b: str
    states: tuple[str, ...]
    ari: float
    common_counties: int
    only_in_a: int
    only_in_b: int
    regions_a: int
    regions_b: int
    differences: tuple[ZoneDifference, ...]
    county_shapes: tuple[dict[str, Any], ...] = ()

    def map_spec(self, us_atlas_url: str) -> dict[str, Any] | None:
        """The counties that differ, highlighted among their states' counties (None when none differ)."""
        if not self.differences:
            return None
        shapes = (
            CountyShapes.geojson(self.county_shapes)
            if self.county_shapes
            else CountyShapes.us_atlas_url(us_atlas_url)
        )
        return region_membership_map(
            shapes=shapes,
            members=[d.county for d in self.differences],
            title=f"Counties {self.set_a} and {self.set_b} place apart: {len(self.differences)}",
            size=360,
        )


def region_set_names() -> list[tuple[str, str]] | Unavailable:
    """(set name, label) of every region set stored in the warehouse."""
    try:
        with open_warehouse_read_only() as con:
            rows = stored_region_sets(con.con).to_pylist()
    except WarehouseMissing:
        return NOT_LOADED
    except READ_ERRORS as error:
        logger.warning("region sets: %s", error)
        return replace(BEING_UPDATED, detail=str(error))
    return [
        (
            str(r["set_name"]),
            f"{r['set_name']} ({r['kind']}; {r['regions']} regions, {r['counties']} counties)",
        )
        for r in rows
    ]


def zone_comparison(*, set_a: str, set_b: str, states: Sequence[str] = ()) -> ZoneComparison | Unavailable:
    """Two stored region sets (e.g. the commuting zones ``state setup`` delineated and a published set such
    as Fowler's 2020 zones) compared: the adjusted Rand index and the counties they place apart
    (``lmi.regionsets.compare`` and ``differing_counties``), within ``states`` when given."""
    try:
        with open_warehouse_read_only() as con:
            a = load_region_set(con.con, set_a)
            b = load_region_set(con.con, set_b)
            if states:
                a, b = within_states(a, states), within_states(b, states)
            try:
                agreement = compare(a, b)
            except ValueError as error:
                return Unavailable(f"{error}.")
            differing = differing_counties(a, b)
            titles = county_titles(con.con, [d.county_fips for d in differing])
            shown_states = sorted({d.county_fips[:2] for d in differing})
            shapes = tuple(county_shapes(con.con, states=shown_states))
    except WarehouseMissing:
        return NOT_LOADED
    except UnknownRegionSetError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("zone comparison: %s", error)
        return replace(BEING_UPDATED, detail=str(error))

    def named(region_set: RegionSet, region: str) -> str:
        title = region_set.region_title(region)
        return f"{title} ({region})" if title != region else region

    return ZoneComparison(
        set_a=set_a,
        set_b=set_b,
        states=tuple(states),
        ari=agreement.ari,
        common_counties=agreement.common_counties,
        only_in_a=agreement.only_in_a,
        only_in_b=agreement.only_in_b,
        regions_a=agreement.regions_a,
        regions_b=agreement.regions_b,
        differences=tuple(
            ZoneDifference(
                county=d.county_fips,
                title=titles.get(d.county_fips, d.county_fips),
                region_a=named(a, d.region_a),
                region_b=named(b, d.region_b),
                matched_b=named(b, d.matched_b),
            )
            for d in differing
        ),
        county_shapes=shapes,
    )


# --- clusters ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterProfile:
    """A region's benchmark clusters with the strong-cluster test among its state's counties (what
    ``sectorwise lmi clusters region --period A`` prints)."""

    region: LmiRegion
    year: int
    reference: str
    peers: int
    rows: tuple[dict[str, Any], ...]
    catalog_source: str


def region_clusters(*, region: LmiRegion) -> ClusterProfile | Unavailable:
    """The region's clusters (with at least one establishment), strong ones first, then by employment; the
    peers of the strong-cluster test are every loaded county of the region's states."""
    catalog, note = _cluster_catalog()
    if catalog is None:
        return Unavailable(note.replace(f"{INDICATOR_LABELS['cluster_strength']} needs", "Clusters need"))
    try:
        with open_warehouse_read_only() as con:
            inputs, _catalog, _note = _ranking_inputs(con, region)
            regions = [region, *(p for p in inputs.peers if p.name != region.name)]
            metrics = cluster_metrics(
                inputs.qcew, catalog, regions, year=inputs.year, qtr=inputs.qtr, reference=inputs.reference
            )
            tested = strong_clusters(metrics)
            mine = tested.filter(tested.region == region.name)
            mine = mine.filter(mine.establishments > 0).order_by([mine.strong.desc(), mine.employment.desc()])
            rows = mine.select(
                "cluster_code",
                "cluster_name",
                "cluster_kind",
                "employment",
                "establishments",
                "avg_wkly_wage",
                "lq",
                "suppressed_share",
                "incomplete",
                "criteria_met",
                "strong",
            ).to_pyarrow()
    except WarehouseMissing:
        return NOT_LOADED
    except defaults.NoDataLoaded:
        return Unavailable(f"No labor-market data is loaded for the counties of {region.name}.")
    except defaults.AnalysisDefaultsError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("clusters of %s: %s", region.name, error)
        return replace(BEING_UPDATED, detail=str(error))
    return ClusterProfile(
        region=region,
        year=inputs.year,
        reference=inputs.reference,
        peers=len(regions),
        rows=tuple(rows.to_pylist()),
        catalog_source=catalog.source.name,
    )


# --- occupations -------------------------------------------------------------------------------------------

#: How many occupations the page lists, and how many top-ranked industries it uses without a choice.
OCCUPATION_ROWS: Final = 25
DEFAULT_OCCUPATION_TARGETS: Final = 3


@dataclass(frozen=True)
class OccupationProfile:
    """The occupations a region's target industries employ (national staffing patterns x the region's
    industry employment), with their wages and whose wages they are (``sectorwise lmi occupations``)."""

    region: LmiRegion
    year: int
    industries: tuple[str, ...]
    wage_area: str
    vintage: str
    rows: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


_OEWS: dict[str, Any] = {}


def _oews() -> tuple[Any, str]:
    """The OEWS release named by ``settings.SECTORWISE_OEWS`` (loaded once per process), or why not."""
    from sectorwise.lmi.sources.oews import OewsFileError, load_oews

    path = getattr(settings, "SECTORWISE_OEWS", None)
    if not path:
        return None, (
            "Occupations need BLS's OEWS files (`sectorwise lmi fetch oews` prints the directory), which "
            "this site has not been given (SECTORWISE_OEWS)."
        )
    key = str(path)
    if key not in _OEWS:
        try:
            _OEWS[key] = load_oews(Path(path))
        except OewsFileError as error:
            logger.warning("OEWS files: %s", error)
            return None, "The OEWS files cannot be read."
    return _OEWS[key], ""


def region_occupations(
    *, region: LmiRegion, industries: Sequence[str] = ()
) -> OccupationProfile | Unavailable:
    """The occupations of ``industries`` (NAICS codes; default: the region's top three 4-digit industries
    of the default ranking) in the region, with the wages of the state or of the metro holding most of its
    jobs."""
    from sectorwise.lmi.regionsets import latest_region_set_of_kind
    from sectorwise.lmi.sources.delineations import CBSA_KIND
    from sectorwise.lmi.staffing import (
        STAFFING_ASSUMPTIONS,
        choose_wage_area,
        county_jobs,
        region_industry_employment,
        staffing_pattern,
        year_mix_note,
    )

    oews, why = _oews()
    if oews is None:
        return Unavailable(why)
    codes = [code for code in industries if code]
    if not codes:
        candidates = ranking_candidates(region=region, level=DEFAULT_RANKING_LEVEL)
        if isinstance(candidates, Unavailable):
            return candidates
        ranked = ranking_run(candidates=candidates, weights=None).ranked
        codes = [str(code) for code in ranked.column("code").to_pylist()[:DEFAULT_OCCUPATION_TARGETS]]
    try:
        with open_warehouse_read_only() as con:
            facts = _region_facts(con, tuple(region.counties))
            year, qtr = facts.period.year, facts.period.qtr
            qcew = analysis_table(con, annual=True, estimate=True)
            employment = region_industry_employment(qcew, region, codes, year=year, qtr=qtr).to_pyarrow()
            metros = latest_region_set_of_kind(con.con, CBSA_KIND)
            jobs = county_jobs(qcew, region, year=year, qtr=qtr) if metros is not None else None
    except WarehouseMissing:
        return NOT_LOADED
    except defaults.NoDataLoaded:
        return Unavailable(f"No labor-market data is loaded for the counties of {region.name}.")
    except defaults.AnalysisDefaultsError as error:
        return Unavailable(str(error))
    except READ_ERRORS as error:
        logger.warning("occupations of %s: %s", region.name, error)
        return replace(BEING_UPDATED, detail=str(error))
    found = set(employment.column("industry_code").to_pylist())
    missing = [code for code in codes if code not in found]
    if missing:
        return Unavailable(
            f"Industry {missing[0]} has no private employment in {region.name} in {year} (a QCEW NAICS code "
            "such as 3254 or 31-33)."
        )
    area = choose_wage_area(region, oews, given=None, county_jobs=jobs, metros=metros)
    import ibis

    pattern = staffing_pattern(ibis.memtable(employment), oews, wage_area=area.code)
    rows = pattern.limit(OCCUPATION_ROWS).to_pyarrow().to_pylist()
    notes = list(STAFFING_ASSUMPTIONS)
    mix = year_mix_note(oews, year, qtr)
    if mix is not None:
        notes.insert(0, mix)
    return OccupationProfile(
        region=region,
        year=year,
        industries=tuple(codes),
        wage_area=area.label(oews),
        vintage=oews.vintage,
        rows=tuple(rows),
        notes=tuple(notes),
    )
