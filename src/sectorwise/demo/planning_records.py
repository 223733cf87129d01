"""The planning app's demo records: two years of maturity self-assessments (showing progress) for the
partnerships past exploring, action plans with every employer member's rankings and initiatives, and
funding raised beyond state grants. Written through the planning services, so the phase rule and the
checks apply; seeded only while the app holds no records, in one transaction."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Final

from django.db import transaction

from sectorwise.accounts.models import User
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, SectorPartnership, Stage
from sectorwise.planning import services
from sectorwise.planning.models import (
    FundingKind,
    InitiativeStatus,
    Priority,
    SelfAssessment,
    SustainabilityFunding,
)
from sectorwise.planning.rubric import Indicator, Phase

STARTING_SCORE: Final = {Stage.PLANNING: 1, Stage.IMPLEMENTATION: 2, Stage.SUSTAINING: 3}
"""A partnership's typical score two years ago, by its stage today."""

PROBLEMS: Final = (
    (
        "Entry-level candidates lack basic technical skills",
        "Applicants cannot read drawings or use measuring tools.",
    ),
    ("High turnover in the first year", "New hires leave within months; onboarding is costly."),
    (
        "Too few apprenticeship and work-based learning slots",
        "Employers want to host, but alone each is small.",
    ),
    (
        "Supervisors are not trained to mentor new hires",
        "Front-line supervisors were promoted for skill, not coaching.",
    ),
    ("Retirements of experienced workers", "A third of the skilled workforce can retire within five years."),
    (
        "Public transportation does not reach the worksites",
        "Second-shift workers cannot get to work without a car.",
    ),
)
INITIATIVES: Final = (
    "Shared pre-employment curriculum with the college",
    "Employer-hosted summer internships",
    "Joint supervisor coaching course",
    "Multi-employer apprenticeship sponsor",
    "Retiree mentor pool",
    "Shift-time shuttle pilot",
)
FUNDERS: Final = (
    ("Employer members' annual dues", FundingKind.EMPLOYER_DUES, (5_000, 40_000)),
    ("Community Foundation workforce fund", FundingKind.PHILANTHROPY, (10_000, 75_000)),
    ("U.S. DOL Strengthening Community Colleges (share)", FundingKind.FEDERAL, (25_000, 150_000)),
    ("County economic development office", FundingKind.LOCAL_GOVERNMENT, (5_000, 30_000)),
    ("Training space and instructors lent by employers", FundingKind.IN_KIND, (3_000, 20_000)),
)


def _assessment_dates(today: dt.date) -> list[dt.date]:
    """About two years, one year and one month before ``today``."""
    return [
        today.replace(year=today.year - 2) + dt.timedelta(days=15),
        today.replace(year=today.year - 1) + dt.timedelta(days=15),
        today - dt.timedelta(days=30),
    ]


def _seed_assessments(
    partnership: SectorPartnership,
    *,
    rng: random.Random,
    today: dt.date,
    staff: User | None,
    last_pending: bool,
) -> int:
    base = STARTING_SCORE.get(Stage(partnership.stage))
    if base is None:
        return 0
    scores = {indicator: max(1, min(4, base + rng.choice((-1, 0, 0, 1)))) for indicator in Indicator}
    dates = _assessment_dates(today)
    for number, assessed_on in enumerate(dates):
        if number:
            # A year of work: most indicators hold, some rise a phase.
            scores = {ind: min(4, value + (rng.random() < 0.45)) for ind, value in scores.items()}
        assessment = services.assessment_create(
            partnership=partnership, assessed_on=assessed_on, scores=scores
        )
        services.assessment_submit(assessment=assessment, user=None)
        if last_pending and number == len(dates) - 1:
            break  # the newest one waits in the staff's review queue
        reviewed = dict(scores)
        comments: dict[Indicator, str] = {}
        if rng.random() < 0.4:
            indicator = rng.choice([ind for ind, value in scores.items() if value > 1] or list(Indicator))
            if reviewed[indicator] > 1:
                reviewed[indicator] -= 1
                comments[indicator] = "The evidence (minutes, budget) supports one phase lower for now."
        services.assessment_review(
            assessment=assessment,
            user=staff,
            scores=reviewed,
            comments=comments,
            review_comment="Reviewed with the convener." if comments else "Agreed.",
        )
    return len(dates)


