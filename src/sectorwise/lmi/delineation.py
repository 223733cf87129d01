"""Commuting zones from county-to-county flows: the Tolbert-Sizer method as Fowler & Jensen (2020) apply it.

For every pair of counties the proportional flow is PF_ij = (f_ij + f_ji) / min(W_i, W_j), where f_ij counts
the workers who live in i and work in j and W_i is i's resident workers. As in the ERS original and in
Fowler's code, PF is capped at 0.999 and the dissimilarity 1 - PF is clustered by average linkage; zones are
the clusters that the tree holds together below the cutoff height (0.977 since the 2010 delineation).

Resident workers (W_i): every worker who lives in the county and works in a county of the United States or
Puerto Rico, whatever its state. Workers abroad are left out: Fowler's data preparation drops the flows
without a work county before it sums a county's labor force. Within chosen states, W_i keeps the workers who
commute out of those states, so a border county is not made to look tied to its in-state neighbours.

Fit figures follow Fowler & Jensen's: a county's share of resident workers who work inside its zone
("Contained"), the share of its jobs held by residents of the zone ("Work.Contained"), and the share of
the zone's jobs held by the county's residents; a zone's containment (share of its resident workers who
work inside it), job containment and size.

Stability: the ACS publishes a 90 % margin of error for each flow, so sd = MOE / 1.645. Each draw
resamples every flow from a normal distribution with that sd, truncated at zero, recomputes W, PF and the
tree, and asks whether each county still shares a zone with the core county (the county with most jobs)
of its zone in the published-data delineation. A county's stability is the share of draws in which it does.

The dissimilarity matrix is built condensed (n(n-1)/2 entries, 1.0 where no one commutes) from the sparse
list of flows, so the national delineation of about 3,200 counties takes a few seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.cluster.hierarchy import fcluster, linkage

from sectorwise.lmi.regionsets import RegionSet, UnknownCountyError
from sectorwise.lmi.sources.commuting import ABROAD, CommutingFlows

DEFAULT_CUTOFF: Final = 0.977
PF_CAP: Final = 0.999
MOE_Z90: Final = 1.645
DEFAULT_DRAWS: Final = 10

#: Told (draws done, draws in all) after each stability draw, e.g. to move a progress bar.
DrawProgress = Callable[[int, int], None]

STATE_FIPS_BY_POSTAL: Final[dict[str, str]] = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10",
    "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19",
    "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27",
    "MS": "28", "MO": "29", "MT": "30", "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35",
    "NY": "36", "NC": "37", "ND": "38", "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44",
    "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53",
    "WV": "54", "WI": "55", "WY": "56", "PR": "72",
}  # fmt: skip


def state_fips(states: Iterable[str]) -> tuple[str, ...]:
    """Two-digit state FIPS codes from postal abbreviations ('NJ') or FIPS codes ('34', '9')."""
    codes: list[str] = []
    known = set(STATE_FIPS_BY_POSTAL.values())
    for raw in states:
        for part in raw.split(","):
            text = part.strip()
            if not text:
                continue
            if text.upper() in STATE_FIPS_BY_POSTAL:
                codes.append(STATE_FIPS_BY_POSTAL[text.upper()])
            elif text.isdigit() and text.zfill(2) in known:
                codes.append(text.zfill(2))
            else:
                raise ValueError(
                    f"unknown state {text!r}: give a postal abbreviation (NJ) or a FIPS code (34)"
                )
    return tuple(sorted(set(codes)))


def check_cutoff(cutoff: float) -> float:
    """A cutoff is a dissimilarity height strictly between 0 and 1."""
    if not isinstance(cutoff, int | float) or math.isnan(cutoff) or not 0.0 < cutoff < 1.0:
        raise ValueError(
            f"cutoff must be a number strictly between 0 and 1 (the default is 0.977), got {cutoff!r}"
        )
    return float(cutoff)


@dataclass(frozen=True)
class _FlowIndex:
    """Domestic flows as integer indices into ``areas``; the universe is the counties being delineated."""

    areas: tuple[str, ...]
    home: npt.NDArray[np.intp]
    work: npt.NDArray[np.intp]
    workers: npt.NDArray[np.float64]
    sd: npt.NDArray[np.float64]
    universe: npt.NDArray[np.intp]  # area index of each delineated county, in FIPS order


def _index_flows(flows: CommutingFlows, states: Sequence[str] | None) -> _FlowIndex:
    domestic = flows.domestic()
    areas_arr, inverse = np.unique(np.concatenate([domestic.home, domestic.work]), return_inverse=True)
    n_flows = len(domestic)
    home = inverse[:n_flows].astype(np.intp)
    work = inverse[n_flows:].astype(np.intp)
    # As in Fowler's preparation: counties that appear both as a residence and as a workplace.
    in_both = np.zeros(len(areas_arr), dtype=bool)
    in_both[np.unique(home)] = True
    is_work = np.zeros(len(areas_arr), dtype=bool)
    is_work[np.unique(work)] = True
    in_both &= is_work
    if states:
        wanted = set(states)
        in_states = np.array([code[:2] in wanted for code in areas_arr.tolist()], dtype=bool)
        missing = sorted(wanted - {code[:2] for code in areas_arr[in_both].tolist()})
        if missing:
            raise ValueError(f"the flows hold no county of state(s) {', '.join(missing)} ({flows.source})")
        in_both &= in_states
    universe = np.flatnonzero(in_both).astype(np.intp)
    if len(universe) == 0:
        raise ValueError(f"no county both sends and receives commuters in {flows.source}")
    sd = np.where(np.isnan(domestic.moe), 0.0, domestic.moe / MOE_Z90)
    return _FlowIndex(
        areas=tuple(areas_arr.tolist()),
        home=home,
        work=work,
        workers=domestic.workers.astype(np.float64),
        sd=sd.astype(np.float64),
        universe=universe,
    )


@dataclass(frozen=True)
class _Totals:
    resident_workers: npt.NDArray[np.float64]  # per area
    jobs: npt.NDArray[np.float64]  # per area


def _totals(index: _FlowIndex, workers: npt.NDArray[np.float64]) -> _Totals:
    n_areas = len(index.areas)
    return _Totals(
        resident_workers=np.bincount(index.home, weights=workers, minlength=n_areas).astype(np.float64),
        jobs=np.bincount(index.work, weights=workers, minlength=n_areas).astype(np.float64),
    )


def _condensed_dissimilarity(
    index: _FlowIndex, workers: npt.NDArray[np.float64], totals: _Totals
) -> npt.NDArray[np.float64]:
    """1 - min(PF, 0.999) for every pair of delineated counties, as a condensed distance vector."""
    n = len(index.universe)
    position = np.full(len(index.areas), -1, dtype=np.intp)
    position[index.universe] = np.arange(n, dtype=np.intp)
    i = position[index.home]
    j = position[index.work]
    keep = (i >= 0) & (j >= 0) & (i != j) & (workers > 0)
    a = np.minimum(i[keep], j[keep]).astype(np.int64)
    b = np.maximum(i[keep], j[keep]).astype(np.int64)
    condensed_index = n * a - a * (a + 1) // 2 + (b - a - 1)
    pairs, first, inverse = np.unique(condensed_index, return_index=True, return_inverse=True)
    both_ways = np.bincount(inverse, weights=workers[keep], minlength=len(pairs))
    resident = totals.resident_workers[index.universe]
    pair_a, pair_b = a[first], b[first]
    denominator = np.minimum(resident[pair_a], resident[pair_b])
    with np.errstate(divide="ignore", invalid="ignore"):
        proportional = np.where(denominator > 0, both_ways / denominator, PF_CAP)
    distances = np.ones(n * (n - 1) // 2, dtype=np.float64)
    distances[pairs] = 1.0 - np.minimum(proportional, PF_CAP)
    return distances


def _cluster_labels(distances: npt.NDArray[np.float64], n: int, cutoff: float) -> npt.NDArray[np.intp]:
    if n == 1:
        return np.zeros(1, dtype=np.intp)
    tree = linkage(distances, method="average")
    return np.asarray(fcluster(tree, t=cutoff, criterion="distance"), dtype=np.intp) - 1


@dataclass(frozen=True)
class CommutingTree:
    """The average-linkage tree of a set of counties; cut it at any height to get zones."""

    counties: tuple[str, ...]
    linkage_matrix: npt.NDArray[np.float64]
    index: _FlowIndex
    totals: _Totals
    source: str

    def cut(self, cutoff: float = DEFAULT_CUTOFF) -> Delineation:
        """Zones at ``cutoff``: counties the tree joins at a dissimilarity of at most ``cutoff``."""
        cutoff = check_cutoff(cutoff)
        n = len(self.counties)
        if n == 1:
            labels = np.zeros(1, dtype=np.intp)
        else:
            labels = (
                np.asarray(fcluster(self.linkage_matrix, t=cutoff, criterion="distance"), dtype=np.intp) - 1
            )
        return _delineation(self, labels, cutoff)


def commuting_tree(flows: CommutingFlows, *, states: Sequence[str] | None = None) -> CommutingTree:
    """The clustering tree of all counties in ``flows`` (or of those in ``states``, two-digit FIPS)."""
    if flows.level != "county":
        raise ValueError(
            f"commuting zones are built from counties; these flows are by {flows.level} ({flows.source})"
        )
    index = _index_flows(flows, states)
    totals = _totals(index, index.workers)
    n = len(index.universe)
    if n == 1:
        matrix = np.zeros((0, 4), dtype=np.float64)
    else:
        matrix = np.asarray(linkage(_condensed_dissimilarity(index, index.workers, totals), method="average"))
    counties = tuple(index.areas[k] for k in index.universe.tolist())
    return CommutingTree(
        counties=counties, linkage_matrix=matrix, index=index, totals=totals, source=flows.source
    )


@dataclass(frozen=True)
class Delineation:
    """Commuting zones: each county's zone (named ``CZ`` + its core county's FIPS) and its fit figures."""

    counties: tuple[str, ...]
    region_ids: tuple[str, ...]
    core_counties: tuple[str, ...]
    cutoff: float
    resident_workers: npt.NDArray[np.float64]
    jobs: npt.NDArray[np.float64]
    residents_working_in_zone: npt.NDArray[np.float64]
    jobs_held_by_zone_residents: npt.NDArray[np.float64]
    source: str
    stability: npt.NDArray[np.float64] | None = None
    draws: int = 0
    # Wall-clock seconds the stability draws took (0 without draws), for the user to weigh --draws.
    stability_seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.counties)

    @property
    def zone_count(self) -> int:
        return len(set(self.region_ids))

    def region_of(self, county_fips: str) -> str:
        try:
            return self.region_ids[self.counties.index(county_fips)]
        except ValueError:
            raise UnknownCountyError(county_fips, f"delineation of {self.source}") from None

    def region_set(
        self, name: str = "delineation", *, region_names: Mapping[str, str] | None = None
    ) -> RegionSet:
        """The zones as a region set; ``region_names`` (zone id -> name, see ``regionsets.zone_names``)."""
        return RegionSet(
            name=name,
            assignments=dict(zip(self.counties, self.region_ids, strict=True)),
            region_names=dict(region_names or {}),
            kind="delineation",
            source=f"Tolbert-Sizer at cutoff {self.cutoff} from {self.source}",
        )

    def zone_names(self, county_titles: Mapping[str, str] | None = None) -> dict[str, str]:
        """Zone id -> "<core county>, <ST> area" (e.g. "Chittenden County, VT area"), from the core
        county's title (BLS's area title, "Chittenden County, Vermont"; see ``regionsets.county_titles``),
        else its FIPS code ("50007, VT area")."""
        cores = dict(zip(self.region_ids, self.core_counties, strict=True))
        return {
            zone: core_county_area_name(core, (county_titles or {}).get(core)) for zone, core in cores.items()
        }

    def _zone_sums(self) -> dict[str, tuple[int, float, float, float, float]]:
        sums: dict[str, list[float]] = {}
        for k, region in enumerate(self.region_ids):
            acc = sums.setdefault(region, [0, 0.0, 0.0, 0.0, 0.0])
            acc[0] += 1
            acc[1] += float(self.resident_workers[k])
            acc[2] += float(self.jobs[k])
            acc[3] += float(self.residents_working_in_zone[k])
            acc[4] += float(self.jobs_held_by_zone_residents[k])
        return {r: (int(v[0]), v[1], v[2], v[3], v[4]) for r, v in sums.items()}

    def county_table(self, *, region_names: Mapping[str, str] | None = None) -> pa.Table:
        """One row per county: zone, core county, fit figures, zone containment and size, stability.

        With ``region_names`` a ``region_name`` column follows ``region_id``."""
        zones = self._zone_sums()
        rw = self.resident_workers
        jobs = self.jobs
        zone_jobs = np.array([zones[r][2] for r in self.region_ids])
        columns: dict[str, object] = {
            "county_fips": list(self.counties),
            "region_id": list(self.region_ids),
            **_names_column(self.region_ids, region_names),
            "core_county_fips": list(self.core_counties),
            "is_core": [c == core for c, core in zip(self.counties, self.core_counties, strict=True)],
            "resident_workers": np.round(rw).astype(np.int64),
            "jobs": np.round(jobs).astype(np.int64),
            "resident_share_in_zone": _share(self.residents_working_in_zone, rw),
            "job_share_from_zone": _share(self.jobs_held_by_zone_residents, jobs),
            "zone_job_share": _share(self.residents_working_in_zone, zone_jobs),
            "zone_counties": [zones[r][0] for r in self.region_ids],
            "zone_resident_workers": [round(zones[r][1]) for r in self.region_ids],
            "zone_containment": [_ratio(zones[r][3], zones[r][1]) for r in self.region_ids],
        }
        if self.stability is not None:
            columns["stability"] = self.stability
        return pa.table(columns)

    def zone_table(self, *, region_names: Mapping[str, str] | None = None) -> pa.Table:
        """One row per zone: size, containment (residents working inside) and job containment."""
        zones = self._zone_sums()
        cores = dict(zip(self.region_ids, self.core_counties, strict=True))
        ids = sorted(zones)
        return pa.table(
            {
                "region_id": ids,
                **_names_column(ids, region_names),
                "core_county_fips": [cores[r] for r in ids],
                "counties": [zones[r][0] for r in ids],
                "resident_workers": [round(zones[r][1]) for r in ids],
                "jobs": [round(zones[r][2]) for r in ids],
                "containment": [_ratio(zones[r][3], zones[r][1]) for r in ids],
                "job_containment": [_ratio(zones[r][4], zones[r][2]) for r in ids],
            }
        )


_POSTAL_BY_STATE_FIPS: Final = {fips: postal for postal, fips in STATE_FIPS_BY_POSTAL.items()}


def core_county_area_name(county_fips: str, title: str | None = None) -> str:
    """ "<County>, <ST> area" for a zone named after its core county: the county part of its title
    ("Chittenden County, Vermont" -> "Chittenden County"), else its FIPS code; the state's postal code."""
    text = (title or "").strip()
    head, comma, tail = text.rpartition(", ")
    county = head if comma else (text or county_fips)
    state = _POSTAL_BY_STATE_FIPS.get(county_fips[:2]) or (tail if comma else "")
    return f"{county}, {state} area" if state else f"{county} area"


