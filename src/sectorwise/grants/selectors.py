"""Reads of the grants app; lists take ``user=`` and return only what that user may see (``core.rules``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db import connection
from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import user_role, visible_to
from sectorwise.grants.models import (
    NARRATIVE_SECTIONS,
    ZERO,
    Application,
    ApplicationState,
    Attachment,
    Award,
    AwardFunding,
    BudgetLine,
    Criterion,
    FundingSource,
    GrantProgram,
    NotificationPreference,
    PaymentRequest,
    ProgramContribution,
    ReportDue,
    Review,
    ReviewState,
    Round,
    RoundState,
    Score,
)
from sectorwise.grants.recommend import Candidate, Pool, Recommendation, recommend
from sectorwise.grants.rules import GrantsAction


def funding_source_list() -> QuerySet[FundingSource]:
    """Every source with its committed, paid and balance (columns of the row: no query per source)."""
    return FundingSource.objects.all()


def round_list(*, user: Any) -> QuerySet[Round]:
    """Staff: every round; conveners: open rounds; reviewers: rounds where they have assignments."""
    rounds = Round.objects.select_related("program")
    role = user_role(user)
    if role in STATE_ROLES:
        return rounds
    if role == Role.CONVENER:
        return rounds.filter(state=RoundState.OPEN)
    if role == Role.REVIEWER:
        return rounds.filter(applications__reviews__reviewer=user).distinct()
    return rounds.none()


def round_for_url(**url_kwargs: Any) -> Round:
    return get_object_or_404(Round.objects.select_related("program"), pk=url_kwargs["pk"])


def application_for_url(**url_kwargs: Any) -> Application:
    return get_object_or_404(
        Application.objects.select_related("round__program", "partnership__convener"), pk=url_kwargs["pk"]
    )


def application_to_score_for_url(**url_kwargs: Any) -> Application:
    """The application a reviewer scores; a missing id gives an unsaved placeholder that no rule lets anyone
    score, so a reviewer is refused alike (403) for an application it is not assigned to and one that does
    not exist: outside reviewers learn nothing of which ids exist."""
    found = (
        Application.objects.select_related("round__program", "partnership__convener")
        .filter(pk=url_kwargs["pk"])
        .first()
    )
    return found if found is not None else Application()


def award_for_url(**url_kwargs: Any) -> Award:
    return get_object_or_404(
        Award.objects.select_related("application__partnership", "application__round__program"),
        pk=url_kwargs["pk"],
    )


def application_list(*, user: Any) -> QuerySet[Application]:
    return visible_to(
        Application.objects.select_related("round__program", "partnership"),
        user=user,
        action=GrantsAction.VIEW_APPLICATION,
    )


def award_list(*, user: Any) -> QuerySet[Award]:
    return visible_to(
        Award.objects.select_related(
            "application__partnership", "application__round__program"
        ).prefetch_related(Prefetch("funding", queryset=AwardFunding.objects.select_related("source"))),
        user=user,
        action=GrantsAction.VIEW_AWARDS,
    )


def award_list_page(*, user: Any) -> QuerySet[Award]:
    """``award_list`` with only the columns the awards page shows (partnership, program, amount, paid,
    period): without the applications' narrative sections and the split by source, 100 awards read in a
    tenth of the time."""
    return (
        award_list(user=user)
        .prefetch_related(None)
        .only(
            "amount",
            "paid",
            "starts_on",
            "ends_on",
            "application__partnership__name",
            "application__round__program__name",
        )
    )


DISAGREEMENT_POINTS: Final = Decimal("25")
"""Reviewers disagree widely when their weighted totals (out of 100) lie more than this many points apart
(max - min): a quarter of the scale, e.g. one reviewer at 85 and another at 55. The page flags the
application for a conversation before the ranking is used."""


@dataclass(frozen=True)
class Spread:
    minimum: Decimal
    maximum: Decimal
    std_dev: Decimal
    """Population standard deviation of the reviewers' weighted totals."""

    @property
    def disagreement(self) -> bool:
        return self.maximum - self.minimum > DISAGREEMENT_POINTS


