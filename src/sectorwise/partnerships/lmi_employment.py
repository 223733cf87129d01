"""A region's private-sector employment in a set of NAICS industries, read from the LMI warehouse.

This is the web layer executing an Ibis expression (the library stays lazy). County cells BLS suppressed
(disclosure code N) contribute nothing and mark the figure incomplete, never silently low. A warehouse that
cannot be read (locked by a program writing it in place, damaged) gives :class:`EmploymentUnavailable`,
logged, never an exception: the page that shows the figure must still render.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.core.warehouse_gateway import (
    READ_ERRORS,
    WarehouseMissing,
    WarehouseUnavailable,
    open_warehouse_read_only,
)
from sectorwise.lmi import warehouse
from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, RANGE_SECTOR_OF_MEMBER, RANGE_SECTORS, SUPPRESSED
from sectorwise.lmi.defaults import NoDataLoaded, latest_period

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegionIndustryEmployment:
    year: int
    employment: int
    counties_with_data: int
    incomplete: bool
    """True when a county cell was suppressed or missing: the employment is a lower bound."""


@dataclass(frozen=True)
class EmploymentUnavailable:
    """The warehouse exists but could not be read; ``reason`` is for the log."""

    reason: str


def _qcew_codes(naics_codes: Iterable[str]) -> list[str]:
    """NAICS codes as QCEW writes them: sectors 31-33, 44-45 and 48-49 as ranges."""
    return sorted(
        {RANGE_SECTOR_OF_MEMBER.get(code, code) if len(code) == 2 else code for code in naics_codes}
    )


def _without_nested(codes: list[str]) -> list[str]:
    """Drop codes inside another listed code (31-33 and 336 would count 336 twice)."""

    def covers(outer: str, inner: str) -> bool:
        members = RANGE_SECTORS.get(outer, (outer,))
        return outer != inner and any(inner.startswith(member) for member in members)

    return [code for code in codes if not any(covers(other, code) for other in codes)]


def region_industry_employment(
    *, county_fips: Iterable[str], naics_codes: Iterable[str], warehouse_path: Path | None = None
) -> RegionIndustryEmployment | EmploymentUnavailable | None:
    """Annual average private employment of the latest year; None without a warehouse or data."""
    counties = sorted(set(county_fips))
    codes = _without_nested(_qcew_codes(naics_codes))
    if not counties or not codes:
        return None
    try:
        with open_warehouse_read_only(warehouse_path) as con:
            return _employment(con, counties, codes)
    except (WarehouseMissing, NoDataLoaded):
        return None
    except WarehouseUnavailable as error:
        logger.warning("region employment: %s", error)
        return EmploymentUnavailable(reason=str(error))
    except READ_ERRORS as error:
        logger.exception("region employment: the LMI warehouse cannot be read")
        return EmploymentUnavailable(reason=f"cannot read the warehouse: {error}")


def _employment(con: DuckDBBackend, counties: list[str], codes: list[str]) -> RegionIndustryEmployment | None:
    # The year of the region's industry profile (lmi.defaults: the latest annual year with its counties).
    latest = latest_period(con, annual=True, areas=counties).year
    annual = con.table(warehouse.ANNUAL_TABLE)
    cells = annual.filter(
        annual.area_fips.isin(counties),
        annual.own_code == PRIVATE_OWNERSHIP,
        annual.industry_code.isin(codes),
        annual.year == latest,
    )
    rows = cells.select("area_fips", "industry_code", "disclosure_code", "annual_avg_emplvl").execute()
    suppressed = rows["disclosure_code"].fillna("").eq(SUPPRESSED)
    disclosed = rows[~suppressed]
    # A county with no establishments in an industry has no row at all, so a missing cell is not proof of
    # suppression; only an explicit N marks the figure incomplete.
    return RegionIndustryEmployment(
        year=int(latest),
        employment=int(disclosed["annual_avg_emplvl"].fillna(0).sum()),
        counties_with_data=int(disclosed["area_fips"].nunique()),
        incomplete=bool(suppressed.any()),
    )
