"""Region sets: a delineation of counties into regions (county_fips -> region_id), compared and stored.

A region set comes from a published file (see ``sources.delineations``), from a Sectorwise delineation, or
from the warehouse. Two sets are compared by the adjusted Rand index (Hubert & Arabie 1985) over the counties
both cover. Any region of a set can become a named :class:`~sectorwise.lmi.regions.Region` for the measures.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    import duckdb

    from sectorwise.lmi.regions import Region

REGION_SETS_TABLE: Final = "region_sets"
REGION_SET_INFO_TABLE: Final = "region_set_info"
REGION_SET_NAMES_TABLE: Final = "region_set_names"


class UnknownCountyError(ValueError):
    """A county FIPS code that a region set or delineation does not cover."""

    def __init__(self, county_fips: str, where: str) -> None:
        super().__init__(f"unknown county {county_fips!r}: it is not in {where}")
        self.county_fips = county_fips


class UnknownRegionError(ValueError):
    """A region id that a region set does not have."""


class UnknownRegionSetError(ValueError):
    """A region-set name that the warehouse does not hold."""


@dataclass(frozen=True)
class RegionSet:
    """Counties grouped into regions: ``assignments`` maps a five-digit county FIPS to a region id."""

    name: str
    assignments: Mapping[str, str]
    region_names: Mapping[str, str] = field(default_factory=dict)
    kind: str = "custom"
    source: str = ""

    def __post_init__(self) -> None:
        for county in self.assignments:
            if len(county) != 5 or not county.isdigit():
                raise ValueError(f"region set {self.name!r}: {county!r} is not a five-digit county FIPS code")

    def __len__(self) -> int:
        return len(self.assignments)

    @property
    def counties(self) -> tuple[str, ...]:
        return tuple(sorted(self.assignments))

    @property
    def region_ids(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.assignments.values())))

    def region_of(self, county_fips: str) -> str:
        try:
            return self.assignments[county_fips]
        except KeyError:
            raise UnknownCountyError(county_fips, f"region set {self.name!r}") from None

    def members(self, region_id: str) -> tuple[str, ...]:
        counties = tuple(sorted(c for c, r in self.assignments.items() if r == region_id))
        if not counties:
            raise UnknownRegionError(
                f"region set {self.name!r} has no region {region_id!r} "
                f"(it has {len(self.region_ids)}, e.g. {', '.join(self.region_ids[:5])})"
            )
        return counties

    def region_title(self, region_id: str) -> str:
        return self.region_names.get(region_id, region_id)

    def to_region(self, region_id: str, *, name: str | None = None) -> Region:
        """One region of the set as a named ``Region`` for the measures: named ``name``, else the region's
        name in the set ("Chittenden County, VT area"), else ``SET:REGION_ID``."""
        from sectorwise.lmi.regions import Region

        counties = self.members(region_id)
        title = (self.region_names.get(region_id) or "").strip()
        label = f"{title} ({region_id})" if title and title != region_id else region_id
        description = f"{label} in {self.name}" + (f": {self.source}" if self.source else "")
        return Region(
            name=name or title or f"{self.name}:{region_id}", counties=counties, description=description
        )

    def region_for_county(self, county_fips: str, *, name: str | None = None) -> Region:
        """The region that holds ``county_fips``, as a named ``Region``."""
        return self.to_region(self.region_of(county_fips), name=name)

    def table(self) -> pa.Table:
        counties = self.counties
        regions = [self.assignments[c] for c in counties]
        return pa.table(
            {
                "county_fips": list(counties),
                "region_id": regions,
                "region_name": [self.region_names.get(r) for r in regions],
            }
        )


def states_region_set(counties: Iterable[str], *, name: str = "states") -> RegionSet:
    """Each county in its state (region id = two-digit state FIPS)."""
    return RegionSet(
        name=name,
        assignments={county: county[:2] for county in counties},
        kind="states",
        source="state of each county FIPS code",
    )


def adjusted_rand_index(labels_a: Sequence[Any], labels_b: Sequence[Any]) -> float:
    """Hubert & Arabie's adjusted Rand index of two labellings of the same items (1 = identical)."""
    if len(labels_a) != len(labels_b):
        raise ValueError("the two labellings must cover the same items")
    n = len(labels_a)
    if n < 2:
        return 1.0
    _, a = np.unique(np.asarray(labels_a, dtype=object).astype(str), return_inverse=True)
    _, b = np.unique(np.asarray(labels_b, dtype=object).astype(str), return_inverse=True)
    pair_codes = a.astype(np.int64) * (int(b.max()) + 1) + b
    _, cells = np.unique(pair_codes, return_counts=True)

    def pairs(counts: np.ndarray[Any, Any]) -> float:
        counts = counts.astype(np.float64)
        return float((counts * (counts - 1) / 2).sum())

    index = pairs(cells)
    rows = pairs(np.bincount(a))
    cols = pairs(np.bincount(b))
    total = n * (n - 1) / 2
    expected = rows * cols / total
    maximum = (rows + cols) / 2
    if maximum == expected:  # both labellings trivial (all one cluster or all singletons)
        return 1.0
    return (index - expected) / (maximum - expected)


