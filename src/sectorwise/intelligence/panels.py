"""The industry-assessment section of a partnership's page (``IntelligenceConfig.partnership_panels``): the
assessments stored for it, with date and data vintage and their downloads, and a button to generate one.
Shown to state staff and the partnership's convener (``AssessmentAction.ATTACH_ASSESSMENT``)."""

from __future__ import annotations

from typing import Any

from sectorwise.core.navigation import PartnershipPanel
from sectorwise.core.rules import user_can
from sectorwise.intelligence.record_selectors import partnership_assessments
from sectorwise.intelligence.rules import AssessmentAction
from sectorwise.partnerships.models import SectorPartnership


def assessment_panel(request: Any, partnership: SectorPartnership) -> PartnershipPanel | None:
    if not user_can(user=request.user, action=AssessmentAction.ATTACH_ASSESSMENT, obj=partnership):
        return None
    return PartnershipPanel(
        title="Industry assessments",
        template="intelligence/assessment_panel.html",
        context={"assessments": partnership_assessments(partnership=partnership)},
    )
