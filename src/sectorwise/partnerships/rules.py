"""Who may do what to partnerships, their members and imports (registered in ``sectorwise.core.rules``).

- state administrators and program staff create and change every partnership and import files;
- a convener changes only the partnerships its organisation convenes, and their members;
- an import job is its owner's and state staff's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, check, has_role, register, user_role


class PartnershipAction(StrEnum):
    CREATE_PARTNERSHIP = "create_partnership"
    CHANGE_PARTNERSHIP = "change_partnership"
    """About one partnership: edit it, change its stage."""
    CHANGE_CONVENER = "change_convener"
    """Hand a partnership to another convening organisation (a convener edits its partnership, not that)."""
    MANAGE_MEMBERSHIPS = "manage_memberships"
    """About one partnership: add, change or remove its members."""
    IMPORT = "import"
    """Bulk import of organisations and memberships."""
    VIEW_IMPORT_JOB = "view_import_job"
    """About one import job: its progress and its row report."""


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)


@check
def is_convener_of(user: Any, partnership: Any) -> bool:
    """The user acts for the organisation that convenes ``partnership``."""
    organization_id = getattr(user, "organization_id", None)
    return organization_id is not None and partnership.convener_id == organization_id


@check
def owns(user: Any, record: Any) -> bool:
    return getattr(user, "pk", None) is not None and record.user_id == user.pk


def _own_jobs(user: Any) -> Q:
    return Q() if user_role(user) in STATE_ROLES else Q(user_id=user.pk)


for _action in (PartnershipAction.CHANGE_PARTNERSHIP, PartnershipAction.MANAGE_MEMBERSHIPS):
    register(
        _action,
        is_state_staff | (is_convener & is_convener_of),
        about_object=True,
        ever=is_state_staff | (is_convener & acts_for_an_organization),
    )
register(PartnershipAction.CREATE_PARTNERSHIP, is_state_staff)
register(PartnershipAction.CHANGE_CONVENER, is_state_staff)
register(PartnershipAction.IMPORT, is_state_staff)
register(
    PartnershipAction.VIEW_IMPORT_JOB,
    is_state_staff | owns,
    about_object=True,
    ever=is_state_staff,
    scope=_own_jobs,
)
