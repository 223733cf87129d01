"""Reads of partnership planning.

For other apps: ``partnership_maturity`` (the latest reviewed self-assessment: phase, scores, date; the
grants app's implementation-grant eligibility reads it) and ``sustainability_funding_total`` (money raised
beyond state grants; the reports app sets it beside the grants app's awards, which planning, a lower layer,
never reads).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, Sum
from django.http import Http404

from sectorwise.charts.scatter import labelled_scatter
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.planning.models import (
    AssessmentStatus,
    FundingKind,
    Initiative,
    Priority,
    PriorityRanking,
    SelfAssessment,
    SustainabilityFunding,
)
from sectorwise.planning.rubric import (
    ANCHORS,
    INDICATOR_LABELS,
    Indicator,
    Phase,
    suggested_topics,
    weak_indicators,
)
from sectorwise.surveys.selectors import survey_demand_summary

# Maturity -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaturityResult:
    """A partnership's maturity as the state's review of its latest self-assessment found it."""

    assessment_id: int
    partnership_id: int
    phase: Phase
    scores: dict[Indicator, int]
    """The reviewed scores (1 exploring ... 4 sustaining) by indicator."""
    assessed_on: dt.date
    reviewed_on: dt.date | None
    weak: list[Indicator]
    suggested_topics: list[str]
    """Technical-assistance topics for the weak indicators (plain names, ``rubric.TA_TOPICS``)."""


def maturity_result_of(assessment: SelfAssessment) -> MaturityResult:
    scores = {
        Indicator(row.indicator): int(
            row.reviewed_score if row.reviewed_score is not None else row.self_score
        )
        for row in assessment.scores.all()
    }
    return MaturityResult(
        assessment_id=assessment.pk,
        partnership_id=assessment.partnership_id,
        phase=Phase(assessment.phase or Phase.EXPLORING),
        scores=scores,
        assessed_on=assessment.assessed_on,
        reviewed_on=assessment.reviewed_at.date() if assessment.reviewed_at else None,
        weak=weak_indicators(scores),
        suggested_topics=suggested_topics(scores),
    )


def partnership_maturity(*, partnership: SectorPartnership) -> MaturityResult | None:
    """The latest reviewed self-assessment of ``partnership`` (by the date it was assessed), None if none was
    reviewed yet. Two queries."""
    latest = (
        SelfAssessment.objects.filter(partnership=partnership, status=AssessmentStatus.REVIEWED)
        .prefetch_related("scores")
        .order_by("-assessed_on", "-id")
        .first()
    )
    return maturity_result_of(latest) if latest is not None else None


@dataclass(frozen=True)
class HistoryRow:
    assessment: SelfAssessment
    scores: list[int | None]
    """In ``Indicator`` order: reviewed scores once reviewed, else the partnership's own."""
    phase: Phase | None
    self_phase: Phase | None


def maturity_history(*, partnership: SectorPartnership) -> list[HistoryRow]:
    """The partnership's self-assessments, oldest first (drafts included, marked by their status)."""
    rows = []
    assessments = (
        SelfAssessment.objects.filter(partnership=partnership)
        .prefetch_related("scores")
        .order_by("assessed_on", "id")
    )
    for assessment in assessments:
        by_indicator = {
            row.indicator: row.reviewed_score if row.reviewed_score is not None else row.self_score
            for row in assessment.scores.all()
        }
        rows.append(
            HistoryRow(
                assessment=assessment,
                scores=[by_indicator.get(indicator.value) for indicator in Indicator],
                phase=Phase(assessment.phase) if assessment.phase else None,
                self_phase=Phase(assessment.self_phase) if assessment.self_phase else None,
            )
        )
    return rows


def assessment_get(*, partnership: SectorPartnership, pk: int) -> SelfAssessment:
    try:
        return (
            SelfAssessment.objects.select_related("partnership", "submitted_by", "reviewed_by")
            .prefetch_related("scores")
            .get(pk=pk, partnership=partnership)
        )
    except SelfAssessment.DoesNotExist:
        raise Http404("No such self-assessment of this partnership") from None


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    label: str
    anchors: list[tuple[Phase, str]]
    self_score: int | None
    reviewed_score: int | None
    comment: str


