"""Template context every page needs: what the current user may do, for the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sectorwise.core.permissions import Action, user_can, user_role


def access(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "user_role": user_role(user),
        "can_view_internal": user_can(user=user, action=Action.VIEW),
        "can_view_contacts": user_can(user=user, action=Action.VIEW_CONTACTS),
        "can_create_partnership": user_can(user=user, action=Action.CREATE_PARTNERSHIP),
        "can_import": user_can(user=user, action=Action.IMPORT),
        "can_use_admin": user_can(user=user, action=Action.ADMIN_SITE),
    }
