"""County boundaries stored in the warehouse, for places the us-atlas TopoJSON does not hold.

Table ``county_shapes(fips, name, geojson)``: one GeoJSON Feature per county (``id`` = five-digit FIPS,
``properties.name``, a Polygon in longitude/latitude with rings wound clockwise, as d3-geo and so Vega
expect). Created here with CREATE TABLE IF NOT EXISTS, like the region-set tables, so a warehouse without
it is simply a warehouse whose maps use us-atlas. Whoever has shapes writes them (the synthetic demo state
does when it is prepared); the web reads them through its warehouse gateway.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import duckdb

COUNTY_SHAPES_TABLE: Final = "county_shapes"


def ensure_shapes_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {COUNTY_SHAPES_TABLE} "
        "(fips VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, geojson VARCHAR NOT NULL)"
    )


def store_county_shapes(con: duckdb.DuckDBPyConnection, features: Sequence[Mapping[str, Any]]) -> int:
    """Insert or replace the features' counties; returns how many were written."""
    ensure_shapes_table(con)
    rows = []
    for feature in features:
        fips = str(feature.get("id", ""))
        if len(fips) != 5 or not fips.isdigit():
            raise ValueError(f"a county shape needs its five-digit FIPS code as id; got {fips!r}")
        name = str(feature.get("properties", {}).get("name") or fips)
        rows.append((fips, name, json.dumps(feature, separators=(",", ":"))))
    con.executemany(f"DELETE FROM {COUNTY_SHAPES_TABLE} WHERE fips = ?", [(fips,) for fips, _, _ in rows])
    con.executemany(f"INSERT INTO {COUNTY_SHAPES_TABLE} VALUES (?, ?, ?)", rows)
    return len(rows)


def county_shapes(con: duckdb.DuckDBPyConnection, *, states: Iterable[str]) -> list[dict[str, Any]]:
    """The stored features of the counties of ``states`` (two-digit codes), by FIPS; [] without the table."""
    prefixes = sorted(set(states))
    if not prefixes:
        return []
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [COUNTY_SHAPES_TABLE]
    ).fetchone()
    if not present or not present[0]:
        return []
    found = con.execute(
        f"SELECT geojson FROM {COUNTY_SHAPES_TABLE} WHERE substr(fips, 1, 2) IN "
        f"({', '.join('?' for _ in prefixes)}) ORDER BY fips",
        prefixes,
    ).fetchall()
    return [json.loads(text) for (text,) in found]


def clockwise(ring: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring closed and wound clockwise in (longitude, latitude): d3-geo reads a counter-clockwise ring
    as the whole globe outside it."""
    points = list(ring)
    if points[0] != points[-1]:
        points.append(points[0])
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(points))
    return points[::-1] if area2 > 0 else points
