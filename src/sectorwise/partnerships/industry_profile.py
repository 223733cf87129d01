"""A registry region's industry profile, from ``sectorwise.lmi.measures`` over the LMI warehouse.

The web layer executes the library's lazy Ibis expression here: the region's private-sector employment, pay,
location quotient and over-the-year change by NAICS sector for the latest year loaded, plus the rows of the
partnership's target industries. The measures read the filled table (``sectorwise.lmi.filled``, as the
command line's default ``--estimate`` does): a cell BLS suppresses shows the stored estimate, flagged, with
its bounds, so the page and ``sectorwise lmi measures`` give the same figures. ``None`` means no warehouse,
or no data for the region's counties: the page says "not loaded" rather than showing zeros. A warehouse that
cannot be read (a program writing it in place holds DuckDB's lock, a damaged file) gives
:class:`ProfileUnavailable`: the page says so and still renders; the error is logged. Sectorwise's own loads
never cause that: they swap a finished copy in (``lmi.warehouse.writing``), and a request opens the file
afresh, so it reads the data as it was before.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Final

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.core.warehouse_gateway import (
    READ_ERRORS,
    WarehouseMissing,
    WarehouseUnavailable,
    open_warehouse_read_only,
)
from sectorwise.lmi import defaults
from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, RANGE_SECTOR_OF_MEMBER, RANGE_SECTORS, SUPPRESSED
from sectorwise.lmi.filled import ESTIMATED, analysis_table, high_column, is_filled, low_column
from sectorwise.lmi.measures import annual_measures
from sectorwise.lmi.prepared import PreparedQueries
from sectorwise.lmi.regions import Region as LmiRegion

#: QCEW aggregation level of county cells by NAICS sector, private ownership (the region sums county cells).
COUNTY_SECTOR_AGGLVL: Final = 74
#: The profile's compiled queries, per shape, shared by the requests of one process.
_COMPILED: Final[dict[Hashable, Any]] = {}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndustryRow:
    industry_code: str
    industry_title: str
    employment: int | None
    """Annual average employment; None when suppressed and not estimated."""
    avg_annual_pay: int | None
    location_quotient: float | None
    employment_change_pct: float | None
    incomplete: bool
    is_target: bool
    estimated: bool = False
    """The figures, or the LQ or change computed from them, rest on an estimate of a suppressed cell."""
    employment_low: int | None = None
    employment_high: int | None = None
    """Bounds of an estimated employment (None when the row's own employment is BLS's)."""

    @property
    def employment_estimated(self) -> bool:
        """The employment itself is an estimate (not only the LQ or change computed with one)."""
        return self.employment_low is not None and self.employment_high is not None

    @property
    def employment_shown(self) -> int | None:
        """The estimate rounded as coarsely as its bounds allow (to hundreds, else tens, else units), so a
        page does not show more digits than the estimate holds; BLS's own figure unrounded."""
        if self.employment is None or self.employment_low is None or self.employment_high is None:
            return self.employment
        for step in (100, 10):
            rounded = round(self.employment / step) * step
            if self.employment_low <= rounded <= self.employment_high:
                return rounded
        return self.employment


@dataclass(frozen=True)
class IndustryProfile:
    unavailable: ClassVar[bool] = False
    year: int
    reference: str
    """The area location quotients compare with: the nation when loaded, else the region's state
    (``sectorwise.lmi.defaults.default_reference``, the command line's default too)."""
    reference_reason: str
    sectors: tuple[IndustryRow, ...]
    targets: tuple[IndustryRow, ...]


@dataclass(frozen=True)
class ProfileUnavailable:
    """The warehouse exists but could not be read; ``reason`` is for the log, the page shows a fixed note."""

    unavailable: ClassVar[bool] = True
    reason: str


def _qcew_code(naics: str) -> str:
    return RANGE_SECTOR_OF_MEMBER.get(naics, naics) if len(naics) == 2 else naics


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def region_industry_profile(
    *,
    region_name: str,
    county_fips: Iterable[str],
    target_naics: Iterable[str] = (),
    warehouse_path: Path | None = None,
) -> IndustryProfile | ProfileUnavailable | None:
    """The profile of the latest year loaded for the region's counties; None when nothing is loaded,
    ProfileUnavailable when the warehouse cannot be read (never an exception: the page must render)."""
    counties = tuple(sorted(set(county_fips)))
    if not counties:
        return None
    try:
        with open_warehouse_read_only(warehouse_path) as con:
            return _profile(con, region_name, counties, {_qcew_code(code) for code in target_naics})
    except (WarehouseMissing, defaults.NoDataLoaded):
        return None
    except defaults.NoReferenceLoaded as error:
        logger.warning("industry profile of %s: %s", region_name, error)
        return ProfileUnavailable(reason=str(error))
    except WarehouseUnavailable as error:
        logger.warning("industry profile of %s: %s", region_name, error)
        return ProfileUnavailable(reason=str(error))
    except READ_ERRORS as error:
        # Not a lock (the open succeeded): a damaged or foreign file, worth a traceback in the log.
        logger.exception("industry profile of %s: the LMI warehouse cannot be read", region_name)
        return ProfileUnavailable(reason=f"cannot read the warehouse: {error}")


