"""The actions every app shares, and their rules (``sectorwise.core.rules`` holds the table).

- anonymous visitors (and signed-in users without a role) see the public pages only;
- every role may read the internal pages (details, organisations, dashboard, history, exports);
- state administrators and program staff reach the Django admin; only administrators delete records there
  (deleting loses a record's links to grants and outcomes).

Each app's own actions and rules live in its ``rules.py`` (``sectorwise.directory.rules``,
``sectorwise.accounts.rules``, ``sectorwise.partnerships.rules``). ``user_can``, ``user_may_ever`` and
``user_role`` are the table's questions, importable from here as from ``rules``.
"""

from __future__ import annotations

from enum import StrEnum

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import (
    PermissionObjectMissing,
    always,
    has_a_role,
    has_role,
    register,
    user_can,
    user_may_ever,
    user_role,
)

__all__ = ["Action", "PermissionObjectMissing", "user_can", "user_may_ever", "user_role"]


class Action(StrEnum):
    VIEW_PUBLIC = "view_public"
    """Public pages: the list of partnerships without contact details, sign-in."""
    VIEW = "view"
    """Internal pages: details, organisations, regions, the dashboard, history, exports."""
    ADMIN_SITE = "admin_site"
    ADMIN_DELETE = "admin_delete"
    """Delete records in the Django admin."""


is_state_staff = has_role(*STATE_ROLES)

register(Action.VIEW_PUBLIC, always)
register(Action.VIEW, has_a_role)
register(Action.ADMIN_SITE, is_state_staff)
register(Action.ADMIN_DELETE, has_role(Role.STATE_ADMIN))
