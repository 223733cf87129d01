"""Who may see and do what with partnership planning (registered in ``sectorwise.core.rules``).

- every role reads every partnership's planning (maturity history, action plan, funding beyond state grants);
  anonymous visitors and signed-in users without a role see nothing of it;
- a convener manages its own partnerships' self-assessments (draft, submit), action plans (priorities, the
  employers' rankings, which the convener enters for each employer member: employers hold no accounts,
  initiatives) and sustainability funding, not other partnerships'; state staff manage every partnership's;
- only state staff review a submitted self-assessment (agree with each score or adjust it with a comment).
"""

from __future__ import annotations

from enum import StrEnum

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, has_a_role, has_role, register
from sectorwise.partnerships.rules import is_convener_of


class PlanningAction(StrEnum):
    VIEW_PLANNING = "view_planning"
    """Read any partnership's maturity history, action plan and sustainability funding."""
    MANAGE_PLANNING = "manage_planning"
    """About one partnership: write its self-assessments, action plan and sustainability funding."""
    REVIEW_ASSESSMENT = "review_maturity_assessment"
    """Review submitted self-assessments (and list those waiting)."""


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)

register(PlanningAction.VIEW_PLANNING, has_a_role)
register(
    PlanningAction.MANAGE_PLANNING,
    is_state_staff | (is_convener & is_convener_of),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization),
)
register(PlanningAction.REVIEW_ASSESSMENT, is_state_staff)