def _seed_plan(partnership: SectorPartnership, *, rng: random.Random, today: dt.date) -> tuple[int, int, int]:
    members = services.employer_members(partnership=partnership)
    all_members = list(
        Membership.objects.filter(partnership=partnership).select_related("organization").order_by("id")
    )
    if not members:
        return 0, 0, 0
    chosen = rng.sample(range(len(PROBLEMS)), k=rng.randint(3, 4))
    rankings = initiatives = 0
    for index in chosen:
        title, description = PROBLEMS[index]
        priority = services.priority_create(partnership=partnership, title=title, description=description)
        # Each employer ranks around the problem's shared view, with its own spread.
        centre_importance, centre_feasibility = rng.randint(2, 5), rng.randint(1, 5)
        services.priority_rank(
            priority=priority,
            rankings={
                member.pk: (
                    max(1, min(5, centre_importance + rng.choice((-1, 0, 0, 1)))),
                    max(1, min(5, centre_feasibility + rng.choice((-1, 0, 0, 1)))),
                )
                for member in members
            },
            user=None,
        )
        rankings += len(members)
        if centre_importance >= 3:
            starts_on = today - dt.timedelta(days=rng.randint(60, 400))
            due_on = starts_on + dt.timedelta(days=rng.choice((180, 270, 365)))
            status = (
                InitiativeStatus.DONE
                if due_on < today and rng.random() < 0.7
                else rng.choice(
                    (InitiativeStatus.IN_PROGRESS, InitiativeStatus.IN_PROGRESS, InitiativeStatus.PLANNED)
                )
            )
            owner_pool = [
                m.organization for m in all_members if m.role in EMPLOYER_ROLES or rng.random() < 0.5
            ]
            services.initiative_create(
                priority=priority,
                values={
                    "title": INITIATIVES[index],
                    "starts_on": starts_on,
                    "due_on": due_on,
                    "status": status,
                },
                owners=rng.sample(owner_pool, k=min(len(owner_pool), rng.randint(1, 2))),
            )
            initiatives += 1
    return len(chosen), rankings, initiatives


def _seed_funding(partnership: SectorPartnership, *, rng: random.Random, today: dt.date) -> Decimal:
    total = Decimal("0")
    for name, kind, (low, high) in rng.sample(FUNDERS, k=rng.randint(2, 4)):
        for years_back in (2, 1):
            if years_back == 2 and rng.random() < 0.5:
                continue
            start = dt.date(today.year - years_back, 7, 1)
            amount = Decimal(rng.randrange(low, high, 500))
            services.sustainability_funding_create(
                partnership=partnership,
                values={
                    "source_name": name,
                    "kind": kind,
                    "amount": amount,
                    "period_start": start,
                    "period_end": start.replace(year=start.year + 1) - dt.timedelta(days=1),
                },
            )
            total += amount
    return total


def seed_planning(*, rng: random.Random, today: dt.date) -> str:
    if SelfAssessment.objects.exists() or Priority.objects.exists() or SustainabilityFunding.objects.exists():
        return "planning: already held records; left as they were"
    staff = User.objects.filter(username="staff").first()
    convener = User.objects.filter(username="convener").first()
    convener_org = convener.organization_id if convener is not None else None
    assessments = priorities = rankings = initiatives = 0
    funding = Decimal("0")
    with transaction.atomic():
        partnerships = SectorPartnership.objects.exclude(stage=Stage.EXPLORING).order_by("id")
        pending_given = False
        for partnership in partnerships:
            pending = not pending_given and partnership.convener_id == convener_org
            pending_given = pending_given or pending
            assessments += _seed_assessments(
                partnership, rng=rng, today=today, staff=staff, last_pending=pending or rng.random() < 0.15
            )
            counts = _seed_plan(partnership, rng=rng, today=today)
            priorities, rankings, initiatives = (
                priorities + counts[0],
                rankings + counts[1],
                initiatives + counts[2],
            )
            if partnership.stage in (Stage.IMPLEMENTATION, Stage.SUSTAINING):
                funding += _seed_funding(partnership, rng=rng, today=today)
    phases = ", ".join(
        f"{Phase(p).label.lower()} {n}"
        for p, n in sorted(
            {
                p: SelfAssessment.objects.filter(
                    phase=p, assessed_on__gte=today.replace(year=today.year - 1)
                ).count()
                for p in range(1, 5)
            }.items()
        )
        if n
    )
    return (
        f"planning: {assessments} self-assessments over two years (reviewed phases of those assessed in the "
        f"last year: {phases}), "
        f"{priorities} priorities with {rankings} employer rankings, {initiatives} initiatives, "
        f"${funding:,.0f} raised beyond state grants"
    )
