"""Shares with their confidence intervals: a point and a rule per (measure, period)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sectorwise.charts.spec import VEGA_LITE_SCHEMA, base_config


def share_intervals(
    values: Sequence[Mapping[str, Any]],
    *,
    title: str,
    width: int = 420,
    x_title: str = "Share of participants",
) -> dict[str, Any]:
    """Before/after shares with their intervals, one row of the chart per measure.

    ``values``: one row per (measure, period): ``measure`` (the row), ``period`` (e.g. "Baseline",
    "Follow-up"; the colour), ``estimate``, ``low``, ``high`` (shares in [0, 1]) and ``n``. Rows whose figures
    were suppressed must be left out by the caller: the chart shows only what may be shown.
    """
    tooltip = [
        {"field": "measure", "type": "nominal", "title": "Measure"},
        {"field": "period", "type": "nominal", "title": "When"},
        {"field": "estimate", "type": "quantitative", "format": ".0%", "title": "Share"},
        {"field": "low", "type": "quantitative", "format": ".0%", "title": "95% interval from"},
        {"field": "high", "type": "quantitative", "format": ".0%", "title": "to"},
        {"field": "n", "type": "quantitative", "title": "People"},
    ]
    y = {"field": "measure", "type": "nominal", "title": None, "axis": {"labelLimit": 260}}
    y_offset = {"field": "period", "type": "nominal"}
    color = {"field": "period", "type": "nominal", "title": None}
    scale = {"domain": [0, 1]}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "data": {"values": [dict(row) for row in values]},
        "encoding": {"y": y, "yOffset": y_offset, "color": color, "tooltip": tooltip},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "scale": scale,
                        "axis": {"format": "%"},
                        "title": x_title,
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {"x": {"field": "estimate", "type": "quantitative", "scale": scale}},
            },
        ],
        "config": {**base_config(), "legend": {"orient": "bottom"}},
    }
