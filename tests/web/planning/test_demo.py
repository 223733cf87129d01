"""The planning demo: two years of self-assessments showing progress, action plans ranked by every employer
member, initiatives and funding beyond state grants; seeded once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sectorwise.demo import records
from sectorwise.demo.planning_records import seed_planning
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.planning import selectors, services
from sectorwise.planning.models import AssessmentStatus, Initiative, Priority, SelfAssessment

pytestmark = pytest.mark.django_db


def test_demo_planning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "sectorwise.demo.planning_records.seed_planning" in records.APP_SEEDERS
    monkeypatch.setattr(
        records, "APP_SEEDERS", ()
    )  # the registry only; other apps' seeders are theirs to test
    records.load_demo_records(data_dir=tmp_path)
    line = seed_planning(rng=random.Random(7), today=records.DEMO_TODAY)
    assert line.startswith("planning: ")

    assessed = [p for p in SectorPartnership.objects.all() if p.self_assessments.exists()]
    assert len(assessed) >= 5
    span = {p.pk: sorted(p.self_assessments.values_list("assessed_on", flat=True)) for p in assessed}
    assert all(len(dates) == 3 and (dates[-1] - dates[0]).days > 600 for dates in span.values())
    # Progress: every partnership's later assessments score no lower than its earlier ones, and some rose.
    rose = 0
    for partnership in assessed:
        history = selectors.maturity_history(partnership=partnership)
        totals = [sum(score or 0 for score in row.scores) for row in history]
        assert totals[-1] >= totals[0] - 1  # a review may adjust one score down a phase
        rose += totals[-1] > totals[0]
    assert rose >= len(assessed) // 2
    assert SelfAssessment.objects.filter(status=AssessmentStatus.SUBMITTED).exists()  # the review queue
    assert any(selectors.partnership_maturity(partnership=p) is not None for p in assessed)

    # Every employer member ranked every priority; the chart's points are those rankings' means.
    planned = [p for p in SectorPartnership.objects.all() if p.priorities.exists()]
    assert planned and Initiative.objects.exists()
    for partnership in planned[:3]:
        employers = len(services.employer_members(partnership=partnership))
        plan = selectors.action_plan(partnership=partnership)
        spec = selectors.priority_chart(plan=plan)
        assert spec is not None
        for point, row in zip(spec["data"]["values"], plan.priorities, strict=True):
            rankings = list(row.priority.rankings.all())
            assert len(rankings) == employers
            assert point["x"] == pytest.approx(sum(r.importance for r in rankings) / employers)
    assert any(selectors.sustainability_funding_total(partnership=p) > 0 for p in assessed)

    before = Priority.objects.count()
    assert "already held" in seed_planning(rng=random.Random(7), today=records.DEMO_TODAY)
    assert Priority.objects.count() == before
