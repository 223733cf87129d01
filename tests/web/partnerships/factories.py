"""factory_boy factories for the partnerships app: regions, partnerships (with their convener as a member)
and memberships."""

from __future__ import annotations

from typing import Any

import factory

from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Region,
    RegionCounty,
    SectorPartnership,
    Stage,
    TargetIndustry,
)
from tests.web.directory.factories import EmployerFactory, WorkforceBoardFactory


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Region {n}")

    @factory.post_generation
    def counties(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for fips in extracted or ["50007", "50011"]:
                RegionCounty.objects.create(region=self, county_fips=fips)


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership with its convener as a member (as ``partnership_create`` makes them)."""

    class Meta:
        model = SectorPartnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partnership {n}")
    region = factory.SubFactory(RegionFactory)
    convener = factory.SubFactory(WorkforceBoardFactory)
    stage = Stage.PLANNING
    goals = "Fill the region's machinist pipeline."

    @factory.post_generation
    def target_naics(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for code in extracted if extracted is not None else ["3364"]:
                TargetIndustry.objects.create(partnership=self, naics_code=code)
            Membership.objects.get_or_create(
                partnership=self, organization=self.convener, defaults={"role": MembershipRole.CONVENER}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SubFactory(EmployerFactory)
    role = MembershipRole.EMPLOYER_MEMBER
