"""The county map's Vega-Lite spec, rendered offline by vl-convert against the real us-atlas TopoJSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vl_convert

from sectorwise.partnerships.charts import county_partnership_map, county_partnership_tiles

ATLAS = Path(__file__).resolve().parents[2] / "node_modules" / "us-atlas" / "counties-10m.json"
VERMONT_COUNTIES = 14


def _inline_atlas(spec: dict[str, object]) -> str:
    if not ATLAS.exists():
        pytest.skip(f"{ATLAS} missing: run `make install` (npm packages)")
    data = {"values": json.loads(ATLAS.read_text()), "format": {"type": "topojson", "feature": "counties"}}
    return json.dumps({**spec, "data": data, "width": 400})


def test_the_map_draws_every_county_of_the_state_and_colours_those_with_partnerships() -> None:
    spec = county_partnership_map(
        topojson_url="/static/us-atlas/counties-10m.json", partnerships_by_county={"50007": 3, "50011": 1}
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
    spec = county_partnership_map(
        topojson_url="x", partnerships_by_county={"50007": 1}, state_fips=["50", "33"]
    )
    assert spec["transform"][1] == {"filter": {"field": "state_fips", "oneOf": ["33", "50"]}}


@pytest.mark.parametrize("bad", ["5007", "ABCDE", "500071"])
def test_bad_county_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="five digits"):
        county_partnership_map(topojson_url="x", partnerships_by_county={bad: 1})


def test_legend_labels_are_whole_numbers() -> None:
    few = county_partnership_map(topojson_url="x", partnerships_by_county={"50007": 3})
    legend = few["layer"][1]["encoding"]["color"]["legend"]
    assert legend["values"] == [1, 2, 3] and legend["format"] == "d"
    many = county_partnership_map(topojson_url="x", partnerships_by_county={"50007": 40})
    assert "values" not in many["layer"][1]["encoding"]["color"]["legend"]


def test_synthetic_counties_are_drawn_as_tiles_at_their_positions() -> None:
    positions = {"91001": (0.0, 0.0, "Alder"), "91003": (100.0, 0.0, "Birch"), "91005": (50.0, 80.0, "Cedar")}
    spec = county_partnership_tiles(positions=positions, partnerships_by_county={"91001": 2})
    rows = {row["fips"]: row for row in spec["data"]["values"]}
    assert rows["91003"]["partnerships"] == 0 and rows["91001"]["partnerships"] == 2
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    grey = spec["layer"][0]["mark"]["fill"]
    fills = re.findall(r'fill="([^"]+)"', svg)
    assert fills.count(grey) == 3  # every county, with or without partnerships
    assert len([fill for fill in fills if fill.startswith("rgb(")]) == 1
    assert spec["width"] > spec["height"]  # the plane's proportions (100 km wide, 80 km high)
