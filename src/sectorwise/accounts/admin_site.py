"""The Django admin site: state administrators and program staff only, with their second factor when the
settings require one. In ``accounts`` rather than ``core``: it asks the accounts app about the session."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sectorwise.accounts.selectors import session_needs_second_factor
from sectorwise.core.permissions import Action, user_can


class SectorwiseAdminSite(admin.AdminSite):
    site_header = "Sectorwise administration"
    site_title = "Sectorwise admin"
    index_title = "Registry administration"

    def has_permission(self, request: HttpRequest) -> bool:
        # With SECTORWISE_REQUIRE_2FA_FOR_STAFF, a password session must have shown a TOTP code too.
        return user_can(user=request.user, action=Action.ADMIN_SITE) and not session_needs_second_factor(
            request
        )
