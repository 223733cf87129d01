"""The read-only admins (grants, capacity, planning, surveys, reports) refuse every write, by POST too.

The permission matrix walks their pages with GET; here state staff and the state administrator POST to
each registered model's add, change, delete and history ("revert") pages and to the list's bulk delete, and
nothing changes, except where a state administrator may delete (a library resource, a district plan).
Survey answers stay apart from who gave them, and a link's token hash is never shown.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from sectorwise.surveys.models import Invitation, Response
from tests.web.admin_records import BUILDERS, grants_records
from tests.web.permission_matrix import ADMIN_ROUTE_ALLOWED
from tests.web.personas import Personas
from tests.web.test_permission_matrix import all_routes

pytestmark = pytest.mark.django_db

APPS = tuple(BUILDERS)
DELETABLE = {"capacity.resource", "reports.districtplan"}
"""Deletable by the state administrator (and nobody else); every other model of these apps by nobody."""

# Values a forged form would carry: each model has some of these fields.
FORGED = {
    "amount": "1.00",
    "state": "closed",
    "status": "closed",
    "name": "Forged",
    "title": "Forged",
    "capacity": "999",
    "score": "1",
    "_save": "Save",
}


def _models() -> list[type[Model]]:
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in APPS),
        key=lambda model: model._meta.label_lower,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _snapshot(instance: Model) -> tuple[Any, ...]:
    instance.refresh_from_db()
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def records(personas: Personas) -> Personas:
    for build in BUILDERS.values():
        build(personas)
    return personas


def test_every_app_registers_its_records() -> None:
    registered = {model._meta.label_lower for model in _models()}
    assert {"grants.award", "grants.payment", "grants.paymentrequest", "grants.review"} <= registered
    assert {
        "capacity.registration",
        "planning.selfassessment",
        "surveys.response",
        "reports.districtplan",
    } <= (registered)


def test_the_admin_exceptions_name_real_routes() -> None:
    names = {route.name for route in all_routes()}
    stale = sorted(set(ADMIN_ROUTE_ALLOWED) - names)
    assert not stale, f"ADMIN_ROUTE_ALLOWED names routes that do not exist: {stale}"


def test_no_post_adds_or_changes_a_record(records: Personas) -> None:
    failures = []
    for model in _models():
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, f"no {model.__name__}: add one to tests/web/admin_records.py"
        before = _snapshot(instance)
        count = model._default_manager.count()
        for who in (records.admin, records.staff):
            client = _client(who)
            targets = [_url(model, "add"), _url(model, "change", instance.pk)]
            history = getattr(instance, "history", None)
            if history is not None:
                # (no history page in the admin for survey invitations and responses)
                with contextlib.suppress(NoReverseMatch):
                    targets.append(_url(model, "simple_history", instance.pk, history.first().history_id))
            for url in targets:
                response = client.post(url, FORGED)
                if response.status_code != 403:
                    failures.append(f"{who.username}: POST {url} -> {response.status_code}, expected 403")
        if _snapshot(instance) != before or model._default_manager.count() != count:
            failures.append(f"{model.__name__} changed")
    assert not failures, "\n".join(failures)


def test_deleting_is_refused_except_where_harmless(records: Personas) -> None:
    failures = []
    for model in _models():
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None
        deletable = model._meta.label_lower in DELETABLE
        for who in (records.staff, records.admin):
            client = _client(who)
            bulk = client.post(
                _url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
            )
            if bulk.status_code not in (200, 302):
                failures.append(f"{who.username}: bulk delete of {model.__name__} -> {bulk.status_code}")
            response = client.post(_url(model, "delete", instance.pk), {"post": "yes"})
            may = deletable and who == records.admin
            if not may and response.status_code != 403:
                failures.append(
                    f"{who.username}: delete {model.__name__} -> {response.status_code}, expected 403"
                )
            exists = model._default_manager.filter(pk=instance.pk).exists()
            if exists == may:
                failures.append(f"{who.username}: {model.__name__} {'kept' if exists else 'deleted'}")
    assert not failures, "\n".join(failures)


def test_the_district_plan_delete_page_counts_rows(records: Personas) -> None:
    from sectorwise.reports.models import DistrictPlan

    plan = DistrictPlan.objects.get()
    body = _client(records.admin).get(_url(DistrictPlan, "delete", plan.pk)).content.decode()
    assert "with its 2 county rows" in body


def test_inlines_and_money_show_to_state_staff(records: Personas) -> None:
    from sectorwise.grants.models import Award

    award = Award.objects.get()
    body = _client(records.staff).get(_url(Award, "change", award.pk)).content.decode()
    assert "Funding shares" in body and "Smaller scope." in body  # a share and the amendment, inline
    assert "80,000.00" in body or "80000.00" in body
    assert 'name="amount"' not in body  # shown, not editable


def test_a_response_does_not_say_who_answered(records: Personas) -> None:
    response = Response.objects.get()
    invitation = Invitation.objects.get()
    client = _client(records.admin)
    body = client.get(_url(Response, "change", response.pk)).content.decode()
    assert "Decreased" in body  # the answer is there
    for identity in ("Aldridge", "alice@lakeaero.example", "Lake Aero Parts"):
        assert identity not in body
    listing = client.get(_url(Response, "changelist")).content.decode()
    assert "Aldridge" not in listing and "Lake Aero Parts" not in listing
    # No filter across the link between a response and its invitation, either way round.
    for url, lookup in (
        (_url(Response, "changelist"), {"invitation": invitation.pk}),
        (_url(Response, "changelist"), {"invitation__person__last_name": "Aldridge"}),
        (_url(Response, "changelist"), {"invitation_id": invitation.pk}),
        (_url(Invitation, "changelist"), {"response": response.pk}),
        (_url(Invitation, "changelist"), {"response__turnover": "decreased"}),
    ):
        assert client.get(url, lookup).status_code == 400, (url, lookup)
    assert client.get(_url(Response, "changelist"), {"survey": response.survey_id}).status_code == 200
    with pytest.raises(NoReverseMatch):  # no history pages: their times would pair the two
        _url(Response, "simple_history", response.pk, 1)
    with pytest.raises(NoReverseMatch):
        _url(Invitation, "simple_history", invitation.pk, 1)


def test_an_invitation_never_shows_its_token_hash(records: Personas) -> None:
    invitation = Invitation.objects.get()
    client = _client(records.admin)
    for url in (_url(Invitation, "change", invitation.pk), _url(Invitation, "changelist")):
        body = client.get(url).content.decode()
        assert invitation.token_hash not in body
        assert "Aldridge" in body  # who was invited is shown, as on the survey's page
    assert invitation.used_at is not None  # answered: the page says so (a tick), not when


def _list_queries(client: Client, model: type[Model]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(model, "changelist")).status_code == 200
    return len(queries)


def test_list_pages_do_not_query_per_row(personas: Personas) -> None:
    """The grants lists (and the registrations') show related records without a query per row."""
    from sectorwise.capacity.models import Registration
    from sectorwise.capacity.services import event_register

    grants_records(personas)
    BUILDERS["capacity"](personas)
    client = _client(personas.staff)
    models = [model for model in _models() if model._meta.app_label == "grants"] + [Registration]
    one = {model: _list_queries(client, model) for model in models}
    grants_records(personas, second=True)
    event_register(event=Registration.objects.get().event, name="Sam Second", email="sam@example.org")
    for model in models:
        assert model._default_manager.count() >= 2, model
    two = {model: _list_queries(client, model) for model in models}
    assert two == one
    # The applications' round filter (its own, reading each round's program in the same query) filters.
    from sectorwise.grants.models import Application

    first = Application.objects.get(partnership=personas.partnership_b)
    body = client.get(_url(Application, "changelist"), {"round": first.round_id}).content.decode()
    assert first.title in body and f"{personas.partnership_a.name} plan" not in body
