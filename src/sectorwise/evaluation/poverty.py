"""The HHS poverty guidelines, 2014-2026, and poverty status by them.

The guidelines are issued by the U.S. Department of Health and Human Services each January in the Federal
Register (and on aspe.hhs.gov/poverty-guidelines); they are works of the U.S. Government, in the public
domain. They differ from the Census Bureau's poverty *thresholds* (statistics): the guidelines are what
programs use for eligibility, and what the issue's poverty outcome uses. There are three sets: the 48
contiguous states and the District of Columbia, Alaska, and Hawaii. HHS defines none for Puerto Rico or
the other territories.

For every year but 2016 a household of n people has ``first_person + (n - 1) * per_additional_person``.
HHS's 2016 tables are not linear: the preliminary 2016 figures used a step of $4,140 (AK $5,180, HI $4,760),
and for households of 7 and 8 they fell below 2015's, so HHS kept the 2015 figures for those sizes; above 8
it adds $4,160 (AK $5,200, HI $4,780) per person. The 2016 tables are therefore written out in full.

Figures transcribed from the published guidelines (the January Federal Register notices, as listed on
aspe.hhs.gov/poverty-guidelines; ASPE's "Computations for the 2016 Poverty Guidelines" for 2016). 2026 was
taken from the project's verified copy (three public sources agree; ../shared/data/poverty/README.md) and has
not been checked against its Federal Register notice here. Tests compare every year, region and household
size 1-8 with that copy. A new year is added here by hand after checking it against its notice.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final


class Region(StrEnum):
    """HHS's three sets of guidelines."""

    CONTIGUOUS = "contiguous_us"
    ALASKA = "alaska"
    HAWAII = "hawaii"


#: (first person, each additional person), whole dollars: the 48 contiguous states and DC, Alaska, Hawaii.
_LINEAR_ROWS: Final[dict[int, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]]] = {
    # year: (contiguous states and DC),  (Alaska),         (Hawaii)
    2014: ((11_670, 4_060), (14_580, 5_080), (13_420, 4_670)),
    2015: ((11_770, 4_160), (14_720, 5_200), (13_550, 4_780)),
    2017: ((12_060, 4_180), (15_060, 5_230), (13_860, 4_810)),
    2018: ((12_140, 4_320), (15_180, 5_400), (13_960, 4_970)),
    2019: ((12_490, 4_420), (15_600, 5_530), (14_380, 5_080)),
    2020: ((12_760, 4_480), (15_950, 5_600), (14_680, 5_150)),
    2021: ((12_880, 4_540), (16_090, 5_680), (14_820, 5_220)),
    2022: ((13_590, 4_720), (16_990, 5_900), (15_630, 5_430)),
    2023: ((14_580, 5_140), (18_210, 6_430), (16_770, 5_910)),
    2024: ((15_060, 5_380), (18_810, 6_730), (17_310, 6_190)),
    2025: ((15_650, 5_500), (19_550, 6_880), (17_990, 6_330)),
    2026: ((15_960, 5_680), (19_950, 7_100), (18_360, 6_530)),
}  # fmt: skip
_LINEAR: Final[dict[int, dict[Region, tuple[int, int]]]] = {
    year: dict(zip((Region.CONTIGUOUS, Region.ALASKA, Region.HAWAII), row, strict=True))
    for year, row in _LINEAR_ROWS.items()
}

#: 2016 as published: households of 1 to 8, then the amount per person above 8.
_TABLE_2016: Final[dict[Region, tuple[tuple[int, ...], int]]] = {
    Region.CONTIGUOUS: ((11_880, 16_020, 20_160, 24_300, 28_440, 32_580, 36_730, 40_890), 4_160),
    Region.ALASKA: ((14_840, 20_020, 25_200, 30_380, 35_560, 40_740, 45_920, 51_120), 5_200),
    Region.HAWAII: ((13_670, 18_430, 23_190, 27_950, 32_710, 37_470, 42_230, 47_010), 4_780),
}

