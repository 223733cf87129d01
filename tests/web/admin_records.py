"""Records for the admin walk of the apps whose admins are read-only (grants, capacity, planning, surveys,
reports): the walk opens each registered model's change, history and delete pages on a real record.

Built through the services (what the pages would make), and only for the admin routes of the app being
walked (``records_for_admin_route``), not in ``build_personas``: every web test builds the personas, and
many of them expect these apps' tables empty (``TaRequest.objects.get()``, ``Response.objects.count() ==
1``, ``DistrictPlan.objects.get()``...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from tests.web.personas import Personas


def grants_records(p: Personas, *, second: bool = False) -> None:
    """B's application submitted, scored by the reviewer, awarded (a milestone, an amendment) and paid
    through a payment request; an attachment; the reviewer's conflict with A. ``second``: the same for A
    in another program, scored by another reviewer (more rows for the list pages)."""
    from sectorwise.core.roles import Role
    from sectorwise.grants import services
    from sectorwise.grants.models import Attachment
    from tests.web.accounts.factories import UserFactory
    from tests.web.grants.factories import complete_draft, grants_world

    world = grants_world(name="Second FY26" if second else "Workforce FY26")
    partnership, convener = (p.partnership_a, p.convener_a) if second else (p.partnership_b, p.convener_b)
    reviewer = UserFactory(role=Role.REVIEWER) if second else p.reviewer
    application = complete_draft(grant_round=world.round, partnership=partnership, user=convener)
    services.application_submit(application=application)
    services.round_close(grant_round=world.round)
    services.review_assign(application=application, reviewers=[reviewer])
    for criterion in world.round.criteria.all():
        services.score_record(application=application, reviewer=reviewer, criterion=criterion, score=3)
    services.review_submit(application=application, reviewer=reviewer)
    conflicted = p.partnership_b if second else p.partnership_a
    services.conflict_declare(reviewer=reviewer, partnership=conflicted, reason="Worked for its board.")
    award = services.award_create(
        application=application,
        amount=Decimal("90000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    services.milestone_add(award=award, name="Curriculum drafted", due_on=dt.date(2026, 6, 30))
    request = services.payment_request_create(
        award=award, amount=Decimal("500.00"), lines=[("personnel", Decimal("500.00"))], user=convener
    )
    services.payment_request_approve(request=request, user=p.staff)
    services.payment_request_pay(request=request, paid_on=dt.date(2026, 5, 15), user=p.staff)
    services.amendment_create(
        award=award, reason="Smaller scope.", new_amount=Decimal("80000.00"), user=p.staff
    )
    Attachment.objects.create(
        application=application,
        kind="other",
        file_name="plan.pdf",
        content_type="application/pdf",
        file_size=9,
        content=b"%PDF-1.4\n",
    )


def capacity_records(p: Personas) -> None:
    """A's TA request turned into an engagement with a follow-up, a learning network with A, a public
    event with one registration by e-mail, a linked resource."""
    from sectorwise.capacity import services
    from tests.web.capacity.factories import make_event

    request = services.ta_request_create(
        partnership=p.partnership_a,
        topic="employer_engagement",
        description="Employer outreach.",
        user=p.convener_a,
    )
    engagement = services.ta_engagement_create(
        title="Outreach coaching",
        topic="employer_engagement",
        partnerships=[p.partnership_a],
        starts_on=dt.date(2026, 3, 2),
        hours=Decimal("6.00"),
        provider_user=p.staff,
        request=request,
    )
    services.ta_follow_up_add(
        engagement=engagement, description="Send the call list", due_on=dt.date(2026, 3, 20)
    )
    network = services.learning_network_create(
        name="Conveners' circle 2026", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    services.network_member_add(network=network, partnership=p.partnership_a)
    event = make_event()
    services.event_register(event=event, name="Pat Public", email="pat@example.org")
    services.resource_create(
        title="Convening toolkit", kind="toolkit", audience="conveners", link="https://example.org/toolkit"
    )


def planning_records(p: Personas) -> None:
    """A's self-assessment submitted and reviewed; a priority ranked by A's employer champion, with an
    initiative; funding raised beyond state grants."""
    from sectorwise.planning import services
    from sectorwise.planning.rubric import Indicator

    scores: dict[Indicator, int | None] = {indicator: 2 for indicator in Indicator}
    assessment = services.assessment_create(
        partnership=p.partnership_a, assessed_on=dt.date(2026, 2, 1), scores=scores
    )
    services.assessment_submit(assessment=assessment, user=p.convener_a)
    services.assessment_review(assessment=assessment, user=p.staff, scores=scores)
    priority = services.priority_create(partnership=p.partnership_a, title="Too few machinists")
    services.priority_rank(priority=priority, rankings={p.membership_a.pk: (5, 4)}, user=p.convener_a)
    services.initiative_create(
        priority=priority,
        values={"title": "Shared apprenticeship", "status": "planned"},
        owners=[p.employer_a],
    )
    services.sustainability_funding_create(
        partnership=p.partnership_a,
        values={
            "source_name": "Employer dues",
            "kind": "employer_dues",
            "amount": Decimal("5000.00"),
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 12, 31),
        },
    )


def surveys_records(p: Personas) -> None:
    """A survey of A's employers with one question of its own, A's employer contact invited by e-mail and
    answered through the link."""
    from django.utils import timezone

    from sectorwise.surveys import services

    today = timezone.localdate()
    survey = services.survey_create(
        partnership=p.partnership_a,
        values={
            "title": "Employer survey 2026",
            "period": "2026",
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
        },
    )
    question = services.question_add(survey=survey, text="Apprentices hired this year", kind="number")
    services.survey_open(survey=survey)
    sent = services.invitations_send(
        survey=survey, person_ids=[p.contact_a.pk], link_for=lambda token: f"http://testserver/s/{token}/"
    )
    answers = services.Answers(
        standard={"turnover": "decreased"},
        hard_to_fill=["51-4041"],
        skill_gaps=["technical"],
        custom={question.pk: 2},
    )
    services.response_submit(invitation=sent.invited[0], answers=answers)


def reports_records(p: Personas) -> None:
    """A district plan of two districts."""
    from sectorwise.reports.services import district_plan_load

    district_plan_load(
        name="State Senate districts 2022",
        filename="senate.csv",
        content=b"district,county_fips\n1,50007\n2,50011\n",
        user=p.staff,
    )


BUILDERS: dict[str, Callable[[Personas], None]] = {
    "grants": grants_records,
    "capacity": capacity_records,
    "planning": planning_records,
    "surveys": surveys_records,
    "reports": reports_records,
}


def records_for_admin_route(name: str, personas: Personas) -> None:
    """Build the records an admin route (``admin:<app>_<model>_<view>``) of these apps points at."""
    for app, build in BUILDERS.items():
        if name.startswith(f"admin:{app}_"):
            build(personas)
