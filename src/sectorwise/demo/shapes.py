"""County shapes of the synthetic demo state: Voronoi cells around its county centres, clipped to the state.

us-atlas has no boundaries for invented counties, so the demo ships its own as data (the warehouse's
``county_shapes`` table, ``sectorwise.lmi.shapes``) when it is prepared; the map draws them like any
state's. The plane (kilometres, y growing south) is placed at 0°N 0°E — plainly nowhere — at 111.32 km a
degree, where a Mercator projection barely distorts it.
"""

from __future__ import annotations

from typing import Any, Final

from sectorwise.demo.geography import SyntheticState
from sectorwise.lmi.shapes import clockwise

KM_PER_DEGREE: Final = 111.32
#: The plane layout_state lays the counties on (its defaults).
STATE_WIDTH_KM: Final = 340.0
STATE_HEIGHT_KM: Final = 300.0

Point = tuple[float, float]


def _clip(polygon: list[Point], a: float, b: float, c: float) -> list[Point]:
    """The part of the convex polygon where a·x + b·y <= c (Sutherland-Hodgman, one edge)."""
    out: list[Point] = []
    for index, current in enumerate(polygon):
        previous = polygon[index - 1]
        inside_now = a * current[0] + b * current[1] <= c
        inside_before = a * previous[0] + b * previous[1] <= c
        if inside_now != inside_before:
            dx, dy = current[0] - previous[0], current[1] - previous[1]
            t = (c - a * previous[0] - b * previous[1]) / (a * dx + b * dy)
            out.append((previous[0] + t * dx, previous[1] + t * dy))
        if inside_now:
            out.append(current)
    return out


def voronoi_cells(
    centres: list[Point], *, width: float = STATE_WIDTH_KM, height: float = STATE_HEIGHT_KM
) -> list[list[Point]]:
    """Each centre's cell: the points of the rectangle nearer to it than to any other centre."""
    cells = []
    for i, (xi, yi) in enumerate(centres):
        cell: list[Point] = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
        for j, (xj, yj) in enumerate(centres):
            if i != j:
                # |p - ci|² <= |p - cj|²  <=>  2(cj - ci)·p <= |cj|² - |ci|²
                cell = _clip(cell, 2 * (xj - xi), 2 * (yj - yi), xj**2 + yj**2 - xi**2 - yi**2)
        cells.append(cell)
    return cells


def county_shape_features(state: SyntheticState) -> list[dict[str, Any]]:
    """One GeoJSON Feature per county (id = FIPS, properties.name), in longitude/latitude."""
    centres = [(county.x_km, county.y_km) for county in state.counties]
    features = []
    for county, cell in zip(state.counties, voronoi_cells(centres), strict=True):
        ring = [(round(x / KM_PER_DEGREE, 5), round(-y / KM_PER_DEGREE, 5)) for x, y in cell]
        features.append(
            {
                "type": "Feature",
                "id": county.fips,
                "properties": {"name": county.name},
                "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in clockwise(ring)]]},
            }
        )
    return features
