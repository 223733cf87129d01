"""The permission authority, rule by rule, for every persona."""

from __future__ import annotations

import pytest

from sectorwise.core.permissions import Action, PermissionObjectMissing, user_can
from tests.web.personas import PERSONA_NAMES, Personas

pytestmark = pytest.mark.django_db

READ_ONLY = ("reviewer", "viewer")
NO_ROLE = ("outsider", "anonymous")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_everyone_sees_the_public_list(personas: Personas, name: str) -> None:
    assert user_can(user=personas.user(name), action=Action.VIEW_PUBLIC)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_internal_pages_and_contacts_need_a_role(personas: Personas, name: str) -> None:
    expected = name not in NO_ROLE
    assert user_can(user=personas.user(name), action=Action.VIEW) is expected
    assert user_can(user=personas.user(name), action=Action.VIEW_CONTACTS) is expected


@pytest.mark.parametrize(
    ("name", "on_a", "on_b"),
    [
        ("admin", True, True),
        ("staff", True, True),
        ("convener_a", True, False),
        ("convener_b", False, True),
        ("reviewer", False, False),
        ("viewer", False, False),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_a_convener_changes_only_what_its_organization_convenes(
    personas: Personas, name: str, on_a: bool, on_b: bool
) -> None:
    user = personas.user(name)
    for action in (Action.CHANGE_PARTNERSHIP, Action.MANAGE_MEMBERSHIPS):
        assert user_can(user=user, action=action, obj=personas.partnership_a) is on_a
        assert user_can(user=user, action=action, obj=personas.partnership_b) is on_b


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_state_wide_actions_belong_to_state_staff(personas: Personas, name: str) -> None:
    user = personas.user(name)
    state = name in ("admin", "staff")
    for action in (Action.CREATE_PARTNERSHIP, Action.CHANGE_ORGANIZATION, Action.IMPORT, Action.ADMIN_SITE):
        assert user_can(user=user, action=action) is state
    assert user_can(user=user, action=Action.DELETE_PARTNERSHIP) is (name == "admin")
    assert user_can(user=user, action=Action.CREATE_ORGANIZATION) is (state or name.startswith("convener"))


def test_an_object_action_without_its_object_is_a_programming_error(personas: Personas) -> None:
    with pytest.raises(PermissionObjectMissing):
        user_can(user=personas.convener_a, action=Action.CHANGE_PARTNERSHIP)


def test_a_deactivated_user_loses_every_right(personas: Personas) -> None:
    personas.staff.is_active = False
    assert not user_can(user=personas.staff, action=Action.VIEW)


def test_a_superuser_without_a_role_counts_as_state_administrator(personas: Personas) -> None:
    personas.outsider.is_superuser = True
    assert user_can(user=personas.outsider, action=Action.DELETE_PARTNERSHIP)


def test_a_convener_without_an_organization_changes_nothing(personas: Personas) -> None:
    personas.convener_a.organization = None
    assert not user_can(
        user=personas.convener_a, action=Action.CHANGE_PARTNERSHIP, obj=personas.partnership_a
    )
