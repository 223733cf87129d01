"""Privilege escalation through the Django admin (and around it, through the services).

Every persona tries, with Django's test client against the real admin: making themselves superuser or
state administrator, giving another user a state role, setting another user's password, moving an API token
to another user. Nothing may change in the database; the answer is a refusal (403, or the admin's login for
those who may not enter it) or a form error. The administrator's legitimate changes still work, and every
role change is recorded with who made it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from sectorwise.accounts.models import ApiToken, User
from sectorwise.accounts.services import (
    api_token_create,
    user_set_password,
    user_update,
)
from sectorwise.core.roles import Role
from tests.web.accounts.factories import TEST_PASSWORD, UserFactory
from tests.web.personas import PERSONA_NAMES, Personas

pytestmark = pytest.mark.django_db

NOT_ADMIN = [name for name in PERSONA_NAMES if name != "admin"]
NEW_PASSWORD = "a brand new password 0f mine"


def _client(personas: Personas, name: str) -> Client:
    client = Client()
    user = personas.user(name)
    if user is not None:
        client.force_login(user)
    return client


def _user_form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin change form of ``user`` as a full form would post it, with ``changes`` applied."""
    values: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "organization": user.organization_id or "",
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }
    values.update(changes)
    data = {key: value for key, value in values.items() if not isinstance(value, bool)}
    data.update({key: "on" for key, value in values.items() if value is True})
    data["_save"] = "Save"
    return data


def _privileges(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.role, user.is_superuser, user.is_staff, user.is_active, user.password, user.organization_id)


def _assert_refused(response: Any) -> None:
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/"), response["Location"]
    elif response.status_code == 200:
        body = response.content.decode()
        assert "errornote" in body or "errorlist" in body, "a 200 without a form error accepted the change"
    else:
        assert response.status_code == 403, response.status_code


def _change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.mark.parametrize("name", NOT_ADMIN)
def test_nobody_but_the_administrator_makes_themselves_superuser_or_administrator(
    personas: Personas, name: str
) -> None:
    me = personas.user(name) or personas.viewer
    before = _privileges(me)
    for changes in (
        {"is_superuser": True},
        {"role": Role.STATE_ADMIN.value},
        {"is_staff": True, "role": Role.STATE_STAFF.value},
    ):
        response = _client(personas, name).post(_change_url(me), _user_form(me, **changes))
        _assert_refused(response)
        assert _privileges(me) == before, changes


@pytest.mark.parametrize("name", NOT_ADMIN)
def test_nobody_but_the_administrator_gives_another_user_a_state_role_or_superuser(
    personas: Personas, name: str
) -> None:
    for target, changes in (
        (personas.viewer, {"is_superuser": True}),
        (personas.viewer, {"role": Role.STATE_ADMIN.value}),
        (personas.viewer, {"role": Role.STATE_STAFF.value}),
        (personas.viewer, {"is_staff": True}),
        (personas.reviewer, {"user_permissions": "1"}),
        # Staff may not touch a user at or above them, even in fields they could change below them.
        (personas.admin, {"is_active": False}),
        (personas.admin, {"email": "mine@example.org"}),
    ):
        before = _privileges(target)
        email = target.email
        response = _client(personas, name).post(_change_url(target), _user_form(target, **changes))
        _assert_refused(response)
        assert _privileges(target) == before, (target.username, changes)
        assert target.email == email


def test_staff_cannot_edit_another_staff_member(personas: Personas) -> None:
    peer = UserFactory(username="peer", role=Role.STATE_STAFF, is_staff=True)
    before = _privileges(peer)
    response = _client(personas, "staff").post(_change_url(peer), _user_form(peer, is_active=False))
    _assert_refused(response)
    assert _privileges(peer) == before


@pytest.mark.parametrize("name", NOT_ADMIN)
def test_nobody_but_the_administrator_sets_another_users_password(personas: Personas, name: str) -> None:
    url = reverse("admin:auth_user_password_change", args=[personas.viewer.pk])
    response = _client(personas, name).post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    _assert_refused(response)
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(TEST_PASSWORD)
    if name == "staff":
        assert _client(personas, name).get(url).status_code == 403


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_nobody_moves_an_api_token_to_another_user(personas: Personas, name: str) -> None:
    token = ApiToken.objects.get(user=personas.staff)
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    response = _client(personas, name).post(
        url,
        {"user": personas.admin.pk, "name": "moved", "expires_at_0": "", "expires_at_1": "", "_save": "Save"},
    )
    _assert_refused(response)
    token.refresh_from_db()
    assert token.user_id == personas.staff.pk and token.name == "tests"


def test_a_token_s_user_cannot_change_below_the_admin(personas: Personas) -> None:
    token = ApiToken.objects.get(user=personas.staff)
    token.user = personas.admin
    with pytest.raises(ValidationError, match="cannot be changed"):
        token.save()
    assert ApiToken.objects.get(pk=token.pk).user_id == personas.staff.pk


