"""Vega-Lite specs for the registry's charts, built in Python and rendered in the browser by vega-embed.

The specs are plain dictionaries (JSON-ready) so that the same spec can be rendered in a page, or to SVG/PNG
for a report with ``vl-convert-python``. Geometry comes from the ``us-atlas`` county TopoJSON, which the web
application serves as a static file: the spec only names its URL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

VEGA_LITE_SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.json"

#: County FIPS codes are five digits; the first two are the state's.
COUNTY_FIPS_LENGTH: Final = 5
STATE_FIPS_LENGTH: Final = 2

#: USWDS "gray-10": counties where no partnership works.
NO_PARTNERSHIP_FILL: Final = "#e6e6e6"
MAX_LEGEND_LABELS: Final = 6


def county_partnership_map(
    *,
    topojson_url: str,
    partnerships_by_county: Mapping[str, int],
    county_names: Mapping[str, str] | None = None,
    state_fips: Iterable[str] = (),
    height: int = 420,
) -> dict[str, Any]:
    """A choropleth of counties coloured by the number of partnerships that work in each.

    ``partnerships_by_county`` maps five-digit county FIPS codes to counts. The map shows the counties of
    ``state_fips`` (two-digit codes), or, when none are given, of every state that has a county in the
    mapping; with neither, it shows the whole country. Counties with no partnership are drawn in grey.
    """
    for fips in partnerships_by_county:
        if len(fips) != COUNTY_FIPS_LENGTH or not fips.isdigit():
            raise ValueError(f"county FIPS codes are five digits; got {fips!r}")
    states = sorted(set(state_fips) or {fips[:STATE_FIPS_LENGTH] for fips in partnerships_by_county})
    for state in states:
        if len(state) != STATE_FIPS_LENGTH or not state.isdigit():
            raise ValueError(f"state FIPS codes are two digits; got {state!r}")
    names = county_names or {}
    counts = [
        {"fips": fips, "partnerships": count, "county_label": names.get(fips, fips)}
        for fips, count in sorted(partnerships_by_county.items())
    ]
    transforms: list[dict[str, Any]] = []
    if states:
        transforms.append({"filter": {"field": "state_fips", "oneOf": states}})
    transforms.append(
        {
            "lookup": "id",
            "from": {"data": {"values": counts}, "key": "fips", "fields": ["partnerships"]},
            "default": 0,
        }
    )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Map of counties shaded by the number of sector partnerships working in each county.",
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {"url": topojson_url, "format": {"type": "topojson", "feature": "counties"}},
        # The state is the first two digits of the county's id; computed before filtering on it.
        "transform": [
            {"calculate": f"substring(datum.id, 0, {STATE_FIPS_LENGTH})", "as": "state_fips"},
            *transforms,
        ],
        "projection": {"type": "albersUsa"},
        # Two layers: every county in grey, then the counties with a partnership coloured by their count, so
        # that gaps in coverage stay visible rather than blank.
        "layer": [
            {
                "mark": {
                    "type": "geoshape",
                    "fill": NO_PARTNERSHIP_FILL,
                    "stroke": "#ffffff",
                    "strokeWidth": 0.5,
                }
            },
            {
                "transform": [{"filter": "datum.partnerships > 0"}],
                "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
                "encoding": {
                    "color": {
                        "field": "partnerships",
                        "type": "quantitative",
                        "title": "Partnerships",
                        # Start the scheme past its palest blues so one partnership stands out from grey.
                        # The domain starts at 1, so equal counts everywhere are not all "lowest".
                        "scale": {"scheme": {"name": "blues", "extent": [0.35, 1]}, "domainMin": 1},
                        "legend": _count_legend(max(partnerships_by_county.values(), default=0)),
                    },
                },
            },
        ],
        "encoding": {
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "County"},
                {"field": "partnerships", "type": "quantitative", "title": "Partnerships"},
            ],
        },
        "config": {
            "legend": {"labelFontSize": 13, "titleFontSize": 14},
            "view": {"stroke": None},
            "font": "Source Sans Pro Web, Helvetica Neue, Arial, sans-serif",
        },
    }


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


def county_partnership_tiles(
    *,
    positions: Mapping[str, tuple[float, float, str]],
    partnerships_by_county: Mapping[str, int],
    height: int = 420,
) -> dict[str, Any]:
    """The same map for counties with no boundary in us-atlas (the synthetic demo state): one square per
    county at its position, grey without a partnership, coloured by count with.

    ``positions`` maps county FIPS to (x, y, name): x grows east, y grows south (kilometres on a plane).
    """
    rows = [
        {
            "fips": fips,
            "county": name,
            "x": x,
            "y": y,
            "partnerships": int(partnerships_by_county.get(fips, 0)),
        }
        for fips, (x, y, name) in sorted(positions.items())
    ]
    position = {
        "x": {"field": "x", "type": "quantitative", "axis": None, "scale": {"zero": False, "nice": False}},
        "y": {
            "field": "y",
            "type": "quantitative",
            "axis": None,
            "scale": {"zero": False, "nice": False, "reverse": True},
        },
        "tooltip": [
            {"field": "county", "type": "nominal", "title": "County"},
            {"field": "partnerships", "type": "quantitative", "title": "Partnerships"},
        ],
    }
    # Keep the plane's proportions; squares a little over half the grid step (the counties' grid is jittered).
    xs, ys = [row["x"] for row in rows], [row["y"] for row in rows]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    width = max(200, round(height * span_x / span_y))
    columns = max(1.0, math.sqrt(len(rows) * span_x / span_y))
    tile_px = 0.55 * width / columns
    tile = {"type": "square", "size": round(tile_px**2), "opacity": 1, "stroke": "#ffffff", "strokeWidth": 1}
    largest = max(partnerships_by_county.values(), default=0)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Counties of the state, shaded by the number of sector partnerships working in each.",
        "width": width,
        "height": height,
        "padding": round(tile_px / 2),
        "data": {"values": rows},
        "layer": [
            {"mark": {**tile, "fill": NO_PARTNERSHIP_FILL}, "encoding": position},
            {
                "transform": [{"filter": "datum.partnerships > 0"}],
                "mark": tile,
                "encoding": {
                    **position,
                    "color": {
                        "field": "partnerships",
                        "type": "quantitative",
                        "title": "Partnerships",
                        "scale": {"scheme": {"name": "blues", "extent": [0.35, 1]}, "domainMin": 1},
                        "legend": {
                            **_count_legend(largest),
                            "orient": "right",
                            "direction": "vertical",
                            "offset": round(tile_px / 2) + 8,
                        },
                    },
                },
            },
        ],
        "config": {
            "legend": {"labelFontSize": 13, "titleFontSize": 14},
            "view": {"stroke": None},
            "font": "Source Sans Pro Web, Helvetica Neue, Arial, sans-serif",
        },
    }
