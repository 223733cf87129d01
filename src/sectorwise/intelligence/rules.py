"""Who may read the labour-market pages (registered in ``sectorwise.core.rules``).

LMI is public data (BLS's own figures and open methods): every signed-in user may read these pages, whatever
their role, and anonymous visitors too where the state says so (``settings.SECTORWISE_PUBLIC_LMI``, read at
each request so that a deployment, or a test, can change it without reloading the rules).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, check, has_role, register
from sectorwise.partnerships.rules import is_convener_of

is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)


class IntelligenceAction(StrEnum):
    VIEW_LMI = "view_lmi"
    """The region explorer, the ranking and the industry assessment."""


@check
def is_signed_in(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@check
def lmi_is_public(user: Any, obj: Any) -> bool:
    return bool(getattr(settings, "SECTORWISE_PUBLIC_LMI", False))


register(IntelligenceAction.VIEW_LMI, is_signed_in | lmi_is_public)


class AssessmentAction(StrEnum):
    ATTACH_ASSESSMENT = "attach_industry_assessment"
    """About one partnership: generate its industry assessment, list and download the stored ones: state
    staff and the partnership's convener."""


register(
    AssessmentAction.ATTACH_ASSESSMENT,
    is_state_staff | (is_convener & is_convener_of),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization),
)