def _names_column(ids: Sequence[str], names: Mapping[str, str] | None) -> dict[str, list[str | None]]:
    return {} if names is None else {"region_name": [names.get(r) for r in ids]}


def _share(
    numerator: npt.NDArray[np.float64], denominator: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def _cores(labels: npt.NDArray[np.intp], jobs: npt.NDArray[np.float64], counties: Sequence[str]) -> list[int]:
    """The core of each zone: its county with most jobs (ties: the lowest FIPS)."""
    best: dict[int, int] = {}
    for k, label in enumerate(labels.tolist()):
        current = best.get(label)
        if (
            current is None
            or jobs[k] > jobs[current]
            or (jobs[k] == jobs[current] and counties[k] < counties[current])
        ):
            best[label] = k
    return [best[label] for label in labels.tolist()]


def _delineation(tree: CommutingTree, labels: npt.NDArray[np.intp], cutoff: float) -> Delineation:
    index = tree.index
    universe = index.universe
    resident = tree.totals.resident_workers[universe]
    jobs = tree.totals.jobs[universe]
    core_of = _cores(labels, jobs, tree.counties)
    position = np.full(len(index.areas), -1, dtype=np.intp)
    position[universe] = np.arange(len(universe), dtype=np.intp)
    i = position[index.home]
    j = position[index.work]
    inside = (i >= 0) & (j >= 0)
    inside[inside] = labels[i[inside]] == labels[j[inside]]
    n = len(universe)
    residents_in_zone = np.bincount(i[inside], weights=index.workers[inside], minlength=n).astype(np.float64)
    jobs_by_zone = np.bincount(j[inside], weights=index.workers[inside], minlength=n).astype(np.float64)
    cores = tuple(tree.counties[k] for k in core_of)
    return Delineation(
        counties=tree.counties,
        region_ids=tuple(f"CZ{core}" for core in cores),
        core_counties=cores,
        cutoff=cutoff,
        resident_workers=resident,
        jobs=jobs,
        residents_working_in_zone=residents_in_zone,
        jobs_held_by_zone_residents=jobs_by_zone,
        source=tree.source,
    )


def delineate(
    flows: CommutingFlows,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    states: Sequence[str] | None = None,
    draws: int = 0,
    seed: int = 0,
    progress: DrawProgress | None = None,
) -> Delineation:
    """Commuting zones of the counties in ``flows`` (or within ``states``) at ``cutoff``.

    With ``draws`` > 0 the flows are resampled within their margins of error that many times and every
    county gets a stability figure (see the module docstring); ``progress`` is told after each draw.
    """
    cutoff = check_cutoff(cutoff)
    result = commuting_tree(flows, states=states).cut(cutoff)
    if draws:
        result = with_stability(flows, result, draws=draws, seed=seed, states=states, progress=progress)
    return result


def with_stability(
    flows: CommutingFlows,
    delineation: Delineation,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    states: Sequence[str] | None = None,
    progress: DrawProgress | None = None,
) -> Delineation:
    """Add to each county the share of ``draws`` resampled delineations that keep it with its core.

    ``progress(done, draws)`` is called after each draw; the result's ``stability_seconds`` says how long
    the draws took (each one rebuilds the whole tree: about as long as the delineation itself)."""
    if draws < 1:
        raise ValueError(f"draws must be 1 or more, got {draws}")
    if not flows.has_moe:
        raise ValueError(f"stability needs a margin of error for every flow, and {flows.source} has none")
    index = _index_flows(flows, states)
    counties = tuple(index.areas[k] for k in index.universe.tolist())
    if counties != delineation.counties:
        raise ValueError("the delineation was not drawn from these flows (its counties differ)")
    position = {county: k for k, county in enumerate(counties)}
    core_position = np.array([position[core] for core in delineation.core_counties], dtype=np.intp)
    rng = np.random.default_rng(seed)
    stays = np.zeros(len(counties), dtype=np.float64)
    started = time.perf_counter()
    if progress is not None:
        progress(0, draws)
    for done in range(1, draws + 1):
        resampled = np.maximum(index.workers + rng.normal(0.0, 1.0, len(index.workers)) * index.sd, 0.0)
        totals = _totals(index, resampled)
        labels = _cluster_labels(
            _condensed_dissimilarity(index, resampled, totals), len(counties), delineation.cutoff
        )
        stays += labels == labels[core_position]
        if progress is not None:
            progress(done, draws)
    return Delineation(
        counties=delineation.counties,
        region_ids=delineation.region_ids,
        core_counties=delineation.core_counties,
        cutoff=delineation.cutoff,
        resident_workers=delineation.resident_workers,
        jobs=delineation.jobs,
        residents_working_in_zone=delineation.residents_working_in_zone,
        jobs_held_by_zone_residents=delineation.jobs_held_by_zone_residents,
        source=delineation.source,
        stability=stays / draws,
        draws=draws,
        stability_seconds=time.perf_counter() - started,
    )


__all__ = [
    "ABROAD",
    "DEFAULT_CUTOFF",
    "CommutingTree",
    "Delineation",
    "DrawProgress",
    "check_cutoff",
    "commuting_tree",
    "core_county_area_name",
    "delineate",
    "state_fips",
    "with_stability",
]
