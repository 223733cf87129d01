"""The analysis defaults, decided once for the command line and the web: which period, which reference
area, which base year. Pure (no Django); typed errors that name what the warehouse does hold.

Rules (docs/architecture.md, "LMI once"):

* **Period** — the latest loaded: the latest quarter when quarterly data is loaded and the analysis may use
  a quarter, else the latest annual year (``annual=True`` asks for annual averages only: the web's industry
  profile and employment figures). With ``areas``, only periods holding at least one of them count, so a
  region is analysed in the latest period that has its counties.
* **Reference area** (the denominator of location quotients and the economy of shift-share): **the nation,
  U.S. (US000), when it is loaded for the period; else the region's state when the region lies in one state
  and the state is loaded**; otherwise the user must name one. Decision: BLS publishes its county location
  quotients against the U.S., and the Cluster Mapping Project's strong-cluster rule and most published
  regional profiles do the same, so an analyst's figures can be checked against published ones; an LQ
  against the state hides a specialisation the whole state shares (a Vermont region's tourism looks average
  against Vermont). A state's analysts who want the within-state view name the state (``--reference 50000``
  on the command line). The answer carries its reason, and both the CLI's titles and the partnership page
  say which reference was used.
* **Base year** of growth and shift-share — the year before, same period, when every county of the region
  is loaded for it; else none (growth is then not computed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.lmi import warehouse
from sectorwise.lmi.codes import TOTAL_INDUSTRY, TOTAL_OWNERSHIP, US_FIPS

ANNUAL: Final = "A"
QUARTERS: Final = ("1", "2", "3", "4")
#: How many loaded periods an error message lists before "and N more".
_LISTED: Final = 8


class AnalysisDefaultsError(LookupError):
    """A default cannot be chosen, or what the user gave is not loaded; the message says what is."""


class NoDataLoaded(AnalysisDefaultsError):
    def __init__(self, areas: Sequence[str] = ()) -> None:
        where = f" for {', '.join(areas[:_LISTED])}" if areas else ""
        super().__init__(
            f"the warehouse holds no QCEW data{where}: load files with `sectorwise lmi ingest PATH...`"
        )


class BadPeriod(AnalysisDefaultsError):
    """A period that cannot exist (``--period 5``)."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    qtr: str
    """"1"-"4", or "A" for annual averages."""

    @property
    def annual(self) -> bool:
        return self.qtr == ANNUAL

    @property
    def label(self) -> str:
        return f"{self.year} annual" if self.annual else f"{self.year} Q{self.qtr}"


class UnknownPeriod(AnalysisDefaultsError):
    def __init__(self, period: Period, loaded: Sequence[Period]) -> None:
        self.period = period
        self.loaded = tuple(loaded)
        shown = ", ".join(p.label for p in sorted(loaded, reverse=True)[:_LISTED])
        more = f" and {len(loaded) - _LISTED} more" if len(loaded) > _LISTED else ""
        super().__init__(
            f"{period.label} is not in the warehouse; it holds {shown}{more}"
            if loaded
            else f"{period.label} is not in the warehouse; it holds no QCEW data"
        )


class UnknownReference(AnalysisDefaultsError):
    """The reference area the user named is not loaded for the period."""


class NoReferenceLoaded(AnalysisDefaultsError):
    """Neither the U.S. nor the region's (single) state is loaded for the period."""


class BadBaseYear(AnalysisDefaultsError):
    """A base year that does not come before the period's year."""


@dataclass(frozen=True)
class Reference:
    area_fips: str
    reason: str
    """Why this area: 'given', 'the nation (U.S.)' or 'the region's state: the U.S. is not loaded'."""

    @property
    def label(self) -> str:
        return "the U.S." if self.area_fips == US_FIPS else f"area {self.area_fips}"


def normalise_qtr(text: str) -> str:
    qtr = text.strip().upper()
    if qtr not in (*QUARTERS, ANNUAL):
        raise BadPeriod(f"--period {text!r}: expected 1, 2, 3, 4 or A")
    return qtr


