"""Model admins for state administrators and program staff only, asking the same permission authority (the
admin site itself, which also asks about the second factor, is ``sectorwise.accounts.admin_site``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from sectorwise.core.permissions import Action, user_can


class StateStaffAdmin(admin.ModelAdmin):
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


REVERT_REFUSED = "A record's earlier version can be viewed, not restored: change the record itself."


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's "History" pages without its revert: the revert form saves whatever is POSTed
    after checking only the history *view* permission (so it bypassed read-only admins), and it writes an
    old version over the record around the admin's change form and the services' rules (roles, tokens,
    stage dates). An earlier version is shown; any other method than GET or HEAD is refused."""

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(REVERT_REFUSED)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class StateStaffHistoryAdmin(HistoryAdmin, StateStaffAdmin):
    """Admin pages with a "History" button (django-simple-history), for state staff."""


class ServiceWriteAdmin(admin.ModelAdmin):
    """A model admin that writes through the app's services: the form runs the service's checks (rules
    spanning records, such as duplicate names) after the model's own, and shows their refusals on the form;
    saving calls the service. Subclasses name the two service functions."""

    def service_validate(self, obj: Any) -> None:
        raise NotImplementedError

    def service_save(self, obj: Any) -> None:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):  # type: ignore[misc, valid-type]  # a class made at run time
            def _post_clean(self) -> None:
                super()._post_clean()
                if self._errors:  # the model's own rules refused already: their messages suffice
                    return
                try:
                    model_admin.service_validate(self.instance)
                except ValidationError as error:
                    _show_on_form(self, error)

        return ServiceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self.service_save(obj)


def _show_on_form(form: ModelForm[Any], error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else NON_FIELD_ERRORS, messages)
