"""Reads for the record pages: custom indicators against their targets, late progress reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sectorwise.outcomes import schedule
from sectorwise.outcomes.models import (
    CustomIndicator,
    IndicatorValue,
    ProgressReport,
    ReportStatus,
    SystemsChange,
)
from sectorwise.outcomes.schedule import lateness, missing_quarters
from sectorwise.partnerships.models import SectorPartnership


@dataclass(frozen=True)
class QuarterValue:
    year: int
    quarter: int
    value: Decimal
    submitted: bool


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: CustomIndicator
    quarters: list[QuarterValue]
    reported: Decimal
    """The sum over quarters of the latest submitted revision's value (drafts not counted)."""
    share_of_target: Decimal | None
    """``reported / target`` (None without a positive target)."""


def latest_revisions(reports: list[ProgressReport]) -> dict[tuple[int, int], ProgressReport]:
    """Each quarter's latest revision, by (year, quarter)."""
    latest: dict[tuple[int, int], ProgressReport] = {}
    for report in reports:
        key = (report.year, report.quarter)
        if key not in latest or report.revision > latest[key].revision:
            latest[key] = report
    return latest


def indicator_progress(*, partnership: SectorPartnership) -> list[IndicatorProgress]:
    """Each of the partnership's indicators with its values by quarter (the latest revision's; drafts
    marked) and the total of the submitted ones against the target. Three queries."""
    indicators = list(CustomIndicator.objects.filter(partnership=partnership))
    reports = list(ProgressReport.objects.filter(partnership=partnership))
    submitted_latest: dict[tuple[int, int], ProgressReport] = {}
    for report in reports:
        key = (report.year, report.quarter)
        if report.status == ReportStatus.SUBMITTED and (
            key not in submitted_latest or report.revision > submitted_latest[key].revision
        ):
            submitted_latest[key] = report
    latest = latest_revisions(reports)
    shown_reports = {report.pk: report for report in latest.values()}
    counted = {report.pk for report in submitted_latest.values()}
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(report__partnership=partnership):
        values[value.indicator_id][value.report_id] = value.value
    rows = []
    for indicator in indicators:
        own = values.get(indicator.pk, {})
        quarters = [
            QuarterValue(
                year=report.year,
                quarter=report.quarter,
                value=own[report.pk],
                submitted=report.status == ReportStatus.SUBMITTED,
            )
            for report in sorted(shown_reports.values(), key=lambda r: (r.year, r.quarter))
            if report.pk in own
        ]
        reported = sum((amount for pk, amount in own.items() if pk in counted), Decimal(0))
        target = indicator.target
        share = (reported / target).quantize(Decimal("0.001")) if target is not None and target > 0 else None
        rows.append(
            IndicatorProgress(
                indicator=indicator, quarters=quarters, reported=reported, share_of_target=share
            )
        )
    return rows


@dataclass(frozen=True)
class ReportFlags:
    late: dict[int, str]
    """Report id -> "Submitted 3 days late" / "Overdue by 12 days"."""
    missing: list[tuple[int, int, dt.date]]
    """(year, quarter, due on) of quarters past due without any report (``schedule.missing_quarters``)."""


def report_flags(
    *, partnership: SectorPartnership, reports: list[ProgressReport], today: dt.date | None = None
) -> ReportFlags:
    """Late flags for the progress list: each late report, and the quarters due without a report."""
    today = today or dt.date.today()
    late = {report.pk: phrase for report in reports if (phrase := lateness(report, today=today))}
    missing = missing_quarters(
        reports=reports, today=today, schedule=schedule.award_due_dates(partnership_id=partnership.pk)
    )
    return ReportFlags(late=late, missing=missing)


def flags_context(partnership: SectorPartnership, reports: list[Any]) -> dict[str, Any]:
    """What the progress list's template needs for its late flags (``views.report_list``)."""
    flags = report_flags(partnership=partnership, reports=reports)
    for report in reports:
        report.late_flag = flags.late.get(report.pk, "")
    return {"late": flags.late, "missing_quarters": flags.missing}


def verified_systems_changes(*, partnership: SectorPartnership) -> list[SystemsChange]:
    """What the public outcomes page shows of systems change: only what state staff verified."""
    return list(
        SystemsChange.objects.filter(partnership=partnership, verified_at__isnull=False).order_by(
            "-occurred_on", "id"
        )
    )