@dataclass(frozen=True)
class Agreement:
    """How far two region sets agree over the counties they share."""

    name_a: str
    name_b: str
    ari: float
    common_counties: int
    only_in_a: int
    only_in_b: int
    regions_a: int
    regions_b: int

    def table(self) -> pa.Table:
        return pa.table(
            {
                "set_a": [self.name_a],
                "set_b": [self.name_b],
                "adjusted_rand_index": [self.ari],
                "common_counties": [self.common_counties],
                "only_in_a": [self.only_in_a],
                "only_in_b": [self.only_in_b],
                "regions_a": [self.regions_a],
                "regions_b": [self.regions_b],
            }
        )


def compare(a: RegionSet, b: RegionSet) -> Agreement:
    """The adjusted Rand index of ``a`` and ``b`` over their common counties."""
    common = sorted(set(a.assignments) & set(b.assignments))
    if not common:
        raise ValueError(f"region sets {a.name!r} and {b.name!r} have no county in common")
    labels_a = [a.assignments[c] for c in common]
    labels_b = [b.assignments[c] for c in common]
    return Agreement(
        name_a=a.name,
        name_b=b.name,
        ari=adjusted_rand_index(labels_a, labels_b),
        common_counties=len(common),
        only_in_a=len(a.assignments) - len(common),
        only_in_b=len(b.assignments) - len(common),
        regions_a=len(set(labels_a)),
        regions_b=len(set(labels_b)),
    )


