"""The API: shapes, filters, pagination, PATCH rules (permissions, CSRF, validation), the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import Membership, MembershipRole, Stage
from tests.web.directory.factories import OrganizationFactory
from tests.web.partnerships.factories import PartnershipFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _signed_in(user: object, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_shape_and_filters(personas: Personas) -> None:
    client = _signed_in(personas.viewer)
    body = client.get("/api/partnerships").json()
    assert body["count"] == 2
    first = body["items"][0]
    assert {"id", "name", "stage", "region", "convener", "target_naics_codes"} <= first.keys()
    assert first["convener"] == {
        "id": personas.board_a.pk,
        "name": personas.board_a.name,
        "type": "workforce_board",
    }
    only_b = client.get("/api/partnerships", {"naics": "62"}).json()
    assert [item["id"] for item in only_b["items"]] == [personas.partnership_b.pk]
    assert client.get("/api/partnerships", {"stage": "bogus"}).status_code == 422


def test_pagination_and_fixed_query_count(personas: Personas) -> None:
    client = _signed_in(personas.viewer)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/partnerships", {"limit": 50})
    for _ in range(15):
        PartnershipFactory()
    with CaptureQueriesContext(connection) as many:
        page = client.get("/api/partnerships", {"limit": 10, "offset": 10}).json()
    assert page["count"] == 17 and len(page["items"]) == 7
    with CaptureQueriesContext(connection) as many_full:
        client.get("/api/partnerships", {"limit": 50})
    assert len(few) == len(many_full) == len(many)


def test_detail_lists_members(personas: Personas) -> None:
    body = _signed_in(personas.reviewer).get(f"/api/partnerships/{personas.partnership_a.pk}").json()
    roles = {(m["organization_name"], m["role"]) for m in body["members"]}
    assert ("Lake Aero Parts", "employer_champion") in roles
    assert _signed_in(personas.reviewer).get("/api/partnerships/999999").status_code == 404


def test_a_convener_patches_its_partnership_stage(personas: Personas) -> None:
    client = _signed_in(personas.convener_a)
    url = f"/api/partnerships/{personas.partnership_a.pk}"
    response = client.patch(url, json.dumps({"stage": "implementation"}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "implementation"
    assert response.json()["implementation_since"] is not None
    personas.partnership_a.refresh_from_db()
    assert personas.partnership_a.stage == Stage.IMPLEMENTATION
    other = client.patch(
        f"/api/partnerships/{personas.partnership_b.pk}", json.dumps({"stage": "sustaining"}),
        content_type="application/json",
    )  # fmt: skip
    assert other.status_code == 403
    personas.partnership_b.refresh_from_db()
    assert personas.partnership_b.stage == Stage.PLANNING


def test_a_bad_patch_is_refused_with_the_field_named(personas: Personas) -> None:
    client = _signed_in(personas.staff)
    url = f"/api/partnerships/{personas.partnership_a.pk}"
    response = client.patch(url, json.dumps({"target_naics_codes": ["33x"]}), content_type="application/json")
    assert response.status_code == 422
    assert "target_naics_codes" in response.json()["fields"]
    assert (
        client.patch(url, json.dumps({"stage": "done"}), content_type="application/json").status_code == 422
    )


def test_session_writes_need_the_csrf_token_bearer_writes_do_not(personas: Personas) -> None:
    url = f"/api/partnerships/{personas.partnership_a.pk}"
    payload = json.dumps({"goals": "Forty apprentices a year"})
    session = _signed_in(personas.staff, csrf=True)
    assert session.patch(url, payload, content_type="application/json").status_code == 403
    bearer = Client(enforce_csrf_checks=True)
    response = bearer.patch(
        url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {personas.staff_token}"
    )
    assert response.status_code == 200


def test_organizations_never_expose_contact_details(personas: Personas) -> None:
    body = _signed_in(personas.viewer).get("/api/organizations", {"search": "lake aero"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert "email" not in item and "phone" not in item


def test_the_openapi_document_describes_every_operation(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    assert {"get", "patch"} <= paths["/api/partnerships/{partnership_id}"].keys()
    assert {"get", "post"} <= paths["/api/organizations"].keys()
    assert "patch" in paths["/api/organizations/{organization_id}"]
    assert "post" in paths["/api/partnerships/{partnership_id}/members"]
    assert {"patch", "delete"} <= paths["/api/partnerships/{partnership_id}/members/{organization_id}"].keys()
    assert client.get("/api/docs").status_code == 200


def test_the_history_records_who_changed_a_partnership_through_the_api(personas: Personas) -> None:
    client = _signed_in(personas.convener_a)
    url = f"/api/partnerships/{personas.partnership_a.pk}"
    client.patch(url, json.dumps({"goals": "Sixty machinists by 2027"}), content_type="application/json")
    latest = personas.partnership_a.history.latest()
    assert latest.history_user == personas.convener_a
    assert latest.goals == "Sixty machinists by 2027"


def _send(client: Client, method: str, url: str, body: object = None, **extra: str) -> object:
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **extra)


def test_a_convener_adds_an_organisation_and_manages_its_partnerships_members(personas: Personas) -> None:
    client = _signed_in(personas.convener_a)
    created = _send(
        client, "post", "/api/organizations",
        {"name": "Valley Machining", "type": "employer", "naics_code": "332710", "county_fips": "50007",
         "size_band": "3"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    organization = created.json()
    assert organization["name"] == "Valley Machining" and organization["size_band"] == "3"
    members = f"/api/partnerships/{personas.partnership_a.pk}/members"
    added = _send(
        client, "post", members,
        {"organization_id": organization["id"], "role": "employer_member", "joined_on": "2026-03-01"},
    )  # fmt: skip
    assert added.status_code == 201, added.content
    assert added.json() == {
        "organization_id": organization["id"],
        "organization_name": "Valley Machining",
        "organization_type": "employer",
        "role": "employer_member",
        "joined_on": "2026-03-01",
    }
    member = f"{members}/{organization['id']}"
    changed = _send(client, "patch", member, {"role": "employer_champion"})
    assert changed.status_code == 200 and changed.json()["role"] == "employer_champion"
    assert changed.json()["joined_on"] == "2026-03-01"  # fields not sent stay
    detail = client.get(f"/api/partnerships/{personas.partnership_a.pk}").json()
    assert organization["id"] in {m["organization_id"] for m in detail["members"]}
    assert Membership.history.filter(organization_id=organization["id"]).latest().history_user == (
        personas.convener_a
    )
    assert client.delete(member).status_code == 204
    assert not Membership.objects.filter(organization_id=organization["id"]).exists()
    assert client.delete(member).status_code == 404
    # Another partnership's members, and other organisations' records, are not the convener's to change.
    other = f"/api/partnerships/{personas.partnership_b.pk}/members"
    assert (
        _send(client, "post", other, {"organization_id": organization["id"], "role": "other"}).status_code
        == 403
    )
    assert (
        _send(client, "patch", f"/api/organizations/{organization['id']}", {"city": "X"}).status_code == 403
    )


def test_bad_writes_are_refused_with_the_field_named_and_change_nothing(personas: Personas) -> None:
    client = _signed_in(personas.staff)
    organizations, memberships = Organization.objects.count(), Membership.objects.count()

    def refused(method: str, url: str, body: object, status: int = 422) -> str:
        response = _send(client, method, url, body)
        assert response.status_code == status, (url, body, response.content)
        answer = response.json()
        return str(answer.get("fields") or answer["detail"])

    assert "name" in refused("post", "/api/organizations", {"type": "employer"})
    assert "county_fips" in refused(
        "post", "/api/organizations", {"name": "A", "type": "college", "county_fips": "123"}
    )
    assert "size_band" in refused(
        "post", "/api/organizations", {"name": "A", "type": "college", "size_band": "3"}
    )
    assert "type" in refused("post", "/api/organizations", {"name": "A", "type": "bakery"})
    members = f"/api/partnerships/{personas.partnership_a.pk}/members"
    college = OrganizationFactory(name="Champlain College", type="college")
    organizations += 1
    assert "employer" in refused("post", members, {"organization_id": college.pk, "role": "employer_member"})
    assert "already a member" in refused(
        "post", members, {"organization_id": personas.employer_a.pk, "role": "employer_member"}
    )
    refused("post", members, {"organization_id": 999_999, "role": "other"}, status=404)
    refused("patch", f"{members}/{college.pk}", {"role": "other"}, status=404)  # not a member
    assert "role" in refused("patch", f"{members}/{personas.employer_a.pk}", {"role": "boss"})
    assert "convener" in refused("delete", f"{members}/{personas.board_a.pk}", None)
    assert "naics_code" in refused(
        "patch", f"/api/organizations/{personas.employer_a.pk}", {"naics_code": "3x"}
    )
    assert Organization.objects.count() == organizations and Membership.objects.count() == memberships
    personas.employer_a.refresh_from_db()
    assert personas.employer_a.naics_code == "336411"
    assert Membership.objects.get(pk=personas.membership_a.pk).role == MembershipRole.EMPLOYER_CHAMPION


def test_state_staff_change_an_organisation_with_a_bearer_token(personas: Personas) -> None:
    url = f"/api/organizations/{personas.employer_a.pk}"
    response = _send(
        Client(enforce_csrf_checks=True), "patch", url, {"city": "Winooski", "size_band": None},
        HTTP_AUTHORIZATION=f"Bearer {personas.staff_token}",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Winooski" and response.json()["size_band"] == ""
    personas.employer_a.refresh_from_db()
    assert personas.employer_a.name == "Lake Aero Parts"  # fields not sent stay
    assert personas.employer_a.history.latest().history_user == personas.staff
