"""County maps: counties coloured by a count (the dashboard), a region's counties highlighted (assessment).

Boundaries come from a :class:`CountyShapes`, never from knowledge of particular places: the us-atlas
TopoJSON (a URL the web serves as a static file, or the topology inline for a self-contained report) for
real states, or GeoJSON features stored as data for counties us-atlas does not hold (the synthetic demo
state ships its own in the warehouse's ``county_shapes`` table). Either way a county is a feature whose
``id`` is its five-digit FIPS code and whose ``properties.name`` is its name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sectorwise.charts.spec import VEGA_LITE_SCHEMA, base_config

#: County FIPS codes are five digits; the first two are the state's.
COUNTY_FIPS_LENGTH: Final = 5
STATE_FIPS_LENGTH: Final = 2

#: USWDS "gray-10": counties where nothing is counted.
NO_COUNT_FILL: Final = "#e6e6e6"
MAX_LEGEND_LABELS: Final = 6
_TOPOJSON_FORMAT: Final = {"type": "topojson", "feature": "counties"}


@dataclass(frozen=True)
class CountyShapes:
    """Where a map's county boundaries come from, and the projection that suits them."""

    data: Mapping[str, Any]
    projection: Mapping[str, Any] = field(default_factory=lambda: {"type": "albersUsa"})

    @classmethod
    def us_atlas_url(cls, url: str) -> CountyShapes:
        """us-atlas's ``counties-10m.json`` at a URL (the browser fetches it)."""
        return cls(data={"url": url, "format": dict(_TOPOJSON_FORMAT)})

    @classmethod
    def us_atlas_inline(cls, topology: Mapping[str, Any], *, projection: str = "mercator") -> CountyShapes:
        """The topology inside the spec (a report that must open without a server)."""
        return cls(
            data={"values": topology, "format": dict(_TOPOJSON_FORMAT)}, projection={"type": projection}
        )

    @classmethod
    def geojson(cls, features: Sequence[Mapping[str, Any]]) -> CountyShapes:
        """GeoJSON features in longitude/latitude (``id`` = county FIPS, ``properties.name``); drawn with a
        Mercator projection fitted to them (albersUsa would drop anything outside the fifty states)."""
        return cls(data={"values": [dict(feature) for feature in features]}, projection={"type": "mercator"})


def _check_counties(codes: Iterable[str]) -> None:
    for fips in codes:
        if len(fips) != COUNTY_FIPS_LENGTH or not fips.isdigit():
            raise ValueError(f"county FIPS codes are five digits; got {fips!r}")


def _count_legend(largest: int) -> dict[str, Any]:
    """Whole-number legend labels: a gradient legend would otherwise label 1.5 partnerships."""
    # Under the map, horizontal: beside it, a "container"-wide map pushes the legend far from the shapes.
    legend: dict[str, Any] = {
        "format": "d",
        "orient": "bottom",
        "direction": "horizontal",
        "gradientLength": 240,
    }
    if largest <= MAX_LEGEND_LABELS:
        return {**legend, "values": list(range(1, largest + 1))}
    return {**legend, "tickCount": MAX_LEGEND_LABELS}


def county_count_map(
    *,
    shapes: CountyShapes,
    counts_by_county: Mapping[str, int],
    county_names: Mapping[str, str] | None = None,
    state_fips: Iterable[str] = (),
    height: int = 420,
    count_title: str = "Partnerships",
    description: str = "Map of counties shaded by the number of sector partnerships working in each county.",
) -> dict[str, Any]:
    """A choropleth of counties coloured by a count (partnerships working in each county, on the dashboard).

    ``counts_by_county`` maps five-digit county FIPS codes to counts. The map shows the counties of
    ``state_fips`` (two-digit codes), or, when none are given, of every state that has a county in the
    mapping; with neither, every county of the shapes. Counties with no count are drawn in grey.
    """
    _check_counties(counts_by_county)
    states = sorted(set(state_fips) or {fips[:STATE_FIPS_LENGTH] for fips in counts_by_county})
    for state in states:
        if len(state) != STATE_FIPS_LENGTH or not state.isdigit():
            raise ValueError(f"state FIPS codes are two digits; got {state!r}")
    names = county_names or {}
    counts = [
        {"fips": fips, "count": count, "county_label": names.get(fips, fips)}
        for fips, count in sorted(counts_by_county.items())
    ]
    transforms: list[dict[str, Any]] = []
    if states:
        transforms.append({"filter": {"field": "state_fips", "oneOf": states}})
    transforms.append(
        {
            "lookup": "id",
            "from": {"data": {"values": counts}, "key": "fips", "fields": ["count"]},
            "default": 0,
        }
    )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": dict(shapes.data),
        # The state is the first two digits of the county's id; computed before filtering on it.
        "transform": [
            {"calculate": f"substring(datum.id, 0, {STATE_FIPS_LENGTH})", "as": "state_fips"},
            *transforms,
        ],
        "projection": dict(shapes.projection),
        # Two layers: every county in grey, then the counties with a count coloured by it, so that gaps in
        # coverage stay visible rather than blank.
        "layer": [
            {
                "mark": {
                    "type": "geoshape",
                    "fill": NO_COUNT_FILL,
                    "stroke": "#ffffff",
                    "strokeWidth": 0.5,
                }
            },
            {
                "transform": [{"filter": "datum.count > 0"}],
                "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
                "encoding": {
                    "color": {
                        "field": "count",
                        "type": "quantitative",
                        "title": count_title,
                        # Start the scheme past its palest blues so a count of one stands out from grey.
                        # The domain starts at 1, so equal counts everywhere are not all "lowest".
                        "scale": {"scheme": {"name": "blues", "extent": [0.35, 1]}, "domainMin": 1},
                        "legend": _count_legend(max(counts_by_county.values(), default=0)),
                    },
                },
            },
        ],
        "encoding": {
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "County"},
                {"field": "count", "type": "quantitative", "title": count_title},
            ],
        },
        "config": base_config(),
    }


def region_membership_map(
    *, shapes: CountyShapes, members: Sequence[str], title: str, size: int = 420
) -> dict[str, Any]:
    """The counties of the members' states, the members highlighted (the assessment's region map)."""
    _check_counties(members)
    states = sorted({county[:STATE_FIPS_LENGTH] for county in members})
    inside = f"indexof({json.dumps(list(members))}, datum.id) >= 0"
    state_test = " || ".join(f"substring(datum.id, 0, {STATE_FIPS_LENGTH}) == '{s}'" for s in states)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": size,
        "height": size,
        "data": dict(shapes.data),
        "transform": [
            {"filter": state_test},
            {
                "calculate": f"{inside} ? 'In the region' : 'Outside'",
                "as": "membership",
            },
        ],
        "projection": dict(shapes.projection),
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.7},
        "encoding": {
            "color": {
                "field": "membership",
                "type": "nominal",
                "scale": {"domain": ["In the region", "Outside"], "range": ["#1a4480", "#dfe1e2"]},
                "title": None,
            },
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "County"},
                {"field": "id", "type": "nominal", "title": "FIPS"},
                {"field": "membership", "type": "nominal", "title": "Region"},
            ],
        },
    }
