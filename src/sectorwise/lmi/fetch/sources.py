"""Where each publisher puts the files Sectorwise reads, as :class:`Download` lists.

Every publisher's base URL can be replaced (``--base-url`` or its environment variable) by a mirror or a
test server that serves the same paths. The cache path is ``<publisher>/<path below the base URL>``, so the
cache does not depend on which mirror served a file.

QCEW counties: the open-data API has no list of a state's counties, so the list is taken from BLS itself:
the all-industries slice ``<year>/1/industry/10.csv`` holds a row for every county of the nation. It is
fetched (and cached) once per year, so a year's county list is that year's (Connecticut's planning regions
replace its counties from 2024 on).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from sectorwise.lmi.delineation import STATE_FIPS_BY_POSTAL, state_fips
from sectorwise.lmi.fetch.client import Download


@dataclass(frozen=True)
class Publisher:
    key: str
    name: str
    env: str
    # service -> default base URL; a mirror given by --base-url or the environment serves every service.
    defaults: MappingProxyType[str, str]

    def base_url(self, service: str, override: str | None = None) -> str:
        chosen = override or os.environ.get(self.env) or self.defaults[service]
        return chosen.rstrip("/")

    def download(self, service: str, path: str, override: str | None = None) -> Download:
        return Download(url=f"{self.base_url(service, override)}/{path}", cache_path=f"{self.key}/{path}")


BLS: Final = Publisher(
    "bls",
    "BLS",
    "SECTORWISE_BLS_BASE_URL",
    MappingProxyType({"cew": "https://data.bls.gov", "timeseries": "https://download.bls.gov"}),
)
CENSUS: Final = Publisher(
    "census",
    "Census Bureau",
    "SECTORWISE_CENSUS_BASE_URL",
    MappingProxyType({"www2": "https://www2.census.gov"}),
)
LEHD: Final = Publisher(
    "lehd",
    "Census LEHD",
    "SECTORWISE_LEHD_BASE_URL",
    MappingProxyType({"lodes": "https://lehd.ces.census.gov"}),
)
PUBLISHERS: Final = {p.key: p for p in (BLS, CENSUS, LEHD)}

QUARTERS: Final = ("1", "2", "3", "4")
ANNUAL: Final = "a"
ALL_INDUSTRIES: Final = "10"
US_AREA: Final = "US000"
POSTAL_BY_FIPS: Final = {fips: postal for postal, fips in STATE_FIPS_BY_POSTAL.items()}

OEWS_DATA: Final = "oe.data.0.Current"
OEWS_LOOKUPS: Final = ("oe.area", "oe.industry", "oe.occupation", "oe.datatype", "oe.footnote")
OEWS_DIR: Final = "pub/time.series/oe"


def one_state(text: str) -> str:
    """The two-digit FIPS code of one state given as VT or 50."""
    codes = state_fips([text])
    if len(codes) != 1:
        raise ValueError(f"give one state (VT or 50), got {text!r}")
    return codes[0]


def years(text: str) -> list[int]:
    """Years from ``2019-2024``, ``2016`` or ``2016,2018`` (ranges inclusive)."""
    found: list[int] = []
    for part in text.split(","):
        item = part.strip()
        match = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", item)
        if not match:
            raise ValueError(f"years: expected 2019-2024, 2016 or 2016,2018, got {item!r}")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if last < first:
            raise ValueError(f"years: the range {item!r} ends before it starts")
        found.extend(range(first, last + 1))
    return sorted(set(found))


# -- QCEW (BLS open data) ----------------------------------------------------------------------------------


def qcew_slice(kind: str, year: int, period: str, code: str, base_url: str | None = None) -> Download:
    """An open-data slice: ``cew/data/api/<year>/<qtr or a>/<area|industry>/<code>.csv``."""
    return BLS.download("cew", f"cew/data/api/{year}/{period}/{kind}/{code}.csv", base_url)


def qcew_periods(*, quarters: bool, annual: bool) -> tuple[str, ...]:
    return (*(QUARTERS if quarters else ()), *((ANNUAL,) if annual else ()))


def county_list_download(year: int, base_url: str | None = None) -> Download:
    """The slice whose rows name every county of the nation for ``year`` (see the module's docstring)."""
    return qcew_slice("industry", year, QUARTERS[0], ALL_INDUSTRIES, base_url)


def state_counties(path: Path, state: str) -> list[str]:
    """The area codes of ``state``'s counties (``SS999``, unknown county, included) in an industry slice."""
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "area_fips" not in reader.fieldnames:
            raise ValueError(f"{path}: no area_fips column; expected a BLS QCEW open-data industry slice")
        areas = {
            area
            for row in reader
            if len(area := (row["area_fips"] or "").strip()) == 5
            and area.isdigit()
            and area.startswith(state)
            and area != f"{state}000"
        }
    return sorted(areas)


def qcew_area_downloads(
    *, areas: Iterable[str], year: int, periods: Sequence[str], base_url: str | None = None
) -> list[Download]:
    return [qcew_slice("area", year, period, area, base_url) for period in periods for area in areas]


def qcew_state_areas(state: str, counties: Iterable[str], *, us: bool) -> list[str]:
    """The statewide row, every county and the unknown county, and the nation when asked for."""
    areas = {f"{state}000", f"{state}999", *counties}
    return [*sorted(areas), *((US_AREA,) if us else ())]


# -- OEWS (BLS time series) --------------------------------------------------------------------------------


def oews_downloads(base_url: str | None = None) -> list[Download]:
    """The OEWS time-series files ``load_oews`` reads: the current data file and the lookups."""
    return [BLS.download("timeseries", f"{OEWS_DIR}/{name}", base_url) for name in (OEWS_DATA, *OEWS_LOOKUPS)]


def oews_year(path: Path) -> int | None:
    """The year of the first data row of an ``oe.data`` file (BLS's time series holds one release)."""
    with _open_text(path) as handle:
        handle.readline()  # header
        fields = handle.readline().split("\t")
    if len(fields) < 2 or not fields[1].strip().isdigit():
        return None
    return int(fields[1].strip())


# -- Census and LEHD ---------------------------------------------------------------------------------------


ACS_FLOWS_YEAR = 2015
"""The last year of the ACS five-year county-to-county flows fetched by default (2011-2015)."""


def acs_flows_download(year: int = ACS_FLOWS_YEAR, base_url: str | None = None) -> Download:
    """The ACS county-to-county commuting flows, table 1 (``year`` ends the five-year period)."""
    path = f"programs-surveys/demo/tables/metro-micro/{year}/commuting-flows-{year}/table1.xlsx"
    return CENSUS.download("www2", path, base_url)


def cbsa_download(year: int = 2023, base_url: str | None = None) -> Download:
    """OMB's delineation "List 1" (counties to CBSAs, metropolitan divisions and CSAs)."""
    path = (
        f"programs-surveys/metro-micro/geographies/reference-files/{year}/delineation-files/list1_{year}.xlsx"
    )
    return CENSUS.download("www2", path, base_url)


def lodes_downloads(
    state: str, year: int, *, version: str = "LODES8", job_type: str = "JT00", base_url: str | None = None
) -> list[Download]:
    """A state's LODES origin-destination files: main (home and work in the state) and aux (home outside)."""
    st = POSTAL_BY_FIPS[state].lower()
    return [
        LEHD.download(
            "lodes", f"data/lodes/{version}/{st}/od/{st}_od_{part}_{job_type}_{year}.csv.gz", base_url
        )
        for part in ("main", "aux")
    ]


def _open_text(path: Path) -> io.TextIOWrapper:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")
