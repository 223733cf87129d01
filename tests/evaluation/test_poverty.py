"""The HHS poverty guidelines module against the verified copy in ../shared/data/poverty, and its rules."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from sectorwise.evaluation import (
    POVERTY_GUIDELINE_YEARS,
    Region,
    in_poverty,
    percent_of_poverty,
    poverty_guideline,
    region_of,
)
from tests.conftest import shared_data_path

STATE_OF_REGION = {"contiguous_us": "NJ", "alaska": "AK", "hawaii": "HI"}


def _published_2016(readme: Path) -> dict[str, list[int]]:
    """The 2016 table (sizes 1-8 by region) from the README's markdown table."""
    table: dict[str, list[int]] = {"contiguous_us": [], "alaska": [], "hawaii": []}
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\| ([1-8]) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|", line.strip())
        if match:
            for region, value in zip(table, match.groups()[1:], strict=True):
                table[region].append(int(value.replace(",", "")))
    assert all(len(values) == 8 for values in table.values())
    return table


@pytest.mark.realdata
def test_every_year_region_and_household_size_equals_the_verified_copy() -> None:
    folder = shared_data_path("poverty")
    table_2016 = _published_2016(folder / "README.md")
    with (folder / "hhs_poverty_guidelines.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 39
    assert sorted({int(row["year"]) for row in rows}) == list(POVERTY_GUIDELINE_YEARS)
    for row in rows:
        year, region = int(row["year"]), row["region"]
        first, step = int(row["first_person"]), int(row["per_additional_person"])
        for size in range(1, 9):
            expected = table_2016[region][size - 1] if year == 2016 else first + (size - 1) * step
            for state in (STATE_OF_REGION[region], Region(region)):
                assert poverty_guideline(year, size, state) == Decimal(expected), (year, region, size)
        # Above 8 people every year adds the published amount per person, 2016 included.
        assert poverty_guideline(year, 9, Region(region)) - poverty_guideline(year, 8, Region(region)) == step


def test_2016_is_not_linear() -> None:
    assert poverty_guideline(2016, 2, "NJ") - poverty_guideline(2016, 1, "NJ") == 4_140
    assert poverty_guideline(2016, 7, "NJ") == poverty_guideline(2015, 7, "NJ") == Decimal(36_730)
    assert poverty_guideline(2016, 10, "NJ") == Decimal(40_890 + 2 * 4_160)


def test_states_by_postal_or_fips_code_and_territories_refused() -> None:
    assert region_of("ak") == region_of("02") == region_of("2") == Region.ALASKA
    assert region_of("15") == region_of("HI") == Region.HAWAII
    assert region_of("DC") == region_of("11") == region_of("contiguous_us") == Region.CONTIGUOUS
    with pytest.raises(ValueError, match="no poverty guidelines for 'PR'"):
        region_of("PR")
    with pytest.raises(ValueError, match="unknown state 'XX'"):
        region_of("XX")


def test_poverty_status_and_percent() -> None:
    line = poverty_guideline(2024, 3, "PA")
    assert line == Decimal(15_060 + 2 * 5_380)
    assert in_poverty(line - 1, 2024, 3, "PA")
    assert not in_poverty(line, 2024, 3, "PA")
    assert percent_of_poverty(line * 2, 2024, 3, "PA") == Decimal(200)
    assert percent_of_poverty(Decimal("12910.00"), 2024, 3, "PA") == Decimal("50")
    with pytest.raises(TypeError, match="never a float"):
        in_poverty(1000.0, 2024, 3, "PA")  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="2014-2026"):
        poverty_guideline(2013, 1, "PA")
    with pytest.raises(ValueError, match="household_size"):
        poverty_guideline(2024, 0, "PA")
