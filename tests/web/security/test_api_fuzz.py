"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis 4 + Hypothesis).

Every operation gets generated requests (valid and invalid bodies, query strings, path ids) from a state
staff token, so that writes go through; the answers must never be a 5xx and must match the documented
response schemas. Bounded and reproducible: 25 examples per operation, derandomized, no deadline. Runs on
SQLite in ``make test`` and on PostgreSQL in CI's database pass (tests/web is run again there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from sectorwise.web.wsgi import application
from tests.web.personas import Personas

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

EXAMPLES_PER_OPERATION = 25
CALLS: dict[str, int] = {}
"""Requests sent per operation in this process (the report's counts)."""


@pytest.fixture
def _test_database_connection_kept() -> Iterator[None]:
    """Requests go straight to the WSGI application, which closes the database connection after each one
    (Django's test client avoids that): on PostgreSQL that would close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_test_database_connection_kept")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_answers_as_documented(case: Any, personas: Personas) -> None:
    CALLS[case.operation.label] = CALLS.get(case.operation.label, 0) + 1
    _aim_at_records(case, personas)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {personas.staff_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def _aim_at_records(case: Any, personas: Personas) -> None:
    """Most generated ids name no record, and a write to a missing record only tests the 404. Two thirds of
    the ids are turned into ones that exist (the generated number picks which), so that the bodies reach the
    services: partnership A or B; an employer member of A, or A's convener (whose membership has rules)."""
    existing = {
        "partnership_id": (personas.partnership_a.pk, personas.partnership_b.pk),
        "organization_id": (personas.employer_a.pk, personas.board_a.pk),
    }

    def aimed(name: str, value: Any) -> Any:
        if name not in existing or not isinstance(value, int) or isinstance(value, bool):
            return value
        choice = value % 3
        return existing[name][choice] if choice < 2 else value

    if isinstance(case.path_parameters, dict):
        case.path_parameters = {name: aimed(name, value) for name, value in case.path_parameters.items()}
    if isinstance(case.body, dict):
        case.body = {name: aimed(name, value) for name, value in case.body.items()}


def test_every_operation_is_fuzzed() -> None:
    """A guard against a schema that loads no operations (and so fuzzes nothing)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
