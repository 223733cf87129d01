"""Template context every page needs: what the current user may do, and the navigation for it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sectorwise.core.navigation import nav_items_for, template_permissions_for
from sectorwise.core.permissions import user_can, user_role


def access(request: HttpRequest) -> dict[str, Any]:
    """The user's role and ``can_*`` flags: core's own and those each app declares (``navigation``)."""
    user = getattr(request, "user", None)
    return {
        "user_role": user_role(user),
        "can_view_internal": user_can(user=user, action="view"),
        "can_use_admin": user_can(user=user, action="admin_site"),
        **template_permissions_for(user),
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items``: every app's menu entries this user may follow (``core.navigation``)."""
    match = getattr(request, "resolver_match", None)
    return {"nav_items": nav_items_for(getattr(request, "user", None), match.view_name if match else None)}
