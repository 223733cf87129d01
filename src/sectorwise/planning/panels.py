"""The planning section of a partnership's page (``core.navigation.PartnershipPanel``)."""

from __future__ import annotations

from typing import Any

from sectorwise.core.navigation import PartnershipPanel
from sectorwise.core.rules import user_can
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.planning import selectors
from sectorwise.planning.models import AssessmentStatus, SelfAssessment
from sectorwise.planning.rules import PlanningAction


def planning_panel(request: Any, partnership: SectorPartnership) -> PartnershipPanel | None:
    """Latest reviewed maturity phase, the action plan in figures, funding beyond state grants and links;
    nothing for visitors who may not read planning (anonymous, no role)."""
    if not user_can(user=request.user, action=PlanningAction.VIEW_PLANNING):
        return None
    plan = selectors.action_plan(partnership=partnership)
    pending = SelfAssessment.objects.filter(
        partnership=partnership, status=AssessmentStatus.SUBMITTED
    ).count()
    context = {
        "result": selectors.partnership_maturity(partnership=partnership),
        "pending_reviews": pending,
        "priority_count": len(plan.priorities),
        "ranked_count": sum(1 for row in plan.priorities if row.n),
        "initiative_count": plan.initiative_count,
        "status_counts": sorted(plan.status_counts().items()),
        "top_priorities": [row for row in plan.priorities if row.n][:3],
        "funding_total": selectors.sustainability_funding_total(partnership=partnership),
        "can_manage": user_can(user=request.user, action=PlanningAction.MANAGE_PLANNING, obj=partnership),
        "partnership_pk": partnership.pk,
    }
    return PartnershipPanel(title="Planning", template="planning/panel.html", context=context)
