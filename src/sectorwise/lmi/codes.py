"""QCEW codes: ownership, aggregation levels, NAICS hierarchy and FIPS helpers.

The code lists are BLS's published definitions (https://www.bls.gov/cew/classifications/), written
out here so that the library works offline.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

OWNERSHIP_TITLES: Final[dict[int, str]] = {
    0: "Total Covered",
    1: "Federal Government",
    2: "State Government",
    3: "Local Government",
    4: "International Government",
    5: "Private",
    8: "Total Government",
    9: "Total U.I. Covered (Excludes Federal Government)",
}

TOTAL_OWNERSHIP: Final = 0
#: Private ownership (own_code 5): the businesses partnerships and rankings are about.
PRIVATE_OWNERSHIP: Final = 5
TOTAL_INDUSTRY: Final = "10"
US_FIPS: Final = "US000"

#: BLS disclosure code for a suppressed cell (its figures are published as zeros).
SUPPRESSED: Final = "N"

# Aggregation levels: the tens digit says the kind of area, the units digit the industry level.
AREA_KIND_BY_AGGLVL_TENS: Final[dict[int, str]] = {
    1: "national",
    2: "national",  # 21-28: national by establishment size
    3: "csa",
    4: "msa",
    5: "state",
    6: "state",  # 61-68: state by establishment size
    7: "county",
}

INDUSTRY_LEVEL_BY_AGGLVL_UNITS: Final[dict[int, str]] = {
    0: "total",
    1: "ownership",
    2: "domain",
    3: "supersector",
    4: "sector",
    5: "naics3",
    6: "naics4",
    7: "naics5",
    8: "naics6",
}

#: NAICS sectors that BLS writes as ranges.
RANGE_SECTORS: Final[dict[str, tuple[str, ...]]] = {
    "31-33": ("31", "32", "33"),
    "44-45": ("44", "45"),
    "48-49": ("48", "49"),
}
#: The inversion of ``RANGE_SECTORS``: a two-digit member ('31') -> the sector BLS writes ('31-33').
RANGE_SECTOR_OF_MEMBER: Final[dict[str, str]] = {
    member: sector for sector, members in RANGE_SECTORS.items() for member in members
}


class NaicsLevel(StrEnum):
    """The industry levels a region can be analysed at."""

    TOTAL = "total"
    DOMAIN = "domain"
    SUPERSECTOR = "supersector"
    SECTOR = "sector"
    NAICS3 = "naics3"
    NAICS4 = "naics4"
    NAICS5 = "naics5"
    NAICS6 = "naics6"


def naics_level(industry_code: str) -> NaicsLevel:
    """The level of a QCEW industry code ('10', '101', '1011', '31-33', '311', ... '311111')."""
    code = industry_code.strip()
    if code == TOTAL_INDUSTRY:
        return NaicsLevel.TOTAL
    if code in ("101", "102"):
        return NaicsLevel.DOMAIN
    if len(code) == 4 and code.startswith("10"):
        return NaicsLevel.SUPERSECTOR
    if code in RANGE_SECTORS or (len(code) == 2 and code.isdigit()):
        return NaicsLevel.SECTOR
    if code.isdigit() and 3 <= len(code) <= 6:
        return NaicsLevel(f"naics{len(code)}")
    raise ValueError(f"not a QCEW industry code: {industry_code!r}")


def naics_sector(industry_code: str) -> str | None:
    """The sector ('31-33' style where BLS uses a range) a NAICS code of level 2-6 belongs to."""
    code = industry_code.strip()
    if code in RANGE_SECTORS:
        return code
    if not code[:2].isdigit() or naics_level(code) in (
        NaicsLevel.TOTAL,
        NaicsLevel.DOMAIN,
        NaicsLevel.SUPERSECTOR,
    ):
        return None
    return RANGE_SECTOR_OF_MEMBER.get(code[:2], code[:2])


def naics_parent(industry_code: str) -> str | None:
    """The code one level up in the NAICS hierarchy, or None at sector level and above."""
    level = naics_level(industry_code)
    if level in (NaicsLevel.NAICS4, NaicsLevel.NAICS5, NaicsLevel.NAICS6):
        return industry_code[:-1]
    if level is NaicsLevel.NAICS3:
        return naics_sector(industry_code)
    return None


def is_county_fips(area_fips: str) -> bool:
    """A five-digit state+county FIPS code (including the 'unknown' county, SS999)."""
    return len(area_fips) == 5 and area_fips.isdigit() and not area_fips.endswith("000")


def is_state_fips(area_fips: str) -> bool:
    """A statewide QCEW area code such as '50000'."""
    return len(area_fips) == 5 and area_fips.isdigit() and area_fips.endswith("000")


def state_of(area_fips: str) -> str:
    """The two-digit state FIPS of a county or statewide area code."""
    if not area_fips[:2].isdigit():
        raise ValueError(f"{area_fips!r} is not in a state")
    return area_fips[:2]
