"""The demo registry: regions from the synthetic commuting zones, every stage, users per role, re-runs keep
what the user changed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sectorwise.accounts.models import User
from sectorwise.core.permissions import user_can
from sectorwise.demo.commuting import write_acs_flows
from sectorwise.demo.geography import demo_state
from sectorwise.demo.records import DEMO_PASSWORD, SOURCE_FOLDER, demo_zones, load_demo_records
from sectorwise.demo.synthetic import DEMO_SEED, FLOWS_FILE
from sectorwise.partnerships.models import RegionSource, SectorPartnership, Stage
from sectorwise.partnerships.rules import PartnershipAction
from sectorwise.partnerships.selectors import partnership_health

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir_with_flows(tmp_path: Path) -> Path:
    write_acs_flows(demo_state(DEMO_SEED), tmp_path / SOURCE_FOLDER / FLOWS_FILE, seed=DEMO_SEED)
    return tmp_path


def test_regions_are_the_delineated_commuting_zones(data_dir_with_flows: Path) -> None:
    zones, note = demo_zones(data_dir=data_dir_with_flows, state=demo_state(DEMO_SEED))
    assert note.startswith("commuting zones delineated")
    counties = [county for zone in zones for county in zone.counties]
    assert sorted(counties) == sorted(c.fips for c in demo_state(DEMO_SEED).counties)  # a partition
    alder = next(zone for zone in zones if zone.name.startswith("Alder"))
    # The same zone the LMI demo profiles (sectorwise.demo.lmi_demo.DEMO_REGION).
    from sectorwise.demo.lmi_demo import DEMO_REGION

    assert alder.counties == DEMO_REGION.counties


def test_without_flows_the_documented_fallback_partitions_the_state(tmp_path: Path) -> None:
    zones, note = demo_zones(data_dir=tmp_path, state=demo_state(DEMO_SEED))
    assert note.startswith("nearest-hub fallback")
    assert sum(len(zone.counties) for zone in zones) == len(demo_state(DEMO_SEED).counties)


def test_the_demo_registry(data_dir_with_flows: Path) -> None:
    records = load_demo_records(data_dir=data_dir_with_flows)
    assert records.seeded
    assert 10 <= records.partnerships <= 30
    stages = Counter(SectorPartnership.objects.values_list("stage", flat=True))
    assert set(stages) == {stage.value for stage in Stage}
    assert all(
        SectorPartnership.objects.get(pk=p.pk).memberships.count() >= 3
        for p in SectorPartnership.objects.all()
    )
    assert (
        SectorPartnership.objects.filter(region__source=RegionSource.DELINEATION).count()
        == records.partnerships
    )
    # Later stages carry the dates of every stage they passed through, in order.
    for partnership in SectorPartnership.objects.filter(stage=Stage.SUSTAINING):
        dates = [partnership.stage_reached_on(stage) for stage in Stage]
        assert None not in dates and dates == sorted(dates)  # type: ignore[type-var]
    led = [partnership_health(partnership=p).employer_led for p in SectorPartnership.objects.all()]
    assert any(led) and not all(led)  # the demo shows both


def test_one_user_per_role_with_the_demo_password(data_dir_with_flows: Path) -> None:
    records = load_demo_records(data_dir=data_dir_with_flows)
    assert [user.username for user in records.users] == ["admin", "staff", "convener", "reviewer", "viewer"]
    demo_usernames = {user.username for user in records.users}
    for user in User.objects.all():
        # The demo's sign-in users share the demo password; the users the apps' seeders make to act in
        # their records (other boards' conveners, more reviewers) cannot sign in at all.
        if user.username in demo_usernames:
            assert user.check_password(DEMO_PASSWORD)
        else:
            assert not user.has_usable_password(), user.username
    convener = User.objects.get(username="convener")
    convened = SectorPartnership.objects.filter(convener=convener.organization)
    assert convened.exists()
    assert user_can(user=convener, action=PartnershipAction.CHANGE_PARTNERSHIP, obj=convened.first())
    others = SectorPartnership.objects.exclude(convener=convener.organization)
    assert not user_can(user=convener, action=PartnershipAction.CHANGE_PARTNERSHIP, obj=others.first())


def test_running_again_keeps_what_the_user_changed(data_dir_with_flows: Path) -> None:
    load_demo_records(data_dir=data_dir_with_flows)
    partnership = SectorPartnership.objects.order_by("pk").first()
    assert partnership is not None
    partnership.name = "Renamed by the user"
    partnership.save()
    viewer = User.objects.get(username="viewer")
    viewer.set_password("changed")
    viewer.save()
    again = load_demo_records(data_dir=data_dir_with_flows)
    assert not again.seeded
    partnership.refresh_from_db()
    assert partnership.name == "Renamed by the user"
    assert User.objects.get(username="viewer").check_password("changed")
    assert again.partnerships == SectorPartnership.objects.count()
