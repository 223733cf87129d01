"""When a progress report is due, and whether it is late.

A report for a quarter is due on the first date of the partnership's award reporting schedule that falls
after the quarter ends (``sectorwise.grants.selectors.award_report_due_dates``, over the partnership's
active awards); without an award, or without such a date, 30 days after the quarter ends (the default rule).

``award_due_dates`` is the one place that asks grants (its ``award_report_due_dates``, the seam the grants
app provides; the layers contract lets outcomes import grants).

Late: submitted after its due date, or still unsubmitted (a draft, or no report at all) once the due date
has passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sectorwise.grants.models import Award
from sectorwise.grants.selectors import award_report_due_dates
from sectorwise.outcomes.models import ProgressReport, ReportStatus
from sectorwise.partnerships.models import SectorPartnership

DEFAULT_DAYS_AFTER_QUARTER: Final = 30


def quarter_end(year: int, quarter: int) -> dt.date:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter} is not 1, 2, 3 or 4")
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


def default_due_on(year: int, quarter: int) -> dt.date:
    """30 days after the quarter ends (Q1 2025 → 2025-04-30)."""
    return quarter_end(year, quarter) + dt.timedelta(days=DEFAULT_DAYS_AFTER_QUARTER)


def award_due_dates(*, partnership_id: int) -> list[dt.date]:
    """Every reporting due date of the partnership's awards, sorted (empty without an award)."""
    dates: set[dt.date] = set()
    for award in Award.objects.filter(application__partnership_id=partnership_id):
        dates.update(award_report_due_dates(award=award))
    return sorted(dates)


def due_on_from(schedule: list[dt.date], year: int, quarter: int) -> dt.date:
    """The first scheduled date after the quarter ends, else the default rule."""
    end = quarter_end(year, quarter)
    for due in schedule:
        if due > end:
            return due
    return default_due_on(year, quarter)


def report_due_on(*, partnership: SectorPartnership | int, year: int, quarter: int) -> dt.date | None:
    """The due date of a partnership's report for a quarter; None for a quarter that does not exist (the
    report's own validation names the field)."""
    if quarter not in (1, 2, 3, 4) or not 1 <= year <= 9998:
        return None
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    return due_on_from(award_due_dates(partnership_id=partnership_id), year, quarter)


def lateness(report: ProgressReport, *, today: dt.date) -> str:
    """A short phrase for the progress list when late; empty when on time or not yet due."""
    due = report.due_on
    if due is None or report.revision:  # an amendment corrects a report: it is never "late" itself
        return ""
    if report.status == ReportStatus.SUBMITTED:
        if report.submitted_at is not None and report.submitted_at.date() > due:
            days = (report.submitted_at.date() - due).days
            return f"Submitted {days} day{'s' if days != 1 else ''} late"
        return ""
    if today > due:
        days = (today - due).days
        return f"Overdue by {days} day{'s' if days != 1 else ''}"
    return ""


def quarter_before(day: dt.date) -> tuple[int, int]:
    """The last quarter that ended before ``day`` (the one a report due on ``day`` covers)."""
    year, quarter = day.year, (day.month - 1) // 3 + 1
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return year, quarter


def missing_quarters(
    *, reports: list[Any], today: dt.date, schedule: list[dt.date]
) -> list[tuple[int, int, dt.date]]:
    """Quarters past due without any report: (year, quarter, due on), oldest first.

    With an award schedule, each scheduled due date that has passed stands for the quarter that ended last
    before it. Without one a partnership is not obliged to report (it may), so only the gaps between its
    first and its latest report count (each due by the default rule).
    """
    have = {(report.year, report.quarter) for report in reports}
    if schedule:
        wanted = [(*quarter_before(due), due) for due in schedule if due < today]
        return [(year, quarter, due) for year, quarter, due in wanted if (year, quarter) not in have]
    if not reports:
        return []
    found = []
    (year, quarter), last = min(have), max(have)
    while (year, quarter) <= last:
        due = default_due_on(year, quarter)
        if due < today and (year, quarter) not in have:
            found.append((year, quarter, due))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found
