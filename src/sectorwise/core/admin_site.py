"""Model admins for state administrators and program staff only, asking the same permission authority (the
admin site itself, which also asks about the second factor, is ``sectorwise.accounts.admin_site``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from sectorwise.core.permissions import Action, user_can


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
        return user_can(user=request.user, action=Action.ADMIN_DELETE)


class StateStaffHistoryAdmin(SimpleHistoryAdmin, StateStaffAdmin):
    """Admin pages with a "History" button (django-simple-history), for state staff."""
