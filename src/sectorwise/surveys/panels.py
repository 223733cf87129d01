"""The surveys app's section on a partnership's page (``core.navigation.PartnershipPanel``): what its
employers say they need — hard-to-fill occupations ranked by how many employers named them, and skill
gaps — beside the public LMI profile."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sectorwise.core.navigation import PartnershipPanel
from sectorwise.core.rules import user_can
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.surveys.rules import SurveyAction

TOP_OCCUPATIONS = 10


def demand_panel(request: Any, partnership: SectorPartnership) -> PartnershipPanel | None:
    """Shown to those who may read the partnership's survey results, once it has a survey."""
    from sectorwise.surveys.models import Survey
    from sectorwise.surveys.selectors import survey_demand_summary

    if not user_can(user=request.user, action=SurveyAction.VIEW_SURVEY_RESULTS, obj=partnership):
        return None
    if not Survey.objects.filter(partnership=partnership).exists():
        return None
    summary = survey_demand_summary(partnership=partnership)
    return PartnershipPanel(
        title="Employer demand (employer surveys)",
        template="surveys/demand_panel.html",
        context={
            "summary": summary,
            "occupations": summary.occupations[:TOP_OCCUPATIONS],
            "surveys_url": reverse("surveys:partnership_surveys", kwargs={"pk": partnership.pk}),
        },
    )
