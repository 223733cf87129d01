"""Reads of the surveys app: lists through the rule table's scopes, response rates, the aggregate results
with intervals and small-cell suppression, the demand summary (hard-to-fill occupations and skill gaps) the
partnership page and the planning app read, and the response-level export.

Aggregates never name an employer or a contact: they are computed from the answers alone. Every figure
from fewer than ``DEFAULT_MINIMUM`` (10) answers is suppressed (``sectorwise.evaluation``'s rule): a share
or a mean shows "too few to show" and no ``n``; the demand summary is suppressed as a whole when fewer than
10 employers answered.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from scipy import stats

from sectorwise.charts.intervals import share_intervals
from sectorwise.core.rules import visible_to
from sectorwise.directory.models import Organization, Person
from sectorwise.evaluation import DEFAULT_MINIMUM, Proportion, is_suppressed, proportion
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, SectorPartnership
from sectorwise.surveys.instrument import NUMBER_QUESTIONS, SHARE_QUESTIONS, Skill, StandardQuestion
from sectorwise.surveys.models import (
    CustomAnswer,
    CustomKind,
    HardToFillOccupation,
    Invitation,
    Response,
    SkillGap,
    Survey,
    SurveyQuestion,
)
from sectorwise.surveys.rules import SurveyAction
from sectorwise.surveys.soc import soc_title

CONFIDENCE: Final = 0.95


# --- Lists and loading ----------------------------------------------------------------------------------


def survey_get(*, pk: Any) -> Survey:
    try:
        return Survey.objects.select_related("partnership", "partnership__convener").get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(f"no survey {pk}") from error


def survey_for_url(**url_kwargs: Any) -> Survey:
    """Permission loader for URLs with ``<int:survey_pk>`` (``core.access.allow(load=...)``)."""
    return survey_get(pk=url_kwargs["survey_pk"])


def _with_counts(queryset: QuerySet[Survey]) -> QuerySet[Survey]:
    return queryset.select_related("partnership").annotate(
        invited=Count("invitations", distinct=True), responded=Count("responses", distinct=True)
    )


def survey_list(*, user: Any) -> QuerySet[Survey]:
    """Surveys whose results ``user`` may read, with ``invited`` and ``responded`` counted (2 queries at
    most, whatever the number of surveys)."""
    return _with_counts(visible_to(Survey.objects.all(), user=user, action=SurveyAction.VIEW_SURVEY_RESULTS))


def partnership_surveys(*, partnership: SectorPartnership) -> QuerySet[Survey]:
    return _with_counts(Survey.objects.filter(partnership=partnership))


@dataclass(frozen=True)
class Contact:
    person: Person
    organization: Organization


def employer_contacts(*, partnership: SectorPartnership) -> list[Contact]:
    """The people of the partnership's employer members (their representatives and everyone affiliated
    with them in the registry), one row per person, by organisation and name."""
    memberships = Membership.objects.filter(partnership=partnership, role__in=EMPLOYER_ROLES).select_related(
        "organization", "representative"
    )
    organizations = {m.organization_id: m.organization for m in memberships}
    contacts: dict[int, Contact] = {}
    for membership in memberships:
        if membership.representative is not None:
            contacts[membership.representative.pk] = Contact(
                membership.representative, membership.organization
            )
    affiliated = Person.objects.filter(affiliations__organization_id__in=list(organizations)).values_list(
        "pk", "affiliations__organization_id"
    )
    missing = {pk: org_id for pk, org_id in affiliated if pk not in contacts}
    for person in Person.objects.filter(pk__in=list(missing)):
        contacts[person.pk] = Contact(person, organizations[missing[person.pk]])
    return sorted(
        contacts.values(),
        key=lambda c: (c.organization.name.lower(), c.person.last_name, c.person.first_name),
    )


def survey_invitations(*, survey: Survey) -> QuerySet[Invitation]:
    """For the survey's managers: who was invited, when, and whether they answered (not what)."""
    return survey.invitations.select_related("person", "organization").order_by(
        "organization__name", "person__last_name", "person__first_name"
    )


# --- Statistics ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mean:
    """A mean with its t interval (``scipy.stats.t``; equal to statsmodels' ``DescrStatsW.tconfint_mean``),
    suppressed under the minimum."""

    n: int
    estimate: float | None
    low: float | None
    high: float | None
    confidence: float
    suppressed: bool