def loaded_periods(con: DuckDBBackend, *, annual: bool, areas: Sequence[str] = ()) -> list[Period]:
    """The (year, qtr) pairs of one table (annual or quarterly), optionally only those holding an area."""
    table = con.table(warehouse.ANNUAL_TABLE if annual else warehouse.QUARTERLY_TABLE)
    if areas:
        table = table.filter(table.area_fips.isin(list(areas)))
    rows = table.select("year", "qtr").distinct().to_pyarrow().to_pylist()
    return sorted(Period(int(row["year"]), ANNUAL if annual else str(row["qtr"])) for row in rows)


def latest_period(con: DuckDBBackend, *, annual: bool = False, areas: Sequence[str] = ()) -> Period:
    """The latest period loaded (see the module's rule); ``NoDataLoaded`` when there is none."""
    if not annual:
        quarters = loaded_periods(con, annual=False, areas=areas)
        if quarters:
            return quarters[-1]
    years = loaded_periods(con, annual=True, areas=areas)
    if years:
        return years[-1]
    raise NoDataLoaded(areas)


def resolve_period(
    con: DuckDBBackend, *, year: int | None, qtr: str | None, areas: Sequence[str] = ()
) -> Period:
    """The period the user asked for, parts not given taken from :func:`latest_period`; ``UnknownPeriod``
    naming the loaded periods when it is not in the warehouse."""
    given_qtr = normalise_qtr(qtr) if qtr is not None else None
    if year is None or given_qtr is None:
        latest = latest_period(con, annual=given_qtr == ANNUAL, areas=areas)
        if given_qtr is not None and given_qtr != ANNUAL and latest.annual:
            # Quarter asked for, only annual data loaded: no latest quarter to borrow the year from.
            raise UnknownPeriod(Period(year or latest.year, given_qtr), loaded_periods(con, annual=False))
        year = latest.year if year is None else year
        given_qtr = latest.qtr if given_qtr is None else given_qtr
    period = Period(year, given_qtr)
    loaded = loaded_periods(con, annual=period.annual)
    if period not in loaded:
        raise UnknownPeriod(period, loaded + loaded_periods(con, annual=not period.annual))
    return period


def period_table(con: DuckDBBackend, period: Period) -> ir.Table:
    return con.table(warehouse.ANNUAL_TABLE if period.annual else warehouse.QUARTERLY_TABLE)


def loaded_areas(qcew: ir.Table, period: Period) -> set[str]:
    """Areas with a total-covered, all-industries row for the period."""
    totals = qcew.filter(
        qcew.year == period.year,
        qcew.qtr == period.qtr,
        qcew.own_code == TOTAL_OWNERSHIP,
        qcew.industry_code == TOTAL_INDUSTRY,
    )
    return set(totals.select("area_fips").distinct().to_pyarrow().column("area_fips").to_pylist())


def default_reference(
    qcew: ir.Table, *, counties: Iterable[str], period: Period, given: str | None = None
) -> Reference:
    """The reference area of the module's rule (the U.S., else the region's single state)."""
    loaded = loaded_areas(qcew, period)
    if given is not None:
        if given not in loaded:
            raise UnknownReference(f"--reference {given!r} is not in the warehouse for {period.label}")
        return Reference(given, "given")
    if US_FIPS in loaded:
        return Reference(US_FIPS, "the nation (U.S.), the default")
    states = {county[:2] for county in counties}
    if len(states) == 1:
        state = f"{states.pop()}000"
        if state in loaded:
            return Reference(state, "the region's state: the U.S. is not loaded")
    raise NoReferenceLoaded(
        f"no U.S. or statewide data is loaded for the region for {period.label}: give --reference AREA"
    )


def base_year(
    qcew: ir.Table, *, counties: Sequence[str], period: Period, given: int | None = None
) -> int | None:
    """The growth/shift-share start year: the one given (checked), else the year before when every county
    of the region is loaded for it."""
    if given is not None:
        if given >= period.year:
            raise BadBaseYear(f"--base-year {given} must come before {period.year}")
        return given
    loaded = loaded_areas(qcew, Period(period.year - 1, period.qtr))
    return period.year - 1 if all(county in loaded for county in counties) else None