def assessment_rows(*, assessment: SelfAssessment) -> list[IndicatorRow]:
    """Each indicator with its anchors and scores, in the rubric's order (for the detail and review pages)."""
    rows = {row.indicator: row for row in assessment.scores.all()}
    return [
        IndicatorRow(
            indicator=indicator,
            label=INDICATOR_LABELS[indicator],
            anchors=list(ANCHORS[indicator].items()),
            self_score=rows[indicator.value].self_score if indicator.value in rows else None,
            reviewed_score=rows[indicator.value].reviewed_score if indicator.value in rows else None,
            comment=rows[indicator.value].comment if indicator.value in rows else "",
        )
        for indicator in Indicator
    ]


def assessments_awaiting_review() -> list[SelfAssessment]:
    return list(
        SelfAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .select_related("partnership", "submitted_by")
        .order_by("submitted_at", "id")
    )


# Action plan ----------------------------------------------------------------------------------------------


@dataclass
class PriorityRow:
    priority: Priority
    rankings: list[PriorityRanking]
    initiatives: list[Initiative]
    mean_importance: float | None = None
    mean_feasibility: float | None = None

    @property
    def n(self) -> int:
        return len(self.rankings)


@dataclass
class ActionPlan:
    partnership: SectorPartnership
    priorities: list[PriorityRow] = field(default_factory=list)

    @property
    def initiative_count(self) -> int:
        return sum(len(row.initiatives) for row in self.priorities)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.priorities:
            for initiative in row.initiatives:
                counts[initiative.get_status_display()] += 1
        return dict(counts)


def action_plan(*, partnership: SectorPartnership) -> ActionPlan:
    """The partnership's priorities with their rankings' means (importance, feasibility: the plain mean of
    the employers' 1-5 rankings; None when no employer ranked it) and their initiatives with owners, ordered
    by mean importance then feasibility, highest first. Four queries."""
    priorities = Priority.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("rankings", queryset=PriorityRanking.objects.select_related("membership__organization")),
        Prefetch("initiatives", queryset=Initiative.objects.prefetch_related("owners")),
    )
    rows = []
    for priority in priorities:
        rankings = list(priority.rankings.all())
        row = PriorityRow(priority=priority, rankings=rankings, initiatives=list(priority.initiatives.all()))
        if rankings:
            row.mean_importance = sum(r.importance for r in rankings) / len(rankings)
            row.mean_feasibility = sum(r.feasibility for r in rankings) / len(rankings)
        rows.append(row)
    rows.sort(key=lambda row: (-(row.mean_importance or 0), -(row.mean_feasibility or 0), row.priority.title))
    return ActionPlan(partnership=partnership, priorities=rows)


def priority_chart(*, plan: ActionPlan) -> dict[str, Any] | None:
    """The priorities as a scatter: mean importance (x) by mean feasibility (y), each point sized by the
    employers who ranked it; None when no priority is ranked yet."""
    values = [
        {"label": row.priority.title, "x": row.mean_importance, "y": row.mean_feasibility, "n": row.n}
        for row in plan.priorities
        if row.n
    ]
    if not values:
        return None
    return labelled_scatter(
        values,
        title="Priorities as the employers ranked them",
        x_title="Importance (mean, 1-5)",
        y_title="Feasibility (mean, 1-5)",
        domain=(1, 5),
    )


def priority_get(*, partnership: SectorPartnership, pk: int) -> Priority:
    try:
        return Priority.objects.select_related("partnership").get(pk=pk, partnership=partnership)
    except Priority.DoesNotExist:
        raise Http404("No such priority of this partnership") from None


def initiative_get(*, partnership: SectorPartnership, pk: int) -> Initiative:
    try:
        return (
            Initiative.objects.select_related("priority__partnership")
            .prefetch_related("owners")
            .get(pk=pk, priority__partnership=partnership)
        )
    except Initiative.DoesNotExist:
        raise Http404("No such initiative of this partnership") from None


