"""Users and API tokens in the admin, under the rules of ``accounts.selectors`` (who may manage whom).

The admin shows each user only the fields the rules let them change, refuses a POST naming any other
(instead of silently ignoring it), and saves through ``accounts.services``, so a role or flag change made
here is checked and recorded exactly like one made anywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from sectorwise.accounts.models import ApiToken, User
from sectorwise.accounts.rules import AccountAction
from sectorwise.accounts.selectors import (
    api_tokens_visible_to,
    user_assignable_roles,
    user_editable_fields,
    user_is_state_admin,
    users_visible_to,
)
from sectorwise.accounts.services import api_token_revoke, user_add, user_update
from sectorwise.core.admin_site import HistoryAdmin, StateStaffAdmin
from sectorwise.core.roles import Role
from sectorwise.core.rules import user_can, user_may_ever

_SHOWN = ("username", "first_name", "last_name", "email", "is_active", "role", "organization")
_STAFF_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    ("Personal info", {"fields": ("first_name", "last_name", "email")}),
    ("Access", {"fields": ("is_active", "role", "organization", "is_staff", "is_superuser")}),
    ("Important dates", {"fields": ("last_login", "date_joined")}),
)
_USER_FORM_FIELDS = frozenset(
    {*_SHOWN, "is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"}
)


def _refuse_fields_not_editable(
    request: HttpRequest, editable: frozenset[str], fields: frozenset[str]
) -> None:
    """A POST carrying a field the user may not change is refused outright (it is an attempt, not a slip:
    the form shows such fields read-only)."""
    if request.method == "POST":
        named = sorted((fields & set(request.POST)) - editable)
        if named:
            raise PermissionDenied(f"you may not change {', '.join(named)}")


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin, StateStaffAdmin):
    list_display = ["username", "email", "role", "organization", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Sectorwise", {"fields": ("role", "organization")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or user_is_state_admin(request.user):
            return super().get_fieldsets(request, obj)
        return _STAFF_FIELDSETS  # no groups or Django permissions: roles decide

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        editable = user_editable_fields(actor=request.user, user=obj)
        # "password" stays a form field: Django shows it as a summary (never the hash) with its own page.
        return sorted(_USER_FORM_FIELDS - editable)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            allowed = user_assignable_roles(actor=request.user)
            kwargs["choices"] = [("", "---------")] + [
                (role.value, role.label) for role in Role if role.value in allowed
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return users_visible_to(user=request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or user_can(user=request.user, action=AccountAction.CHANGE_USER, obj=obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is not None and request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                editable = user_editable_fields(actor=request.user, user=obj)
                _refuse_fields_not_editable(request, editable, _USER_FORM_FIELDS)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            user_add(actor=request.user, user=obj)
            return
        stored = User.objects.get(pk=obj.pk)
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in form.cleaned_data and field != "password"
        }
        # ``obj`` already holds the form's values; the service re-reads the stored user and decides.
        user_update(actor=request.user, user=stored, changes=changes, reason="changed in the admin")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        user = self.get_object(request, unquote(id))
        if user is not None and not user_can(user=request.user, action=AccountAction.SET_PASSWORD, obj=user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(HistoryAdmin, StateStaffAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    # The user is never editable: a token moved to another user would carry that user's rights.
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "expires_at", "prefix", "created_at", "last_used_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return api_tokens_visible_to(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token's key is shown once when created, which the admin form cannot do: use the service.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or user_can(user=request.user, action=AccountAction.CHANGE_TOKEN, obj=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not user_may_ever(user=request.user, action=AccountAction.REVOKE_TOKEN):
            return False
        return obj is None or user_can(user=request.user, action=AccountAction.REVOKE_TOKEN, obj=obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        _refuse_fields_not_editable(
            request, frozenset({"name", "expires_at"}), frozenset({"user", "key_hash"})
        )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        api_token_revoke(actor=request.user, token=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(actor=request.user, token=token)
