"""Synthetic QCEW cells at the finest level: one row per county, ownership, 6-digit industry and quarter.

Everything above the 6-digit level (and the state and national figures) is summed from these cells later,
so children always add up to their parents. Numbers are drawn from a seeded numpy generator: the same seed
gives the same bytes. Sector parameters are round, plausible figures, not estimates of anything real.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import pyarrow as pa

from sectorwise.demo.geography import PROFILES, SyntheticState
from sectorwise.demo.industries import IndustryTree, industry_tree
from sectorwise.lmi.codes import PRIVATE_OWNERSHIP

#: Share of private employment, employees per establishment, average weekly wage (in the first year),
#: yearly employment growth, and seasonal amplitude with its peak month, by QCEW sector.
SECTOR_PARAMETERS: Final[dict[str, tuple[float, float, float, float, float, int]]] = {
    "11": (0.011, 8, 850, -0.005, 0.15, 8),
    "21": (0.005, 20, 1900, 0.000, 0.02, 7),
    "22": (0.005, 30, 2200, 0.005, 0.01, 7),
    "23": (0.063, 9, 1350, 0.020, 0.07, 8),
    "31-33": (0.105, 40, 1400, 0.005, 0.01, 6),
    "42": (0.049, 11, 1600, 0.010, 0.01, 6),
    "44-45": (0.126, 15, 720, 0.003, 0.035, 12),
    "48-49": (0.050, 20, 1150, 0.030, 0.02, 12),
    "51": (0.024, 14, 2400, 0.015, 0.01, 6),
    "52": (0.050, 10, 2200, 0.012, 0.01, 6),
    "53": (0.018, 5, 1300, 0.015, 0.02, 7),
    "54": (0.081, 8, 2000, 0.030, 0.01, 6),
    "55": (0.019, 80, 2500, 0.015, 0.01, 6),
    "56": (0.070, 16, 950, 0.015, 0.02, 9),
    "61": (0.024, 25, 1050, 0.010, -0.04, 7),
    "62": (0.170, 18, 1150, 0.025, 0.01, 6),
    "71": (0.020, 12, 800, 0.030, 0.12, 7),
    "72": (0.110, 17, 520, 0.025, 0.05, 7),
    "81": (0.033, 5, 880, 0.010, 0.01, 6),
    "92": (0.000, 30, 1300, 0.008, 0.01, 6),
}

#: Government industries by ownership code (1 federal, 2 state, 3 local) with their relative weights.
GOVERNMENT_INDUSTRIES: Final[dict[int, dict[str, float]]] = {
    1: {
        "491110": 0.22, "921190": 0.10, "928110": 0.18, "622110": 0.12, "922120": 0.05, "922140": 0.04,
        "924120": 0.05, "926120": 0.04, "541715": 0.06, "712190": 0.03, "923130": 0.06, "921110": 0.05,
    },
    2: {
        "611310": 0.30, "622110": 0.10, "622210": 0.04, "921110": 0.05, "921190": 0.06, "922140": 0.10,
        "922120": 0.03, "923110": 0.04, "923120": 0.06, "923130": 0.07, "926120": 0.05, "237310": 0.05,
        "624120": 0.05,
    },
    3: {
        "611110": 0.48, "611210": 0.04, "921110": 0.04, "921120": 0.01, "921190": 0.06, "922110": 0.03,
        "922120": 0.09, "922160": 0.05, "221310": 0.03, "221320": 0.02, "485113": 0.03, "622110": 0.06,
        "562111": 0.02, "712190": 0.02, "624120": 0.02,
    },
}  # fmt: skip

#: Government shares of all covered employment.
GOVERNMENT_SHARES: Final[dict[int, float]] = {1: 0.020, 2: 0.035, 3: 0.095}
#: Share of a year's wages that is taxable, by quarter (the taxable wage base fills early in the year).
TAXABLE_SHARE_BY_QUARTER: Final = np.array([0.55, 0.25, 0.12, 0.08])
CONTRIBUTION_RATE: Final[dict[int, float]] = {1: 0.0, 2: 0.01, 3: 0.01, 5: 0.025}
TAXABLE_FACTOR: Final[dict[int, float]] = {1: 0.0, 2: 0.4, 3: 0.4, 5: 1.0}
WAGE_GROWTH: Final = 0.035

#: The rest of the nation, outside the synthetic states, as one pseudo-area (never written as a file).
REST_OF_NATION: Final = "rest"


@dataclass(frozen=True)
class IndustryParameters:
    """Per 6-digit industry: national weight within private employment and its sector's parameters."""

    leaf_index: np.ndarray
    weight: np.ndarray
    establishment_size: np.ndarray
    weekly_wage: np.ndarray
    growth: np.ndarray
    season_amplitude: np.ndarray
    season_peak: np.ndarray
    sector: tuple[str, ...]


