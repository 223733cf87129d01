"""THE permission matrix: every URL and API operation, for every persona, with other partnerships' IDs.

Routes come from introspecting the URL resolver and the API's routers, so a new page is covered the moment it
is routed: without an entry in its app's fragment (``tests/web/<app>/permission_matrix.py``, merged by
``tests/web/permission_matrix.py``; or, for pages, without a permission rule on its view) the tests below
fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sectorwise.core.access import permission_rule_of
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.web.api import api
from tests.web.accounts.factories import TEST_PASSWORD
from tests.web.admin_records import records_for_admin_route
from tests.web.permission_matrix import (
    ADMIN_ALLOWED,
    ADMIN_DELETE_ALLOWED,
    ADMIN_PUBLIC,
    ADMIN_ROUTE_ALLOWED,
    MATRIX,
    Case,
)
from tests.web.personas import PERSONA_NAMES, Personas


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Any


def _walk(patterns: list[Any], namespaces: tuple[str, ...] = (), prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route(name=name, pattern=prefix + str(entry.pattern), callback=entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def api_operations() -> list[tuple[str, str]]:
    """(URL name, HTTP method) of every API operation."""
    return [
        (f"api:{operation.url_name}", method.lower())
        for _, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for method in operation.methods
    ]


def _is_admin(route: Route) -> bool:
    return route.name.startswith("admin:") or route.pattern.startswith("admin/")


def _is_api(name: str) -> bool:
    return name.startswith("api:")


# --- Coverage: nothing routed escapes the matrix --------------------------------------------------


def test_every_route_is_named() -> None:
    # The admin's own unnamed routes (old-style object URLs that redirect, its catch-all) sit behind the
    # admin site's permission check like every admin view.
    unnamed = [
        route.pattern for route in all_routes() if not route.name and not route.pattern.startswith("admin/")
    ]
    assert not unnamed, f"routes without a name cannot be in the permission matrix: {unnamed}"


def test_every_page_and_api_route_has_an_entry_in_the_matrix() -> None:
    names = {route.name for route in all_routes() if route.name and not _is_admin(route)}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"add these routes to their app's tests/web/<app>/permission_matrix.py: {missing}"
    assert not stale, f"the matrix names routes that no longer exist: {stale}"


def test_every_api_method_has_a_case() -> None:
    covered = {(name, case.method) for name, cases in MATRIX.items() for case in cases}
    missing = sorted(set(api_operations()) - covered)
    assert not missing, f"API operations without a case in the matrix: {missing}"


def test_every_page_view_carries_a_permission_rule() -> None:
    bare = [
        route.name
        for route in all_routes()
        if not _is_admin(route) and not _is_api(route.name) and permission_rule_of(route.callback) is None
    ]
    assert not bare, f"views without @allow(...) (sectorwise.core.access): {bare}"


# --- The walk -------------------------------------------------------------------------------------


def _client_for(personas: Personas, persona: str) -> Client:
    client = Client()
    user = personas.user(persona)
    if user is not None:
        client.force_login(user)
    return client


def _request(client: Client, url: str, case: Case, personas: Personas) -> Any:
    data = case.data(personas) if case.data else None
    if case.method == "get":
        return client.get(url, data)
    if case.method in ("patch", "put") or (case.method == "post" and url.startswith("/api/")):
        return getattr(client, case.method)(url, json.dumps(data or {}), content_type="application/json")
    return getattr(client, case.method)(url, data or {})


def _denied_status(name: str, persona: str) -> set[int]:
    if _is_api(name):
        return {401} if persona == "anonymous" else {403}
    if persona == "anonymous":
        return {302}
    return {403}


def _page_and_api_cases() -> list[tuple[str, int]]:
    return [(name, index) for name, cases in MATRIX.items() for index in range(len(cases))]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), _page_and_api_cases())
def test_matrix(personas: Personas, name: str, index: int) -> None:
    case = MATRIX[name][index]
    failures = []
    for persona in PERSONA_NAMES:
        url = reverse(name, kwargs=case.kwargs(personas))
        response = _request(_client_for(personas, persona), url, case, personas)
        expected = set(case.allowed_status) if persona in case.allowed else _denied_status(name, persona)
        if response.status_code not in expected:
            failures.append(
                f"{persona}: {case.method.upper()} {url} -> {response.status_code}, expected {expected}"
            )
        if persona == "anonymous" and response.status_code == 302 and persona not in case.allowed:
            assert response["Location"].startswith("/accounts/login/"), response["Location"]
    assert not failures, "\n".join(failures)


# --- The Django admin: every URL it routes, for every persona -------------------------------------


def _admin_kwargs(route: Route, personas: Personas) -> dict[str, Any]:
    """Keyword arguments for an admin URL, pointing at a real record (partnership B given a choice)."""
    registry = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    model = next(
        (model for prefix, model in registry.items() if route.name.startswith(f"admin:{prefix}_")), None
    )
    kwargs: dict[str, Any] = {}
    pattern = route.pattern
    if "object_id" in pattern or name_is_history_item(route.name):
        if model is SectorPartnership or model is None:
            kwargs["object_id"] = personas.partnership_b.pk
        else:
            instance = model._default_manager.order_by("pk").first()
            assert instance is not None, f"no {model.__name__} to point {route.name} at"
            kwargs["object_id"] = instance.pk
    if "content_type_id" in pattern:
        kwargs["content_type_id"] = ContentType.objects.get_for_model(SectorPartnership).pk
    if "app_label" in pattern:
        kwargs["app_label"] = "partnerships"
    if "<id>" in pattern:
        kwargs["id"] = personas.viewer.pk
    if name_is_history_item(route.name):
        assert model is not None
        instance = model._default_manager.get(pk=kwargs["object_id"])
        kwargs["history_id"] = instance.history.order_by("-history_id").first().history_id
    return kwargs


def name_is_history_item(name: str) -> bool:
    return name.endswith("_simple_history")


def _admin_routes() -> list[str]:
    return sorted({route.name for route in all_routes() if route.name and _is_admin(route)})


ADMIN_ALLOWED_STATUS: dict[str, set[int]] = {
    # Nobody adds these in the admin: a token's key is shown once (the service makes tokens); sign-in
    # records come from sign-ins.
    "admin:accounts_apitoken_add": {403},
    "admin:axes_accessattempt_add": {403},
    "admin:axes_accesslog_add": {403},
    "admin:axes_accessfailurelog_add": {403},
    # Partnerships and memberships are workflow records: read-only in the admin (partnerships.admin).
    "admin:partnerships_sectorpartnership_add": {403},
    "admin:partnerships_membership_add": {403},
    "admin:view_on_site": {302, 404},  # records without a public URL answer 404
    "admin:autocomplete": {200},
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", _admin_routes())
def test_admin_matrix(personas: Personas, name: str) -> None:
    # One failed and one good sign-in, so that django-axes' records exist for its admin pages.
    Client().post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    Client().post(reverse("accounts:login"), {"username": "viewer", "password": "wrong"})
    route = next(route for route in all_routes() if route.name == name)
    records_for_admin_route(name, personas)  # the read-only apps' records, built only for their own routes
    kwargs = _admin_kwargs(route, personas)
    if name.endswith("_simple_history"):  # django-simple-history routes with positional groups
        url = reverse(name, args=[kwargs["object_id"], kwargs["history_id"]])
    else:
        url = reverse(name, kwargs=kwargs)
    query = (
        {"app_label": "accounts", "model_name": "user", "field_name": "organization"}
        if name == "admin:autocomplete"
        else {}
    )
    failures = []
    for persona in PERSONA_NAMES:
        client = _client_for(personas, persona)
        if name in ADMIN_PUBLIC:
            case = ADMIN_PUBLIC[name]
            response = _request(client, url, case, personas)
            ok = persona not in case.allowed or response.status_code in case.allowed_status
            if not ok:
                failures.append(f"{persona}: {url} -> {response.status_code}")
            continue
        response = client.get(url, query)
        allowed = ADMIN_DELETE_ALLOWED if name.endswith("_delete") else ADMIN_ALLOWED
        allowed = ADMIN_ROUTE_ALLOWED.get(name, allowed)
        if persona in allowed:
            expected = ADMIN_ALLOWED_STATUS.get(name, {200})
        elif persona in ADMIN_ALLOWED:
            expected = {403}  # in the admin, but this page is not theirs (deleting)
        else:
            expected = {302}
        if response.status_code not in expected:
            failures.append(f"{persona}: GET {url} -> {response.status_code}, expected {expected}")
        elif response.status_code == 302 and persona not in allowed:
            assert "/admin/login/" in response["Location"], response["Location"]
    assert not failures, "\n".join(failures)


def test_the_matrix_is_not_trivially_small() -> None:
    """A guard against an introspection bug that finds no routes (and so checks nothing)."""
    routes = all_routes()
    assert len([r for r in routes if _is_admin(r)]) > 30
    assert len(api_operations()) >= 5
