"""The county map's Vega-Lite spec (sectorwise.charts), rendered offline by vl-convert against the real
us-atlas TopoJSON, and against the county shapes the synthetic demo state ships as data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vl_convert

from sectorwise.charts import CountyShapes, county_count_map
from sectorwise.demo.geography import demo_state
from sectorwise.demo.shapes import county_shape_features

ATLAS = Path(__file__).resolve().parents[2] / "node_modules" / "us-atlas" / "counties-10m.json"
VERMONT_COUNTIES = 14
URL = CountyShapes.us_atlas_url("x")


def _inline_atlas(spec: dict[str, object]) -> str:
    if not ATLAS.exists():
        pytest.skip(f"{ATLAS} missing: run `make install` (npm packages)")
    data = {"values": json.loads(ATLAS.read_text()), "format": {"type": "topojson", "feature": "counties"}}
    return json.dumps({**spec, "data": data, "width": 400})


def test_the_map_draws_every_county_of_the_state_and_colours_those_with_partnerships() -> None:
    spec = county_count_map(
        shapes=CountyShapes.us_atlas_url("/static/us-atlas/counties-10m.json"),
        counts_by_county={"50007": 3, "50011": 1},
    )
    assert spec["data"]["url"] == "/static/us-atlas/counties-10m.json"
    svg = vl_convert.vegalite_to_svg(_inline_atlas(spec))
    grey = spec["layer"][0]["mark"]["fill"]
    fills = re.findall(r'fill="([^"]+)"', svg)
    # Every county in grey underneath, then one coloured shape per county with partnerships: darker for more.
    assert fills.count(grey) == VERMONT_COUNTIES
    coloured = [fill for fill in fills if fill.startswith("rgb(")]
    assert len(coloured) == 2
    lighter, darker = (sum(map(int, re.findall(r"\d+", fill))) for fill in coloured)
    assert darker < lighter


def test_state_fips_widens_the_map() -> None:
    spec = county_count_map(shapes=URL, counts_by_county={"50007": 1}, state_fips=["50", "33"])
    assert spec["transform"][1] == {"filter": {"field": "state_fips", "oneOf": ["33", "50"]}}


@pytest.mark.parametrize("bad", ["5007", "ABCDE", "500071"])
def test_bad_county_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="five digits"):
        county_count_map(shapes=URL, counts_by_county={bad: 1})


def test_legend_labels_are_whole_numbers() -> None:
    few = county_count_map(shapes=URL, counts_by_county={"50007": 3})
    legend = few["layer"][1]["encoding"]["color"]["legend"]
    assert legend["values"] == [1, 2, 3] and legend["format"] == "d"
    many = county_count_map(shapes=URL, counts_by_county={"50007": 40})
    assert "values" not in many["layer"][1]["encoding"]["color"]["legend"]


def test_the_demo_states_own_shapes_draw_every_county_as_a_polygon() -> None:
    state = demo_state()
    features = county_shape_features(state)
    assert [feature["id"] for feature in features] == [county.fips for county in state.counties]
    with_partnerships = {state.counties[0].fips: 2, state.counties[5].fips: 1}
    spec = county_count_map(shapes=CountyShapes.geojson(features), counts_by_county=with_partnerships)
    svg = vl_convert.vegalite_to_svg(json.dumps({**spec, "width": 400}))
    grey = spec["layer"][0]["mark"]["fill"]
    shapes = re.findall(r'<path[^>]*aria-roledescription="geoshape"[^>]*>', svg)
    paths = [
        (re.search(r'fill="([^"]+)"', tag).group(1), re.search(r' d="([^"]+)"', tag).group(1))  # type: ignore[union-attr]
        for tag in shapes
    ]
    # Every county drawn once in grey (a polygon of three or more corners), two coloured on top.
    grey_shapes = [d for fill, d in paths if fill == grey]
    assert len(grey_shapes) == len(state.counties)
    assert all(d.count("L") >= 2 for d in grey_shapes)
    assert len([fill for fill, _ in paths if fill.startswith("rgb(")]) == 2
    # The cells tile the state: no county swallows the map (a ring wound the wrong way fills the globe).
    sizes = [len(d) for d in grey_shapes]
    assert max(sizes) < 20 * min(sizes)


def test_voronoi_cells_cover_the_state_without_overlap() -> None:
    from sectorwise.demo.shapes import STATE_HEIGHT_KM, STATE_WIDTH_KM, voronoi_cells

    state = demo_state()
    cells = voronoi_cells([(c.x_km, c.y_km) for c in state.counties])

    def area(ring: list[tuple[float, float]]) -> float:
        return (
            abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)))
            / 2
        )

    assert sum(area(cell) for cell in cells) == pytest.approx(STATE_WIDTH_KM * STATE_HEIGHT_KM)
