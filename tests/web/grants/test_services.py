"""The grants services: limits, drafts and submission, conflicts, scores, the award split and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from sectorwise.core.roles import Role
from sectorwise.grants import services
from sectorwise.grants.models import (
    ApplicationState,
    Award,
    Criterion,
    FundingSource,
    GrantKind,
    ReviewState,
    RoundState,
)
from sectorwise.partnerships.models import MembershipRole, Stage
from sectorwise.planning import services as planning_services
from sectorwise.planning.rubric import Indicator
from tests.web.factories import MembershipFactory, RegionFactory, UserFactory
from tests.web.grants.factories import CLOSES, complete_draft, grants_world, submitted_in_review
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


def test_programs_take_their_kinds_default_limits_and_staff_may_change_them() -> None:
    planning = services.program_create(name="Planning", kind=GrantKind.PLANNING)
    implementation = services.program_create(name="Implementation", kind=GrantKind.IMPLEMENTATION)
    custom = services.program_create(name="Small planning", kind=GrantKind.PLANNING, max_amount=D("60000"))
    assert (planning.min_amount, planning.max_amount, planning.max_months) == (D("25000"), D("150000"), 6)
    assert (implementation.min_amount, implementation.max_amount) == (D("50000"), D("500000"))
    assert (implementation.min_months, implementation.max_months) == (12, 36)
    assert custom.max_amount == D("60000")


def test_the_default_rubric_gives_the_industry_assessment_one_third() -> None:
    world = grants_world()
    criteria = list(Criterion.objects.filter(round=world.round))
    total = sum(c.weight for c in criteria)
    assessment = sum(c.weight for c in criteria if c.is_industry_assessment)
    assert assessment * 3 == total


def test_rounds_of_one_program_never_overlap() -> None:
    world = grants_world()
    with pytest.raises(ValidationError) as refused:
        services.round_create(
            program=world.program, name="Round 2", opens_on=CLOSES, closes_on=CLOSES + dt.timedelta(days=30)
        )
    assert "Overlaps Round 1" in str(refused.value.message_dict["opens_on"])
    later = services.round_create(
        program=world.program,
        name="Round 2",
        opens_on=CLOSES + dt.timedelta(days=1),
        closes_on=CLOSES + dt.timedelta(days=30),
    )
    assert later.state == RoundState.PLANNED


def test_drafts_save_with_fields_missing_and_submission_checks_everything(personas: Personas) -> None:
    world = grants_world()
    application = services.application_create(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    services.application_save_draft(application=application, title="Half written", requested_amount=D("1000"))
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=application)
    fields = refused.value.message_dict
    assert (
        "Planning grants" in fields["requested_amount"][0]
        and "$25,000.00 to $150,000.00" in (fields["requested_amount"][0])
    )
    assert {"summary", "industry_assessment", "duration_months", "budget_lines"} <= fields.keys()
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.submitted_at is None


def test_a_submitted_application_is_locked(personas: Personas) -> None:
    world = grants_world()
    application = submitted_in_review(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.submitted_at is not None
    with pytest.raises(ValidationError, match="only drafts change"):
        services.application_save_draft(application=application, title="Changed")


def test_only_the_convener_applies_for_its_partnership(personas: Personas) -> None:
    world = grants_world()
    with pytest.raises(ValidationError, match="convener"):
        services.application_create(
            grant_round=world.round, partnership=personas.partnership_b, user=personas.convener_a
        )


def test_implementation_needs_an_employer_led_partnership_and_a_planning_phase_or_waiver(
    personas: Personas,
) -> None:
    world = grants_world(kind="implementation")
    partnership = personas.partnership_a  # stage planning; convener + one employer champion
    application = complete_draft(
        grant_round=world.round, partnership=partnership, user=personas.convener_a, amount=D("100000")
    )
    services.application_save_draft(application=application, duration_months=24)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=application)
    assert "finished a planning phase" in " ".join(refused.value.message_dict["partnership"])
    assert "employer-led" not in " ".join(refused.value.message_dict["partnership"])  # 1 of 2 employers
    services.application_waive_planning(application=application, reason="Ran its own planning year in 2024.")
    assert services.application_submit(application=application).state == ApplicationState.SUBMITTED

    MembershipFactory(partnership=personas.partnership_b, role=MembershipRole.COMMUNITY_PARTNER)
    personas.partnership_b.stage = Stage.IMPLEMENTATION
    personas.partnership_b.save()
    other = complete_draft(
        grant_round=world.round, partnership=personas.partnership_b, user=personas.convener_b
    )
    services.application_save_draft(application=other, duration_months=24)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=other)
    assert "not employer-led" in refused.value.message_dict["partnership"][0]


def _in_review(personas: Personas, **world_kwargs: object) -> tuple[object, object]:
    world = grants_world(**world_kwargs)  # type: ignore[arg-type]
    application = submitted_in_review(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    services.round_close(grant_round=world.round)
    application.refresh_from_db()
    return world, application


def test_reviewers_from_member_organisations_are_excluded_and_declared_conflicts_recuse(
    personas: Personas,
) -> None:
    world, application = _in_review(personas)
    member_reviewer = UserFactory(role=Role.REVIEWER, organization=personas.employer_a)
    assignment = services.review_assign(
        application=application, reviewers=[personas.reviewer, member_reviewer]
    )
    assert [r.reviewer for r in assignment.assigned] == [personas.reviewer]
    assert [reviewer for reviewer, _ in assignment.excluded] == [member_reviewer]

    criterion = Criterion.objects.filter(round=world.round).first()
    services.score_record(application=application, reviewer=personas.reviewer, criterion=criterion, score=4)
    services.conflict_declare(
        reviewer=personas.reviewer, partnership=personas.partnership_a, reason="My sister chairs it."
    )
    assert application.reviews.get(reviewer=personas.reviewer).state == ReviewState.RECUSED
    with pytest.raises(ValidationError, match="not assigned"):
        services.score_record(
            application=application, reviewer=personas.reviewer, criterion=criterion, score=3
        )


def test_scores_are_within_the_criterion_and_a_submitted_review_is_final(personas: Personas) -> None:
    world, application = _in_review(personas)
    services.review_assign(application=application, reviewers=[personas.reviewer])
    criteria = list(Criterion.objects.filter(round=world.round))
    with pytest.raises(ValidationError) as refused:
        services.score_record(
            application=application, reviewer=personas.reviewer, criterion=criteria[0], score=9
        )
    assert "0 to 5" in refused.value.message_dict["score"][0]
    with pytest.raises(ValidationError, match="Not scored yet"):
        services.review_submit(application=application, reviewer=personas.reviewer)
    for criterion in criteria:
        services.score_record(
            application=application, reviewer=personas.reviewer, criterion=criterion, score=3
        )
    services.review_submit(application=application, reviewer=personas.reviewer)
    with pytest.raises(ValidationError, match="submitted"):
        services.score_record(
            application=application, reviewer=personas.reviewer, criterion=criteria[0], score=5
        )


def test_award_split_respects_restrictions_and_uses_the_fewest_sources(personas: Personas) -> None:
    world, application = _in_review(personas)
    other_region = RegionFactory()
    elsewhere = services.funding_source_create(
        name="Other region fund",
        system="economic_development",
        fiscal_year=2026,
        amount=D("900000"),
        allowed_regions=[other_region],
    )
    travel_only = services.funding_source_create(
        name="Travel fund",
        system="education",
        fiscal_year=2026,
        amount=D("900000"),
        allowed_cost_categories=["travel"],
    )
    for source in (elsewhere, travel_only):
        services.program_contribute(program=world.program, source=source, amount=D("900000"))
    # The workforce source has 300,000: alone it carries 100,000.
    award = services.award_create(
        application=application,
        amount=D("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    assert [(f.source.name, f.amount) for f in award.funding.all()] == [("Workforce FY26", D("100000.00"))]
    source = FundingSource.objects.get(pk=world.source.pk)
    assert (source.committed, source.balance) == (D("100000.00"), D("200000.00"))
    application.refresh_from_db()
    assert application.state == ApplicationState.AWARDED


def test_award_split_across_sources_and_a_clear_error_when_short(personas: Personas) -> None:
    world, application = _in_review(personas, source_amount=D("60000.00"))
    travel_only = services.funding_source_create(
        name="Travel fund",
        system="education",
        fiscal_year=2026,
        amount=D("900000"),
        allowed_cost_categories=["travel"],
    )
    services.program_contribute(program=world.program, source=travel_only, amount=D("900000"))
    # 60,000 workforce + at most the 10,000 travel budget: 30,000 short of 100,000.
    with pytest.raises(ValidationError) as refused:
        services.award_create(
            application=application,
            amount=D("100000.00"),
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 9, 30),
        )
    assert "$70,000.00 between them, $30,000.00 short" in refused.value.message_dict["amount"][0]
    assert not Award.objects.exists()
    award = services.award_create(
        application=application,
        amount=D("65000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    assert sorted((f.source.name, f.amount) for f in award.funding.all()) == [
        ("Travel fund", D("5000.00")),
        ("Workforce FY26", D("60000.00")),
    ]


def test_the_database_refuses_commitments_beyond_a_source(personas: Personas) -> None:
    """What a racing writer that skipped the service's lock would meet: the check constraint."""
    world = grants_world(source_amount=D("1000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSource.objects.filter(pk=world.source.pk).update(committed=F("committed") + D("1000.01"))


def test_payments_never_exceed_the_award(personas: Personas) -> None:
    world, application = _in_review(personas)
    award = services.award_create(
        application=application,
        amount=D("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    services.payment_record(
        award=award, amount=D("99999.99"), paid_on=dt.date(2026, 5, 1), lines=[("personnel", D("99999.99"))]
    )
    with pytest.raises(ValidationError) as refused:
        services.payment_record(award=award, amount=D("0.02"), paid_on=dt.date(2026, 5, 2))
    assert "available $0.01" in refused.value.message_dict["amount"][0]
    award.refresh_from_db()
    source = FundingSource.objects.get(pk=world.source.pk)
    assert award.paid == source.paid == D("99999.99")
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(paid=F("paid") + D("0.02"))


@pytest.mark.skipif(
    __import__("django.db", fromlist=["connection"]).connection.vendor != "postgresql",
    reason="the exclusion constraint is PostgreSQL's (migration 0002); on SQLite the service alone refuses",
)
def test_postgresql_refuses_an_overlapping_round_written_past_the_service() -> None:
    from sectorwise.grants.models import Round

    world = grants_world()
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(program=world.program, name="Sneaky", opens_on=CLOSES, closes_on=CLOSES)


def test_a_reviewed_self_assessment_at_implementing_counts_as_a_finished_planning_phase(
    personas: Personas,
) -> None:
    """The maturity self-assessment feeds the rule (issue 15): the state's review must find the partnership
    implementing or sustaining; its own scores, or a reviewed planning phase, do not suffice."""
    world = grants_world(kind="implementation")
    partnership = personas.partnership_a  # stage planning, no planning grant
    application = complete_draft(
        grant_round=world.round, partnership=partnership, user=personas.convener_a, amount=D("100000")
    )
    services.application_save_draft(application=application, duration_months=24)

    def assess(on: dt.date, score: int, reviewed_score: int) -> None:
        scores = dict.fromkeys(Indicator, score)
        assessment = planning_services.assessment_create(
            partnership=partnership, assessed_on=on, scores=scores
        )
        planning_services.assessment_submit(assessment=assessment, user=personas.convener_a)
        comments = dict.fromkeys(Indicator, "Seen at the site visit.")
        planning_services.assessment_review(
            assessment=assessment,
            user=personas.staff,
            scores=dict.fromkeys(Indicator, reviewed_score),
            comments=comments,
        )

    assess(dt.date(2025, 1, 15), score=3, reviewed_score=2)  # claims implementing, reviewed as planning
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=application)
    assert "reviewed self-assessment of 2025-01-15: planning" in " ".join(
        refused.value.message_dict["partnership"]
    )
    assess(dt.date(2025, 6, 1), score=3, reviewed_score=3)
    assert services.application_submit(application=application).state == ApplicationState.SUBMITTED
