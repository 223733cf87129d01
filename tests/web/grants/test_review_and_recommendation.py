"""Batch assignment, the reviewers' spread and disagreement flag, ranking, the state machine, the round's
funding recommendation (with a Hypothesis property on the pure walk), closeout and amendments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import has_transition_perm
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.core.roles import Role
from sectorwise.grants import selectors, services
from sectorwise.grants.models import (
    Application,
    ApplicationState,
    Award,
    AwardFunding,
    Criterion,
    FundingSource,
    ReportDue,
)
from sectorwise.grants.recommend import Candidate, Pool, recommend
from tests.web.factories import PartnershipFactory, UserFactory
from tests.web.grants.factories import grants_world, submitted_in_review
from tests.web.personas import Personas

D = Decimal


def _round_with(
    count: int, *, amounts: list[str] | None = None, source: str = "300000.00"
) -> tuple[Any, list[Application]]:
    world = grants_world(source_amount=D(source))
    applications = []
    for index in range(count):
        partnership = PartnershipFactory()
        convener = UserFactory(role=Role.CONVENER, organization=partnership.convener)
        amount = D(amounts[index]) if amounts else D("100000.00")
        applications.append(
            submitted_in_review(
                grant_round=world.round, partnership=partnership, user=convener, amount=amount
            )
        )
    services.round_close(grant_round=world.round)
    return world, [Application.objects.get(pk=a.pk) for a in applications]


def _review(application: Application, reviewer: Any, score: int) -> None:
    for criterion in Criterion.objects.filter(round_id=application.round_id):
        services.score_record(application=application, reviewer=reviewer, criterion=criterion, score=score)
    services.review_submit(application=application, reviewer=reviewer)


@pytest.mark.django_db
def test_batch_assignment_leaves_out_the_conflicted_pair_only(personas: Personas) -> None:
    _world, applications = _round_with(2)
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(2)]
    conflicted = UserFactory(role=Role.REVIEWER, organization=applications[0].partnership.convener)
    result = services.review_assign_batch(applications=applications, reviewers=[*reviewers, conflicted])
    first, second = (result[a.pk] for a in applications)
    assert [review.reviewer for review in first.assigned] == reviewers
    assert [reviewer for reviewer, _ in first.excluded] == [conflicted]
    assert "conflicted" in first.excluded[0][1]
    assert [review.reviewer for review in second.assigned] == [*reviewers, conflicted]
    with pytest.raises(ValidationError):
        services.review_assign_batch(applications=[], reviewers=reviewers)


@pytest.mark.django_db
def test_spread_flags_wide_disagreement_and_ranks_best_first(personas: Personas) -> None:
    world, (calm, split, unscored) = _round_with(3)
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(2)]
    services.review_assign_batch(applications=[calm, split, unscored], reviewers=reviewers)
    _review(calm, reviewers[0], 4)  # 80 out of 100
    _review(calm, reviewers[1], 4)
    _review(split, reviewers[0], 5)  # 100
    _review(split, reviewers[1], 2)  # 40
    _, rows = selectors.round_scores(grant_round=world.round)
    by_id = {row.application.pk: row for row in rows}
    assert [row.application.pk for row in rows] == [calm.pk, split.pk, unscored.pk]
    assert by_id[calm.pk].weighted_total == D("80.0") and by_id[split.pk].weighted_total == D("70.0")
    assert [row.rank for row in rows] == [1, 2, None]
    calm_spread, split_spread = by_id[calm.pk].spread, by_id[split.pk].spread
    assert calm_spread is not None and split_spread is not None
    assert (calm_spread.minimum, calm_spread.maximum, calm_spread.std_dev) == (D("80.0"), D("80.0"), D("0.0"))
    assert (split_spread.minimum, split_spread.maximum, split_spread.std_dev) == (
        D("40.0"),
        D("100.0"),
        D("30.0"),
    )
    assert not calm_spread.disagreement and split_spread.disagreement
    assert by_id[unscored.pk].spread is None


@pytest.mark.django_db
def test_a_reviewer_never_sees_another_reviewers_scores_before_the_review_closes(personas: Personas) -> None:
    world, (application,) = _round_with(1)
    other = UserFactory(role=Role.REVIEWER)
    services.review_assign(application=application, reviewers=[personas.reviewer, other])
    _review(application, other, 5)
    assert list(selectors.scores_visible_to(user=personas.reviewer, application=application)) == []
    _review(application, personas.reviewer, 3)
    mine = selectors.scores_visible_to(user=personas.reviewer, application=application)
    assert {score.score for score in mine} == {3}
    services.round_review_close(grant_round=world.round)
    application.round.refresh_from_db()
    assert {
        s.score for s in selectors.scores_visible_to(user=personas.reviewer, application=application)
    } == {3, 5}


@pytest.mark.django_db
def test_the_state_machine_says_who_may_move_an_application_where(personas: Personas) -> None:
    world = grants_world()
    draft = services.application_create(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    assert has_transition_perm(draft.submit, personas.convener_a)
    assert not has_transition_perm(draft.submit, personas.convener_b)
    assert not has_transition_perm(draft.submit, personas.staff)  # a convener submits its own
    assert not has_transition_perm(draft.recommend, personas.staff)  # not from draft
    assert has_transition_perm(draft.withdraw, personas.convener_a)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=draft, user=personas.convener_b)
    withdrawn = services.application_withdraw(application=draft, user=personas.convener_a)
    assert withdrawn.state == ApplicationState.WITHDRAWN
    with pytest.raises(ValidationError) as refused:
        services.application_decline(application=withdrawn, user=personas.staff)
    assert "withdrawn" in refused.value.message_dict["state"][0]


@pytest.mark.django_db
def test_the_round_recommendation_funds_by_rank_and_says_who_is_cut(personas: Personas) -> None:
    # $250,000 pooled; three requests of $100,000, $150,000 and $90,000 ranked in that order: the first
    # fits ($150,000 left), the second just fits ($0 left), the third is cut with the figures.
    world, (first, second, third) = _round_with(
        3, amounts=["100000.00", "150000.00", "90000.00"], source="250000.00"
    )
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(3)]
    services.review_assign_batch(applications=[first, second, third], reviewers=reviewers)
    for reviewer in reviewers:
        _review(first, reviewer, 5)
        _review(second, reviewer, 4)
        _review(third, reviewer, 3)
    recommendation = services.round_recommend(grant_round=world.round, user=personas.staff)
    assert [line.candidate.application_id for line in recommendation.funded] == [first.pk, second.pk]
    assert recommendation.total == D("250000.00")
    (cut,) = recommendation.cut
    assert cut.candidate.application_id == third.pk
    assert (
        "is cut" in cut.explanation and "$0.00" in cut.explanation and "$90,000.00 short" in cut.explanation
    )
    assert (
        "Rank 1" in recommendation.funded[0].explanation
        and "Workforce FY26" in recommendation.funded[0].explanation
    )
    states = dict(Application.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == ApplicationState.RECOMMENDED
    assert states[third.pk] == ApplicationState.IN_REVIEW


@pytest.mark.django_db
def test_closeout_returns_unspent_money_and_amendments_are_records(personas: Personas) -> None:
    world, (application,) = _round_with(1)
    award = services.award_create(
        application=application,
        amount=D("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    assert ReportDue.objects.filter(award=award).count() == 2
    amendment = services.amendment_create(
        award=award,
        reason="Scope reduced",
        new_amount=D("80000.00"),
        new_ends_on=dt.date(2026, 12, 31),
        user=personas.staff,
    )
    assert (amendment.old_amount, amendment.new_amount) == (D("100000.00"), D("80000.00"))
    assert selectors.award_report_due_dates(award=award) == [
        dt.date(2026, 7, 30),
        dt.date(2026, 10, 30),
        dt.date(2027, 1, 30),
    ]
    source = FundingSource.objects.get(pk=world.source.pk)
    assert source.committed == D("80000.00")
    request = services.payment_request_create(
        award=award, amount=D("30000.00"), lines=[("personnel", D("30000.00"))]
    )
    with pytest.raises(ValidationError, match="await a decision"):
        services.award_close(award=award)
    services.payment_request_approve(request=request, user=personas.staff)
    services.payment_request_pay(request=request, paid_on=dt.date(2026, 6, 1), user=personas.staff)
    closed = services.award_close(award=award, on=dt.date(2027, 1, 15))
    source.refresh_from_db()
    assert closed.returned == D("50000.00")
    assert source.committed == source.paid == D("30000.00")
    assert AwardFunding.objects.get(award=award).released == D("50000.00")
    assert Award.objects.get(pk=award.pk).history.count() >= 3  # created, amended, closed


# --- The recommendation's walk, on any input (pure, no database) ---------------------------------

money = st.integers(min_value=1, max_value=50_000).map(lambda n: D(n) * 10)


@st.composite
def rounds(draw: Any) -> tuple[list[Candidate], list[Pool], D]:
    sources = draw(st.integers(min_value=1, max_value=4))
    pools = [Pool(i, f"Source {i}", draw(money)) for i in range(sources)]
    limit = draw(money)
    candidates = []
    for number in range(draw(st.integers(min_value=0, max_value=8))):
        eligible = draw(st.sets(st.integers(min_value=0, max_value=sources - 1)))
        caps = {}
        for source_id in eligible:
            restricted = draw(st.booleans())
            caps[source_id] = (
                (draw(money), "the budget in travel") if restricted else (pools[source_id].room, "all")
            )
        candidates.append(
            Candidate(
                application_id=number,
                name=f"Partnership {number}",
                amount=min(draw(money), limit),
                score=D(draw(st.integers(min_value=0, max_value=100))),
                rank=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=8))),
                caps=caps,
            )
        )
    return candidates, pools, limit


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_the_recommendation_never_exceeds_a_source_or_an_award_limit_and_respects_restrictions(
    case: tuple[list[Candidate], list[Pool], D],
) -> None:
    candidates, pools, limit = case
    result = recommend(candidates=candidates, pools=pools)
    rooms = {pool.source_id: pool.room for pool in pools}
    used = {source_id: D(0) for source_id in rooms}
    for line in result.funded:
        candidate = line.candidate
        assert candidate.rank is not None
        assert sum(share.amount for share in line.shares) == candidate.amount <= limit
        for share in line.shares:
            assert share.source_id in candidate.caps, "a source that may not fund it"
            assert share.amount <= candidate.caps[share.source_id][0]
            used[share.source_id] += share.amount
    for source_id, total in used.items():
        assert total <= rooms[source_id]
        assert result.left[source_id] == rooms[source_id] - total
    assert len(result.lines) == len(candidates)
