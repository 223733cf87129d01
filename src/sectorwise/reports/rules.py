"""Who may see which report (registered in ``sectorwise.core.rules``).

- the portfolio dashboard (every partnership, money by source, outcomes): state administrators and program
  staff;
- the legislative report (page and downloads: HTML, PDF, XLSX): state staff and viewers (it holds
  aggregates only: suppressed outcomes, consented testimonials, public awards);
- district equivalence files (load, list): state staff;
- the public overview (map, partnerships, awards, consented testimonials): everyone, signed in or not.
"""

from __future__ import annotations

from enum import StrEnum

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import always, has_role, register


class ReportsAction(StrEnum):
    VIEW_PORTFOLIO = "view_portfolio"
    VIEW_LEGISLATIVE_REPORT = "view_legislative_report"
    MANAGE_DISTRICT_PLANS = "manage_district_plans"
    VIEW_PUBLIC_OVERVIEW = "view_public_overview"


is_state_staff = has_role(*STATE_ROLES)

register(ReportsAction.VIEW_PORTFOLIO, is_state_staff)
register(ReportsAction.VIEW_LEGISLATIVE_REPORT, is_state_staff | has_role(Role.VIEWER))
register(ReportsAction.MANAGE_DISTRICT_PLANS, is_state_staff)
register(ReportsAction.VIEW_PUBLIC_OVERVIEW, always)
