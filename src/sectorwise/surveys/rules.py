"""Who may do what with employer surveys (registered in ``sectorwise.core.rules``).

- state staff and the partnership's convener create surveys, add questions, open and close them, pick the
  employer contacts and send invitations, see who was invited and export the responses (response-level,
  without the contact's identity);
- the aggregate results (shares and means with intervals, "too few to show" under 10 responses) and the
  demand panel on the partnership page: the same, plus viewers (read-only state-wide role);
- answering: anyone holding a valid one-use link, no account needed. The rule lets every visitor reach the
  answer page; the token is the permission, checked by ``services.invitation_for_token``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, always, check, has_role, register, user_role


class SurveyAction(StrEnum):
    LIST_SURVEYS = "list_surveys"
    """The survey list (each user sees the surveys they may manage or read the results of)."""
    MANAGE_SURVEYS = "manage_surveys"
    """About one partnership (or one of its surveys): create, edit, invite, export."""
    VIEW_SURVEY_RESULTS = "view_survey_results"
    """About one partnership (or one of its surveys): the aggregate results and the demand summary."""
    ANSWER_SURVEY = "answer_survey"
    """The public answer page: the one-use token is the permission."""


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)
is_viewer = has_role(Role.VIEWER)
convener_or_staff_ever = is_state_staff | (is_convener & acts_for_an_organization)


@check
def convenes(user: Any, obj: Any) -> bool:
    """The user acts for the organisation that convenes the partnership (``obj``: it, or one of its
    surveys)."""
    organization_id = getattr(user, "organization_id", None)
    partnership = getattr(obj, "partnership", obj)
    return organization_id is not None and partnership.convener_id == organization_id


def _own_surveys(user: Any) -> Q:
    """Surveys a user may manage: all for state staff, else those of partnerships their organisation
    convenes."""
    if user_role(user) in STATE_ROLES:
        return Q()
    return Q(partnership__convener_id=user.organization_id)


def _surveys_with_results(user: Any) -> Q:
    if user_role(user) in (*STATE_ROLES, Role.VIEWER):
        return Q()
    return Q(partnership__convener_id=user.organization_id)


register(SurveyAction.LIST_SURVEYS, convener_or_staff_ever | is_viewer)
register(
    SurveyAction.MANAGE_SURVEYS,
    is_state_staff | (is_convener & convenes),
    about_object=True,
    ever=convener_or_staff_ever,
    scope=_own_surveys,
)
register(
    SurveyAction.VIEW_SURVEY_RESULTS,
    is_state_staff | is_viewer | (is_convener & convenes),
    about_object=True,
    ever=convener_or_staff_ever | is_viewer,
    scope=_surveys_with_results,
)
register(SurveyAction.ANSWER_SURVEY, always)
