"""API routes of outcomes (mounted under /api/ by ``sectorwise.web.api``): the pages' permissions.

- ``GET /api/outcomes/partnerships/{id}/summary``: a partnership's aggregate outcomes, exactly the public
  figures of its outcomes page (suppressed figures are null with ``suppressed: true``; no ``n`` either);
- ``GET /api/outcomes/partnerships/{id}/progress-reports`` and ``GET /api/outcomes/progress-reports/{id}``:
  progress reports, for state staff, viewers and the partnership's convener;
- ``POST /api/outcomes/partnerships/{id}/progress-reports``: a new report (draft, or submitted with
  ``"submit": true``) by the partnership's convener or state staff; a rule violation answers 422 naming the
  field (``core.api``), e.g. ``{"fields": {"workers_completed": ["Workers completed (12) cannot exceed
  workers enrolled (10)."]}}``.

Permission is asked before any record is loaded, so a caller who may not act gets the same 401/403 for an id
that exists and one that does not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from sectorwise.core.api import CappedLimitOffsetPagination
from sectorwise.core.rules import user_can, user_may_ever
from sectorwise.evaluation.statistics import PairedMeans, PairedProportions, Proportion
from sectorwise.outcomes import selectors, services
from sectorwise.outcomes.models import CustomIndicator, ProgressReport, ReportStatus
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.partnerships.selectors import partnership_get

#: The services' names for fields the API's bodies call otherwise (none: the same names).
SERVICE_FIELD_NAMES: dict[str, str] = {}

router = Router(tags=["outcomes"])


class ShareOut(Schema):
    estimate: float | None
    low: float | None
    high: float | None


class MeasureOut(Schema):
    key: str
    label: str
    suppressed: bool
    n: int | None
    baseline: ShareOut | None
    follow_up: ShareOut | None
    change: ShareOut | None
    p_value: float | None


class EarningsOut(Schema):
    suppressed: bool
    n: int | None
    mean_before: float | None
    mean_after: float | None
    change: ShareOut | None
    p_value: float | None


class SubgroupOut(Schema):
    measure: str
    dimension: str
    group: str
    suppressed: bool
    n: int | None
    baseline: ShareOut | None
    follow_up: ShareOut | None


class SummaryOut(Schema):
    partnership_id: int
    partnership_name: str
    minimum: int
    participants_suppressed: bool
    participants: int | None
    exited: int | None
    measures: list[MeasureOut]
    subgroups: list[SubgroupOut]
    earnings: EarningsOut


class IndicatorValueOut(Schema):
    indicator_id: int
    name: str = Field(..., alias="indicator.name")
    unit: str = Field(..., alias="indicator.unit")
    value: Decimal


class ProgressReportOut(Schema):
    id: int
    partnership_id: int
    year: int
    quarter: int
    revision: int
    amends_id: int | None
    status: ReportStatus
    due_on: dt.date | None
    submitted_at: dt.datetime | None
    employers_engaged: int
    workers_enrolled: int
    workers_completed: int
    workers_credentialed: int
    workers_placed: int
    wages_at_placement: Decimal | None
    narrative: str
    indicator_values: list[IndicatorValueOut]


class ProgressReportIn(Schema):
    """A new report for a quarter without one. ``due_on`` left out follows the award's schedule (or 30 days
    after the quarter); ``indicator_values`` names the partnership's custom indicators by id."""

    year: int
    quarter: int
    due_on: dt.date | None = None
    employers_engaged: int = Field(0, ge=0)
    workers_enrolled: int = Field(0, ge=0)
    workers_completed: int = Field(0, ge=0)
    workers_credentialed: int = Field(0, ge=0)
    workers_placed: int = Field(0, ge=0)
    wages_at_placement: Decimal | None = None
    narrative: str = ""
    indicator_values: dict[int, Decimal] = {}
    submit: bool = False


def _require(request: HttpRequest, action: str, obj: Any = None) -> None:
    if not user_can(user=request.user, action=action, obj=obj):
        raise HttpError(403, "You may not do this.")


def _require_ever(request: HttpRequest, action: str) -> None:
    if not user_may_ever(user=request.user, action=action):
        raise HttpError(403, "You may not do this.")


def _share(proportion: Proportion) -> ShareOut:
    return ShareOut(estimate=proportion.estimate, low=proportion.low, high=proportion.high)


def _measure(key: str, label: str, result: PairedProportions) -> MeasureOut:
    if result.suppressed:
        return MeasureOut(
            key=key,
            label=label,
            suppressed=True,
            n=None,
            baseline=None,
            follow_up=None,
            change=None,
            p_value=None,
        )
    return MeasureOut(
        key=key,
        label=label,
        suppressed=False,
        n=result.n,
        baseline=_share(result.before),
        follow_up=_share(result.after),
        change=ShareOut(estimate=result.difference, low=result.low, high=result.high),
        p_value=result.p_value,
    )


