"""The surveys' demo records: surveys of several partnerships (some open), realistic results with real
intervals, one partnership with too few responses (suppressed); seeded once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sectorwise.demo import records as demo_records
from sectorwise.demo.commuting import write_acs_flows
from sectorwise.demo.geography import demo_state
from sectorwise.demo.records import DEMO_TODAY, SOURCE_FOLDER, load_demo_records
from sectorwise.demo.surveys_records import seed_surveys
from sectorwise.demo.synthetic import DEMO_SEED, FLOWS_FILE
from sectorwise.surveys.models import Invitation, Response, Survey, SurveyStatus
from sectorwise.surveys.selectors import survey_demand_summary, survey_results

pytestmark = pytest.mark.django_db


def test_the_demo_surveys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry, the users and this app's seeder only (the other apps' seeders have their own tests).
    seeder = "sectorwise.demo.surveys_records.seed_surveys"
    assert seeder in demo_records.APP_SEEDERS
    monkeypatch.setattr(demo_records, "APP_SEEDERS", (seeder,))
    write_acs_flows(demo_state(DEMO_SEED), tmp_path / SOURCE_FOLDER / FLOWS_FILE, seed=DEMO_SEED)
    records = load_demo_records(data_dir=tmp_path)
    line = next(line for line in records.app_lines if line.startswith("surveys:"))
    assert "7 surveys" in line, line
    statuses = set(Survey.objects.values_list("status", flat=True))
    assert statuses == {SurveyStatus.OPEN, SurveyStatus.CLOSED}
    assert Response.objects.count() > 60
    assert Invitation.objects.filter(used_at__isnull=True).exists()  # some not answered (yet)
    shown, suppressed = [], []
    for survey in Survey.objects.all():
        results = survey_results(survey=survey)
        (suppressed if results.suppressed else shown).append(results)
    assert len(shown) >= 5 and len(suppressed) == 1
    satisfied = [next(r.share for r in results.shares if r.key == "collaboration_value") for results in shown]
    productivity = [next(r.share for r in results.shares if r.key == "productivity") for results in shown]
    pooled_satisfied = sum(s.successes or 0 for s in satisfied) / sum(s.n for s in satisfied)
    pooled_productivity = sum(s.successes or 0 for s in productivity) / sum(s.n for s in productivity)
    assert 0.75 <= pooled_satisfied <= 0.95, pooled_satisfied
    assert 0.7 <= pooled_productivity <= 0.9, pooled_productivity
    assert all(s.low is not None and s.low < s.estimate < s.high for s in satisfied)  # type: ignore[operator]  # not suppressed
    summaries = [survey_demand_summary(partnership=s.partnership) for s in Survey.objects.all()]
    assert any(summary.suppressed for summary in summaries)
    ranked = next(summary for summary in summaries if not summary.suppressed)
    counts = [o.employers for o in ranked.occupations]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 5
    assert ranked.occupations[0].title
    # Seeded once: a second run leaves the records alone.
    before = Response.objects.count()
    assert "already held" in seed_surveys(rng=random.Random(1), today=DEMO_TODAY)
    assert Response.objects.count() == before
