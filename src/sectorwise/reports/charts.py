"""The reports' Vega-Lite specs and their static rendering.

Maps come from ``sectorwise.charts`` (``county_count_map``); the few bar charts the reports need beyond
``sectorwise.charts`` are here, built on its schema and base config. ``svg_of`` renders any spec offline with
vl-convert (the PDF, the HTML file and the report page show the same SVG).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from sectorwise.charts import CountyShapes, county_count_map
from sectorwise.charts.spec import VEGA_LITE_SCHEMA, base_config
from sectorwise.core.warehouse_gateway import stored_county_shapes

US_ATLAS_COUNTIES = Path("us-atlas") / "counties-10m.json"


def count_bars(
    values: Sequence[Mapping[str, Any]], *, title: str, x_title: str, width: int = 460
) -> dict[str, Any]:
    """One horizontal bar per ``label`` of length ``value``, in the order given (``rank``)."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "data": {"values": [dict(row, rank=index) for index, row in enumerate(values)]},
        "mark": {"type": "bar", "color": "#1a4480"},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": {"field": "rank", "op": "min", "order": "ascending"},
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": x_title,
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Item"},
                {"field": "value", "type": "quantitative", "title": x_title, "format": ",.0f"},
            ],
        },
        "config": base_config(),
    }


def money_bars(values: Sequence[Mapping[str, Any]], *, title: str, width: int = 460) -> dict[str, Any]:
    """Committed and paid side by side per ``label``: rows of ``label``, ``measure`` (Committed, Paid) and
    ``amount`` (dollars, as a number: a chart's scale, never the figure a reader copies; the table has it)."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "data": {"values": [dict(row) for row in values]},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None, "axis": {"labelLimit": 260}},
            "yOffset": {"field": "measure", "type": "nominal", "sort": ["Committed", "Paid"]},
            "x": {"field": "amount", "type": "quantitative", "title": "Dollars", "axis": {"format": "$,.0f"}},
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "sort": ["Committed", "Paid"],
                "scale": {"domain": ["Committed", "Paid"], "range": ["#1a4480", "#97d4ea"]},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Source"},
                {"field": "measure", "type": "nominal"},
                {"field": "amount", "type": "quantitative", "format": "$,.2f"},
            ],
        },
        "config": {**base_config(), "legend": {"orient": "bottom"}},
    }


def report_county_shapes(counties: set[str]) -> tuple[CountyShapes | None, str]:
    """Shapes for a self-contained document (the PDF and the HTML file) and where they came from: the
    warehouse's stored shapes when they cover every county, else us-atlas's topology inline (from the
    front-end packages), else None (the report says the map cannot be drawn)."""
    if not counties:
        return None, "no partnership has counties"
    stored = stored_county_shapes(states={fips[:2] for fips in counties})
    if stored and {feature["id"] for feature in stored} >= counties:
        return CountyShapes.geojson(stored), "county shapes stored in the warehouse"
    atlas = Path(settings.NODE_MODULES) / US_ATLAS_COUNTIES
    if not atlas.is_file():
        return None, "no county shapes available (neither stored in the warehouse nor us-atlas installed)"
    topology = json.loads(atlas.read_text(encoding="utf-8"))
    known = {str(shape.get("id")) for shape in topology["objects"]["counties"]["geometries"]}
    missing = sorted(counties - known)
    if missing:
        return None, (
            f"no county shapes for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''} (neither "
            "stored in the warehouse nor in us-atlas)"
        )
    return CountyShapes.us_atlas_inline(
        topology
    ), "us-atlas counties-10m (Census Bureau cartographic boundaries)"


def page_county_shapes(counties: set[str], atlas_url: str) -> CountyShapes:
    """Shapes for a page (the browser fetches us-atlas by URL), as the registry's dashboard does."""
    stored = stored_county_shapes(states={fips[:2] for fips in counties})
    if stored and {feature["id"] for feature in stored} >= counties:
        return CountyShapes.geojson(stored)
    return CountyShapes.us_atlas_url(atlas_url)


def report_county_map(counts: Mapping[str, int], shapes: CountyShapes) -> dict[str, Any]:
    spec = county_count_map(shapes=shapes, counts_by_county=counts, height=380)
    spec["width"] = 520  # a fixed size: a document has no container to fit
    spec.pop("autosize", None)
    # Swatches rather than a gradient: WeasyPrint draws an SVG gradient legend as a blank bar.
    spec["layer"][1]["encoding"]["color"]["legend"]["type"] = "symbol"
    return spec


def svg_of(spec: Mapping[str, Any]) -> str:
    """The chart as SVG, rendered offline by vl-convert."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(dict(spec))
    return svg


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