@pytest.mark.parametrize(
    "changes",
    [{"is_superuser": True}, {"is_staff": True}, {"role": Role.STATE_ADMIN}, {"role": Role.STATE_STAFF}],
)
def test_the_services_refuse_staff_what_the_admin_refuses(
    personas: Personas, changes: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        user_update(actor=personas.staff, user=personas.viewer, changes=changes)
    with pytest.raises(PermissionDenied):
        user_update(actor=personas.staff, user=personas.staff, changes={"is_superuser": True})
    with pytest.raises(PermissionDenied):
        user_update(actor=personas.staff, user=personas.admin, changes={"is_active": False})
    with pytest.raises(PermissionDenied, match="password"):
        user_set_password(actor=personas.staff, user=personas.viewer, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied, match="role"):
        user_update(actor=personas.staff, user=personas.staff, changes={"role": Role.VIEWER})
    with pytest.raises(PermissionDenied):
        user_update(actor=personas.convener_a, user=personas.viewer, changes={"role": Role.REVIEWER})


def test_an_inactive_administrator_is_still_above_staff(personas: Personas) -> None:
    """Ranks come from the stored role: staff cannot reactivate a disabled administrator."""
    User.objects.filter(pk=personas.admin.pk).update(is_active=False)
    personas.admin.refresh_from_db()
    with pytest.raises(PermissionDenied):
        user_update(actor=personas.staff, user=personas.admin, changes={"is_active": True})


# --- What is allowed still works, and is recorded -------------------------------------------------


def test_the_administrator_grants_and_revokes_roles_and_flags(personas: Personas) -> None:
    client = _client(personas, "admin")
    viewer = personas.viewer
    response = client.post(
        _change_url(viewer), _user_form(viewer, role=Role.STATE_STAFF.value, is_staff=True)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    viewer.refresh_from_db()
    assert viewer.role == Role.STATE_STAFF and viewer.is_staff
    response = client.post(_change_url(viewer), _user_form(viewer, is_superuser=True))
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.is_superuser
    last = viewer.history.order_by("-history_id").first()
    assert last is not None and last.history_user == personas.admin and last.is_superuser
    assert not hasattr(last, "password")
    url = reverse("admin:auth_user_password_change", args=[viewer.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(NEW_PASSWORD)


def test_staff_manage_users_below_them_and_their_own_name(personas: Personas) -> None:
    client = _client(personas, "staff")
    viewer = personas.viewer
    fields = ["username", "first_name", "last_name", "email", "is_active", "role", "organization"]
    data = {k: v for k, v in _user_form(viewer, role=Role.REVIEWER.value).items() if k in (*fields, "_save")}
    response = client.post(_change_url(viewer), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    viewer.refresh_from_db()
    assert viewer.role == Role.REVIEWER and not viewer.is_staff
    change = viewer.history.order_by("-history_id").first()
    assert change is not None and change.history_user == personas.staff
    staff = personas.staff
    response = client.post(
        _change_url(staff),
        {"first_name": "Sam", "last_name": "Staff", "email": "sam@example.gov", "_save": "Save"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.first_name == "Sam" and staff.role == Role.STATE_STAFF
    # The role list staff see offers only roles below their own.
    page = client.get(_change_url(personas.reviewer)).content.decode()
    assert (
        'value="reviewer"' in page and 'value="state_admin"' not in page and 'value="state_staff"' not in page
    )


def test_staff_revoke_tokens_of_users_below_them_but_not_above(personas: Personas) -> None:
    viewer_token, _ = api_token_create(user=personas.viewer, name="viewer's")
    admin_token, _ = api_token_create(user=personas.admin, name="admin's")
    client = _client(personas, "staff")
    response = client.post(reverse("admin:accounts_apitoken_delete", args=[viewer_token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=viewer_token.pk).exists()
    response = client.post(reverse("admin:accounts_apitoken_delete", args=[admin_token.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert ApiToken.objects.filter(pk=admin_token.pk).exists()
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "admin&#x27;s" not in listing and "admin's" not in listing


def _version_url(instance: Any, version_id: int) -> str:
    meta = instance._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_simple_history", args=(instance.pk, version_id))


def _refuses_revert(personas: Personas, instance: Any, version_id: int) -> None:
    url = _version_url(instance, version_id)
    record = type(instance)._default_manager.filter(pk=instance.pk)
    kept = [f.attname for f in instance._meta.concrete_fields if f.attname != "last_login"]  # signing in
    before = record.values(*kept).get()
    for name in ("admin", "staff"):
        client = _client(personas, name)
        posted = client.post(url, {"name": "Reverted", "role": Role.STATE_ADMIN, "_save": "Save"})
        assert posted.status_code == 403, f"{name}: POST {url} -> {posted.status_code}"
        shown = client.get(url)
        assert shown.status_code == 200, f"{name}: GET {url} -> {shown.status_code}"
        assert b"<title>View " in shown.content, f"{name}: {url} offers a revert"
    assert record.values(*kept).get() == before, f"{instance._meta.label} changed"


def test_no_admin_restores_an_earlier_version(personas: Personas) -> None:
    """django-simple-history's revert form saved whatever was POSTed after checking only the history view
    permission: staff renamed a read-only partnership through it. Every history page is view-only."""
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    ApiToken.objects.create(user=personas.user("viewer"), name="viewer's token")
    checked = []
    for model, model_admin in admin.site._registry.items():
        instance = model._default_manager.order_by("pk").first()
        if not isinstance(model_admin, SimpleHistoryAdmin) or instance is None:
            continue
        _refuses_revert(personas, instance, instance.history.order_by("history_id").first().history_id)
        checked.append(model._meta.label)
    assert {"partnerships.SectorPartnership", "accounts.User", "accounts.ApiToken"} <= set(checked)


def test_no_admin_restores_rights_since_taken_away(personas: Personas) -> None:
    demoted = UserFactory(username="was_admin", role=Role.STATE_ADMIN)
    first = demoted.history.order_by("history_id").first().history_id
    demoted.role = Role.VIEWER
    demoted.save()
    _refuses_revert(personas, demoted, first)
    demoted.refresh_from_db()
    assert demoted.role == Role.VIEWER
