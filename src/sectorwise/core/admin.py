"""Admin pages of other packages, put under the role rules: state staff see django-axes' sign-in records
(and unlock accounts by deleting an attempt); Django's groups are unused (roles decide): hidden."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group

from sectorwise.core.admin_site import StateStaffAdmin

admin.site.unregister(Group)

for model, axes_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    admin.site.unregister(model)
    # axes' class first: it keeps refusing "add" (records come from sign-ins); the role decides the rest.
    admin.site.register(model, type(axes_admin.__name__, (axes_admin, StateStaffAdmin), {}))
