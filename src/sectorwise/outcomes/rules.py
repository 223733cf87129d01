"""Who may see and do what with outcomes (registered in ``sectorwise.core.rules``).

- aggregates (a partnership's outcomes page: shares, intervals, "too few to show") are public, like the
  partnership itself; consented testimonials too;
- participant-level data (the participant list, any row about one person) is for state staff and the
  partnership's convener only, and every read of it is logged (``selectors``);
- progress reports: state staff and the partnership's convener write them;
- imports of participants and observations name any partnership per row: state staff only;
- the access log: state administrators, read-only in the admin.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, always, has_role, register, user_role
from sectorwise.partnerships.rules import is_convener_of


class OutcomeAction(StrEnum):
    VIEW_OUTCOMES = "view_outcomes"
    """A partnership's aggregate outcomes (public)."""
    VIEW_PARTICIPANTS = "view_participants"
    """About one partnership: read its participant-level data (logged)."""
    REPORT_PROGRESS = "report_progress"
    """About one partnership: write, submit and amend its progress reports."""
    IMPORT_OUTCOMES = "import_outcomes"
    """Import participants and outcome observations (rows name any partnership)."""
    VIEW_ACCESS_LOG = "view_participant_access_log"
    DEFINE_INDICATORS = "define_custom_indicators"
    """About one partnership: define its custom indicators (name, unit, target): state staff."""
    VERIFY_SYSTEMS_CHANGE = "verify_systems_change"
    """Mark a partnership's reported systems change as verified: state staff."""
    VIEW_PORTFOLIO = "view_outcomes_portfolio"
    """Every partnership's aggregate outcomes on one page: state staff and viewers."""
    VIEW_PROGRESS_API = "view_progress_reports"
    """About one partnership: read its progress reports (the pages' and the API's list/detail)."""


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)
convener_or_staff_ever = is_state_staff | (is_convener & acts_for_an_organization)


def _own_partnerships_participants(user: Any) -> Q:
    """Participants a user may read: all for state staff, else those of partnerships their organisation
    convenes (a convener's ``ever`` already required an organisation)."""
    if user_role(user) in STATE_ROLES:
        return Q()
    return Q(partnership__convener_id=user.organization_id)


register(OutcomeAction.VIEW_OUTCOMES, always)
register(
    OutcomeAction.VIEW_PARTICIPANTS,
    is_state_staff | (is_convener & is_convener_of),
    about_object=True,
    ever=convener_or_staff_ever,
    scope=_own_partnerships_participants,
)
register(
    OutcomeAction.REPORT_PROGRESS,
    is_state_staff | (is_convener & is_convener_of),
    about_object=True,
    ever=convener_or_staff_ever,
)
register(OutcomeAction.IMPORT_OUTCOMES, is_state_staff)
register(OutcomeAction.VIEW_ACCESS_LOG, has_role(Role.STATE_ADMIN))
register(OutcomeAction.DEFINE_INDICATORS, is_state_staff, about_object=True, ever=is_state_staff)
register(OutcomeAction.VERIFY_SYSTEMS_CHANGE, is_state_staff)
register(OutcomeAction.VIEW_PORTFOLIO, has_role(*STATE_ROLES, Role.VIEWER))


def _own_partnerships_reports(user: Any) -> Q:
    """Progress reports a user may read: all for state staff and viewers, else their own partnerships'."""
    if user_role(user) in STATE_ROLES or user_role(user) == Role.VIEWER:
        return Q()
    return Q(partnership__convener_id=user.organization_id)


register(
    OutcomeAction.VIEW_PROGRESS_API,
    is_state_staff | has_role(Role.VIEWER) | (is_convener & is_convener_of),
    about_object=True,
    ever=convener_or_staff_ever | has_role(Role.VIEWER),
    scope=_own_partnerships_reports,
)
