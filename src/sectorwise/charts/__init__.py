"""Vega-Lite chart specs as plain dictionaries (JSON-ready): one module for the pages, the assessment and
reports. Pure: no Django (the import-linter contract "The pure libraries never import Django" covers it).

A spec renders in a page through vega-embed (``partnerships/static/partnerships/charts.js``) or to SVG/PNG
with ``vl-convert-python`` for a report. County boundaries come from a :class:`CountyShapes`: the us-atlas
TopoJSON for real states, or shapes stored as data (the warehouse's ``county_shapes`` table) for places
us-atlas does not hold, such as the synthetic demo state.
"""

from __future__ import annotations

from sectorwise.charts.bars import contribution_bars, value_bars
from sectorwise.charts.intervals import share_intervals
from sectorwise.charts.maps import (
    CountyShapes,
    county_count_map,
    region_membership_map,
)
from sectorwise.charts.scatter import labelled_scatter
from sectorwise.charts.spec import VEGA_LITE_SCHEMA

__all__ = [
    "VEGA_LITE_SCHEMA",
    "CountyShapes",
    "contribution_bars",
    "county_count_map",
    "labelled_scatter",
    "region_membership_map",
    "share_intervals",
    "value_bars",
]