YEARS: Final = tuple(sorted({*_LINEAR, 2016}))

#: The 50 states and DC by postal code and FIPS code; AK (02) and HI (15) have their own guidelines.
_STATES: Final[dict[str, str]] = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10",
    "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19",
    "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27",
    "MS": "28", "MO": "29", "MT": "30", "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35",
    "NY": "36", "NC": "37", "ND": "38", "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44",
    "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53",
    "WV": "54", "WI": "55", "WY": "56",
}  # fmt: skip
_TERRITORIES: Final = frozenset({"PR", "72", "GU", "66", "VI", "78", "AS", "60", "MP", "69"})


def region_of(state: str | Region) -> Region:
    """The guidelines' region of a state given by postal code (``"AK"``), FIPS code (``"02"``, ``"2"``) or a
    :class:`Region`. The territories are refused: HHS defines no guidelines for them (its programs decide)."""
    if isinstance(state, Region):
        return state
    code = state.strip().upper()
    if code.isdigit():
        code = code.zfill(2)
    if code in _TERRITORIES:
        raise ValueError(
            f"HHS defines no poverty guidelines for {state!r} (Puerto Rico and the territories); "
            "the program's own rule decides which guidelines apply"
        )
    postal = code if code in _STATES else next((p for p, f in _STATES.items() if f == code), None)
    if postal is None:
        try:
            return Region(state.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown state {state!r}: give a postal code (e.g. 'NJ'), a FIPS code (e.g. '34') "
                f"or one of {', '.join(r.value for r in Region)}"
            ) from None
    return {"AK": Region.ALASKA, "HI": Region.HAWAII}.get(postal, Region.CONTIGUOUS)


def poverty_guideline(year: int, household_size: int, state: str | Region) -> Decimal:
    """The HHS poverty guideline (whole dollars, as a Decimal) for a household of ``household_size`` people
    in ``state`` in the guidelines issued in ``year``.

    Which year's guidelines apply is the program's rule (usually those in force when income is measured;
    HHS issues them in January). Raises ``LookupError`` for a year outside :data:`YEARS`.
    """
    if isinstance(household_size, bool) or not isinstance(household_size, int) or household_size < 1:
        raise ValueError(f"household_size must be a whole number >= 1, got {household_size!r}")
    region = region_of(state)
    if year == 2016:
        sizes, step = _TABLE_2016[region]
        if household_size <= len(sizes):
            return Decimal(sizes[household_size - 1])
        return Decimal(sizes[-1] + (household_size - len(sizes)) * step)
    if year not in _LINEAR:
        raise LookupError(f"no poverty guidelines for {year!r} here; available: {YEARS[0]}-{YEARS[-1]}")
    first, step = _LINEAR[year][region]
    return Decimal(first + (household_size - 1) * step)


def _income(income: Decimal | int) -> Decimal:
    if isinstance(income, float | bool):
        raise TypeError("income must be a Decimal or an int (money is never a float)")
    value = Decimal(income)
    if not value.is_finite():
        raise ValueError(f"income must be a finite amount, got {income!r}")
    return value


def percent_of_poverty(income: Decimal | int, year: int, household_size: int, state: str | Region) -> Decimal:
    """Annual household income as a percent of the poverty guideline (e.g. ``Decimal("138.5")``), unrounded:
    round only for display, so that eligibility tests such as "at or below 200 %" see the exact ratio."""
    return _income(income) * 100 / poverty_guideline(year, household_size, state)


def in_poverty(income: Decimal | int, year: int, household_size: int, state: str | Region) -> bool:
    """True when annual household income is below the poverty guideline (income < 100 % of poverty).

    "Below" follows the Census Bureau's definition of poverty status (income less than the threshold); a
    program whose rule is "at or below 100 %" compares :func:`percent_of_poverty` itself.
    """
    return _income(income) < poverty_guideline(year, household_size, state)
