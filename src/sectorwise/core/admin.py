"""Admin pages of other packages, put under the role rules: state staff see django-axes' sign-in records
(and unlock accounts by deleting an attempt); Django's groups are unused (roles decide): hidden. django-otp's
TOTP device admin is hidden too: its pages show each device's secret key (anyone reaching them could make
another user's codes); people set up and turn off their own two-factor sign-in at /accounts/two-factor/."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from sectorwise.core.admin_site import StateStaffAdmin

admin.site.unregister(Group)
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

for model, axes_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    admin.site.unregister(model)
    # axes' class first: it keeps refusing "add" (records come from sign-ins); the role decides the rest.
    admin.site.register(model, type(axes_admin.__name__, (axes_admin, StateStaffAdmin), {}))