@dataclass(frozen=True)
class ScoredApplication:
    application: Application
    reviews: int
    """Submitted reviews counted in the score."""
    criterion_means: list[tuple[Criterion, Decimal | None]]
    weighted_total: Decimal | None
    """Weighted mean of the criteria's mean scores, each as a share of its maximum, out of 100."""
    spread: Spread | None = None
    """Of the submitted reviews' own weighted totals (None without any)."""
    rank: int | None = None
    """1 = best; ties share a rank; None while unscored."""


def weighted_total(criteria: list[Criterion], means: dict[int, Decimal]) -> Decimal | None:
    if not criteria or any(c.pk not in means for c in criteria):
        return None
    weights = sum((c.weight for c in criteria), Decimal(0))
    total = sum((c.weight * means[c.pk] / c.max_score for c in criteria), Decimal(0))
    return (total / weights * 100).quantize(Decimal("0.1"))


def spread_of(totals: list[Decimal]) -> Spread | None:
    if not totals:
        return None
    return Spread(
        minimum=min(totals),
        maximum=max(totals),
        std_dev=Decimal(statistics.pstdev(totals)).quantize(Decimal("0.1")),
    )


def round_scores(*, grant_round: Round) -> tuple[list[Criterion], list[ScoredApplication]]:
    """The round's applications with their submitted reviews' mean per criterion and weighted total, the
    spread of the reviewers' own totals (min, max, standard deviation; flagged past ``DISAGREEMENT_POINTS``)
    and their rank (best first); recused and unsubmitted reviews count for nothing. Three queries."""
    criteria = list(Criterion.objects.filter(round=grant_round))
    applications = list(Application.objects.filter(round=grant_round).select_related("partnership", "award"))
    scores = Score.objects.filter(
        review__application__round=grant_round, review__state=ReviewState.SUBMITTED
    ).values_list("review__application_id", "review_id", "criterion_id", "score")
    by_application: dict[int, dict[int, list[int]]] = {}
    by_review: dict[int, dict[int, dict[int, Decimal]]] = {}
    for application_id, review_id, criterion_id, score in scores:
        by_application.setdefault(application_id, {}).setdefault(criterion_id, []).append(score)
        by_review.setdefault(application_id, {}).setdefault(review_id, {})[criterion_id] = Decimal(score)
    rows = []
    for application in applications:
        means = {
            criterion_id: Decimal(sum(values)) / len(values)
            for criterion_id, values in by_application.get(application.pk, {}).items()
        }
        totals = [
            total
            for review_scores in by_review.get(application.pk, {}).values()
            if (total := weighted_total(criteria, review_scores)) is not None
        ]
        rows.append(
            ScoredApplication(
                application=application,
                reviews=len(by_review.get(application.pk, ())),
                criterion_means=[(c, means.get(c.pk)) for c in criteria],
                weighted_total=weighted_total(criteria, means),
                spread=spread_of(totals),
            )
        )
    rows.sort(key=lambda row: (row.weighted_total is None, -(row.weighted_total or 0), row.application.pk))
    ranked: list[ScoredApplication] = []
    for position, row in enumerate(rows, start=1):
        rank = None
        if row.weighted_total is not None:
            previous = ranked[-1] if ranked else None
            same = previous is not None and previous.weighted_total == row.weighted_total
            rank = previous.rank if same and previous is not None else position
        ranked.append(dataclasses.replace(row, rank=rank))
    return criteria, ranked


def scores_visible_to(*, user: Any, application: Application) -> QuerySet[Score]:
    """A reviewer sees only its own scores until the round's review closes; staff see all."""
    scores = Score.objects.filter(review__application=application).select_related(
        "criterion", "review__reviewer"
    )
    if user_role(user) in STATE_ROLES or application.round.state == RoundState.REVIEW_CLOSED:
        return scores
    return scores.filter(review__reviewer=user)


def review_of(*, application: Application, reviewer: Any) -> Review | None:
    return Review.objects.filter(application=application, reviewer=reviewer).first()


def program_list(*, user: Any) -> QuerySet[GrantProgram]:
    """Programs with their rounds as the caller may see them: staff every round, conveners the open ones,
    reviewers the rounds they review in (``round_list``'s rule)."""
    rounds = round_list(user=user).order_by("-opens_on", "name")
    return GrantProgram.objects.prefetch_related(Prefetch("rounds", queryset=rounds)).order_by("name")


