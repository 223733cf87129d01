"""The dashboard's map takes county shapes from data: the warehouse's county_shapes table when it covers the
counties (the synthetic demo state stores its own when prepared), else us-atlas. No special case for the
demo in the product (import-linter: "Only the demo command and the CLI import the synthetic demo")."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from sectorwise.demo.geography import demo_state
from sectorwise.demo.lmi_demo import store_demo_shapes
from sectorwise.lmi import warehouse
from sectorwise.partnerships.models import SectorPartnership
from tests.web.partnerships.factories import PartnershipFactory, RegionFactory
from tests.web.personas import Personas


def _map_spec(personas: Personas) -> dict[str, object]:
    client = Client()
    client.force_login(personas.staff)
    spec: dict[str, object] = client.get(reverse("partnerships:dashboard")).context["map_spec"]
    return spec


def test_the_demo_states_counties_are_drawn_from_the_shapes_it_ships(personas: Personas) -> None:
    SectorPartnership.objects.all().delete()
    PartnershipFactory(region=RegionFactory(counties=["91001", "91003"]))
    assert store_demo_shapes(warehouse.default_warehouse_path())
    assert not store_demo_shapes(warehouse.default_warehouse_path())  # already there: not written again
    spec = _map_spec(personas)
    data = spec["data"]
    assert isinstance(data, dict) and "url" not in data
    features = data["values"]
    assert {feature["id"] for feature in features} == {county.fips for county in demo_state().counties}
    assert all(feature["geometry"]["type"] == "Polygon" for feature in features)
    assert spec["projection"] == {"type": "mercator"}


def test_counties_without_stored_shapes_use_us_atlas(personas: Personas) -> None:
    store_demo_shapes(warehouse.default_warehouse_path())  # shapes for state 91 only
    spec = _map_spec(personas)  # the personas' partnerships are in Vermont
    data = spec["data"]
    assert isinstance(data, dict) and data["url"].endswith("us-atlas/counties-10m.json")
    assert spec["projection"] == {"type": "albersUsa"}