@dataclass(frozen=True)
class SurveyDemand:
    """What the employer demand survey says a partnership's employers need (the seed of priorities)."""

    occupations: list[tuple[str, str]]
    """Hard-to-fill occupations, most often named first: (SOC code, title)."""
    skill_gaps: list[str]


SEED_OCCUPATIONS = 5
SEED_SKILL_GAPS = 5


def survey_demand(*, partnership: SectorPartnership) -> SurveyDemand | None:
    """The top hard-to-fill occupations and skill gaps the partnership's employer surveys found
    (``surveys.selectors.survey_demand_summary``: most often named first); None when nothing may be shown
    (no answers, or fewer employers than the surveys' suppression minimum) or nothing was named."""
    summary = survey_demand_summary(partnership=partnership)
    if summary.suppressed:
        return None
    occupations = [
        (row.soc_code, row.title or f"SOC {row.soc_code}") for row in summary.occupations[:SEED_OCCUPATIONS]
    ]
    gaps = [row.label for row in summary.skill_gaps[:SEED_SKILL_GAPS]]
    if not occupations and not gaps:
        return None
    return SurveyDemand(occupations=occupations, skill_gaps=gaps)


# Sustainability -------------------------------------------------------------------------------------------


def _since_filter(since: dt.date | None) -> Q:
    """Funding whose period ends on or after ``since`` counts (in full): money raised for a period that
    reaches into the years asked about."""
    return Q() if since is None else Q(period_end__gte=since)


def sustainability_funding_total(*, partnership: SectorPartnership, since: dt.date | None = None) -> Decimal:
    """Money (and valued in-kind support) ``partnership`` raised beyond state grants, as Decimal; records
    whose period ends on or after ``since`` count in full. One query."""
    total = SustainabilityFunding.objects.filter(Q(partnership=partnership) & _since_filter(since)).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else Decimal("0.00")


def sustainability_funding_by_kind(
    *, partnership: SectorPartnership, since: dt.date | None = None
) -> list[tuple[str, Decimal]]:
    """(kind's label, total) for each kind the partnership raised money from, largest first."""
    rows = (
        SustainabilityFunding.objects.filter(Q(partnership=partnership) & _since_filter(since))
        .values("kind")
        .annotate(total=Sum("amount"))
    )
    labels = dict(FundingKind.choices)
    return sorted(((labels[row["kind"]], row["total"]) for row in rows), key=lambda pair: -pair[1])


def sustainability_funding_list(*, partnership: SectorPartnership) -> list[SustainabilityFunding]:
    return list(
        SustainabilityFunding.objects.filter(partnership=partnership).order_by("-period_start", "source_name")
    )


def funding_get(*, partnership: SectorPartnership, pk: int) -> SustainabilityFunding:
    try:
        return SustainabilityFunding.objects.get(pk=pk, partnership=partnership)
    except SustainabilityFunding.DoesNotExist:
        raise Http404("No such funding record of this partnership") from None


def sustainability_funding_totals(*, since: dt.date | None = None) -> dict[int, Decimal]:
    """Every partnership's ``sustainability_funding_total`` at once (partnership id -> Decimal; partnerships
    without funding left out): one query, for reports over the whole portfolio."""
    rows = (
        SustainabilityFunding.objects.filter(_since_filter(since))
        .values("partnership_id")
        .annotate(total=Sum("amount"))
    )
    return {row["partnership_id"]: row["total"] for row in rows}


def latest_maturity_phases() -> dict[int, Phase]:
    """Each partnership's phase from its latest reviewed self-assessment (partnership id -> Phase; those
    never reviewed left out): the same answer as ``partnership_maturity(...).phase``, for every partnership
    in one query."""
    latest = (
        SelfAssessment.objects.filter(status=AssessmentStatus.REVIEWED)
        .order_by("partnership_id", "-assessed_on", "-id")
        .values_list("partnership_id", "phase")
    )
    phases: dict[int, Phase] = {}
    for partnership_id, phase in latest:
        if partnership_id not in phases and phase is not None:
            phases[partnership_id] = Phase(phase)
    return phases
