"""Whoever may not act on a kind of record learns nothing about which ids exist: every route of the permission
matrix that takes a record id answers them the same for an existing id and a missing one (the login redirect
or 403 on pages, 401 or 403 on the API). Only users who could act get a 404 for a missing id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.permission_matrix import MATRIX, Case
from tests.web.personas import Personas
from tests.web.test_permission_matrix import all_routes

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654
NEVER_WRITE = ("anonymous", "outsider", "reviewer", "viewer")
"""Personas who may change no record at all; on read routes, those of them without a role."""


def _object_cases() -> list[tuple[str, int]]:
    """The matrix's cases of routes whose URL names a record by its id."""
    with_ids = {route.name for route in all_routes() if "<int:" in route.pattern}
    return [
        (name, index)
        for name, cases in MATRIX.items()
        if name in with_ids and not name.startswith("admin:")
        for index in range(len(cases))
    ]


def _missing(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same URL arguments with every record id replaced by one that names nothing."""
    assert any(isinstance(value, int) for value in kwargs.values()), f"no record id in {kwargs}"
    return {key: MISSING_ID if isinstance(value, int) else value for key, value in kwargs.items()}


def _request(client: Client, url: str, case: Case, personas: Personas) -> Any:
    data = case.data(personas) if case.data else None
    if case.method == "get":
        return client.get(url, data)
    if url.startswith("/api/") or case.method in ("patch", "put"):
        return getattr(client, case.method)(url, json.dumps(data or {}), content_type="application/json")
    return getattr(client, case.method)(url, data or {})


def _client(personas: Personas, persona: str) -> Client:
    client = Client()
    user = personas.user(persona)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "index"), _object_cases())
def test_existing_and_missing_ids_answer_alike_for_those_who_may_not_act(
    personas: Personas, name: str, index: int
) -> None:
    case = MATRIX[name][index]
    kwargs = case.kwargs(personas)
    missing = _missing(kwargs)
    refused = [persona for persona in NEVER_WRITE if persona not in case.allowed]
    answers = {}
    for persona in refused:
        existing = _request(_client(personas, persona), reverse(name, kwargs=kwargs), case, personas)
        absent = _request(_client(personas, persona), reverse(name, kwargs=missing), case, personas)
        answers[persona] = (existing.status_code, absent.status_code)
        if persona == "anonymous" and not name.startswith("api:"):
            assert absent.status_code == 302 and absent["Location"].startswith("/accounts/login/")
    expected = {
        persona: (401, 401) if name.startswith("api:") and persona == "anonymous"
        else (302, 302) if persona == "anonymous"
        else (403, 403)
        for persona in refused
    }  # fmt: skip
    assert answers == expected


@pytest.mark.parametrize(("name", "index"), _object_cases())
def test_those_who_could_act_are_told_a_missing_id_is_missing(
    personas: Personas, name: str, index: int
) -> None:
    case = MATRIX[name][index]
    if "staff" not in case.allowed:
        pytest.skip("no one in the cast may act here")
    missing = _missing(case.kwargs(personas))
    response = _request(_client(personas, "staff"), reverse(name, kwargs=missing), case, personas)
    assert response.status_code == 404