def read_region_set_file(path: Path | str, *, name: str | None = None) -> RegionSet:
    """A region set from a CSV or JSON file with ``county_fips`` and ``region_id`` (``region_name`` optional).

    This is the layout ``sectorwise lmi regions delineate --format csv|json`` writes.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    rows: list[tuple[int, Mapping[str, Any]]]
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ValueError(f"{path}: expected a JSON list of objects with county_fips and region_id")
        rows = [(k + 1, item) for k, item in enumerate(data)]
        where = "item"
    else:
        reader = csv.DictReader(text.splitlines())
        fields = reader.fieldnames or []
        if "county_fips" not in fields or "region_id" not in fields:
            raise ValueError(
                f"{path}, line 1: expected the columns county_fips and region_id (as "
                f"`sectorwise lmi regions delineate` writes), found {', '.join(fields) or 'nothing'}"
            )
        rows = [(k + 2, row) for k, row in enumerate(reader)]
        where = "line"
    assignments: dict[str, str] = {}
    names: dict[str, str] = {}
    for number, row in rows:
        county = str(row.get("county_fips") or "").strip()
        region = str(row.get("region_id") or "").strip()
        if len(county) == 4 and county.isdigit():
            county = "0" + county
        if len(county) != 5 or not county.isdigit():
            raise ValueError(
                f"{path}, {where} {number}, column 'county_fips': expected a five-digit FIPS code, "
                f"found {row.get('county_fips')!r}"
            )
        if not region:
            raise ValueError(f"{path}, {where} {number}, column 'region_id': empty")
        if county in assignments and assignments[county] != region:
            raise ValueError(
                f"{path}, {where} {number}: county {county} is already in region {assignments[county]}"
            )
        assignments[county] = region
        title = str(row.get("region_name") or "").strip()
        if title:
            names[region] = title
    if not assignments:
        raise ValueError(f"{path}: no counties")
    return RegionSet(
        name=name or path.stem, assignments=assignments, region_names=names, kind="file", source=str(path)
    )


# --- the warehouse ------------------------------------------------------------------------------------


def ensure_region_set_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the region-set tables if missing (owned here, not in warehouse.py's schema)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {REGION_SETS_TABLE} "
        "(set_name VARCHAR NOT NULL, region_id VARCHAR NOT NULL, county_fips VARCHAR NOT NULL, "
        "PRIMARY KEY (set_name, county_fips))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {REGION_SET_INFO_TABLE} "
        "(set_name VARCHAR PRIMARY KEY, kind VARCHAR, source VARCHAR, "
        "stored_at TIMESTAMP DEFAULT current_timestamp)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {REGION_SET_NAMES_TABLE} "
        "(set_name VARCHAR NOT NULL, region_id VARCHAR NOT NULL, region_name VARCHAR, "
        "PRIMARY KEY (set_name, region_id))"
    )


def store_region_set(con: duckdb.DuckDBPyConnection, region_set: RegionSet) -> int:
    """Store ``region_set`` under its name, replacing a set of that name; returns the county count."""
    ensure_region_set_tables(con)
    name = region_set.name
    con.execute("BEGIN TRANSACTION")
    try:
        for table in (REGION_SETS_TABLE, REGION_SET_INFO_TABLE, REGION_SET_NAMES_TABLE):
            con.execute(f"DELETE FROM {table} WHERE set_name = ?", [name])
        con.executemany(
            f"INSERT INTO {REGION_SETS_TABLE} (set_name, region_id, county_fips) VALUES (?, ?, ?)",
            [[name, region, county] for county, region in sorted(region_set.assignments.items())],
        )
        if region_set.region_names:
            con.executemany(
                f"INSERT INTO {REGION_SET_NAMES_TABLE} VALUES (?, ?, ?)",
                [[name, region, title] for region, title in sorted(region_set.region_names.items())],
            )
        con.execute(
            f"INSERT INTO {REGION_SET_INFO_TABLE} (set_name, kind, source) VALUES (?, ?, ?)",
            [name, region_set.kind, region_set.source],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(region_set)


def _has_region_set_tables(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN (?, ?, ?)",
        [REGION_SETS_TABLE, REGION_SET_INFO_TABLE, REGION_SET_NAMES_TABLE],
    ).fetchone()
    return bool(found and found[0] == 3)


@dataclass(frozen=True)
class CountyDifference:
    """A county placed apart by two region sets: its region in each, and the region of ``b`` that its
    region of ``a`` matches (the one holding most of that region's counties)."""

    county_fips: str
    region_a: str
    region_b: str
    matched_b: str


def differing_counties(a: RegionSet, b: RegionSet) -> list[CountyDifference]:
    """The common counties whose region in ``b`` is not the one their region in ``a`` matches: each region of
    ``a`` is matched to the region of ``b`` holding most of its counties (ties to the lower id), and a county
    differs when ``b`` puts it elsewhere. Identical sets (up to region ids) give none."""
    common = sorted(set(a.assignments) & set(b.assignments))
    shared: dict[str, dict[str, int]] = {}
    for county in common:
        counts = shared.setdefault(a.assignments[county], {})
        region_b = b.assignments[county]
        counts[region_b] = counts.get(region_b, 0) + 1
    matched = {region: min(counts, key=lambda r: (-counts[r], r)) for region, counts in shared.items()}
    return [
        CountyDifference(county, a.assignments[county], b.assignments[county], matched[a.assignments[county]])
        for county in common
        if b.assignments[county] != matched[a.assignments[county]]
    ]


def within_states(region_set: RegionSet, states: Iterable[str]) -> RegionSet:
    """The set's counties in ``states`` (two-digit FIPS) only, with their regions."""
    wanted = tuple(states)
    return RegionSet(
        name=region_set.name,
        assignments={c: r for c, r in region_set.assignments.items() if c.startswith(wanted)},
        region_names=region_set.region_names,
        kind=region_set.kind,
        source=region_set.source,
    )


def stored_region_sets(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The region sets in the warehouse: name, kind, source, counties, regions (read-only safe)."""
    if not _has_region_set_tables(con):
        return pa.table(
            {
                "set_name": pa.array([], pa.string()),
                "kind": pa.array([], pa.string()),
                "source": pa.array([], pa.string()),
                "counties": pa.array([], pa.int64()),
                "regions": pa.array([], pa.int64()),
            }
        )
    return con.execute(
        f"SELECT i.set_name, i.kind, i.source, count(*) AS counties, count(DISTINCT s.region_id) AS regions "
        f"FROM {REGION_SET_INFO_TABLE} i JOIN {REGION_SETS_TABLE} s USING (set_name) "
        "GROUP BY ALL ORDER BY i.set_name"
    ).to_arrow_table()


def load_region_set(con: duckdb.DuckDBPyConnection, name: str) -> RegionSet:
    """The region set stored under ``name`` (read-only safe)."""
    rows = (
        con.execute(
            f"SELECT county_fips, region_id FROM {REGION_SETS_TABLE} WHERE set_name = ?", [name]
        ).fetchall()
        if _has_region_set_tables(con)
        else []
    )
    if not rows:
        known = stored_region_sets(con).column("set_name").to_pylist()
        raise UnknownRegionSetError(
            f"no region set named {name!r} in the warehouse"
            + (f" (stored: {', '.join(known)})" if known else " (none stored yet)")
        )
    info = con.execute(
        f"SELECT kind, source FROM {REGION_SET_INFO_TABLE} WHERE set_name = ?", [name]
    ).fetchone()
    names = con.execute(
        f"SELECT region_id, region_name FROM {REGION_SET_NAMES_TABLE} WHERE set_name = ?", [name]
    ).fetchall()
    return RegionSet(
        name=name,
        assignments={str(c): str(r) for c, r in rows},
        region_names={str(r): str(t) for r, t in names if t is not None},
        kind=str(info[0]) if info else "stored",
        source=str(info[1]) if info else "",
    )


def stored_region(con: duckdb.DuckDBPyConnection, spec: str, *, name: str | None = None) -> Region:
    """A region of a stored set as a ``Region``: ``SET:REGION_ID`` (e.g. ``acs2013:CZ50007``), or
    ``SET@COUNTY`` for the region that holds a county (e.g. ``acs2013@50007``). It is named ``name``, else
    by the region's name in the set (a delineation stored by ``regions delineate --save`` names each zone
    after its core county, "Chittenden County, VT area"), else by ``spec``."""
    if "@" in spec:
        set_name, county = spec.rsplit("@", 1)
        region_set = load_region_set(con, set_name)
        region_id = region_set.region_of(county)
    elif ":" in spec:
        set_name, region_id = spec.rsplit(":", 1)
        region_set = load_region_set(con, set_name)
    else:
        raise ValueError(
            f"{spec!r}: expected SET:REGION_ID or SET@COUNTY_FIPS (a region of a stored region set)"
        )
    title = (region_set.region_names.get(region_id) or "").strip()
    return region_set.to_region(region_id, name=name or title or spec)


def county_titles(con: duckdb.DuckDBPyConnection, counties: Iterable[str]) -> dict[str, str]:
    """County FIPS -> BLS's area title ("Chittenden County, Vermont") from the warehouse's ``area_titles``
    (filled by ingest from titled files); counties without one are left out (read-only safe)."""
    wanted = sorted(set(counties))
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'area_titles'"
    ).fetchone()
    if not wanted or not (found and found[0]):
        return {}
    rows = con.execute(
        "SELECT area_fips, area_title FROM area_titles WHERE area_fips IN (SELECT unnest(?))", [wanted]
    ).fetchall()
    return {str(fips): str(title) for fips, title in rows if title and str(title).strip()}


def latest_region_set_of_kind(con: duckdb.DuckDBPyConnection, kind: str) -> RegionSet | None:
    """The region set of ``kind`` (e.g. ``cbsa2023``) stored last, or None (read-only safe)."""
    if not _has_region_set_tables(con):
        return None
    found = con.execute(
        f"SELECT set_name FROM {REGION_SET_INFO_TABLE} WHERE kind = ? "
        "ORDER BY stored_at DESC, set_name LIMIT 1",
        [kind],
    ).fetchone()
    return load_region_set(con, str(found[0])) if found else None