@cache
def private_parameters(seed: int, per_naics4: int | None = None) -> IndustryParameters:
    """National private mix: each sector's share spread over its 6-digit industries (lognormal weights).

    ``per_naics4`` keeps at most that many 6-digit industries in each 4-digit group (a smaller, still
    complete-looking tree: every sector and most 3- and 4-digit industries stay).
    """
    tree = industry_tree()
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, (leaf, sector) in enumerate(zip(tree.leaves, tree.sector, strict=True)):
        if sector != "92" and leaf != "491110":  # public administration and the Postal Service are government
            groups.setdefault(leaf[:4], []).append(i)
    keep: list[int] = []
    for members in groups.values():
        order = rng.permutation(len(members))
        chosen = order if per_naics4 is None else order[:per_naics4]
        keep += sorted(members[j] for j in chosen)
    return _parameters(tree, sorted(keep), rng, sector_share=True)


@cache
def government_parameters(seed: int, own_code: int) -> IndustryParameters:
    tree = industry_tree()
    rng = np.random.default_rng(seed + own_code)
    weights = GOVERNMENT_INDUSTRIES[own_code]
    keep = [tree.index(code) for code in weights]
    parameters = _parameters(tree, keep, rng, sector_share=False)
    weight = np.array([weights[tree.leaves[i]] for i in keep])
    return IndustryParameters(
        leaf_index=parameters.leaf_index,
        weight=weight / weight.sum(),
        establishment_size=parameters.establishment_size,
        weekly_wage=parameters.weekly_wage * {1: 1.35, 2: 1.05, 3: 0.95}[own_code],
        growth=parameters.growth,
        season_amplitude=parameters.season_amplitude,
        season_peak=parameters.season_peak,
        sector=parameters.sector,
    )


def _parameters(
    tree: IndustryTree, keep: list[int], rng: np.random.Generator, *, sector_share: bool
) -> IndustryParameters:
    sectors = tuple(tree.sector[i] for i in keep)
    table = np.array([SECTOR_PARAMETERS[sector] for sector in sectors])
    raw = rng.lognormal(0.0, 1.0, len(keep))
    weight = np.empty(len(keep))
    for sector in set(sectors):
        members = np.array([s == sector for s in sectors])
        share = SECTOR_PARAMETERS[sector][0] if sector_share else 1.0
        weight[members] = share * raw[members] / raw[members].sum()
    return IndustryParameters(
        leaf_index=np.array(keep),
        weight=weight / weight.sum(),
        establishment_size=table[:, 1] * rng.lognormal(0.0, 0.5, len(keep)),
        weekly_wage=table[:, 2] * rng.lognormal(0.0, 0.2, len(keep)),
        growth=table[:, 3] + rng.normal(0.0, 0.012, len(keep)),
        season_amplitude=table[:, 4],
        season_peak=table[:, 5].astype(int),
        sector=sectors,
    )


