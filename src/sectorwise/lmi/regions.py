"""Custom regions: a named set of counties, read from a small TOML file or given on the command line.

A regions file names one table per region under ``regions``::

    [regions."Northwest Vermont"]
    description = "Chittenden, Franklin and Grand Isle"   # optional
    counties = ["50007", "50011", "50013"]

Counties are five-digit state+county FIPS codes. Other modules (commuting-zone delineation, published region
sets) build the same :class:`Region` objects; measures aggregate a region's counties with
``sectorwise.lmi.measures``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sectorwise.lmi.codes import is_county_fips

_FIPS_PATTERN = re.compile(r"^\d{5}$")
_TOML_POSITION = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Region:
    """A named set of counties (five-digit FIPS codes), aggregated as one area."""

    name: str
    counties: tuple[str, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a region needs a name")
        if not self.counties:
            raise ValueError(f"region {self.name!r} has no counties")
        for county in self.counties:
            if not (_FIPS_PATTERN.match(county) and is_county_fips(county)):
                raise ValueError(
                    f"region {self.name!r}: {county!r} is not a county FIPS code "
                    "(five digits, state then county, e.g. '50007')"
                )
        if len(set(self.counties)) != len(self.counties):
            raise ValueError(f"region {self.name!r} lists a county twice")


class RegionFileError(ValueError):
    """A regions file that cannot be read; the message names the file and, where known, the line."""


def _line_of(text: str, needle: str) -> int | None:
    """The first line (1-based) on which ``needle`` appears, to point the reader at a bad value."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _where(path: Path, text: str, needle: str) -> str:
    line = _line_of(text, needle)
    return f"{path}, line {line}" if line is not None else str(path)


def _region_from_table(
    name: str, table: Any, *, path: Path, text: str, known_counties: Collection[str] | None
) -> Region:
    header_at = _where(path, text, name)
    if not isinstance(table, Mapping):
        raise RegionFileError(f"{header_at}: region {name!r} must be a table with a `counties` list")
    unknown_keys = set(table) - {"counties", "description"}
    if unknown_keys:
        key = sorted(unknown_keys)[0]
        raise RegionFileError(
            f"{_where(path, text, key)}: region {name!r} has an unknown field {key!r} "
            "(expected `counties` and optionally `description`)"
        )
    counties = table.get("counties")
    if not isinstance(counties, list) or not counties:
        raise RegionFileError(
            f"{header_at}: region {name!r} field `counties` must be a non-empty list of county FIPS codes"
        )
    for county in counties:
        if not isinstance(county, str):
            raise RegionFileError(
                f"{_where(path, text, str(county))}: region {name!r} field `counties`: {county!r} must be "
                'a quoted five-digit FIPS code such as "50007"'
            )
        if not (_FIPS_PATTERN.match(county) and is_county_fips(county)):
            raise RegionFileError(
                f"{_where(path, text, county)}: region {name!r} field `counties`: {county!r} is not a county "
                "FIPS code (five digits, state then county, e.g. '50007')"
            )
        if known_counties is not None and county not in known_counties:
            raise RegionFileError(
                f"{_where(path, text, county)}: region {name!r} field `counties`: unknown county {county!r} "
                "(not in the warehouse)"
            )
    description = table.get("description", "")
    if not isinstance(description, str):
        raise RegionFileError(f"{_where(path, text, 'description')}: `description` must be a string")
    try:
        return Region(name=name, counties=tuple(counties), description=description)
    except ValueError as error:
        raise RegionFileError(f"{header_at}: {error}") from error


def load_regions(path: Path | str, *, known_counties: Collection[str] | None = None) -> dict[str, Region]:
    """Read a regions TOML file into ``{name: Region}``.

    ``known_counties``, when given, is the set of county FIPS codes a region may use (e.g. those in the
    warehouse); a county outside it is refused. Raises :class:`RegionFileError` naming the file and line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RegionFileError(f"{path}: cannot read the regions file: {error.strerror or error}") from error
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib says "... (at line 3, column 12)"; lead with the line like every other message here.
        message = str(error)
        found = _TOML_POSITION.search(message)
        where = f"{path}, line {found.group(1)}" if found else str(path)
        raise RegionFileError(f"{where}: not valid TOML: {message}") from error
    unexpected = set(document) - {"regions"}
    if unexpected:
        key = sorted(unexpected)[0]
        raise RegionFileError(
            f"{_where(path, text, key)}: unexpected top-level entry {key!r}; "
            'define regions as [regions."Name"] tables'
        )
    tables = document.get("regions")
    if not isinstance(tables, Mapping) or not tables:
        raise RegionFileError(f'{path}: no regions defined; add a table such as [regions."Name"]')
    return {
        name: _region_from_table(name, table, path=path, text=text, known_counties=known_counties)
        for name, table in tables.items()
    }


def parse_region_counties(spec: str) -> Region:
    """A region given on the command line as ``NAME=FIPS,FIPS,...``."""
    name, separator, members = spec.partition("=")
    if not separator or not name.strip() or not members.strip():
        raise ValueError(
            f"--region-counties {spec!r}: expected NAME=FIPS,FIPS,... (e.g. 'North=50007,50011')"
        )
    counties = tuple(part.strip() for part in members.split(",") if part.strip())
    try:
        return Region(name=name.strip(), counties=counties)
    except ValueError as error:
        raise ValueError(f"--region-counties {spec!r}: {error}") from error
