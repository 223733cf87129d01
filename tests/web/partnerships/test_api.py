"""The API: shapes, filters, pagination, PATCH rules (permissions, CSRF, validation), the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sectorwise.partnerships.models import Stage
from tests.web.factories import PartnershipFactory
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
    assert "target_naics" in response.json()["detail"]
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
    assert "/api/organizations" in paths
    assert client.get("/api/docs").status_code == 200


def test_the_history_records_who_changed_a_partnership_through_the_api(personas: Personas) -> None:
    client = _signed_in(personas.convener_a)
    url = f"/api/partnerships/{personas.partnership_a.pk}"
    client.patch(url, json.dumps({"goals": "Sixty machinists by 2027"}), content_type="application/json")
    latest = personas.partnership_a.history.latest()
    assert latest.history_user == personas.convener_a
    assert latest.goals == "Sixty machinists by 2027"
