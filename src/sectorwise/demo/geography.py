"""Synthetic places: a state of counties laid out on a map, with metro cores, suburbs and rural counties.

Nothing here is a real place. The state FIPS code '91' is not assigned to any U.S. state or territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

DEMO_STATE_FIPS: Final = "91"
DEMO_STATE_NAME: Final = "Demo State"
SYNTHETIC_MARK: Final = "(SYNTHETIC)"

#: Economic profiles: each raises the share of some QCEW sectors in a county (multipliers on the U.S. mix).
PROFILES: Final[dict[str, dict[str, float]]] = {
    "metro core": {"52": 1.8, "54": 1.7, "55": 2.0, "51": 1.6, "62": 1.2, "53": 1.3, "11": 0.1, "21": 0.2},
    "suburb": {"44-45": 1.4, "72": 1.2, "23": 1.3, "42": 1.2, "61": 1.1, "11": 0.3},
    "manufacturing": {"31-33": 3.2, "42": 1.3, "48-49": 1.3, "54": 0.6, "52": 0.6},
    "logistics": {"48-49": 3.0, "42": 2.0, "31-33": 1.3, "56": 1.3},
    "tourism": {"72": 2.4, "71": 3.0, "44-45": 1.3, "53": 1.4, "31-33": 0.5},
    "agriculture": {"11": 8.0, "31-33": 1.4, "42": 1.3, "54": 0.5, "52": 0.7},
    "energy": {"21": 12.0, "22": 2.5, "23": 1.4, "48-49": 1.3},
    "university": {"61": 3.0, "62": 1.4, "54": 1.3, "72": 1.3},
    "health hub": {"62": 2.2, "54": 1.1},
    "rural services": {"62": 1.2, "44-45": 1.2, "11": 3.0, "92": 1.5},
}

#: Thirty county names (trees); "County" is appended.
COUNTY_NAMES: Final = (
    "Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hawthorn", "Ironwood", "Juniper",
    "Kauri", "Larch", "Maple", "Nutmeg", "Oak", "Pine", "Quince", "Redwood", "Spruce", "Tamarack",
    "Upas", "Viburnum", "Willow", "Xylosma", "Yew", "Zelkova", "Aspen", "Buckeye", "Chestnut", "Hemlock",
)  # fmt: skip


@dataclass(frozen=True)
class County:
    """A synthetic county: where it is (km on a plane), how many jobs it has and what kind of economy."""

    fips: str
    name: str
    x_km: float
    y_km: float
    employment: int
    resident_workers: int
    profile: str
    wage_level: float


@dataclass(frozen=True)
class SyntheticState:
    fips: str
    name: str
    counties: tuple[County, ...]

    @property
    def area_fips(self) -> str:
        return f"{self.fips}000"


@dataclass(frozen=True)
class _Core:
    x_km: float
    y_km: float
    employment: int
    profile: str


# Four labour markets in the demo state: a large metro, two mid-sized cities and a small college town.
_DEMO_CORES: Final = (
    _Core(60.0, 60.0, 310_000, "metro core"),
    _Core(250.0, 70.0, 120_000, "health hub"),
    _Core(150.0, 230.0, 90_000, "manufacturing"),
    _Core(290.0, 250.0, 45_000, "university"),
)

_SATELLITE_PROFILES: Final = (
    "suburb",
    "manufacturing",
    "logistics",
    "tourism",
    "agriculture",
    "energy",
    "rural services",
)


def layout_state(
    *,
    fips: str,
    name: str,
    county_count: int,
    rng: np.random.Generator,
    width_km: float = 340.0,
    height_km: float = 300.0,
    cores: tuple[_Core, ...] | None = None,
    names: tuple[str, ...] | None = None,
) -> SyntheticState:
    """Counties on a jittered grid; the counties nearest to each core become that core, the rest are
    suburbs when close to a core and rural (agriculture, energy, tourism, ...) when far."""
    columns = int(np.ceil(np.sqrt(county_count * width_km / height_km)))
    rows = int(np.ceil(county_count / columns))
    cell_w, cell_h = width_km / columns, height_km / rows
    index = np.arange(county_count)
    xs = (index % columns + 0.5 + rng.uniform(-0.3, 0.3, county_count)) * cell_w
    ys = (index // columns + 0.5 + rng.uniform(-0.3, 0.3, county_count)) * cell_h
    if cores is None:
        core_count = max(1, county_count // 8)
        picks = rng.choice(county_count, size=core_count, replace=False)
        sizes = (rng.pareto(1.2, core_count) + 1.0) * 40_000
        core_profiles = ("metro core", "health hub", "manufacturing", "university", "logistics")
        cores = tuple(
            _Core(float(xs[i]), float(ys[i]), int(sizes[k]), core_profiles[k % len(core_profiles)])
            for k, i in enumerate(picks)
        )
    core_at: dict[int, _Core] = {}
    for core in cores:
        distance = np.hypot(xs - core.x_km, ys - core.y_km)
        distance[list(core_at)] = np.inf
        core_at[int(np.argmin(distance))] = core
    core_x = np.array([core.x_km for core in cores])
    core_y = np.array([core.y_km for core in cores])
    core_size = np.array([core.employment for core in cores], dtype=float)
    counties: list[County] = []
    for i in range(county_count):
        label = names[i] if names is not None and i < len(names) else f"Synthetic {i + 1:04d}"
        county_fips = f"{fips}{2 * i + 1:03d}"
        if i in core_at:
            core = core_at[i]
            employment, profile, wage_level = core.employment, core.profile, 1.12
            commuter_share = 0.85  # cores have more jobs than resident workers
        else:
            distance = np.hypot(core_x - xs[i], core_y - ys[i])
            pull = core_size * np.exp(-distance / 35.0)
            nearest = int(np.argmin(distance))
            near_core = distance[nearest] < 75.0
            employment = int(3_000 + 0.12 * pull.sum() * rng.lognormal(0.0, 0.3) + rng.integers(0, 9_000))
            profile = (
                "suburb"
                if near_core and rng.random() < 0.6
                else _SATELLITE_PROFILES[int(rng.integers(1, len(_SATELLITE_PROFILES)))]
            )
            wage_level = 1.0 if near_core else 0.86
            commuter_share = 1.25 if near_core else 1.02  # bedroom counties house more workers than jobs
        counties.append(
            County(
                fips=county_fips,
                name=f"{label} County",
                x_km=round(float(xs[i]), 1),
                y_km=round(float(ys[i]), 1),
                employment=int(employment),
                resident_workers=int(employment * commuter_share),
                profile=profile,
                wage_level=wage_level,
            )
        )
    return SyntheticState(fips=fips, name=name, counties=tuple(counties))


def demo_state(seed: int = 2024) -> SyntheticState:
    """The demo state: thirty counties around four labour markets."""
    rng = np.random.default_rng(seed)
    return layout_state(
        fips=DEMO_STATE_FIPS,
        name=DEMO_STATE_NAME,
        county_count=len(COUNTY_NAMES),
        rng=rng,
        cores=_DEMO_CORES,
        names=COUNTY_NAMES,
    )
