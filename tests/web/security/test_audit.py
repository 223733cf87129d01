"""The history shows every change a user can make, with fields and values: target industries and counties
(child rows of a partnership and a region) included, whether changed on the pages, the API or the admin."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sectorwise.core.history import history_entries
from sectorwise.partnerships import services
from sectorwise.partnerships.models import Region, SectorPartnership
from tests.web.accounts.factories import UserFactory
from tests.web.directory.factories import WorkforceBoardFactory
from tests.web.partnerships.factories import RegionFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _edit_form(partnership: SectorPartnership, target_naics: str) -> dict[str, object]:
    return {
        "name": partnership.name,
        "region": partnership.region_id,
        "convener": partnership.convener_id,
        "target_naics": target_naics,
        "cluster": partnership.cluster,
        "stage": partnership.stage,
        "goals": partnership.goals,
    }


def test_target_industry_changes_on_the_page_and_the_api_are_in_the_partnerships_history(
    personas: Personas,
) -> None:
    partnership = services.partnership_create(
        name="Champlain Machining", region=RegionFactory(), convener=personas.board_a, target_naics=["3364"]
    )
    page = Client()
    page.force_login(personas.convener_a)
    edited = page.post(f"/partnerships/{partnership.pk}/edit/", _edit_form(partnership, "6221, 3344"))
    assert edited.status_code == 302, edited.content
    api = Client()
    response = api.patch(
        f"/api/partnerships/{partnership.pk}",
        json.dumps({"target_naics_codes": ["3344"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {personas.staff_token}",
    )
    assert response.status_code == 200, response.content

    history = page.get(f"/partnerships/{partnership.pk}/history/")
    text = history.content.decode()
    assert "Target industries: 3364 → 3344, 6221" in text
    assert "Target industries: 3344, 6221 → 3344" in text
    entries = history.context["entries"]
    newest = entries[0]
    assert (newest.who, newest.changes) == ("staff", [("target industries", "3344, 6221", "3344")])
    assert entries[1].who == "convener_a"


def test_a_new_partnerships_creation_record_holds_its_target_industries() -> None:
    partnership = services.partnership_create(
        name="Harbor Shipbuilding",
        region=RegionFactory(),
        convener=WorkforceBoardFactory(),
        target_naics=["336611", "3366"],
    )
    (created,) = partnership.history.all()
    assert created.history_type == "+" and created.target_naics == "3366, 336611"
    services.partnership_update(partnership=partnership, goals="Welders")
    assert partnership.history.latest().target_naics == "3366, 336611"  # unchanged, still recorded


def test_region_county_changes_are_in_the_regions_history() -> None:
    region = services.region_create(name="Lake Region", county_fips=["50011", "50007"])
    assert region.history.get().county_fips == "50007, 50011"
    services.region_set_counties(region=region, county_fips=["50007", "50013"])
    records = list(Region.history.filter(id=region.pk))  # type: ignore[attr-defined]
    entries = history_entries(records, subject="Region")
    assert entries[0].changes == [("counties", "50007, 50011", "50007, 50013")]


def test_records_written_before_codes_were_recorded_show_no_invented_change(personas: Personas) -> None:
    partnership = personas.partnership_a
    services.partnership_update(partnership=partnership, goals="Older record")
    partnership.history.update(target_naics=None)  # as after the migration: unknown, not "none"
    services.partnership_update(partnership=partnership, goals="Newer record")
    records = list(SectorPartnership.history.filter(id=partnership.pk))  # type: ignore[attr-defined]
    changes = history_entries(records, subject="Partnership")[0].changes
    assert changes == [("goals", "Older record", "Newer record")]


def test_counties_changed_in_the_admin_are_in_the_regions_history() -> None:
    # Partnerships are read-only in the admin (their target industries change through the services, above);
    # regions are drawn there, and their counties are child rows saved after the region.
    region = services.region_create(name="Lake Region", county_fips=["50007"])
    county = region.counties.get()
    admin = Client()
    admin.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = f"/admin/partnerships/region/{region.pk}/change/"
    data = {
        "name": region.name,
        "source": region.source,
        "source_detail": "",
        "description": "",
        "counties-TOTAL_FORMS": "2",
        "counties-INITIAL_FORMS": "1",
        "counties-0-id": county.pk,
        "counties-0-region": region.pk,
        "counties-0-county_fips": "50011",
        "counties-1-region": region.pk,
        "counties-1-county_fips": "50013",
    }
    assert "name" in admin.get(url).context["adminform"].form.fields
    response = admin.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert sorted(region.counties.values_list("county_fips", flat=True)) == ["50011", "50013"]
    assert region.history.latest().county_fips == "50011, 50013"


def test_the_admin_refuses_a_region_without_counties() -> None:
    region = services.region_create(name="Lake Region", county_fips=["50007"])
    county = region.counties.get()
    admin = Client()
    admin.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = admin.post(
        f"/admin/partnerships/region/{region.pk}/change/",
        {
            "name": region.name,
            "source": region.source,
            "counties-TOTAL_FORMS": "1",
            "counties-INITIAL_FORMS": "1",
            "counties-0-id": county.pk,
            "counties-0-region": region.pk,
            "counties-0-county_fips": "50007",
            "counties-0-DELETE": "on",
        },
    )
    assert response.status_code == 200
    assert services.REGION_NEEDS_A_COUNTY in response.content.decode()
    assert list(region.counties.values_list("county_fips", flat=True)) == ["50007"]
