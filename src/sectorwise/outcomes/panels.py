"""The outcomes section of a partnership's page (``OutcomesConfig.partnership_panels``).

Everyone who may see the partnership sees its public outcome figures (suppressed under the minimum) and
verified systems changes; the convener and state staff also get the links to the progress reports (with how
many are late), indicators, systems change and testimonials.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sectorwise.core.navigation import PartnershipPanel
from sectorwise.core.rules import user_can
from sectorwise.outcomes.models import ProgressReport, SystemsChange
from sectorwise.outcomes.record_selectors import report_flags
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.outcomes.selectors import outcome_summary
from sectorwise.partnerships.models import SectorPartnership


def outcomes_panel(request: Any, partnership: SectorPartnership) -> PartnershipPanel | None:
    if not user_can(user=request.user, action=OutcomeAction.VIEW_OUTCOMES, obj=partnership):
        return None
    summary = outcome_summary(partnership=partnership)
    can_report = user_can(user=request.user, action=OutcomeAction.REPORT_PROGRESS, obj=partnership)
    context: dict[str, Any] = {
        "summary": summary,
        "verified_changes": SystemsChange.objects.filter(
            partnership=partnership, verified_at__isnull=False
        ).count(),
        "can_report": can_report,
    }
    if can_report:
        reports = list(ProgressReport.objects.filter(partnership=partnership))
        flags = report_flags(partnership=partnership, reports=reports, today=dt.date.today())
        context["late_reports"] = len(flags.late) + len(flags.missing)
    return PartnershipPanel(title="Outcomes", template="outcomes/records/panel.html", context=context)
