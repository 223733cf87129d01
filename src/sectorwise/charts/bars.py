"""Bar charts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sectorwise.charts.spec import VEGA_LITE_SCHEMA


def contribution_bars(
    values: Sequence[Mapping[str, Any]], *, title: str, width: int = 520, x_title: str = "Score (0-1)"
) -> dict[str, Any]:
    """A stacked horizontal bar per item: its score split into the parts that add up to it.

    ``values``: one row per (item, part): ``label`` (the bar), ``rank`` (bar order, 1 on top),
    ``indicator`` (the part), ``contribution`` (its share of the score), ``value`` (the part's raw value).
    """
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "data": {"values": [dict(row) for row in values]},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": {"field": "rank", "op": "min", "order": "ascending"},
                "title": None,
                "axis": {"labelLimit": 320},
            },
            "x": {"field": "contribution", "type": "quantitative", "stack": "zero", "title": x_title},
            "color": {"field": "indicator", "type": "nominal", "title": "Indicator"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Candidate"},
                {"field": "indicator", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ",.3~f"},
                {"field": "contribution", "type": "quantitative", "format": ".3f"},
            ],
        },
        "config": {"legend": {"orient": "bottom", "columns": 2, "labelLimit": 400}},
    }


def value_bars(
    values: Sequence[Mapping[str, Any]], *, title: str, x_title: str, width: int = 520
) -> dict[str, Any]:
    """A horizontal bar per item (a region's largest industries by employment).

    ``values``: ``label`` (the bar), ``rank`` (bar order, 1 on top), ``value`` (its length) and ``kind``
    (the bar's colour and legend, e.g. "published" or "estimated", so that an estimate never passes for a
    published figure).
    """
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "data": {"values": [dict(row) for row in values]},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": {"field": "rank", "op": "min", "order": "ascending"},
                "title": None,
                "axis": {"labelLimit": 320},
            },
            "x": {"field": "value", "type": "quantitative", "title": x_title},
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["published", "estimated"], "range": ["#1a4480", "#97d4ea"]},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Industry"},
                {"field": "value", "type": "quantitative", "format": ",.0f", "title": x_title},
                {"field": "kind", "type": "nominal", "title": "Figure"},
            ],
        },
        "config": {"legend": {"orient": "bottom"}},
    }
