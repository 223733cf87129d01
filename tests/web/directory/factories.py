"""factory_boy factories for the directory app: organisations (by type) and people."""

from __future__ import annotations

import factory

from sectorwise.directory.models import Organization, OrganizationType, Person, SizeBand


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