@dataclass
class _Cells:
    """Cells of one ownership in some areas, before they get a time dimension."""

    area: np.ndarray  # area code per cell
    state: np.ndarray  # state FIPS per cell ('' for the rest of the nation)
    suppressible: np.ndarray  # county cells of private and federal ownership may be suppressed
    own_code: int
    industry: np.ndarray  # position in IndustryParameters
    employment: np.ndarray
    wage: np.ndarray
    parameters: IndustryParameters


def _county_cells(
    state: SyntheticState, own_code: int, parameters: IndustryParameters, rng: np.random.Generator
) -> _Cells:
    counties = state.counties
    share = GOVERNMENT_SHARES.get(own_code, 1.0 - sum(GOVERNMENT_SHARES.values()))
    size = np.array([county.employment for county in counties], dtype=float) * share
    boost = np.ones((len(counties), len(parameters.sector)))
    for c, county in enumerate(counties):
        multipliers = PROFILES[county.profile]
        for k, sector in enumerate(parameters.sector):
            boost[c, k] = multipliers.get(sector, 1.0)
    mix = parameters.weight[None, :] * boost * rng.lognormal(0.0, 0.3, boost.shape)
    expected = size[:, None] * mix / mix.sum(axis=1, keepdims=True)
    present = rng.random(expected.shape) < 1.0 - np.exp(-expected / 8.0)
    employment = np.maximum(expected, 1.0 + rng.poisson(2.0, expected.shape))
    county_index, industry = np.nonzero(present)
    wage_level = np.array([county.wage_level for county in counties])
    wage = (
        parameters.weekly_wage[industry]
        * wage_level[county_index]
        * rng.lognormal(0.0, 0.12, county_index.size)
    )
    fips = np.array([county.fips for county in counties])
    return _Cells(
        area=fips[county_index],
        state=np.full(county_index.size, state.fips),
        suppressible=np.full(county_index.size, own_code in (1, PRIVATE_OWNERSHIP)),
        own_code=own_code,
        industry=industry,
        employment=employment[county_index, industry],
        wage=wage,
        parameters=parameters,
    )


def _rest_cells(
    employment: float, own_code: int, parameters: IndustryParameters, rng: np.random.Generator
) -> _Cells:
    share = GOVERNMENT_SHARES.get(own_code, 1.0 - sum(GOVERNMENT_SHARES.values()))
    count = len(parameters.sector)
    return _Cells(
        area=np.full(count, REST_OF_NATION),
        state=np.full(count, ""),
        suppressible=np.zeros(count, dtype=bool),
        own_code=own_code,
        industry=np.arange(count),
        employment=employment * share * parameters.weight * rng.lognormal(0.0, 0.05, count) + 5.0,
        wage=parameters.weekly_wage.copy(),
        parameters=parameters,
    )


