"""Writes on the registry: validation names the field; stages keep their dates; history records changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from sectorwise.directory import services as directory_services
from sectorwise.directory.models import OrganizationType
from sectorwise.partnerships import services
from sectorwise.partnerships.models import Membership, MembershipRole, RegionSource, SectorPartnership, Stage
from tests.web.directory.factories import EmployerFactory, OrganizationFactory, WorkforceBoardFactory
from tests.web.partnerships.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_partnership_create_makes_the_convener_its_first_member() -> None:
    board = WorkforceBoardFactory()
    partnership = services.partnership_create(
        name="Northwest Manufacturing", region=RegionFactory(), convener=board, target_naics=["336", " 332 "]
    )
    assert partnership.target_naics_codes == ["332", "336"]
    assert partnership.exploring_since is not None
    assert list(partnership.memberships.values_list("organization", "role")) == [
        (board.pk, MembershipRole.CONVENER)
    ]


def test_a_partnership_needs_target_industries_or_a_cluster() -> None:
    with pytest.raises(ValidationError) as error:
        services.partnership_create(name="x", region=RegionFactory(), convener=WorkforceBoardFactory())
    assert "target_naics" in error.value.message_dict
    partnership = services.partnership_create(
        name="Cluster-led", region=RegionFactory(), convener=WorkforceBoardFactory(), cluster="Biopharma"
    )
    assert partnership.target_naics_codes == []


def test_a_bad_naics_code_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="'33x'"):
        services.partnership_create(
            name="x", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["33x"]
        )


def test_a_stage_change_records_the_date_it_was_reached() -> None:
    partnership = services.partnership_create(
        name="p", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["62"],
        stage_since=dt.date(2023, 1, 5),
    )  # fmt: skip
    services.partnership_update(
        partnership=partnership, stage=Stage.PLANNING, stage_since=dt.date(2024, 2, 1)
    )
    partnership.refresh_from_db()
    assert partnership.stage == Stage.PLANNING
    assert partnership.stage_reached_on(Stage.EXPLORING) == dt.date(2023, 1, 5)
    assert partnership.stage_reached_on(Stage.PLANNING) == dt.date(2024, 2, 1)
    # The same stage again changes no date.
    services.partnership_update(
        partnership=partnership, stage=Stage.PLANNING, stage_since=dt.date(2025, 1, 1)
    )
    partnership.refresh_from_db()
    assert partnership.planning_since == dt.date(2024, 2, 1)


def test_every_change_is_in_the_history() -> None:
    partnership = services.partnership_create(
        name="Before", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["62"]
    )
    services.partnership_update(partnership=partnership, name="After", goals="More nurses")
    names = list(partnership.history.order_by("history_date").values_list("name", flat=True))
    assert names == ["Before", "After"]


def test_a_new_convener_joins_as_a_member() -> None:
    partnership = services.partnership_create(
        name="p", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["62"]
    )
    new_board = WorkforceBoardFactory()
    services.partnership_update(partnership=partnership, convener=new_board)
    assert partnership.memberships.get(organization=new_board).role == MembershipRole.CONVENER


def test_update_refuses_unknown_fields() -> None:
    partnership = services.partnership_create(
        name="p", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["62"]
    )
    with pytest.raises(TypeError, match="stagee"):
        services.partnership_update(partnership=partnership, stagee="planning")


def test_membership_rules() -> None:
    partnership = services.partnership_create(
        name="p", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=["62"]
    )
    employer = EmployerFactory()
    services.membership_add(
        partnership=partnership, organization=employer, role=MembershipRole.EMPLOYER_CHAMPION
    )
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(partnership=partnership, organization=employer, role=MembershipRole.OTHER)
    with pytest.raises(ValidationError, match="not an employer"):
        services.membership_add(
            partnership=partnership, organization=OrganizationFactory(), role=MembershipRole.EMPLOYER_MEMBER
        )
    convener_membership = Membership.objects.get(partnership=partnership, role=MembershipRole.CONVENER)
    with pytest.raises(ValidationError, match="convener cannot leave"):
        services.membership_remove(membership=convener_membership)


def test_organizations_validate_fips_naics_and_size_bands() -> None:
    with pytest.raises(ValidationError) as error:
        directory_services.organization_create(
            name="x", type=OrganizationType.EMPLOYER, county_fips="5007", naics_code="3a"
        )
    assert {"county_fips", "naics_code"} <= error.value.message_dict.keys()
    with pytest.raises(ValidationError, match="Only employers"):
        directory_services.organization_create(name="x", type=OrganizationType.COLLEGE, size_band="5")
    with pytest.raises(TypeError, match="colour"):
        directory_services.organization_create(name="x", type=OrganizationType.COLLEGE, colour="red")


def test_regions_by_hand_and_from_a_region_set() -> None:
    from sectorwise.lmi.regions import Region as LmiRegion

    region = services.region_create(name="Hand drawn", county_fips=["50011", "50007", "50007"])
    assert region.county_fips_list == ["50007", "50011"]
    services.region_set_counties(region=region, county_fips=["50007", "50013"])
    assert region.county_fips_list == ["50007", "50013"]
    with pytest.raises(ValidationError, match="'5001'"):
        services.region_create(name="Bad", county_fips=["5001"])
    zones = [LmiRegion(name="CZ50007", counties=("50007", "50011"), description="a zone")]
    from_set = services.region_create_from_region_set(
        region_set_name="Fowler 2020", regions=zones, zone="CZ50007", name="Burlington CZ"
    )
    assert from_set.source == RegionSource.REGION_SET
    assert from_set.source_detail == "Fowler 2020: CZ50007"
    assert from_set.county_fips_list == ["50007", "50011"]
    with pytest.raises(ValidationError, match="no zone 'CZ1'"):
        services.region_create_from_region_set(region_set_name="Fowler 2020", regions=zones, zone="CZ1")


class TestNaicsInput(HypothesisTestCase):
    """Any text given as target industries is either stored exactly (cleaned, sorted) or refused whole."""

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.text(alphabet="0123456789 x-", max_size=8), max_size=4))
    def test_target_codes_are_all_valid_or_nothing_is_saved(self, codes: list[str]) -> None:
        before = SectorPartnership.objects.count()
        try:
            partnership = services.partnership_create(
                name="p", region=RegionFactory(), convener=WorkforceBoardFactory(), target_naics=codes,
                cluster="c",
            )  # fmt: skip
        except ValidationError:
            assert SectorPartnership.objects.count() == before
            return
        stored = partnership.target_naics_codes
        assert stored == sorted({code.strip() for code in codes if code.strip()})
        assert all(code.isdigit() and 2 <= len(code) <= 6 for code in stored)


def test_a_region_from_a_set_stored_in_the_warehouse(tmp_path: Path) -> None:
    from sectorwise.lmi import warehouse
    from sectorwise.lmi.regionsets import RegionSet, store_region_set

    path = tmp_path / "warehouse.duckdb"
    con = warehouse.open_duckdb(path)
    store_region_set(
        con, RegionSet(name="fowler2020", assignments={"50007": "CZ1", "50011": "CZ1", "50021": "CZ2"})
    )
    con.close()
    region = services.region_create_from_warehouse(
        spec="fowler2020@50011", name="Burlington", warehouse_path=path
    )
    assert region.county_fips_list == ["50007", "50011"]
    assert region.source == RegionSource.REGION_SET and region.source_detail.startswith("fowler2020: ")
    with pytest.raises(ValidationError, match="spec"):
        services.region_create_from_warehouse(spec="fowler2020:CZ9", warehouse_path=path)
    with pytest.raises(ValidationError, match="no LMI warehouse"):
        services.region_create_from_warehouse(spec="x:y", warehouse_path=tmp_path / "none.duckdb")
