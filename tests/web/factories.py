"""factory_boy factories for the registry and accounts (one place; each app's records)."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from sectorwise.accounts.models import User
from sectorwise.core.roles import Role
from sectorwise.directory.models import Organization, OrganizationType, Person, SizeBand
from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Region,
    RegionCounty,
    SectorPartnership,
    Stage,
    TargetIndustry,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    type = OrganizationType.COMMUNITY
    county_fips = "50007"
    city = "Burlington"
    state = "VT"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    phone = "802-555-0100"


class EmployerFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Employer {n} Inc.")
    type = OrganizationType.EMPLOYER
    naics_code = "336411"
    size_band = SizeBand.FROM_100


class WorkforceBoardFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Workforce Board {n}")
    type = OrganizationType.WORKFORCE_BOARD


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Example"
    email = factory.Sequence(lambda n: f"pat{n}@example.org")
    phone = "802-555-0199"


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VIEWER
    password = factory.LazyFunction(lambda: TEST_PASSWORD_HASH)


TEST_PASSWORD = "correct horse battery staple"
TEST_PASSWORD_HASH = make_password(TEST_PASSWORD)
