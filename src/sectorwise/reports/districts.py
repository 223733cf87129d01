"""District-to-county equivalence files: read, check, and the in-memory equivalence the report uses.

A file (CSV or XLSX, read by ``core.tabular.reader``) has a header and either

- ``district,county_fips[,share]``: the share of the county in the district (0 < share <= 1; 1 when left
  out); the shares of one county over all districts add up to at most 1; or
- ``district,block``: a block equivalence file (15-digit census block GEOIDs, as the Census Bureau's
  block assignment files give them); each county's share in a district is the fraction of the county's
  blocks listed under that district (a count of blocks, not of people: the file carries no population).

Every bad row is reported with its spreadsheet row number; nothing is kept from a file with errors.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from sectorwise.core.tabular.reader import read_table

WHOLE: Final = Decimal("1")
SHARE_PLACES: Final = Decimal("0.000001")
COUNTY_DIGITS: Final = 5
BLOCK_DIGITS: Final = 15
#: Shares of one county may exceed 1 by rounding in the file, no more.
TOLERANCE: Final = Decimal("0.001")


class DistrictFileError(ValueError):
    """The file cannot be used; ``errors`` lists every problem (row numbers as the spreadsheet shows)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            "; ".join(errors[:20]) + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else "")
        )
        self.errors = errors


@dataclass(frozen=True)
class DistrictRow:
    district: str
    county_fips: str
    share: Decimal


@dataclass(frozen=True)
class DistrictEquivalence:
    """A district plan as the report uses it: its name, where it came from, and its (district, county,
    share) rows."""

    name: str
    source: str
    loaded: str
    rows: tuple[DistrictRow, ...]

    def districts(self) -> list[str]:
        return sorted({row.district for row in self.rows}, key=_natural)


def _natural(text: str) -> tuple[int, str]:
    """District "2" before "10"; names that are not numbers after the numbers, alphabetically."""
    return (int(text), "") if text.isdigit() else (10**9, text)


def _county_rows(records: list[tuple[int, dict[str, str]]], errors: list[str]) -> list[DistrictRow]:
    rows: list[DistrictRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, record in records:
        district = record.get("district", "").strip()
        fips = record.get("county_fips", "").strip()
        share_text = record.get("share", "").strip()
        if not district:
            errors.append(f"row {number}: the district is blank")
            continue
        if len(fips) != COUNTY_DIGITS or not fips.isdigit():
            errors.append(f"row {number}: county_fips {fips!r} is not five digits")
            continue
        try:
            share = Decimal(share_text) if share_text else WHOLE
        except InvalidOperation:
            errors.append(f"row {number}: share {share_text!r} is not a number")
            continue
        if not Decimal(0) < share <= WHOLE:
            errors.append(f"row {number}: share {share_text} is not in (0, 1]")
            continue
        key = (district, fips)
        if key in seen:
            errors.append(
                f"row {number}: district {district} and county {fips} again (first on row {seen[key]})"
            )
            continue
        seen[key] = number
        rows.append(DistrictRow(district, fips, share.quantize(SHARE_PLACES)))
    return rows


def _block_rows(records: list[tuple[int, dict[str, str]]], errors: list[str]) -> list[DistrictRow]:
    blocks: Counter[tuple[str, str]] = Counter()
    per_county: Counter[str] = Counter()
    seen: dict[str, int] = {}
    for number, record in records:
        district = record.get("district", "").strip()
        block = record.get("block", "").strip()
        if not district:
            errors.append(f"row {number}: the district is blank")
            continue
        if len(block) != BLOCK_DIGITS or not block.isdigit():
            errors.append(f"row {number}: block {block!r} is not a 15-digit census block GEOID")
            continue
        if block in seen:
            errors.append(f"row {number}: block {block} again (first on row {seen[block]})")
            continue
        seen[block] = number
        blocks[(district, block[:COUNTY_DIGITS])] += 1
        per_county[block[:COUNTY_DIGITS]] += 1
    return [
        DistrictRow(district, fips, (Decimal(count) / Decimal(per_county[fips])).quantize(SHARE_PLACES))
        for (district, fips), count in sorted(blocks.items())
    ]


def read_district_file(*, filename: str, content: bytes) -> list[DistrictRow]:
    """The rows of an equivalence file, checked; raises ``DistrictFileError`` listing every problem (or the
    reader's ``TableReadError`` for a file that cannot be read at all)."""
    table = read_table(filename=filename, content=content)
    errors: list[str] = []
    if "district" not in table.header or not {"county_fips", "block"} & set(table.header):
        raise DistrictFileError(
            [
                f"{filename}: the columns are district,county_fips[,share] or district,block; found "
                f"{','.join(table.header)}"
            ]
        )
    if "county_fips" in table.header:
        rows = _county_rows(table.records, errors)
        totals: defaultdict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            totals[row.county_fips] += row.share
        for fips, total in sorted(totals.items()):
            if total > WHOLE + TOLERANCE:
                errors.append(f"county {fips}: its shares add up to {total}, more than 1")
    else:
        rows = _block_rows(table.records, errors)
    if not rows and not errors:
        errors.append(f"{filename}: no rows")
    if errors:
        raise DistrictFileError(errors)
    return rows