def _profile(
    con: DuckDBBackend, region_name: str, counties: tuple[str, ...], targets: set[str]
) -> IndustryProfile | None:
    # The same defaults as `sectorwise lmi ... --period A`: the latest annual year holding the region's
    # counties, LQs against the U.S. when loaded, else the region's state (lmi/defaults.py says why).
    period = defaults.latest_period(con, annual=True, areas=counties)
    year = period.year
    chosen = defaults.default_reference(defaults.period_table(con, period), counties=counties, period=period)
    reference = chosen.area_fips
    annual = analysis_table(con, annual=True, estimate=True)
    filled = is_filled(annual)  # the filled query is another shape: part of the key below
    titles = con.table("industry_titles")

    def build(name: str, members: tuple[str, ...], reference: str, targets: tuple[str, ...]) -> ir.Table:
        table = annual_measures(
            annual,
            year=year,
            reference=reference,
            areas=[],
            ownerships=[PRIVATE_OWNERSHIP],
            regions=[LmiRegion(name=name, counties=members)],
            industry_titles=titles,
        )
        wanted = table.agglvl_code == COUNTY_SECTOR_AGGLVL
        if targets:  # how many is part of the shape: an empty list is another query
            wanted = wanted | table.industry_code.isin(list(targets))
        return table.filter(wanted)

    # Ibis builds and compiles this query in ~0.25 s, DuckDB runs it in a few ms: compiled once per
    # shape and process, then only executed with the region's values bound.
    prepared = PreparedQueries(con, templates=_COMPILED)
    records = prepared.to_pyarrow(
        ("industry profile", year, len(counties), len(targets), filled),
        build,
        {
            "name": region_name,
            "members": counties,
            "reference": reference,
            "targets": tuple(sorted(targets)),
        },
    ).to_pylist()
    rows = [_row(record, targets) for record in records]
    sectors = sorted(
        (row for row in rows if len(row.industry_code) == 2 or row.industry_code in RANGE_SECTORS),
        key=lambda row: (-(row.employment or 0), row.industry_code),  # measures return rows unordered
    )
    return IndustryProfile(
        year=year,
        reference=reference,
        reference_reason=chosen.reason,
        sectors=tuple(sectors),
        targets=tuple(row for row in rows if row.is_target),
    )


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _row(record: dict[str, Any], targets: set[str]) -> IndustryRow:
    estimated = bool(record.get(ESTIMATED))
    # A suppressed cell filled with an estimate has figures (its `estimated` says so); a region whose every
    # member cell is suppressed keeps BLS's 'N' even when each member is filled.
    suppressed = (record.get("disclosure_code") or "") == SUPPRESSED and not estimated
    employment = _number(record.get("annual_avg_emplvl"))
    pay = _number(record.get("avg_annual_pay"))
    low = _number(record.get(low_column("annual_avg_emplvl")))
    high = _number(record.get(high_column("annual_avg_emplvl")))
    # Bounds differ from the figure only where the figure itself (or a member's) is an estimate.
    own_estimate = (
        estimated and low is not None and high is not None and (low != employment or high != employment)
    )
    code = str(record["industry_code"])
    return IndustryRow(
        industry_code=code,
        industry_title=str(record.get("industry_title") or code),
        employment=None if suppressed or employment is None else int(employment),
        avg_annual_pay=None if suppressed or pay is None else int(pay),
        location_quotient=_number(record.get("lq_annual_avg_emplvl")),
        employment_change_pct=_number(record.get("oty_annual_avg_emplvl_pct_chg")),
        incomplete=bool(record.get("incomplete")),
        is_target=code in targets,
        estimated=estimated,
        employment_low=_whole(low) if own_estimate and not suppressed else None,
        employment_high=_whole(high) if own_estimate and not suppressed else None,
    )
