"""Writes on people and organisations. Each validates (``full_clean``: the model's single-row rules, such as
"only employers have a size band") plus the rules spanning records (no two organisations share a name), raises
``ValidationError`` naming the field, and owns its transaction; permission checks are the caller's, and
django-simple-history records every change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sectorwise.core.services import refuse_duplicate_name, refuse_nulls
from sectorwise.directory.models import Affiliation, Organization, OrganizationType, Person

#: The organisation fields a user may set, in the order forms, imports and exports show them.
ORGANIZATION_FIELDS: tuple[str, ...] = (
    "name",
    "type",
    "street_address",
    "city",
    "state",
    "postal_code",
    "county_fips",
    "naics_code",
    "size_band",
    "website",
    "email",
    "phone",
    "description",
)


def _validate_organization(organization: Organization) -> None:
    refuse_nulls(organization)
    organization.name = organization.name.strip()
    organization.full_clean()
    refuse_duplicate_name(organization, "an organization")


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    """Validate and save an organisation whose fields are already set (new or not): the admin's write."""
    _validate_organization(organization)
    organization.save()
    return organization


@transaction.atomic
def organization_create(*, name: str, type: OrganizationType | str, **fields: Any) -> Organization:
    """A new organization; other fields as on the model (``county_fips``, ``naics_code``, ...)."""
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"organization_create: unknown fields {sorted(unknown)}")
    organization = Organization(name=name, type=type, **fields)
    _validate_organization(organization)
    organization.save()
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, **changes: Any) -> Organization:
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"organization_update: unknown fields {sorted(unknown)}")
    for field, value in changes.items():
        setattr(organization, field, value)
    _validate_organization(organization)
    organization.save()
    return organization


def organization_validate(*, organization: Organization) -> None:
    """The checks ``organization_create`` and ``organization_update`` make, without saving (bulk import)."""
    _validate_organization(organization)


@transaction.atomic
def person_create(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    organizations: Iterable[tuple[Organization, str]] = (),
) -> Person:
    """A contact, acting for each ``(organization, title)`` given."""
    person = Person(first_name=first_name, last_name=last_name, email=email, phone=phone)
    person.full_clean()
    person.save()
    for organization, title in organizations:
        person_affiliate(person=person, organization=organization, title=title)
    return person


@transaction.atomic
def person_affiliate(*, person: Person, organization: Organization, title: str = "") -> Affiliation:
    """Record that ``person`` acts for ``organization`` (updates the title when already recorded)."""
    affiliation, _ = Affiliation.objects.update_or_create(
        person=person, organization=organization, defaults={"title": title}
    )
    return affiliation
