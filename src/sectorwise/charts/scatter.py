"""Scatter charts: one labelled point per item on two quantitative axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sectorwise.charts.spec import VEGA_LITE_SCHEMA, base_config


def labelled_scatter(
    values: Sequence[Mapping[str, Any]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    domain: tuple[float, float] | None = None,
    width: int = 420,
    height: int = 320,
) -> dict[str, Any]:
    """A point per item, labelled with its name, e.g. an action plan's priorities by mean importance (x) and
    mean feasibility (y).

    ``values``: one row per item: ``label`` (the point's text), ``x``, ``y`` and ``n`` (how many answers the
    point rests on; its size and tooltip). ``domain``: both axes' common range (e.g. (1, 5) for rankings),
    with a dashed rule at its middle on each axis so that the four quadrants read at a glance.
    """
    scale: dict[str, Any] = {"zero": False}
    if domain is not None:
        scale = {"domain": [domain[0], domain[1]], "zero": False, "nice": False}
    x = {"field": "x", "type": "quantitative", "title": x_title, "scale": scale}
    y = {"field": "y", "type": "quantitative", "title": y_title, "scale": scale}
    tooltip = [
        {"field": "label", "type": "nominal", "title": "Item"},
        {"field": "x", "type": "quantitative", "format": ".2f", "title": x_title},
        {"field": "y", "type": "quantitative", "format": ".2f", "title": y_title},
        {"field": "n", "type": "quantitative", "title": "Answers"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "point", "filled": True, "opacity": 0.85},
            "encoding": {
                "x": x,
                "y": y,
                "size": {"field": "n", "type": "quantitative", "title": "Answers", "legend": None},
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 8, "dy": -6, "fontSize": 12, "limit": 180},
            "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"}},
        },
    ]
    if domain is not None:
        middle = (domain[0] + domain[1]) / 2
        rule = {"type": "rule", "strokeDash": [4, 4], "color": "#adadad"}
        layers = [
            # The rules carry the points' scale: a layer without it would stretch the axes to zero.
            {
                "data": {"values": [{}]},
                "mark": rule,
                "encoding": {"x": {"datum": middle, "type": "quantitative", "scale": scale}},
            },
            {
                "data": {"values": [{}]},
                "mark": rule,
                "encoding": {"y": {"datum": middle, "type": "quantitative", "scale": scale}},
            },
            *layers,
        ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": width,
        "height": height,
        "data": {"values": [dict(row) for row in values]},
        "layer": layers,
        "config": base_config(),
    }
