"""Signing in and out, django-axes lockouts, and API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sectorwise.accounts.models import ApiToken
from sectorwise.accounts.services import api_token_authenticate, api_token_create, user_create
from sectorwise.core.roles import Role
from tests.web.accounts.factories import TEST_PASSWORD
from tests.web.directory.factories import WorkforceBoardFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_login_page_is_a_labelled_uswds_form(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="usa-form"' in body
    assert '<label class="usa-label" for="id_username">' in body
    assert 'href="#main-content"' in body  # skip link
    assert "csrfmiddlewaretoken" in body


def test_a_user_signs_in_and_out(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=False)
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(personas.viewer.pk)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_with_a_message(personas: Personas, client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert "usa-alert--error" in response.content.decode()


def test_repeated_failures_lock_the_account_out(personas: Personas, client: Client) -> None:
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "viewer", "password": "nope"})
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hashed = Argon2PasswordHasher().encode("demo", Argon2PasswordHasher().salt())
    assert hashed.startswith("argon2$")


def test_a_convener_must_act_for_an_organization() -> None:
    with pytest.raises(ValueError, match="must act for an organization"):
        user_create(username="c", password="x", role=Role.CONVENER)
    user = user_create(username="c", password="x", role=Role.CONVENER, organization=WorkforceBoardFactory())
    assert user.organization is not None and not user.is_staff


def test_state_roles_get_the_admin_flag() -> None:
    assert user_create(username="s", password="x", role=Role.STATE_STAFF).is_staff


def test_api_tokens_are_stored_hashed_and_expire(personas: Personas) -> None:
    token, key = api_token_create(user=personas.viewer, name="export")
    assert key not in token.key_hash and token.prefix == key[:8]
    assert api_token_authenticate(key=key) == personas.viewer
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert api_token_authenticate(key=key + "x") is None
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert api_token_authenticate(key=key) is None


def test_a_deactivated_users_token_stops_working(personas: Personas) -> None:
    _, key = api_token_create(user=personas.viewer, name="export")
    personas.viewer.is_active = False
    personas.viewer.save()
    assert api_token_authenticate(key=key) is None


def test_the_api_takes_a_bearer_token(personas: Personas, client: Client) -> None:
    response = client.get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {personas.staff_token}")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert client.get("/api/partnerships", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_the_token_command_prints_a_working_key(personas: Personas) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("create_api_token", "viewer", "--name", "export", "--days", "30", stdout=out)
    assert api_token_authenticate(key=out.getvalue().strip()) == personas.viewer
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("create_api_token", "nobody", "--name", "x")
