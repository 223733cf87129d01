from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from sectorwise.accounts.models import ApiToken, User
from sectorwise.core.admin_site import StateStaffAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin, StateStaffAdmin):
    list_display = ["username", "email", "role", "organization", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Sectorwise", {"fields": ("role", "organization")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(StateStaffAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "expires_at", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        # A token's key is shown once when created, which the admin form cannot do: use the service.
        return False