def _with_time(cells: _Cells, years: range, rng: np.random.Generator) -> pa.Table:
    """Monthly employment, quarterly establishments and wages over ``years`` for every cell."""
    p = cells.parameters
    n = cells.area.size
    k = cells.industry
    months = np.arange(12 * len(years))
    growth = p.growth[k] + rng.normal(0.0, 0.015, n)
    season = 1.0 + p.season_amplitude[k][:, None] * np.cos(
        2.0 * np.pi * ((months % 12)[None, :] + 1 - p.season_peak[k][:, None]) / 12.0
    )
    trend = (1.0 + growth)[:, None] ** (months[None, :] / 12.0)
    noise = 1.0 + rng.normal(0.0, 0.006, (n, months.size))
    monthly = np.maximum(np.rint(cells.employment[:, None] * trend * season * noise), 0).astype(np.int64)
    by_quarter = monthly.reshape(n, -1, 3)  # cells x quarters x months
    quarters = by_quarter.shape[1]
    q_index = np.arange(quarters)
    establishments = np.maximum(
        np.rint(
            (cells.employment / p.establishment_size[k])[:, None]
            * (1.0 + growth / 2.0)[:, None] ** (q_index[None, :] / 4.0)
            * (1.0 + rng.normal(0.0, 0.01, (n, quarters)))
        ),
        1,
    ).astype(np.int64)
    weekly = cells.wage[:, None] * (1.0 + WAGE_GROWTH) ** (q_index[None, :] / 4.0)
    # Finance pays its bonuses in the first quarter.
    bonus = 1.0 + 0.25 * (np.array(p.sector)[k] == "52")[:, None] * (q_index[None, :] % 4 == 0)
    wage_factor = bonus * (1.0 + rng.normal(0.0, 0.01, (n, quarters)))
    wages = np.rint(by_quarter.sum(axis=2) / 3.0 * 13.0 * weekly * wage_factor).astype(np.int64)
    taxable_share = TAXABLE_SHARE_BY_QUARTER[q_index % 4] * TAXABLE_FACTOR[cells.own_code]
    taxable = np.rint(wages * taxable_share[None, :] * rng.uniform(0.85, 1.0, (n, 1))).astype(np.int64)
    contributions = np.rint(taxable * CONTRIBUTION_RATE[cells.own_code]).astype(np.int64)

    # Suppression is decided per cell and year, from the year's average establishment count, so that
    # a cell is either disclosed or not for all quarters of a year and for the annual average.
    yearly_estabs = establishments.reshape(n, len(years), 4).mean(axis=2)
    draw = rng.random((n, len(years)))
    suppressed = cells.suppressible[:, None] & (
        ((yearly_estabs <= 2.5) & (draw < 0.6)) | ((yearly_estabs <= 5) & (draw < 0.1)) | (draw < 0.01)
    )

    tree = industry_tree()
    leaves = np.array(tree.leaves)[p.leaf_index[k]]
    year_of_quarter = np.array(years)[q_index // 4]
    return pa.table(
        {
            "area_fips": np.repeat(cells.area, quarters),
            "state_fips": np.repeat(cells.state, quarters),
            "own_code": np.full(n * quarters, cells.own_code, dtype=np.int16),
            "leaf": np.repeat(leaves, quarters),
            "year": np.tile(year_of_quarter, n).astype(np.int16),
            "qtr": np.tile(q_index % 4 + 1, n).astype(np.int16),
            "month1_emplvl": by_quarter[:, :, 0].ravel(),
            "month2_emplvl": by_quarter[:, :, 1].ravel(),
            "month3_emplvl": by_quarter[:, :, 2].ravel(),
            "qtrly_estabs": establishments.ravel(),
            "total_qtrly_wages": wages.ravel(),
            "taxable_qtrly_wages": taxable.ravel(),
            "qtrly_contributions": contributions.ravel(),
            "suppressed": np.repeat(suppressed, 4, axis=1).ravel(),
        }
    )


def state_cells(
    state: SyntheticState, *, years: range, seed: int, per_naics4: int | None = None
) -> list[pa.Table]:
    """The finest cells of every county of a state, for every ownership, over ``years``."""
    rng = np.random.default_rng([seed, int(state.fips)])
    private = private_parameters(seed, per_naics4)
    tables = [_with_time(_county_cells(state, PRIVATE_OWNERSHIP, private, rng), years, rng)]
    for own_code in (1, 2, 3):
        cells = _county_cells(state, own_code, government_parameters(seed, own_code), rng)
        tables.append(_with_time(cells, years, rng))
    return tables


def rest_of_nation_cells(
    *, employment: float, years: range, seed: int, per_naics4: int | None = None
) -> list[pa.Table]:
    """The rest of the nation as one large pseudo-area with the national mix, so that U.S. totals exist."""
    rng = np.random.default_rng([seed, 0])
    private = private_parameters(seed, per_naics4)
    tables = [_with_time(_rest_cells(employment, PRIVATE_OWNERSHIP, private, rng), years, rng)]
    for own_code in (1, 2, 3):
        cells = _rest_cells(employment, own_code, government_parameters(seed, own_code), rng)
        tables.append(_with_time(cells, years, rng))
    return tables