def mean_interval(
    values: Sequence[float | int | Decimal], confidence: float = CONFIDENCE, *, minimum: int = DEFAULT_MINIMUM
) -> Mean:
    data = [float(value) for value in values]
    n = len(data)
    if n < 2 or is_suppressed(n, minimum=minimum):
        return Mean(n, None, None, None, confidence, suppressed=True)
    mean = math.fsum(data) / n
    variance = math.fsum((x - mean) ** 2 for x in data) / (n - 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return Mean(n, mean, mean - half, mean + half, confidence, suppressed=False)


@dataclass(frozen=True)
class ShareResult:
    key: str
    question: str
    label: str
    share: Proportion


@dataclass(frozen=True)
class MeanResult:
    key: str
    question: str
    mean: Mean


@dataclass(frozen=True)
class CustomResult:
    question: SurveyQuestion
    answered: int
    shares: list[tuple[str, Proportion]]
    mean: Mean | None


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    invited: int
    response_rate: float | None
    suppressed: bool
    """Fewer than the minimum responses: no figure is shown."""
    shares: list[ShareResult]
    means: list[MeanResult]
    custom: list[CustomResult]
    minimum: int
    chart: dict[str, Any] | None
    """Vega-Lite: the shares shown (not suppressed) with their intervals; None when none is shown."""


def _share_of(question: StandardQuestion, answers: list[Any], minimum: int) -> Proportion:
    definite = [answer for answer in answers if answer not in ("", None) and answer not in question.excluded]
    favourable = sum(1 for answer in definite if answer in question.favourable)
    return proportion(favourable, len(definite), CONFIDENCE, minimum=minimum)


def survey_results(*, survey: Survey, minimum: int = DEFAULT_MINIMUM) -> SurveyResults:
    """The survey's aggregate results: a share with its Wilson interval for each choice question, a mean
    with its t interval for each number, and the custom questions' shares and means. Four queries."""
    fields = [q.key for q in (*SHARE_QUESTIONS, *NUMBER_QUESTIONS)]
    rows = list(Response.objects.filter(survey=survey).values(*fields))
    invited = survey.invitations.count()
    responses = len(rows)
    shares = [
        ShareResult(q.key, q.text, q.share_label, _share_of(q, [row[q.key] for row in rows], minimum))
        for q in SHARE_QUESTIONS
    ]
    means = [
        MeanResult(
            q.key,
            q.text,
            mean_interval([row[q.key] for row in rows if row[q.key] is not None], minimum=minimum),
        )
        for q in NUMBER_QUESTIONS
    ]
    custom = _custom_results(survey, minimum)
    return SurveyResults(
        responses=responses,
        invited=invited,
        response_rate=responses / invited if invited else None,
        suppressed=is_suppressed(responses, minimum=minimum),
        shares=shares,
        means=means,
        custom=custom,
        minimum=minimum,
        chart=_chart(shares, period=survey.period or survey.title),
    )


def _chart(shares: list[ShareResult], *, period: str) -> dict[str, Any] | None:
    values = [
        {
            "measure": row.label,
            "period": period,
            "estimate": row.share.estimate,
            "low": row.share.low,
            "high": row.share.high,
            "n": row.share.n,
        }
        for row in shares
        if not row.share.suppressed
    ]
    if not values:
        return None
    return share_intervals(
        values, title="Employers answering favourably, with 95% intervals", x_title="Share of employers"
    )


def _custom_results(survey: Survey, minimum: int) -> list[CustomResult]:
    questions = list(survey.questions.all())
    answers: dict[int, list[CustomAnswer]] = {q.pk: [] for q in questions}
    for answer in CustomAnswer.objects.filter(response__survey=survey):
        answers[answer.question_id].append(answer)
    results = []
    for question in questions:
        given = answers[question.pk]
        shares: list[tuple[str, Proportion]] = []
        mean: Mean | None = None
        if question.kind == CustomKind.CHOICE:
            counts = Counter(answer.text for answer in given)
            shares = [
                (option, proportion(counts[option], len(given), CONFIDENCE, minimum=minimum))
                for option in question.options
            ]
        elif question.kind == CustomKind.SCALE:
            points = [answer.number for answer in given if answer.number is not None]
            mean = mean_interval(points, minimum=minimum)
            shares = [
                (
                    "4 or 5",
                    proportion(sum(1 for p in points if p >= 4), len(points), CONFIDENCE, minimum=minimum),
                )
            ]
        elif question.kind == CustomKind.NUMBER:
            mean = mean_interval([a.number for a in given if a.number is not None], minimum=minimum)
        results.append(CustomResult(question, len(given), shares, mean))
    return results


# --- Demand: hard-to-fill occupations and skill gaps -----------------------------------------------------


@dataclass(frozen=True)
class OccupationDemand:
    soc_code: str
    title: str | None
    employers: int


@dataclass(frozen=True)
class SkillDemand:
    skill: str
    label: str
    employers: int


@dataclass(frozen=True)
class DemandSummary:
    employers: int
    """Employers (organisations) that answered any of the partnership's surveys."""
    suppressed: bool
    """Fewer than the minimum employers answered: the lists are empty."""
    occupations: list[OccupationDemand]
    """Ranked by the number of employers naming the occupation (then by code)."""
    skill_gaps: list[SkillDemand]
    minimum: int


def survey_demand_summary(*, partnership: SectorPartnership, minimum: int = DEFAULT_MINIMUM) -> DemandSummary:
    """Hard-to-fill occupations (SOC code, title when known, how many employers named it) and skill gaps
    (how many employers named each) over all the partnership's surveys; an employer answering two surveys
    counts once. For the partnership page's panel and the planning app's priorities. Three queries."""
    of_partnership = Q(response__survey__partnership=partnership)
    employers = (
        Response.objects.filter(survey__partnership=partnership)
        .values("invitation__organization_id")
        .distinct()
        .count()
    )
    if is_suppressed(employers, minimum=minimum):
        return DemandSummary(employers, True, [], [], minimum)
    occupations = (
        HardToFillOccupation.objects.filter(of_partnership)
        .values("soc_code")
        .annotate(employers=Count("response__invitation__organization", distinct=True))
        .order_by("-employers", "soc_code")
    )
    labels = dict(Skill.choices)
    gaps = (
        SkillGap.objects.filter(of_partnership)
        .values("skill")
        .annotate(employers=Count("response__invitation__organization", distinct=True))
        .order_by("-employers", "skill")
    )
    return DemandSummary(
        employers=employers,
        suppressed=False,
        occupations=[
            OccupationDemand(row["soc_code"], soc_title(row["soc_code"]), row["employers"])
            for row in occupations
        ],
        skill_gaps=[
            SkillDemand(row["skill"], labels.get(row["skill"], row["skill"]), row["employers"])
            for row in gaps
        ],
        minimum=minimum,
    )


# --- Export ---------------------------------------------------------------------------------------------


def response_export_table(*, survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """Response-level rows for the survey's managers, without the contact's identity (no person, e-mail or
    organisation): a response number, the day it came in, every answer. Five queries."""
    questions = list(survey.questions.all())
    standard = [q.key for q in (*SHARE_QUESTIONS, *NUMBER_QUESTIONS)]
    columns = [
        "response",
        "submitted_on",
        *standard,
        "hard_to_fill_soc",
        "skill_gaps",
        "other_skill_gaps",
        *[f"q{q.pk}: {q.text}" for q in questions],
    ]
    responses = (
        Response.objects.filter(survey=survey)
        .prefetch_related("hard_to_fill", "skill_gaps", "custom_answers")
        .order_by("submitted_at", "pk")
    )
    rows = []
    for number, response in enumerate(responses, start=1):
        custom = {answer.question_id: answer.value() for answer in response.custom_answers.all()}
        rows.append(
            [
                number,
                response.submitted_at.date().isoformat(),
                *[
                    getattr(response, name) if getattr(response, name) is not None else ""
                    for name in standard
                ],
                "; ".join(sorted(o.soc_code for o in response.hard_to_fill.all())),
                "; ".join(sorted(g.skill for g in response.skill_gaps.all())),
                response.other_skill_gaps,
                *[custom.get(q.pk, "") for q in questions],
            ]
        )
    return columns, rows
