"""Reads on people and organisations."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from sectorwise.core.permissions import Action
from sectorwise.core.rules import visible_to
from sectorwise.directory.models import Organization, OrganizationType, Person


def search_unmatchable(*terms: str) -> bool:
    """A search term holding a NUL matches no record (the services refuse control characters in text), and
    PostgreSQL refuses it in a query outright: such a search finds nothing instead of failing."""
    return any("\x00" in term for term in terms)


def organization_list(
    *, user: Any, search: str = "", type: OrganizationType | str = "", county_fips: str = ""
) -> QuerySet[Organization]:
    """The organisations ``user`` may see (every role: all; no role: none) matching the filters."""
    queryset = visible_to(Organization.objects.all(), user=user, action=Action.VIEW)
    if search_unmatchable(search, county_fips):
        return queryset.none()
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip())
    if type:
        queryset = queryset.filter(type=OrganizationType(type))
    if county_fips:
        queryset = queryset.filter(county_fips=county_fips)
    return queryset.order_by("name", "id")


def organization_get(*, pk: int) -> Organization:
    try:
        return Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(f"no organization {pk}") from error


def organization_for_url(**url_kwargs: Any) -> Organization:
    return organization_get(pk=url_kwargs["pk"])


def organization_people(*, organization: Organization) -> QuerySet[Person]:
    """The contacts who act for ``organization`` (contact details: ``DirectoryAction.VIEW_CONTACTS``)."""
    return Person.objects.filter(affiliations__organization=organization).prefetch_related(
        Prefetch("affiliations", to_attr="all_affiliations")
    )
