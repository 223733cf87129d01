"""The one place that answers "may this user do this (to this object)?". Views, the API and admin ask it.

Rules:
- anonymous visitors (and signed-in users without a role) see the public list of partnerships only, never
  contact details;
- every role may read the internal pages (detail, organisations, dashboard, history, export);
- state administrators and program staff may create and change everything and reach the Django admin;
- a convener may change only the partnerships its organisation convenes, and their memberships, and may
  add organisations to the registry (to make them members);
- reviewers and viewers read only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser

from sectorwise.core.roles import SIGNED_IN_ROLES, STATE_ROLES, Role


class Action(StrEnum):
    VIEW_PUBLIC = "view_public"
    """Public pages: the list of partnerships without contact details."""
    VIEW = "view"
    """Internal pages: details, organisations, people, regions, the dashboard, history, exports."""
    VIEW_CONTACTS = "view_contacts"
    """Contact details (people, emails, phones)."""
    CREATE_PARTNERSHIP = "create_partnership"
    CHANGE_PARTNERSHIP = "change_partnership"
    """Needs the partnership: edit it, change its stage."""
    MANAGE_MEMBERSHIPS = "manage_memberships"
    """Needs the partnership: add, change or remove its members."""
    DELETE_PARTNERSHIP = "delete_partnership"
    CREATE_ORGANIZATION = "create_organization"
    CHANGE_ORGANIZATION = "change_organization"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_REGIONS = "manage_regions"
    IMPORT = "import"
    """Bulk import of organisations and memberships."""
    ADMIN_SITE = "admin_site"


class PermissionObjectMissing(TypeError):
    """An action that is about one object was asked without the object."""


_OBJECT_ACTIONS = frozenset({Action.CHANGE_PARTNERSHIP, Action.MANAGE_MEMBERSHIPS})


def user_role(user: Any) -> Role | None:
    """The role that decides ``user``'s access, None for anonymous visitors and users without a role."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    role: Role | None = user.effective_role
    return role


def user_can(*, user: Any, action: Action, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` (to ``obj`` for the actions about one partnership)."""
    role = user_role(user)
    if action is Action.VIEW_PUBLIC:
        return True
    if role is None:
        return False
    if action in _OBJECT_ACTIONS and obj is None:
        raise PermissionObjectMissing(f"{action} needs the partnership it is about")
    if role in STATE_ROLES:
        if action is Action.DELETE_PARTNERSHIP:
            return role is Role.STATE_ADMIN
        return True
    if action in (Action.VIEW, Action.VIEW_CONTACTS):
        return role in SIGNED_IN_ROLES
    if role is Role.CONVENER:
        if action in _OBJECT_ACTIONS:
            return _convenes(user, obj)
        return action is Action.CREATE_ORGANIZATION
    return False


def user_may_ever(*, user: Any, action: Action) -> bool:
    """Whether ``user`` may do ``action`` to at least one record: asked before a record is loaded, so that
    someone who may never act is refused alike for ids that exist and ids that do not."""
    if action not in _OBJECT_ACTIONS:
        return user_can(user=user, action=action)
    role = user_role(user)
    if role in STATE_ROLES:
        return True
    return role is Role.CONVENER and getattr(user, "organization_id", None) is not None


def _convenes(user: Any, partnership: Any) -> bool:
    organization_id = getattr(user, "organization_id", None)
    return organization_id is not None and partnership.convener_id == organization_id
