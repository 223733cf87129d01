"""Refused API writes: nulls, control characters, blank and duplicate names, page sizes, membership rules.

Every refused write answers 422 ``{"message": ..., "fields": {field: [...]}}`` naming the field and changes
nothing; the membership rules are the services', so the pages, the API and imports refuse alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from sectorwise.core.validators import no_control_characters, no_control_characters_multiline
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization
from sectorwise.partnerships import importing, services
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership
from tests.web.directory.factories import EmployerFactory, WorkforceBoardFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _staff(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.staff)
    return client


def _send(client: Client, method: str, url: str, body: object) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _snapshot() -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    return (
        list(SectorPartnership.objects.order_by("pk").values()),
        list(Organization.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        SectorPartnership.history.count(),  # type: ignore[attr-defined]
        Organization.history.count(),  # type: ignore[attr-defined]
    )


def _partnership(p: Personas) -> str:
    return f"/api/partnerships/{p.partnership_a.pk}"


def _organization(p: Personas) -> str:
    return f"/api/organizations/{p.employer_a.pk}"


def _members(p: Personas) -> str:
    return f"/api/partnerships/{p.partnership_a.pk}/members"


def _member(p: Personas) -> str:
    return f"/api/partnerships/{p.partnership_a.pk}/members/{p.employer_a.pk}"


Url = Callable[[Personas], str]
NULL_WRITES: list[tuple[str, Url, dict[str, Any], str]] = [
    ("patch", _partnership, {"goals": None}, "goals"),
    ("patch", _partnership, {"cluster": None, "target_naics_codes": []}, "cluster"),
    ("patch", _partnership, {"name": None}, "name"),
    ("patch", _partnership, {"description": None}, "description"),
    ("patch", _partnership, {"stage": None}, "stage"),
    ("patch", _partnership, {"target_naics_codes": None}, "target_naics_codes"),
    ("post", lambda p: "/api/organizations", {"name": None, "type": "college"}, "name"),
    ("post", lambda p: "/api/organizations", {"name": "A", "type": "college", "city": None}, "city"),
    ("patch", _organization, {"name": None}, "name"),
    ("patch", _organization, {"city": None}, "city"),
    ("patch", _organization, {"type": None}, "type"),
    ("patch", _organization, {"website": None}, "website"),
    ("post", _members, {"organization_id": None, "role": "other"}, "organization_id"),
    ("post", _members, {"role": "other"}, "organization_id"),
    ("patch", _member, {"role": None}, "role"),
]


@pytest.mark.parametrize(("method", "url", "body", "field"), NULL_WRITES)
def test_a_null_or_missing_value_is_a_422_naming_the_field(
    personas: Personas, method: str, url: Url, body: dict[str, Any], field: str
) -> None:
    before = _snapshot()
    response = _send(_staff(personas), method, url(personas), body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert field in answer["fields"], answer
    assert answer["message"] and field in answer["message"]
    assert _snapshot() == before


def test_service_refusals_have_the_same_shape_as_request_refusals(personas: Personas) -> None:
    client = _staff(personas)
    by_service = _send(client, "patch", _partnership(personas), {"target_naics_codes": ["33x"]}).json()
    by_request = _send(client, "patch", _partnership(personas), {"stage": "done"}).json()
    assert by_service.keys() == by_request.keys() == {"message", "fields"}
    assert list(by_service["fields"]) == ["target_naics_codes"]  # the API's name, not the service's
    assert list(by_request["fields"]) == ["stage"]
    already = _send(
        client, "post", _members(personas), {"organization_id": personas.employer_a.pk, "role": "other"}
    )
    assert already.status_code == 422 and "organization_id" in already.json()["fields"]


def test_the_services_refuse_nulls_whoever_calls_them(personas: Personas) -> None:
    # Pages and imports call the same services: a None in a column that cannot hold NULL is named, not a 500.
    with pytest.raises(ValidationError) as error:
        directory_services.organization_update(organization=personas.employer_a, city=None)
    assert "city" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.partnership_update(partnership=personas.partnership_a, cluster=None, target_naics=[])
    assert "cluster" in error.value.message_dict


# --- Control characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("post", lambda p: "/api/organizations", {"name": "Acme\x00", "type": "college"}, "name"),
        (
            "post",
            lambda p: "/api/organizations",
            {"name": "Acme", "type": "college", "city": "B\x1b"},
            "city",
        ),
        ("patch", _organization, {"description": "ok\x00"}, "description"),
        ("patch", _partnership, {"goals": "Forty\x00 apprentices"}, "goals"),
        ("patch", _partnership, {"name": "Line\nbreak"}, "name"),
        ("patch", _partnership, {"cluster": "Bio\x7fpharma"}, "cluster"),
        ("patch", _partnership, {"target_naics_codes": ["33\x0064"]}, "target_naics_codes"),
        ("patch", _organization, {"county_fips": "50007\n"}, "county_fips"),
    ],
)
def test_control_characters_are_refused(
    personas: Personas, method: str, url: Url, body: dict[str, Any], field: str
) -> None:
    before = _snapshot()
    response = _send(_staff(personas), method, url(personas), body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert _snapshot() == before


def test_multi_line_fields_keep_tabs_and_line_breaks(personas: Personas) -> None:
    goals = "Forty apprentices a year.\r\n\tThen sixty."
    response = _send(_staff(personas), "patch", _partnership(personas), {"goals": goals})
    assert response.status_code == 200, response.content
    assert response.json()["goals"] == goals


def test_the_validator() -> None:
    no_control_characters("Plain text, accents é and emoji 🚀")
    no_control_characters_multiline("two\nlines\twith a tab\r\n")
    for bad in ("\x00", "a\x01", "\x1f", "\x7f", "\x85", "tab\there"):
        with pytest.raises(ValidationError):
            no_control_characters(bad)
    with pytest.raises(ValidationError, match=r"U\+0000.*position 3"):
        no_control_characters_multiline("ab\x00")


# --- Names: not blank, not a duplicate (whatever the case) ----------------------------------------------


def test_blank_names_are_refused(personas: Personas) -> None:
    client = _staff(personas)
    before = _snapshot()
    created = _send(client, "post", "/api/organizations", {"name": "   ", "type": "college"})
    assert created.status_code == 422 and "name" in created.json()["fields"]
    renamed = _send(client, "patch", _partnership(personas), {"name": "  "})
    assert renamed.status_code == 422 and "name" in renamed.json()["fields"]
    assert _snapshot() == before
    # The database refuses them too, for writers that skip the services.
    for model, fields in (
        (Organization, {"type": "college"}),
        (
            SectorPartnership,
            {"region": personas.partnership_a.region, "convener": personas.board_a},
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(name=" \u2003 ", **fields)


def test_names_are_trimmed(personas: Personas) -> None:
    created = _send(
        _staff(personas), "post", "/api/organizations", {"name": "  Valley Mill ", "type": "other"}
    )
    assert created.status_code == 201 and created.json()["name"] == "Valley Mill"


def test_duplicate_names_are_refused_whatever_the_case(personas: Personas) -> None:
    client = _staff(personas)
    before = _snapshot()
    created = _send(client, "post", "/api/organizations", {"name": "LAKE aero parts ", "type": "college"})
    assert created.status_code == 422
    assert "already an organization" in created.json()["fields"]["name"][0]
    renamed = _send(
        client, "patch", f"/api/organizations/{personas.board_b.pk}", {"name": personas.board_a.name.lower()}
    )
    assert renamed.status_code == 422 and "name" in renamed.json()["fields"]
    other = f"/api/partnerships/{personas.partnership_b.pk}"
    taken = _send(client, "patch", other, {"name": personas.partnership_a.name.upper()})
    assert taken.status_code == 422 and "already a partnership" in taken.json()["fields"]["name"][0]
    assert _snapshot() == before
    # A record keeps its own name (a change of case is no duplicate of itself).
    own = _send(client, "patch", _partnership(personas), {"name": personas.partnership_a.name.upper()})
    assert own.status_code == 200, own.content


# --- Page sizes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/partnerships", "/api/organizations"])
def test_limit_is_capped_at_the_setting(personas: Personas, path: str) -> None:
    client = _staff(personas)
    most = settings.SECTORWISE_API_PAGE_SIZE_MAX
    assert client.get(path, {"limit": most}).status_code == 200
    assert client.get(path, {"limit": 1}).status_code == 200
    for bad in (most + 1, 0, 10**12):
        response = client.get(path, {"limit": bad})
        assert response.status_code == 422, (bad, response.content)
        assert list(response.json()["fields"]) == ["limit"]
    response = client.get(path, {"offset": 10**30})
    assert response.status_code == 422 and "offset" in response.json()["fields"]


def test_the_openapi_document_states_the_cap(client: Client) -> None:
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/partnerships"]["get"]["parameters"]
    limit = next(parameter for parameter in parameters if parameter["name"] == "limit")
    assert limit["schema"]["maximum"] == settings.SECTORWISE_API_PAGE_SIZE_MAX


# --- One rule set for memberships: pages, API and imports -------------------------------------------------


def _service_message(call: Callable[[], Any]) -> str:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict["role"][0]


def test_only_the_convener_has_the_role_convener_everywhere(personas: Personas) -> None:
    newcomer = EmployerFactory(name="Newcomer Works")
    partnership = personas.partnership_a
    expected = _service_message(
        lambda: services.membership_add(
            partnership=partnership, organization=newcomer, role=MembershipRole.CONVENER
        )
    )
    assert "Only the partnership's convener" in expected

    convener = Client()
    convener.force_login(personas.convener_a)
    api = _send(convener, "post", _members(personas), {"organization_id": newcomer.pk, "role": "convener"})
    assert api.status_code == 422 and api.json()["fields"]["role"] == [expected]
    promoted = _send(convener, "patch", _member(personas), {"role": "convener"})
    assert promoted.status_code == 422 and promoted.json()["fields"]["role"][0].startswith("Only the")

    page = convener.post(
        f"/partnerships/{partnership.pk}/members/add/", {"organization": newcomer.pk, "role": "convener"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["role"] == [expected]

    result = importing.memberships_import(
        filename="members.csv",
        content=f"partnership_id,organization_id,role\n{partnership.pk},{newcomer.pk},convener\n".encode(),
        user=personas.staff,
    )
    assert [error.reason for error in result.errors] == [expected]
    assert not Membership.objects.filter(organization=newcomer).exists()
    assert Membership.objects.get(pk=personas.membership_a.pk).role == MembershipRole.EMPLOYER_CHAMPION


def test_the_conveners_own_membership_keeps_its_role_everywhere(personas: Personas) -> None:
    convener_membership = Membership.objects.get(
        partnership=personas.partnership_a, organization=personas.board_a
    )
    expected = _service_message(
        lambda: services.membership_update(membership=convener_membership, role=MembershipRole.OTHER)
    )
    assert "convenes" in expected

    convener = Client()
    convener.force_login(personas.convener_a)
    own = f"/api/partnerships/{personas.partnership_a.pk}/members/{personas.board_a.pk}"
    api = _send(convener, "patch", own, {"role": "community_partner"})
    assert api.status_code == 422 and api.json()["fields"]["role"] == [expected]

    result = importing.memberships_import(
        filename="members.csv",
        content=(
            f"partnership_id,organization_id,role\n{personas.partnership_a.pk},{personas.board_a.pk},other\n"
        ).encode(),
        user=personas.staff,
    )
    assert [error.reason for error in result.errors] == [expected]
    convener_membership.refresh_from_db()
    assert convener_membership.role == MembershipRole.CONVENER


def test_a_new_convener_takes_the_role_and_the_former_one_stays_a_partner(personas: Personas) -> None:
    new_board = WorkforceBoardFactory(name="Lake Champlain Board")
    services.partnership_update(partnership=personas.partnership_a, convener=new_board)
    roles = dict(
        Membership.objects.filter(partnership=personas.partnership_a).values_list("organization", "role")
    )
    assert roles[new_board.pk] == MembershipRole.CONVENER
    assert roles[personas.board_a.pk] == MembershipRole.OTHER
    assert list(roles.values()).count(MembershipRole.CONVENER) == 1


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/organizations", "search"),
        ("/api/organizations", "county_fips"),
        ("/api/partnerships", "search"),
        ("/api/partnerships", "naics"),
    ],
)
def test_control_characters_in_list_filters_are_refused(
    personas: Personas, path: str, parameter: str
) -> None:
    # PostgreSQL refuses a NUL in a query parameter outright: found by the fuzzer as a 500 there.
    response = _staff(personas).get(path, {parameter: "lake\x00aero"})
    assert response.status_code == 422 and list(response.json()["fields"]) == [parameter]


def test_a_page_search_holding_a_nul_finds_nothing(personas: Personas) -> None:
    response = _staff(personas).get("/organizations/", {"q": "Lake\x00"})
    assert response.status_code == 200
    assert not response.context["page"].object_list


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_an_id_too_large_for_the_database_is_not_found(personas: Personas, method: str) -> None:
    # Found by the fuzzer: SQLite could not bind it (a 500) and PostgreSQL refuses it as out of range.
    url = f"/api/partnerships/{personas.partnership_a.pk}/members/{2**70}"
    assert _send(_staff(personas), method, url, {"role": "other"}).status_code == 404
