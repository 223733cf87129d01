"""The access log of participant-level reads: read-only, for state administrators. Participants and their
observations are not in the admin: every read of them goes through the logged pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sectorwise.core.rules import user_can
from sectorwise.outcomes.models import ParticipantAccessLog
from sectorwise.outcomes.rules import OutcomeAction


@admin.register(ParticipantAccessLog)
class ParticipantAccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "what", "records", "partnership")
    list_filter = ("at",)
    search_fields = ("username", "what")
    date_hierarchy = "at"

    def _may(self, request: HttpRequest) -> bool:
        return user_can(user=request.user, action=OutcomeAction.VIEW_ACCESS_LOG)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
