"""Partnership planning: the self-assessment's life (draft, submit, review), history, the action plan's
rankings and scatter chart, initiatives, sustainability funding, the survey seam, the panel and the rules
for each persona."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sectorwise.core.rules import user_can
from sectorwise.partnerships.models import MembershipRole
from sectorwise.planning import selectors, services
from sectorwise.planning.models import AssessmentStatus, PriorityRanking, SelfAssessment
from sectorwise.planning.rubric import Indicator, Phase
from sectorwise.planning.rules import PlanningAction
from tests.web.directory.factories import EmployerFactory
from tests.web.partnerships.factories import MembershipFactory
from tests.web.personas import PERSONA_NAMES, Personas

pytestmark = pytest.mark.django_db


def scores(*values: int) -> dict[Indicator, int | None]:
    return dict(zip(Indicator, values, strict=True))


def reviewed(partnership: Any, on: dt.date, values: tuple[int, ...], staff: Any) -> SelfAssessment:
    assessment = services.assessment_create(partnership=partnership, assessed_on=on, scores=scores(*values))
    services.assessment_submit(assessment=assessment, user=None)
    return services.assessment_review(assessment=assessment, user=staff, scores=scores(*values))


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Self-assessment ------------------------------------------------------------------------------------------


def test_assessment_draft_submit_review(personas: Personas) -> None:
    partnership = personas.partnership_a
    draft = services.assessment_create(
        partnership=partnership,
        assessed_on=dt.date(2025, 3, 1),
        scores={Indicator.EMPLOYER_LEADERSHIP: 3, Indicator.STAFFING: 2},
    )
    assert draft.status == AssessmentStatus.DRAFT and draft.scores.count() == 2
    with pytest.raises(ValidationError) as future:
        services.assessment_update(
            assessment=draft, assessed_on=dt.date.today() + dt.timedelta(days=2), scores=scores(*[2] * 6)
        )
    assert list(future.value.message_dict) == ["assessed_on"]
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=draft, user=personas.convener_a)
    assert set(refused.value.message_dict) == {
        "shared_priorities",
        "action_plan",
        "funding_beyond_state",
        "data_use",
    }
    services.assessment_update(
        assessment=draft, assessed_on=dt.date(2025, 3, 2), scores=scores(3, 3, 3, 2, 2, 3)
    )
    services.assessment_submit(assessment=draft, user=personas.convener_a)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    assert draft.self_phase == Phase.IMPLEMENTING and draft.submitted_by == personas.convener_a
    with pytest.raises(ValidationError, match="submitted"):
        services.assessment_update(assessment=draft, assessed_on=dt.date(2025, 3, 2), scores=scores(*[4] * 6))
    assert selectors.partnership_maturity(partnership=partnership) is None  # not reviewed yet

    # Staff adjust employer leadership down: a comment is required.
    adjusted = scores(2, 3, 3, 2, 2, 3)
    with pytest.raises(ValidationError) as no_comment:
        services.assessment_review(assessment=draft, user=personas.staff, scores=adjusted)
    assert list(no_comment.value.message_dict) == ["employer_leadership"]
    services.assessment_review(
        assessment=draft,
        user=personas.staff,
        scores=adjusted,
        comments={Indicator.EMPLOYER_LEADERSHIP: "Employers do not yet chair meetings."},
    )
    result = selectors.partnership_maturity(partnership=partnership)
    assert result is not None
    # Reviewed scores (2,3,3,2,2,3): three at implementing only -> planning.
    assert result.phase is Phase.PLANNING
    assert result.scores[Indicator.EMPLOYER_LEADERSHIP] == 2
    assert result.assessed_on == dt.date(2025, 3, 2)
    assert result.weak == []  # nothing below planning, nothing at exploring
    row = draft.scores.get(indicator="employer_leadership")
    assert (row.self_score, row.reviewed_score, row.adjusted) == (3, 2, True)
    with pytest.raises(ValidationError, match="only a submitted one"):
        services.assessment_review(assessment=draft, user=personas.staff, scores=adjusted)


def test_maturity_is_the_latest_reviewed_and_history_is_by_date(personas: Personas) -> None:
    partnership = personas.partnership_b
    reviewed(partnership, dt.date(2023, 6, 1), (1, 1, 2, 1, 1, 1), personas.staff)
    reviewed(partnership, dt.date(2025, 6, 1), (3, 3, 3, 3, 2, 2), personas.staff)
    reviewed(partnership, dt.date(2024, 6, 1), (2, 2, 2, 2, 1, 2), personas.staff)  # entered late
    later = services.assessment_create(
        partnership=partnership, assessed_on=dt.date(2025, 9, 1), scores=scores(*[4] * 6)
    )
    services.assessment_submit(assessment=later, user=None)  # submitted, not reviewed: not the result
    result = selectors.partnership_maturity(partnership=partnership)
    assert result is not None
    assert (result.assessed_on, result.phase) == (dt.date(2025, 6, 1), Phase.IMPLEMENTING)
    assert result.suggested_topics == ["sustainability funding", "data use", "evaluation"]
    history = selectors.maturity_history(partnership=partnership)
    assert [row.assessment.assessed_on.year for row in history] == [2023, 2024, 2025, 2025]
    assert [row.phase for row in history] == [Phase.EXPLORING, Phase.PLANNING, Phase.IMPLEMENTING, None]
    assert history[1].scores == [2, 2, 2, 2, 1, 2]
    # The page shows the same history as a table, oldest first.
    page = client_for(personas.viewer).get(reverse("planning:maturity", args=[partnership.pk]))
    table = page.content.decode().split('id="maturity-history"')[1]
    assert re.findall(r"\d{4}-\d{2}-\d{2}</a>", table) == [
        "2023-06-01</a>",
        "2024-06-01</a>",
        "2025-06-01</a>",
        "2025-09-01</a>",
    ]
    assert "sustainability funding, data use, evaluation" in page.content.decode()


def test_assessment_form_keeps_what_was_typed_when_submission_is_refused(personas: Personas) -> None:
    client = client_for(personas.convener_a)
    url = reverse("planning:assessment_create", args=[personas.partnership_a.pk])
    data = {"assessed_on": "2025-04-01", "notes": "First try", "employer_leadership": "3", "submit": "1"}
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Score shared priorities." in body
    assert re.search(
        r'name="employer_leadership" value="3"[^>]*checked|checked[^>]*value="3"', body
    ) or re.search(r'<input[^>]*value="3"[^>]*name="employer_leadership"[^>]*checked', body)
    assert "First try" in body
    draft = SelfAssessment.objects.get(partnership=personas.partnership_a)
    assert draft.status == AssessmentStatus.DRAFT and draft.notes == "First try"


def test_review_page_records_an_adjustment(personas: Personas) -> None:
    assessment = services.assessment_create(
        partnership=personas.partnership_a, assessed_on=dt.date(2025, 1, 1), scores=scores(*[2] * 6)
    )
    services.assessment_submit(assessment=assessment, user=None)
    url = reverse("planning:assessment_review", args=[personas.partnership_a.pk, assessment.pk])
    shown = client_for(personas.staff).get(url).content.decode()
    assert shown.count('<option value="2" selected>') == 6  # each select starts at the partnership's score
    data: dict[str, str] = {indicator.value: "2" for indicator in Indicator}
    data["data_use"] = "1"
    refused = client_for(personas.staff).post(url, data)
    assert refused.status_code == 200 and "Say why data use is adjusted" in refused.content.decode()
    data["comment_data_use"] = "No data was used yet."
    assert client_for(personas.staff).post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REVIEWED and assessment.phase == Phase.PLANNING
    assert assessment.reviewed_by == personas.staff


# Action plan ----------------------------------------------------------------------------------------------


def test_scatter_chart_values_are_the_rankings_means(personas: Personas) -> None:
    partnership = personas.partnership_a
    second = MembershipFactory(partnership=partnership, organization=EmployerFactory(name="Second Co"))
    third = MembershipFactory(
        partnership=partnership,
        organization=EmployerFactory(name="Third Co"),
        role=MembershipRole.EMPLOYER_CHAMPION,
    )
    members = [personas.membership_a, second, third]
    given = {
        "Entry-level skills": [(5, 2), (4, 3), (5, 1)],
        "First-year turnover": [(3, 4), (2, 5), None],
        "Unranked problem": [None, None, None],
    }
    for title, pairs in given.items():
        priority = services.priority_create(partnership=partnership, title=title)
        services.priority_rank(
            priority=priority,
            rankings={m.pk: pair for m, pair in zip(members, pairs, strict=True)},
            user=personas.convener_a,
        )
    assert PriorityRanking.objects.count() == 5
    plan = selectors.action_plan(partnership=partnership)
    spec = selectors.priority_chart(plan=plan)
    assert spec is not None
    points = {row["label"]: row for row in spec["data"]["values"]}
    assert set(points) == {"Entry-level skills", "First-year turnover"}  # the unranked one is not drawn
    for title, pairs in given.items():
        ranked = [pair for pair in pairs if pair is not None]
        if not ranked:
            continue
        assert points[title]["x"] == pytest.approx(sum(p[0] for p in ranked) / len(ranked))
        assert points[title]["y"] == pytest.approx(sum(p[1] for p in ranked) / len(ranked))
        assert points[title]["n"] == len(ranked)
    assert points["Entry-level skills"]["x"] == pytest.approx(14 / 3)
    assert spec["layer"][-2]["encoding"]["x"]["scale"]["domain"] == [1, 5]
    # Ordered by mean importance: the table reads the same.
    assert [row.priority.title for row in plan.priorities] == list(given)
    page = client_for(personas.viewer).get(reverse("planning:action_plan", args=[partnership.pk]))
    embedded = re.search(
        r'<script id="priority-chart-spec" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    assert embedded is not None and json.loads(embedded.group(1)) == spec
    assert "4.67" in page.content.decode()


def test_only_the_partnerships_employer_members_rank(personas: Personas) -> None:
    priority = services.priority_create(partnership=personas.partnership_a, title="Skills")
    convener_membership = personas.partnership_a.memberships.get(role=MembershipRole.CONVENER)
    for stranger in (personas.membership_b, convener_membership):
        with pytest.raises(ValidationError, match="employer members"):
            services.priority_rank(priority=priority, rankings={stranger.pk: (3, 3)}, user=None)
    with pytest.raises(ValidationError, match="1 \\(low\\) to 5"):
        services.priority_rank(priority=priority, rankings={personas.membership_a.pk: (6, 3)}, user=None)
    services.priority_rank(priority=priority, rankings={personas.membership_a.pk: (4, 2)}, user=None)
    url = reverse("planning:priority_rank", args=[personas.partnership_a.pk, priority.pk])
    form = client_for(personas.convener_a).get(url).content.decode()
    assert '<option value="4" selected>' in form and '<option value="2" selected>' in form
    services.priority_rank(priority=priority, rankings={personas.membership_a.pk: None}, user=None)
    assert not PriorityRanking.objects.exists()
    with pytest.raises(ValidationError, match="already has the priority"):
        services.priority_create(partnership=personas.partnership_a, title="  skills ")


def test_initiative_owners_are_members(personas: Personas) -> None:
    priority = services.priority_create(partnership=personas.partnership_a, title="Skills")
    with pytest.raises(ValidationError, match="Not members"):
        services.initiative_create(
            priority=priority, values={"title": "Course"}, owners=[personas.membership_b.organization]
        )
    with pytest.raises(ValidationError) as dates:
        services.initiative_create(
            priority=priority,
            values={"title": "Course", "starts_on": dt.date(2025, 5, 1), "due_on": dt.date(2025, 4, 1)},
            owners=[personas.employer_a],
        )
    assert "due_on" in dates.value.message_dict
    initiative = services.initiative_create(
        priority=priority, values={"title": "Course", "status": "in_progress"}, owners=[personas.employer_a]
    )
    assert list(initiative.owners.all()) == [personas.employer_a]
    # History keeps the owners too (simple-history's m2m_fields): the newest record lists them.
    latest = initiative.history.first()  # type: ignore[attr-defined]  # simple-history adds it
    assert [row.organization_id for row in latest.owners.all()] == [personas.employer_a.pk]


def test_seed_priorities_from_the_survey(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    from sectorwise.surveys.selectors import DemandSummary, OccupationDemand, SkillDemand

    # No survey answers yet: nothing to seed, and the button is not offered.
    assert selectors.survey_demand(partnership=personas.partnership_a) is None
    page = client_for(personas.convener_a).get(
        reverse("planning:action_plan", args=[personas.partnership_a.pk])
    )
    assert "Seed priorities from the survey" not in page.content.decode()
    summary = DemandSummary(
        employers=6,
        suppressed=False,
        occupations=[OccupationDemand("51-4041", "Machinists", 5), OccupationDemand("51-4121", "Welders", 3)],
        skill_gaps=[
            SkillDemand("blueprints", "Blueprint reading", 4),
            SkillDemand("cnc", "CNC programming", 2),
        ],
        minimum=3,
    )
    monkeypatch.setattr(selectors, "survey_demand_summary", lambda *, partnership: summary)
    demand = selectors.survey_demand(partnership=personas.partnership_a)
    assert demand is not None
    assert demand.occupations == [("51-4041", "Machinists"), ("51-4121", "Welders")]
    assert demand.skill_gaps == ["Blueprint reading", "CNC programming"]
    page = client_for(personas.convener_a).get(
        reverse("planning:action_plan", args=[personas.partnership_a.pk])
    )
    assert "Seed priorities from the survey" in page.content.decode()
    services.priority_create(partnership=personas.partnership_a, title="Hard to fill: welders")
    response = client_for(personas.convener_a).post(
        reverse("planning:seed_from_survey", args=[personas.partnership_a.pk])
    )
    assert response.status_code == 302
    titles = set(personas.partnership_a.priorities.values_list("title", flat=True))
    assert titles == {
        "Hard to fill: welders",  # already there: not added twice
        "Hard to fill: Machinists",
        "Skill gap: Blueprint reading",
        "Skill gap: CNC programming",
    }
    assert personas.partnership_a.priorities.get(title="Hard to fill: Machinists").source_code == "51-4041"


# Sustainability -------------------------------------------------------------------------------------------


def test_sustainability_total_is_decimal_and_respects_since(personas: Personas) -> None:
    partnership = personas.partnership_a
    rows = [
        ("Dues", "employer_dues", "10000.10", dt.date(2023, 7, 1), dt.date(2024, 6, 30)),
        ("Foundation", "philanthropy", "25000.25", dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
        ("Dues", "employer_dues", "12000.05", dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
    ]
    for name, kind, amount, start, end in rows:
        services.sustainability_funding_create(
            partnership=partnership,
            values={
                "source_name": name,
                "kind": kind,
                "amount": Decimal(amount),
                "period_start": start,
                "period_end": end,
            },
        )
    total = selectors.sustainability_funding_total(partnership=partnership)
    assert total == Decimal("47000.40") and isinstance(total, Decimal)
    assert selectors.sustainability_funding_total(
        partnership=partnership, since=dt.date(2024, 7, 1)
    ) == Decimal("37000.30")
    assert selectors.sustainability_funding_total(partnership=personas.partnership_b) == Decimal("0.00")
    assert selectors.sustainability_funding_by_kind(partnership=partnership) == [
        ("Philanthropy", Decimal("25000.25")),
        ("Employer dues or contributions", Decimal("22000.15")),
    ]
    with pytest.raises(ValidationError) as bad:
        services.sustainability_funding_create(
            partnership=partnership,
            values={
                "source_name": " ",
                "kind": "federal",
                "amount": Decimal("0"),
                "period_start": dt.date(2025, 1, 1),
                "period_end": dt.date(2024, 1, 1),
            },
        )
    assert {"amount", "period_end"} <= set(bad.value.message_dict)


# Rules and the panel, persona by persona --------------------------------------------------------------------


MANAGE_A = {"admin", "staff", "convener_a"}
READERS = {"admin", "staff", "convener_a", "convener_b", "reviewer", "viewer"}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_rules_for_each_persona(personas: Personas, persona: str) -> None:
    user = personas.user(persona)
    assert user_can(user=user, action=PlanningAction.VIEW_PLANNING) is (persona in READERS)
    assert user_can(user=user, action=PlanningAction.MANAGE_PLANNING, obj=personas.partnership_a) is (
        persona in MANAGE_A
    )
    assert user_can(user=user, action=PlanningAction.MANAGE_PLANNING, obj=personas.partnership_b) is (
        persona in {"admin", "staff", "convener_b"}
    )
    assert user_can(user=user, action=PlanningAction.REVIEW_ASSESSMENT) is (persona in {"admin", "staff"})


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_the_panel_on_the_partnership_page(personas: Personas, persona: str) -> None:
    reviewed(personas.partnership_a, dt.date(2025, 1, 1), (3, 3, 3, 3, 3, 3), personas.staff)
    response = client_for(personas.user(persona)).get(
        reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    )
    if response.status_code != 200:  # the partnership page itself is not for this persona
        assert persona in {"anonymous", "outsider"}
        return
    body = response.content.decode()
    assert ('id="planning-panel"' in body) is (persona in READERS)
    if persona in READERS:
        assert "<strong>Implementing</strong>" in body
        assert ("New self-assessment" in body) is (persona in MANAGE_A)


# Query counts ---------------------------------------------------------------------------------------------


def test_selectors_query_counts(personas: Personas, django_assert_num_queries: Any) -> None:
    partnership = personas.partnership_a
    for year in (2023, 2024):
        reviewed(partnership, dt.date(year, 6, 1), (2, 2, 2, 2, 2, 2), personas.staff)
    for number in range(3):
        priority = services.priority_create(partnership=partnership, title=f"Problem {number}")
        services.priority_rank(
            priority=priority, rankings={personas.membership_a.pk: (3, number + 1)}, user=None
        )
        services.initiative_create(priority=priority, values={"title": "Pilot"}, owners=[personas.employer_a])
    with django_assert_num_queries(2):
        assert selectors.partnership_maturity(partnership=partnership) is not None
    with django_assert_num_queries(2):
        assert len(selectors.maturity_history(partnership=partnership)) == 2
    with django_assert_num_queries(4):  # priorities, rankings with members, initiatives, owners
        plan = selectors.action_plan(partnership=partnership)
        assert sum(len(row.initiatives[0].owners.all()) for row in plan.priorities) == 3
    with django_assert_num_queries(1):
        selectors.sustainability_funding_total(partnership=partnership)


def test_portfolio_selectors_agree_with_the_per_partnership_ones(personas: Personas) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    reviewed(a, dt.date(2024, 6, 1), (3, 3, 3, 3, 3, 3), personas.staff)
    reviewed(a, dt.date(2023, 6, 1), (1, 1, 1, 1, 1, 1), personas.staff)  # older, entered later
    reviewed(b, dt.date(2024, 6, 1), (2, 2, 2, 2, 1, 1), personas.staff)
    phases = selectors.latest_maturity_phases()
    for partnership in (a, b):
        result = selectors.partnership_maturity(partnership=partnership)
        assert result is not None and phases[partnership.pk] is result.phase
    assert phases == {a.pk: Phase.IMPLEMENTING, b.pk: Phase.PLANNING}
    for partnership, amount, end in [
        (a, "1000.10", dt.date(2023, 12, 31)),
        (a, "2000.20", dt.date(2024, 12, 31)),
    ]:
        services.sustainability_funding_create(
            partnership=partnership,
            values={
                "source_name": "Dues",
                "kind": "employer_dues",
                "amount": Decimal(amount),
                "period_start": dt.date(end.year, 1, 1),
                "period_end": end,
            },
        )
    since = dt.date(2024, 1, 1)
    assert selectors.sustainability_funding_totals() == {a.pk: Decimal("3000.30")}
    assert selectors.sustainability_funding_totals(since=since) == {
        a.pk: selectors.sustainability_funding_total(partnership=a, since=since)
    }
