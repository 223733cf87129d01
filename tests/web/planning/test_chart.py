"""``sectorwise.charts.labelled_scatter`` (pure): the spec's data are the rows given, both axes keep the
domain asked for (the midline layers carry the same scale), and Vega-Lite compiles it."""

from __future__ import annotations

import re

import vl_convert as vlc

from sectorwise.charts import VEGA_LITE_SCHEMA, labelled_scatter

ROWS = [{"label": "Skills", "x": 14 / 3, "y": 2.0, "n": 3}, {"label": "Turnover", "x": 2.5, "y": 4.5, "n": 2}]


def test_scatter_spec() -> None:
    spec = labelled_scatter(
        ROWS, title="Priorities", x_title="Importance", y_title="Feasibility", domain=(1, 5)
    )
    assert spec["$schema"] == VEGA_LITE_SCHEMA
    assert spec["data"]["values"] == ROWS and spec["data"]["values"][0] is not ROWS[0]  # copied
    scales = [
        encoding[axis]["scale"]["domain"]
        for layer in spec["layer"]
        for axis, encoding in ((a, layer["encoding"]) for a in ("x", "y"))
        if axis in encoding
    ]
    assert scales and all(domain == [1, 5] for domain in scales)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "rule", "point", "text"]
    without_domain = labelled_scatter(ROWS, title="t", x_title="x", y_title="y")
    assert len(without_domain["layer"]) == 2


def test_scatter_renders_with_axes_from_one_to_five() -> None:
    spec = labelled_scatter(
        ROWS, title="Priorities", x_title="Importance", y_title="Feasibility", domain=(1, 5)
    )
    svg = vlc.vegalite_to_svg(spec)
    ticks = {float(value) for value in re.findall(r">([0-9.]+)</text>", svg)}
    assert min(ticks) == 1.0 and max(ticks) == 5.0
    assert "Skills" in svg and "Turnover" in svg
