"""The permission authority, rule by rule, for every persona."""

from __future__ import annotations

import pytest

from sectorwise.core.permissions import Action, PermissionObjectMissing, user_can
from sectorwise.directory.rules import DirectoryAction
from sectorwise.partnerships.rules import PartnershipAction
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
    assert user_can(user=personas.user(name), action=DirectoryAction.VIEW_CONTACTS) is expected


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
    for action in (PartnershipAction.CHANGE_PARTNERSHIP, PartnershipAction.MANAGE_MEMBERSHIPS):
        assert user_can(user=user, action=action, obj=personas.partnership_a) is on_a
        assert user_can(user=user, action=action, obj=personas.partnership_b) is on_b


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_state_wide_actions_belong_to_state_staff(personas: Personas, name: str) -> None:
    user = personas.user(name)
    state = name in ("admin", "staff")
    for action in (
        PartnershipAction.CREATE_PARTNERSHIP,
        DirectoryAction.CHANGE_ORGANIZATION,
        PartnershipAction.IMPORT,
        Action.ADMIN_SITE,
    ):
        assert user_can(user=user, action=action) is state
    assert user_can(user=user, action=Action.ADMIN_DELETE) is (name == "admin")
    assert user_can(user=user, action=DirectoryAction.CREATE_ORGANIZATION) is (
        state or name.startswith("convener")
    )


def test_an_object_action_without_its_object_is_a_programming_error(personas: Personas) -> None:
    with pytest.raises(PermissionObjectMissing):
        user_can(user=personas.convener_a, action=PartnershipAction.CHANGE_PARTNERSHIP)


def test_a_deactivated_user_loses_every_right(personas: Personas) -> None:
    personas.staff.is_active = False
    assert not user_can(user=personas.staff, action=Action.VIEW)


def test_a_superuser_without_a_role_counts_as_state_administrator(personas: Personas) -> None:
    personas.outsider.is_superuser = True
    assert user_can(user=personas.outsider, action=Action.ADMIN_DELETE)


def test_a_convener_without_an_organization_changes_nothing(personas: Personas) -> None:
    personas.convener_a.organization = None
    assert not user_can(
        user=personas.convener_a, action=PartnershipAction.CHANGE_PARTNERSHIP, obj=personas.partnership_a
    )


# --- The rule table itself ----------------------------------------------------------------------------


def test_every_app_registers_its_own_rules() -> None:
    from sectorwise.accounts.rules import AccountAction
    from sectorwise.core.rules import registered_actions

    expected = {*Action, *DirectoryAction, *PartnershipAction, *AccountAction}
    assert expected <= set(registered_actions())


def test_an_action_without_a_rule_is_refused_loudly(personas: Personas) -> None:
    from sectorwise.core.rules import UnknownAction

    with pytest.raises(UnknownAction):
        user_can(user=personas.admin, action="launch_rockets")


def test_an_action_has_one_rule() -> None:
    from sectorwise.core.rules import always, register

    with pytest.raises(ValueError, match="already has a rule"):
        register(Action.VIEW, always)


def test_checks_compose() -> None:
    from sectorwise.core.rules import Check

    yes = Check(lambda user, obj: True, "yes")
    no = Check(lambda user, obj: False, "no")
    assert (yes & ~no)(None, None)
    assert not (no | (yes & no))(None, None)


# --- Lists show what the user may see -------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_lists_read_the_same_table(personas: Personas, name: str) -> None:
    from sectorwise.directory.selectors import organization_list
    from sectorwise.partnerships.selectors import memberships_visible_to, partnership_list

    user = personas.user(name)
    has_role = name not in NO_ROLE
    # The partnership list is public (no contact details); organisations and memberships need a role.
    assert partnership_list(user=user).count() == 2
    assert organization_list(user=user).exists() is has_role
    assert memberships_visible_to(user=user).exists() is has_role


def test_import_jobs_are_their_owner_s_and_state_staff_s(personas: Personas) -> None:
    from sectorwise.partnerships.import_jobs import ImportJob, import_jobs_visible_to

    job = ImportJob.objects.create(user=personas.staff, kind="organizations", file_name="a.csv", content=b"")
    assert list(import_jobs_visible_to(user=personas.admin)) == [job]
    assert list(import_jobs_visible_to(user=personas.staff)) == [job]
    assert not import_jobs_visible_to(user=personas.convener_a).exists()
    assert not import_jobs_visible_to(user=personas.user("anonymous")).exists()
