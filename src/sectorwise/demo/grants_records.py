"""The grants app's demo records: a whole cycle, written through the grants services (so every rule and
balance holds). Two funding sources pooled into a planning and an implementation program; a closed planning
round (applications submitted, one withdrawn, reviewed by three reviewers with one automatic conflict of the
demo ``reviewer``, ranked, recommended, awarded and declined), an open planning round (drafts and a
submission by the demo convener's partnerships), and a closed implementation round with an award split
across both sources. Payments: requests paid, pending and approved, one award near its limit, one closed
out. Seeded only while the app holds no records, in one transaction; dates lie around the demo's today."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, Final

from django.db import transaction

from sectorwise.accounts.models import User
from sectorwise.core.roles import Role
from sectorwise.grants import services
from sectorwise.grants.models import Application, Criterion, FundingSource, GrantKind
from sectorwise.grants.services import BudgetLineInput
from sectorwise.partnerships.models import Membership, SectorPartnership
from sectorwise.partnerships.selectors import partnership_health

D = Decimal

NARRATIVE: Final = {
    "summary": "Convene the region's employers to agree on their shared skill needs and a plan to meet them.",
    "industry_assessment": "The region's industry assessment (sectorwise lmi assessment, QCEW 2024): "
    "employment, location quotients, growth and wages of the target industries; occupations in demand.",
    "employer_engagement": "Employer co-chairs; monthly meetings hosted in turn by member firms.",
    "plan": "Quarter 1: convene and survey; quarter 2: rank problems; quarter 3: action plan.",
    "outcomes": "An employer-endorsed action plan; a shared curriculum with the college.",
    "sustainability": "Employer dues from year two; in-kind meeting space and staff time.",
}


def _budget(amount: Decimal) -> list[BudgetLineInput]:
    personnel = (amount * D("0.6")).quantize(D("1"))
    training = (amount * D("0.25")).quantize(D("1"))
    return [
        BudgetLineInput("personnel", personnel, (personnel * D("0.2")).quantize(D("1")), "Workforce board"),
        BudgetLineInput("training", training),
        BudgetLineInput("contractual", amount - personnel - training),
    ]


def _apply(
    grant_round: Any, partnership: SectorPartnership, user: Any, amount: Decimal, months: int
) -> Application:
    application = services.application_create(grant_round=grant_round, partnership=partnership, user=user)
    return services.application_save_draft(
        application=application,
        title=f"{partnership.name}: {grant_round.program.get_kind_display().lower()}",
        requested_amount=amount,
        duration_months=months,
        budget_lines=_budget(amount),
        **NARRATIVE,
    )


def _convener_user(partnership: SectorPartnership, cache: dict[int, Any]) -> Any:
    """The partnership's convener's user: the demo ``convener`` when it acts for it, else one made for it."""
    organization_id = partnership.convener_id
    if organization_id not in cache:
        user = User.objects.filter(role=Role.CONVENER, organization_id=organization_id).order_by("pk").first()
        if user is None:
            user = User.objects.create(
                username=f"convener-{organization_id}", role=Role.CONVENER, organization_id=organization_id
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
        cache[organization_id] = user
    return cache[organization_id]


def _reviewers() -> list[Any]:
    reviewers = list(User.objects.filter(username="reviewer"))
    for name in ("reviewer-college", "reviewer-chamber"):
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create(
                username=name, role=Role.REVIEWER, first_name=name.split("-")[1].title()
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
        reviewers.append(user)
    return reviewers


def _review_all(
    grant_round: Any, applications: list[Application], reviewers: list[Any], rng: random.Random
) -> int:
    assignments = services.review_assign_batch(applications=applications, reviewers=reviewers)
    criteria = list(Criterion.objects.filter(round=grant_round))
    excluded = 0
    for application in applications:
        assignment = assignments[application.pk]
        excluded += len(assignment.excluded)
        quality = rng.randint(2, 5)
        for review in assignment.assigned:
            for criterion in criteria:
                score = max(0, min(criterion.max_score, quality + rng.choice((-1, 0, 0, 1))))
                services.score_record(
                    application=application, reviewer=review.reviewer, criterion=criterion, score=score
                )
            services.review_submit(application=application, reviewer=review.reviewer)
    return excluded


@transaction.atomic
def seed_grants(*, rng: random.Random, today: dt.date) -> str:
    if FundingSource.objects.exists() or Application.objects.exists():
        return "grants: records present, left as they were"
    partnerships = list(SectorPartnership.objects.select_related("convener").order_by("name"))
    if len(partnerships) < 8:
        return "grants: too few partnerships, nothing seeded"
    year = today.year
    users: dict[int, Any] = {}
    # The demo's staff and convener read grants news in the daily digest (``manage.py grants_send_digest``):
    # seeding writes their notifications without printing a console e-mail for each.
    for user in User.objects.filter(username__in=("admin", "staff", "convener")):
        services.notification_preference_set(user=user, daily_digest=True)
    demo_convener = User.objects.filter(username="convener").first()
    own = [
        p
        for p in partnerships
        if demo_convener is not None and p.convener_id == demo_convener.organization_id
    ]
    others = [p for p in partnerships if p not in own]

    wioa = services.funding_source_create(
        name=f"WIOA statewide reserve FY{year % 100}",
        system="workforce",
        fiscal_year=year,
        amount=D("900000.00"),
        notes="Governor's reserve; any region, industry and cost category.",
    )
    college = services.funding_source_create(
        name=f"Community college workforce fund FY{year % 100}",
        system="education",
        fiscal_year=year,
        amount=D("500000.00"),
        allowed_cost_categories=["training", "contractual"],
        notes="Training and contracted curriculum work only.",
    )
    planning = services.program_create(name="Sector partnership planning grants", kind=GrantKind.PLANNING)
    implementation = services.program_create(
        name="Sector partnership implementation grants", kind=GrantKind.IMPLEMENTATION
    )
    services.program_contribute(program=planning, source=wioa, amount=D("450000.00"))
    services.program_contribute(program=planning, source=college, amount=D("150000.00"))
    services.program_contribute(program=implementation, source=wioa, amount=D("450000.00"))
    services.program_contribute(program=implementation, source=college, amount=D("350000.00"))

    # The closed planning round: six applications, one withdrawn, five reviewed, ranked and decided.
    spring = services.round_create(
        program=planning,
        name=f"Planning {year}, round 1",
        opens_on=dt.date(year, 1, 6),
        closes_on=dt.date(year, 3, 28),
    )
    services.round_open(grant_round=spring)
    applicants = (own[:2] + others)[:6]
    amounts = [D("150000.00"), D("120000.00"), D("95000.00"), D("140000.00"), D("80000.00"), D("60000.00")]
    spring_apps = []
    for partnership, amount in zip(applicants, amounts, strict=False):
        application = _apply(spring, partnership, _convener_user(partnership, users), amount, 6)
        spring_apps.append(services.application_submit(application=application))
    services.application_withdraw(application=spring_apps[-1])
    services.round_close(grant_round=spring)
    reviewers = _reviewers()
    # The demo reviewer works for an organisation that is a member of one applicant: excluded automatically.
    demo_reviewer = reviewers[0] if reviewers and reviewers[0].username == "reviewer" else None
    if demo_reviewer is not None and demo_reviewer.organization_id is None:
        member = (
            Membership.objects.filter(partnership=applicants[2])
            .exclude(organization_id=applicants[2].convener_id)
            .order_by("pk")
            .first()
        )
        if member is not None:
            User.objects.filter(pk=demo_reviewer.pk).update(organization_id=member.organization_id)
            demo_reviewer.organization_id = member.organization_id
    in_review = [Application.objects.get(pk=a.pk) for a in spring_apps[:-1]]
    excluded = _review_all(spring, in_review, reviewers, rng)
    services.round_review_close(grant_round=spring)
    recommendation = services.round_recommend(grant_round=spring)
    funded = [line.candidate.application_id for line in recommendation.funded]
    awards = []
    for number, application_id in enumerate(funded[:3]):
        application = Application.objects.get(pk=application_id)
        starts = dt.date(year, 4, 1)
        awards.append(
            services.award_create(
                application=application,
                amount=application.requested_amount or D("0"),
                starts_on=starts,
                ends_on=dt.date(year, 9, 30) if number else dt.date(year, 6, 30),
                conditions="Quarterly progress reports; an action plan endorsed by the employer co-chairs.",
            )
        )
    # Of the other two: one recommended (its award waits for next year's money), one declined.
    undecided = [Application.objects.get(pk=a.pk) for a in in_review if a.pk not in funded[:3]]
    waiting = next((a for a in undecided if a.state == "recommended"), None)
    if waiting is None and undecided:
        waiting = services.application_recommend(application=undecided[0])
    for application in undecided:
        if waiting is None or application.pk != waiting.pk:
            services.application_decline(application=application)

    # Payments: the first award paid in full but for a little and closed out; the second near its limit
    # with one request pending; the third with a paid request and one approved, awaiting payment.
    staff = User.objects.filter(username="staff").first()

    def paid(award: Any, amount: Decimal, on: dt.date, category: str = "personnel") -> None:
        request = services.payment_request_create(award=award, amount=amount, lines=[(category, amount)])
        services.payment_request_approve(request=request, user=staff)
        services.payment_request_pay(request=request, paid_on=on, user=staff)

    if awards:
        first = awards[0]
        paid(first, (first.amount * D("0.5")).quantize(D("0.01")), dt.date(year, 5, 15))
        paid(first, (first.amount * D("0.42")).quantize(D("0.01")), dt.date(year, 6, 20))
        services.award_close(award=first, on=today)
    if len(awards) > 1:
        second = awards[1]
        paid(second, (second.amount * D("0.6")).quantize(D("0.01")), dt.date(year, 5, 30))
        paid(second, (second.amount * D("0.35")).quantize(D("0.01")), dt.date(year, 6, 25), "training")
        services.payment_request_create(
            award=second,
            amount=(second.amount * D("0.04")).quantize(D("0.01")),
            lines=[("contractual", (second.amount * D("0.04")).quantize(D("0.01")))],
        )
    if len(awards) > 2:
        third = awards[2]
        paid(third, D("20000.00"), dt.date(year, 6, 10))
        approved = services.payment_request_create(
            award=third, amount=D("12500.00"), lines=[("personnel", D("12500.00"))]
        )
        services.payment_request_approve(request=approved, user=staff)
        services.milestone_add(award=third, name="Employer convening held", due_on=dt.date(year, 5, 31))
        services.milestone_add(award=third, name="Action plan endorsed", due_on=dt.date(year, 9, 15))

    # The closed implementation round: employer-led partnerships (planning phase waived where needed).
    led = [
        p for p in partnerships if partnership_health(partnership=p).employer_led and p not in applicants[:3]
    ][:2]
    impl_awards = 0
    if led:
        impl = services.round_create(
            program=implementation,
            name=f"Implementation {year}",
            opens_on=dt.date(year, 2, 3),
            closes_on=dt.date(year, 4, 25),
        )
        services.round_open(grant_round=impl)
        impl_apps = []
        for partnership, amount in zip(led, (D("480000.00"), D("250000.00")), strict=False):
            application = _apply(impl, partnership, _convener_user(partnership, users), amount, 24)
            services.application_waive_planning(
                application=application, reason="Planning finished under an earlier state initiative."
            )
            impl_apps.append(services.application_submit(application=application))
        services.round_close(grant_round=impl)
        _review_all(impl, [Application.objects.get(pk=a.pk) for a in impl_apps], reviewers[1:], rng)
        services.round_review_close(grant_round=impl)
        best = Application.objects.get(pk=impl_apps[0].pk)
        award = services.award_create(
            application=best,
            amount=best.requested_amount or D("0"),
            starts_on=dt.date(year, 7, 1),
            ends_on=dt.date(year + 2, 6, 30),
            conditions="Matching employer contributions reported each quarter.",
        )
        impl_awards = 1
        request = services.payment_request_create(
            award=award,
            amount=D("35000.00"),
            lines=[("training", D("20000.00")), ("personnel", D("15000.00"))],
        )
        services.payment_request_approve(request=request, user=staff)

    # The open planning round: the demo convener's partnerships writing (drafts) and one submitted.
    fall = services.round_create(
        program=planning,
        name=f"Planning {year}, round 2",
        opens_on=today - dt.timedelta(days=28),
        closes_on=today + dt.timedelta(days=60),
    )
    services.round_open(grant_round=fall)
    writers = [p for p in (own[2:] + others[6:]) if p not in led][:3]
    drafts = 0
    for number, partnership in enumerate(writers):
        user = _convener_user(partnership, users)
        if number == 0:
            services.application_submit(application=_apply(fall, partnership, user, D("75000.00"), 6))
        else:
            application = services.application_create(grant_round=fall, partnership=partnership, user=user)
            services.application_save_draft(application=application, title=f"{partnership.name}: planning")
            drafts += 1
    return (
        f"grants: 2 funding sources, 2 programs, 3 rounds; {Application.objects.count()} applications "
        f"({drafts} drafts), {len(awards) + impl_awards} awards, {excluded} reviewer conflict(s) excluded"
    )
