"""No page's query count grows with the rows it shows: each page is measured with 5 and with 50 rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sectorwise.partnerships import services
from sectorwise.partnerships.models import MembershipRole
from tests.web.accounts.factories import UserFactory
from tests.web.directory.factories import EmployerFactory, WorkforceBoardFactory
from tests.web.partnerships.factories import MembershipFactory, PartnershipFactory, RegionFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


def _staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role="state_staff"))
    return client


def _partnerships(count: int) -> None:
    for number in range(count):
        region = RegionFactory(counties=[f"50{number * 2 + 1:03d}"])
        partnership = PartnershipFactory(
            region=region, convener=WorkforceBoardFactory(), target_naics=["3364", "62"]
        )
        MembershipFactory(partnership=partnership, role=MembershipRole.EMPLOYER_CHAMPION)


def _compare(build: Callable[[int], str]) -> tuple[int, int]:
    """Queries of the page built with SMALL rows, then with LARGE rows (after deleting nothing: a new set)."""
    client = _staff_client()
    small = _queries(client, build(SMALL))
    return small, _queries(client, build(LARGE))


def _fresh(builder: Callable[[int], str]) -> Callable[[int], str]:
    """Run ``builder`` in a clean registry each time (the two sizes must not add up)."""

    def build(count: int) -> str:
        from sectorwise.directory.models import Organization
        from sectorwise.partnerships.models import Membership, Region, SectorPartnership

        Membership.objects.all().delete()
        SectorPartnership.objects.all().delete()
        Region.objects.all().delete()
        Organization.objects.all().delete()
        return builder(count)

    return build


@pytest.mark.parametrize(
    "url_name",
    ["partnerships:dashboard", "partnerships:partnership_list", "partnerships:organization_list"],
)
def test_list_pages(url_name: str) -> None:
    def build(count: int) -> str:
        _partnerships(count)
        return reverse(url_name)

    small, large = _compare(_fresh(build))
    assert small == large, f"{url_name}: {small} queries with {SMALL} rows, {large} with {LARGE}"


@pytest.mark.parametrize(
    ("kind", "fmt"), [("partnerships", "csv"), ("organizations", "xlsx"), ("memberships", "csv")]
)
def test_exports(kind: str, fmt: str) -> None:
    def build(count: int) -> str:
        _partnerships(count)
        return reverse("partnerships:export", args=[kind, fmt])

    small, large = _compare(_fresh(build))
    assert small == large, f"export {kind}.{fmt}: {small} queries with {SMALL} rows, {large} with {LARGE}"


def test_partnership_detail_and_history_with_many_members() -> None:
    def build_detail(count: int) -> str:
        partnership = PartnershipFactory()
        for _ in range(count):
            MembershipFactory(partnership=partnership, organization=EmployerFactory())
        return reverse("partnerships:partnership_detail", args=[partnership.pk])

    small, large = _compare(_fresh(build_detail))
    assert small == large, f"detail: {small} queries with {SMALL} members, {large} with {LARGE}"

    def build_history(count: int) -> str:
        partnership = PartnershipFactory()
        for number in range(count):
            services.partnership_update(partnership=partnership, goals=f"Goal {number}")
            MembershipFactory(partnership=partnership, organization=EmployerFactory())
        return reverse("partnerships:partnership_history", args=[partnership.pk])

    small, large = _compare(_fresh(build_history))
    assert small == large, f"history: {small} queries with {SMALL} changes, {large} with {LARGE}"


def test_organization_detail_with_many_memberships() -> None:
    def build(count: int) -> str:
        employer = EmployerFactory()
        for _ in range(count):
            MembershipFactory(organization=employer)
        return reverse("partnerships:organization_detail", args=[employer.pk])

    small, large = _compare(_fresh(build))
    assert small == large, (
        f"organization detail: {small} queries with {SMALL} memberships, {large} with {LARGE}"
    )
