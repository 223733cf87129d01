"""Each single-row rule refuses the same bad record with the same message through every way in: the Django
admin, a page, the API and an import (where that way writes such records). The rules live on the models
(``clean()`` calling one pure function per rule, and a check constraint where the database can say it);
rules spanning records stay in the services, which the admin now calls too."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from sectorwise.directory.models import SIZE_BAND_ONLY_FOR_EMPLOYERS, Organization
from sectorwise.partnerships.importing import memberships_import, organizations_import
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership, Stage
from tests.web.directory.factories import WorkforceBoardFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _import_errors(result: Any) -> list[tuple[str, str]]:
    assert not result.ok
    return [(error.field, error.reason) for error in result.errors]


# --- Only employers have a size band (Organization.clean + check constraint) -----------------------


def test_a_size_band_on_a_non_employer_is_refused_alike_everywhere(personas: Personas) -> None:
    message = SIZE_BAND_ONLY_FOR_EMPLOYERS
    staff = _client(personas.staff)
    before = Organization.objects.count()

    admin_page = _client(personas.admin).post(
        reverse("admin:directory_organization_add"),
        {
            "name": "Valley College",
            "type": "college",
            "size_band": "5",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
        },
    )
    assert admin_page.status_code == 200
    assert escape(message) in admin_page.content.decode()

    page = staff.post(
        reverse("partnerships:organization_create"),
        {"name": "Valley College", "type": "college", "size_band": "5"},
    )
    assert page.status_code == 200
    assert escape(message) in page.content.decode()

    api = _api(
        staff, "post", "/api/organizations", {"name": "Valley College", "type": "college", "size_band": "5"}
    )
    assert api.status_code == 422
    assert api.json()["fields"]["size_band"] == [message]

    result = organizations_import(
        filename="orgs.csv", content=b"name,type,size_band\nValley College,college,5\n", user=personas.staff
    )
    assert _import_errors(result) == [("size_band", message)]

    assert Organization.objects.count() == before


def test_the_database_refuses_a_size_band_on_a_non_employer_too() -> None:
    board = WorkforceBoardFactory()
    board.size_band = "5"
    with pytest.raises(IntegrityError), transaction.atomic():
        board.save()


def test_the_admin_writes_organizations_through_the_service(personas: Personas) -> None:
    # A rule spanning records (no two organisations share a name, whatever the case): the admin used to
    # save without it.
    response = _client(personas.admin).post(
        reverse("admin:directory_organization_add"),
        {
            "name": personas.employer_a.name.upper(),
            "type": "employer",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert escape("There is already an organization called") in response.content.decode()
    assert not Organization.objects.filter(name=personas.employer_a.name.upper()).exists()


# --- Employer roles are for employers (Membership.clean) ------------------------------------------


def test_an_employer_role_for_a_non_employer_is_refused_alike_everywhere(personas: Personas) -> None:
    board = WorkforceBoardFactory(name="Northern Board")
    partnership = personas.partnership_a
    message = "Northern Board is not an employer; employer roles are for employers."
    staff = _client(personas.staff)

    page = staff.post(
        reverse("partnerships:membership_add", kwargs={"pk": partnership.pk}),
        {"organization": board.pk, "role": MembershipRole.EMPLOYER_MEMBER},
    )
    assert page.status_code == 200
    assert escape(message) in page.content.decode()

    api = _api(
        staff,
        "post",
        f"/api/partnerships/{partnership.pk}/members",
        {"organization_id": board.pk, "role": MembershipRole.EMPLOYER_MEMBER},
    )
    assert api.status_code == 422
    assert api.json()["fields"]["role"] == [message]

    content = f"partnership_id,organization_id,role\n{partnership.pk},{board.pk},employer_member\n"
    result = memberships_import(filename="members.csv", content=content.encode(), user=personas.staff)
    assert _import_errors(result) == [("role", message)]

    # The admin does not write memberships at all (workflow records: read-only there).
    admin_page = _client(personas.admin).post(
        reverse("admin:partnerships_membership_add"),
        {"partnership": partnership.pk, "organization": board.pk, "role": MembershipRole.EMPLOYER_MEMBER},
    )
    assert admin_page.status_code == 403
    assert not Membership.objects.filter(organization=board).exists()


def test_the_admin_can_neither_give_the_role_convener_nor_remove_the_convener(personas: Personas) -> None:
    admin = _client(personas.admin)
    membership = personas.membership_a
    change = admin.post(
        reverse("admin:partnerships_membership_change", args=[membership.pk]),
        {
            "partnership": membership.partnership_id,
            "organization": membership.organization_id,
            "role": MembershipRole.CONVENER,
        },
    )
    assert change.status_code == 403
    convener = Membership.objects.get(
        partnership=personas.partnership_a, organization=personas.partnership_a.convener
    )
    delete = admin.post(reverse("admin:partnerships_membership_delete", args=[convener.pk]), {"post": "yes"})
    assert delete.status_code == 403
    membership.refresh_from_db()
    assert membership.role != MembershipRole.CONVENER
    assert Membership.objects.filter(pk=convener.pk).exists()


# --- Stages are reached in order (SectorPartnership.clean) -----------------------------------------


def test_a_stage_dated_before_an_earlier_stage_is_refused_alike_everywhere(personas: Personas) -> None:
    partnership = personas.partnership_a
    SectorPartnership.objects.filter(pk=partnership.pk).update(
        stage=Stage.PLANNING, exploring_since=dt.date(2025, 1, 10), planning_since=dt.date(2025, 6, 1)
    )
    partnership.refresh_from_db()
    message = (
        "Implementation since 2025-03-01 is before planning since 2025-06-01: a stage is reached after "
        "the stages before it."
    )
    staff = _client(personas.staff)

    page = staff.post(
        reverse("partnerships:partnership_edit", kwargs={"pk": partnership.pk}),
        {
            "name": partnership.name,
            "region": partnership.region_id,
            "convener": partnership.convener_id,
            "target_naics": " ".join(partnership.target_naics_codes),
            "stage": Stage.IMPLEMENTATION,
            "stage_since": "2025-03-01",
        },
    )
    assert page.status_code == 200
    assert escape(message) in page.content.decode()

    api = _api(
        staff,
        "patch",
        f"/api/partnerships/{partnership.pk}",
        {"stage": Stage.IMPLEMENTATION, "stage_since": "2025-03-01"},
    )
    assert api.status_code == 422
    assert api.json()["fields"]["implementation_since"] == [message]

    # No import writes partnerships, and the admin shows them read-only.
    admin_page = _client(personas.admin).post(
        reverse("admin:partnerships_sectorpartnership_change", args=[partnership.pk]),
        {"name": partnership.name, "stage": Stage.IMPLEMENTATION, "implementation_since": "2025-03-01"},
    )
    assert admin_page.status_code == 403

    partnership.refresh_from_db()
    assert partnership.stage == Stage.PLANNING
    assert partnership.implementation_since is None


def test_a_partnership_may_step_back_a_stage() -> None:
    from sectorwise.partnerships.models import stage_dates_error

    dates = {
        "exploring": dt.date(2024, 1, 1),
        "planning": dt.date(2025, 6, 1),
        "implementation": dt.date(2025, 3, 1),
    }
    # Back in planning: the implementation date of an earlier attempt is kept and not compared.
    assert stage_dates_error(stage=Stage.PLANNING, dates=dates) == {}
    assert stage_dates_error(stage=Stage.IMPLEMENTATION, dates=dates) != {}