def application_visible(*, user: Any, pk: int) -> Application | None:
    """One application if ``user`` may see it (None for a missing id and for one not theirs alike)."""
    return application_list(user=user).filter(pk=pk).prefetch_related("budget_lines").first()


def award_visible(*, user: Any, pk: int) -> Award | None:
    return award_list(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class AwardDetail:
    award: Award
    funding: list[AwardFunding]
    budget_lines: list[BudgetLine]
    requests: list[PaymentRequest]
    report_due_dates: list[dt.date]


def award_detail(*, award: Award) -> AwardDetail:
    """An award with its split by source (paid and held per share), the application's budget lines by
    category, its payment requests and its reporting schedule (four queries)."""
    return AwardDetail(
        award=award,
        funding=list(award.funding.select_related("source").order_by("-amount", "source_id")),
        budget_lines=list(BudgetLine.objects.filter(application_id=award.application_id).order_by("id")),
        requests=list(award.payment_requests.prefetch_related("lines").order_by("-created_at", "-id")),
        report_due_dates=award_report_due_dates(award=award),
    )


def award_report_due_dates(*, award: Award) -> list[dt.date]:
    """The award's quarterly progress-report due dates (30 days after each quarter of its period ends), in
    order: the seam the outcomes app reads."""
    return list(ReportDue.objects.filter(award=award).order_by("due_on").values_list("due_on", flat=True))


def public_awards() -> QuerySet[Award]:
    """What the public awards page shows: partnership, region, industries, amount and period only."""
    return (
        Award.objects.select_related("application__partnership__region")
        .prefetch_related("application__partnership__target_industries")
        .only(
            "amount",
            "starts_on",
            "ends_on",
            "application__partnership__name",
            "application__partnership__cluster",
            "application__partnership__region__name",
        )
        .order_by("-starts_on", "application__partnership__name")
    )


def payment_request_list(*, user: Any) -> QuerySet[PaymentRequest]:
    """Requests on the awards ``user`` may see, newest first."""
    return PaymentRequest.objects.filter(award__in=award_list(user=user)).select_related(
        "award__application__partnership"
    )


def application_sections(*, application: Application) -> dict[str, str]:
    """The narrative sections by field name."""
    return {name: getattr(application, name) for name, _ in NARRATIVE_SECTIONS}


def round_recommendation(
    *, grant_round: Round, scored: list[ScoredApplication] | None = None
) -> Recommendation:
    """The round's funding recommendation (``grants.recommend``): its applications in review or
    recommended, by rank, split within the program's pooled money; unlocked, a preview (awarding checks
    again under locks). ``scored``: the round's ``round_scores`` rows when the caller has them already."""
    from sectorwise.grants.services import source_ineligibility

    program = grant_round.program
    rows = scored if scored is not None else round_scores(grant_round=grant_round)[1]
    sources = list(
        FundingSource.objects.filter(contributions__program=program)
        .prefetch_related("allowed_regions")
        .order_by("pk")
    )
    pledged = {c.source_id: c.amount for c in ProgramContribution.objects.filter(program=program)}
    drawn = dict(
        AwardFunding.objects.filter(award__application__round__program=program)
        .values_list("source_id")
        .annotate(total=Sum("amount"))
        .values_list("source_id", "total")
    )
    pools = [
        Pool(
            source.pk,
            source.name,
            max(min(source.balance, pledged[source.pk] - drawn.get(source.pk, ZERO)), ZERO),
        )
        for source in sources
    ]
    room = {pool.source_id: pool.room for pool in pools}
    wanted = [
        row
        for row in rows
        if row.application.state in (ApplicationState.IN_REVIEW, ApplicationState.RECOMMENDED)
        and row.application.requested_amount
    ]
    lines_by_application: dict[int, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(application__in=[row.application for row in wanted]):
        lines_by_application.setdefault(line.application_id, []).append(line)
    candidates = []
    for row in wanted:
        application = row.application
        application.round = grant_round
        caps: dict[int, tuple[Decimal, str]] = {}
        ineligible = []
        for source in sources:
            why = source_ineligibility(
                source=source,
                application=application,
                region_ids={r.pk for r in source.allowed_regions.all()},
            )
            if why:
                ineligible.append(f"{source.name} {why}")
            elif source.allowed_cost_categories:
                budget = sum(
                    (
                        line.amount
                        for line in lines_by_application.get(application.pk, [])
                        if line.category in source.allowed_cost_categories
                    ),
                    ZERO,
                )
                caps[source.pk] = (budget, f"the budget in {', '.join(source.allowed_cost_categories)}")
            else:
                caps[source.pk] = (room[source.pk], "what it has left for the round")
        candidates.append(
            Candidate(
                application_id=application.pk,
                name=application.partnership.name,
                amount=application.requested_amount or ZERO,
                score=row.weighted_total,
                rank=row.rank,
                caps=caps,
                ineligible=ineligible,
            )
        )
    return recommend(candidates=candidates, pools=pools)


@functools.cache
def _round_page_inputs() -> tuple[str, ...]:
    """The history tables of everything the round page's ranking and recommendation read (looked up once:
    simple_history builds a manager on every ``Model.history`` access)."""
    from sectorwise.partnerships.models import SectorPartnership

    models = (
        Round,
        GrantProgram,
        Criterion,
        Application,
        BudgetLine,
        Review,
        Score,
        FundingSource,
        ProgramContribution,
        Award,
        AwardFunding,
        SectorPartnership,
    )
    return tuple(model.history.model._meta.db_table for model in models)


def round_version(*, grant_round: Round) -> str:
    """A fingerprint of what the round page's ranking and recommendation are computed from, in one query:
    the latest history record (id and time) of each table they read (every save and delete through the
    services leaves one: simple_history), the allowed regions of the sources, and the program's sources'
    money columns (moved by ``F()`` updates, which leave no history). Equal fingerprints, equal page: the page
    caches its ranking under it."""
    latest = [
        f"(SELECT {column} FROM {connection.ops.quote_name(table)} ORDER BY history_id DESC LIMIT 1)"
        for table in _round_page_inputs()
        for column in ("history_id", "history_date")
    ]
    through = connection.ops.quote_name(FundingSource.allowed_regions.through._meta.db_table)
    sources = connection.ops.quote_name(FundingSource._meta.db_table)
    contributions = connection.ops.quote_name(ProgramContribution._meta.db_table)
    money = (
        f"(SELECT COUNT(*) FROM {through}), (SELECT MAX(id) FROM {through}), "
        f"(SELECT SUM(s.amount - s.committed) FROM {sources} s JOIN {contributions} c ON c.source_id = s.id "
        "WHERE c.program_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(latest)}, {money}", [grant_round.program_id])
        row = cursor.fetchone()
    return hashlib.sha256(":".join(str(value) for value in row).encode()).hexdigest()


def applications_to_assign(*, grant_round: Round) -> QuerySet[Application]:
    return Application.objects.filter(
        round=grant_round,
        state__in=(ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.RECOMMENDED),
    ).select_related("partnership")


def reviewer_list() -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role=Role.REVIEWER, is_active=True).order_by("username")


def payment_request_for_url(**url_kwargs: Any) -> PaymentRequest:
    return get_object_or_404(PaymentRequest.objects.select_related("award"), pk=url_kwargs["pk"])


def attachment_list(*, application: Application) -> QuerySet[Attachment]:
    """An application's attachments without their bytes."""
    return Attachment.objects.filter(application=application).defer("content")


def attachment_get(*, application: Application, pk: int) -> Attachment:
    return get_object_or_404(Attachment, application=application, pk=pk)


def score_export_rows() -> QuerySet[Score]:
    return Score.objects.select_related(
        "criterion", "review__reviewer", "review__application__round", "review__application__partnership"
    ).order_by("review__application_id", "review__reviewer__username", "criterion__position", "criterion_id")


def notification_preference(*, user: Any) -> bool:
    """Whether ``user`` prefers the daily digest."""
    return NotificationPreference.objects.filter(user_id=user.pk, daily_digest=True).exists()
