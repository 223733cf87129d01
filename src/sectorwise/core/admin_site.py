"""The Django admin, for state administrators and program staff only, asking the same permission authority."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sectorwise.core.permissions import Action, user_can, user_role
from sectorwise.core.roles import Role


class SectorwiseAdminSite(admin.AdminSite):
    site_header = "Sectorwise administration"
    site_title = "Sectorwise admin"
    index_title = "Registry administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from sectorwise.accounts.selectors import session_needs_second_factor

        # With SECTORWISE_REQUIRE_2FA_FOR_STAFF, a password session must have shown a TOTP code too.
        return user_can(user=request.user, action=Action.ADMIN_SITE) and not session_needs_second_factor(
            request
        )


class StateStaffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Model admin for state staff: the role decides, not Django's per-model permission tables."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_can(user=request.user, action=Action.ADMIN_SITE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can(user=request.user, action=Action.ADMIN_SITE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_can(user=request.user, action=Action.ADMIN_SITE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can(user=request.user, action=Action.ADMIN_SITE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting records loses their links to grants and outcomes: administrators only.
        return user_role(request.user) is Role.STATE_ADMIN
