"""The commuting-zone comparison page: two stored region sets, the adjusted Rand index and the counties
they place apart. A synthetic pair worked by hand, and the real published zones of Vermont (Fowler 2020
against Penn State 2010, read from ../shared/data, compared in the warehouse of a temporary directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from sectorwise.intelligence import selectors
from sectorwise.lmi import warehouse
from sectorwise.lmi.regionsets import RegionSet, compare, store_region_set
from sectorwise.lmi.sources.delineations import read_fowler2020, read_psu2010
from tests.conftest import shared_data_path
from tests.web.personas import Personas


def _warehouse(path: Path, *sets: RegionSet) -> Path:
    con = duckdb.connect(str(path))
    warehouse.ensure_schema(con)
    for region_set in sets:
        store_region_set(con, region_set)
    con.close()
    return path


@pytest.fixture
def synthetic(tmp_path: Path) -> Iterator[Path]:
    mine = RegionSet(
        "mine", {"50001": "x", "50003": "x", "50005": "x", "50007": "y", "50009": "y", "50011": "y"}
    )
    published = RegionSet(
        "published",
        {"50001": "p", "50003": "p", "50005": "p", "50007": "p", "50009": "q", "50011": "q", "33001": "q"},
        kind="fowler2020",
    )
    path = _warehouse(tmp_path / "warehouse.duckdb", mine, published)
    selectors.clear_caches()
    with override_settings(SECTORWISE_WAREHOUSE=path):
        yield path


def _client(personas: Personas, persona: str = "viewer") -> Client:
    client = Client()
    user = personas.user(persona)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_gives_the_index_and_the_county_placed_apart(personas: Personas, synthetic: Path) -> None:
    response = _client(personas).get(
        reverse("intelligence:commuting_zones"), {"set_a": "mine", "set_b": "published"}
    )
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert isinstance(comparison, selectors.ZoneComparison)
    assert comparison.ari == pytest.approx(1.2 / 3.7)  # worked by hand in tests/lmi/test_regionsets.py
    assert (comparison.common_counties, comparison.only_in_a, comparison.only_in_b) == (6, 0, 1)
    assert [(d.county, d.region_a, d.region_b, d.matched_b) for d in comparison.differences] == [
        ("50007", "y", "p", "q")
    ]
    body = response.content.decode()
    assert "0.3243" in body and "zones-map-spec" in body


@pytest.mark.django_db
def test_bad_input_is_refused_with_the_reason(personas: Personas, synthetic: Path) -> None:
    client = _client(personas)
    page = reverse("intelligence:commuting_zones")
    unknown = client.get(page, {"set_a": "mine", "set_b": "nonesuch"})
    assert unknown.status_code == 200 and "comparison" not in unknown.context
    assert "Select a valid choice" in unknown.content.decode()
    bad_state = client.get(page, {"set_a": "mine", "set_b": "published", "states": "5"})
    assert "not a two-digit state FIPS code" in bad_state.content.decode()
    apart = client.get(page, {"set_a": "mine", "set_b": "published", "states": "44"})
    assert "no county in common" in apart.content.decode()


@pytest.mark.django_db
def test_without_a_warehouse_the_page_says_so(personas: Personas) -> None:
    response = _client(personas).get(reverse("intelligence:commuting_zones"))
    assert response.status_code == 200
    assert "No labor-market data is loaded yet" in response.content.decode()


@pytest.mark.realdata
@pytest.mark.django_db
def test_published_zones_fowler_2020_against_penn_state_2010_in_vermont_and_maine(
    personas: Personas, tmp_path: Path
) -> None:
    fowler = read_fowler2020(shared_data_path("commuting", "fowler_cz2020", "county20.csv"))
    psu = read_psu2010(shared_data_path("commuting", "psu_cz2010", "counties10-zqvz0r.csv"))
    path = _warehouse(tmp_path / "warehouse.duckdb", fowler, psu)
    selectors.clear_caches()
    with override_settings(SECTORWISE_WAREHOUSE=path):
        response = _client(personas).get(
            reverse("intelligence:commuting_zones"),
            {"set_a": "fowler2020", "set_b": "psu2010", "states": "50, 23"},
        )
    comparison = response.context["comparison"]
    chosen = [c for c in fowler.assignments if c.startswith(("50", "23"))]
    expected = compare(
        RegionSet("a", {c: fowler.assignments[c] for c in chosen}),
        RegionSet("b", {c: psu.assignments[c] for c in chosen if c in psu.assignments}),
    )
    assert comparison.common_counties == expected.common_counties == 30  # 14 + 16 counties
    assert comparison.ari == pytest.approx(expected.ari)
    # Vermont's four zones are the same in both (ARI 1 on its own); five Maine counties are placed apart.
    assert [row.county for row in comparison.differences] == ["23013", "23015", "23027", "23029", "23031"]
    for row in comparison.differences:
        assert row.region_b != row.matched_b and psu.assignments[row.county] == row.region_b.split(" ")[
            -1
        ].strip("()")
    assert f"{comparison.ari:.4f}" in response.content.decode()
