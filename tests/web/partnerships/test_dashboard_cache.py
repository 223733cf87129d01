"""The dashboard's figures are cached, and every kind of write drops them at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from sectorwise.partnerships import importing, services
from sectorwise.partnerships.models import MembershipRole, Stage
from tests.web.accounts.factories import UserFactory
from tests.web.directory.factories import EmployerFactory
from tests.web.partnerships.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def _dashboard(client: Client) -> tuple[dict[str, int], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("partnerships:dashboard"))
    assert response.status_code == 200
    return response.context["totals"], len(captured)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(role="state_staff"))
    return client


def test_a_second_visit_reads_the_cached_figures(staff: Client) -> None:
    PartnershipFactory()
    first_totals, first_queries = _dashboard(staff)
    second_totals, second_queries = _dashboard(staff)
    assert second_totals == first_totals
    assert second_queries < first_queries  # the counting queries ran once


def test_writes_through_services_models_and_imports_drop_the_figures(staff: Client) -> None:
    partnership = PartnershipFactory(stage=Stage.PLANNING)
    assert _dashboard(staff)[0]["memberships"] == 1  # the convener

    services.membership_add(
        partnership=partnership, organization=EmployerFactory(), role=MembershipRole.EMPLOYER_MEMBER
    )
    assert _dashboard(staff)[0]["memberships"] == 2

    services.partnership_update(partnership=partnership, stage=Stage.IMPLEMENTATION)
    response = staff.get(reverse("partnerships:dashboard"))
    stages = {stage: count for _, stage, count in response.context["by_stage"]}
    assert stages[Stage.IMPLEMENTATION] == 1 and stages[Stage.PLANNING] == 0

    organizations = _dashboard(staff)[0]["organizations"]
    result = importing.organizations_import(
        filename="orgs.csv", content=b"name,type\nNew Employer,employer\n", user=None
    )
    assert result.ok, result.errors
    assert _dashboard(staff)[0]["organizations"] == organizations + 1  # a bulk write: no model signal


@override_settings(SECTORWISE_DASHBOARD_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(staff: Client) -> None:
    PartnershipFactory()
    assert _dashboard(staff)[1] == _dashboard(staff)[1]