def _earnings(result: PairedMeans) -> EarningsOut:
    if result.suppressed:
        return EarningsOut(
            suppressed=True, n=None, mean_before=None, mean_after=None, change=None, p_value=None
        )
    return EarningsOut(
        suppressed=False,
        n=result.n,
        mean_before=result.mean_before,
        mean_after=result.mean_after,
        change=ShareOut(estimate=result.estimate, low=result.low, high=result.high),
        p_value=result.p_value,
    )


@router.get(
    "/outcomes/partnerships/{int:partnership_id}/summary",
    response=SummaryOut,
    url_name="outcomes_summary",
)
def outcomes_summary(request: HttpRequest, partnership_id: int) -> Any:
    """A partnership's aggregate outcomes: what its public outcomes page shows, no more."""
    _require_ever(request, OutcomeAction.VIEW_OUTCOMES)
    partnership = partnership_get(pk=partnership_id)
    _require(request, OutcomeAction.VIEW_OUTCOMES, partnership)
    summary = selectors.outcome_summary(partnership=partnership)
    participants = summary.participants
    return SummaryOut(
        partnership_id=partnership.pk,
        partnership_name=partnership.name,
        minimum=summary.minimum,
        participants_suppressed=participants.suppressed,
        participants=None if participants.suppressed else participants.n,
        exited=None if participants.suppressed else participants.successes,
        measures=[_measure(m.key, m.label, m.result) for m in summary.measures],
        subgroups=[
            SubgroupOut(
                measure=m.key,
                dimension=sub.dimension,
                group=sub.group,
                suppressed=sub.result.suppressed,
                n=None if sub.result.suppressed else sub.result.n,
                baseline=None if sub.result.suppressed else _share(sub.result.before),
                follow_up=None if sub.result.suppressed else _share(sub.result.after),
            )
            for m in summary.measures
            for sub in m.subgroups
        ],
        earnings=_earnings(summary.earnings),
    )


def _report_out(report: ProgressReport) -> ProgressReport:
    return ProgressReport.objects.prefetch_related("indicator_values__indicator").get(pk=report.pk)


@router.get(
    "/outcomes/partnerships/{int:partnership_id}/progress-reports",
    response=list[ProgressReportOut],
    url_name="outcomes_progress_report_list",
)
@paginate(CappedLimitOffsetPagination)
def progress_report_list(request: HttpRequest, partnership_id: int) -> Any:
    """A partnership's progress reports, newest quarter first (every revision); limit/offset pages."""
    _require_ever(request, OutcomeAction.VIEW_PROGRESS_API)
    partnership = partnership_get(pk=partnership_id)
    _require(request, OutcomeAction.VIEW_PROGRESS_API, partnership)
    return (
        ProgressReport.objects.filter(partnership=partnership)
        .prefetch_related("indicator_values__indicator")
        .order_by("-year", "-quarter", "-revision")
    )


@router.get(
    "/outcomes/progress-reports/{int:report_id}",
    response=ProgressReportOut,
    url_name="outcomes_progress_report_detail",
)
def progress_report_detail(request: HttpRequest, report_id: int) -> Any:
    """One progress report with its custom indicators' values."""
    _require_ever(request, OutcomeAction.VIEW_PROGRESS_API)
    report = ProgressReport.objects.select_related("partnership").filter(pk=report_id).first()
    if report is None:
        raise HttpError(404, "No such progress report.")
    _require(request, OutcomeAction.VIEW_PROGRESS_API, report.partnership)
    return _report_out(report)


@router.post(
    "/outcomes/partnerships/{int:partnership_id}/progress-reports",
    response={201: ProgressReportOut},
    url_name="outcomes_progress_report_create",
)
def progress_report_create(
    request: HttpRequest, partnership_id: int, payload: ProgressReportIn
) -> Status[ProgressReport]:
    """A new progress report by the partnership's convener or state staff; submitted at once with
    ``"submit": true`` (then locked). The same rules as the form: 422 naming the field."""
    _require_ever(request, OutcomeAction.REPORT_PROGRESS)
    partnership = partnership_get(pk=partnership_id)
    _require(request, OutcomeAction.REPORT_PROGRESS, partnership)
    fields = payload.dict()
    values = {name: fields[name] for name in services.REPORT_FIELDS}
    values["narrative"] = values["narrative"] or ""
    known = set(CustomIndicator.objects.filter(partnership=partnership).values_list("pk", flat=True))
    unknown = sorted(set(payload.indicator_values) - known)
    if unknown:
        raise ValidationError(
            {"indicator_values": f"No custom indicator of {partnership.name} has id {unknown[0]}."}
        )
    with transaction.atomic():  # all or nothing: the report, its values, its submission
        report = services.progress_report_create(
            partnership=partnership, year=payload.year, quarter=payload.quarter, values=values
        )
        if payload.indicator_values:
            services.indicator_values_save(report=report, values=dict(payload.indicator_values))
        if payload.submit:
            services.progress_report_submit(report=report, user=request.user)
    return Status(201, _report_out(report))
