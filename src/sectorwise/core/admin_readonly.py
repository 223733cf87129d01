"""Read-only model admins for records that change only through their app's services (money, scores, states,
decisions): state staff view them and their history; nobody adds or changes them here, and deleting is
refused unless the admin says it is harmless (then for state administrators only, as everywhere).

Every admin built on these names its ``fields`` explicitly, and they are all shown read-only: a field the
admin does not name (a token hash, a file's bytes) is never on its pages, and a field added to the model
later stays off them until someone decides it may be shown.

django-simple-history's "revert" form (``.../history/<id>/``) saves whatever is POSTed to it after checking
only the *view* permission, so a read-only admin with history would still let staff change the record (or
put an old amount back) through it; ``ReadOnlyHistoryAdmin`` refuses every POST there with 403.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sectorwise.core.admin_site import StateStaffAdmin, StateStaffHistoryAdmin
from sectorwise.core.permissions import Action, user_can


def _named_fields(model_admin: Any) -> tuple[str, ...]:
    fields = getattr(model_admin, "fields", None)
    if not fields:
        raise TypeError(f"{type(model_admin).__name__} must name its fields")
    return tuple(fields)


class _ReadOnly:
    """View only. ``deletable = True`` lets state administrators delete (``Action.ADMIN_DELETE``)."""

    deletable: ClassVar[bool] = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.deletable and user_can(user=request.user, action=Action.ADMIN_DELETE)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return _named_fields(self)


class ReadOnlyAdmin(_ReadOnly, StateStaffAdmin):
    """A read-only admin without a history page."""


class ReadOnlyHistoryAdmin(_ReadOnly, StateStaffHistoryAdmin):
    """A read-only admin with the record's history (django-simple-history; its revert is refused for every
    admin: ``core.admin_site.HistoryAdmin``)."""


class ReadOnlyInline(admin.TabularInline):
    """Child rows shown read-only on their parent's page, to state staff (Django's per-model permission
    tables are unused: roles decide). ``select`` names the relations each row shows (one query, not one per
    row); ``defer`` the columns it never shows (file bytes)."""

    extra = 0
    can_delete = False
    show_change_link = False
    select: ClassVar[tuple[str, ...]] = ()
    defer: ClassVar[tuple[str, ...]] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return _named_fields(self)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.defer:
            queryset = queryset.defer(*self.defer)
        return queryset

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can(user=request.user, action=Action.ADMIN_SITE)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
