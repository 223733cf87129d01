"""The outcomes demo: a few hundred synthetic participants with the issue's effects, real intervals and some
suppressed cells, progress reports over several quarters (some late), indicators, systems change,
testimonials; hashed identifiers; seeded once."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from django.apps import apps

from sectorwise.demo import records
from sectorwise.demo.outcomes_records import COHORT_SIZES, seed_outcomes
from sectorwise.outcomes.models import (
    CustomIndicator,
    IndicatorValue,
    Participant,
    ProgressReport,
    ReportStatus,
    SystemsChange,
)
from sectorwise.outcomes.models import Testimonial as QuoteRecord  # a Test* name would be collected
from sectorwise.outcomes.portfolio import outcome_portfolio
from sectorwise.outcomes.schedule import lateness

pytestmark = pytest.mark.django_db


def test_demo_outcomes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert records.APP_SEEDERS.index(
        "sectorwise.demo.outcomes_records.seed_outcomes"
    ) > records.APP_SEEDERS.index("sectorwise.demo.surveys_records.seed_surveys")
    monkeypatch.setattr(records, "APP_SEEDERS", ())  # the registry only; other apps' seeders are theirs
    records.load_demo_records(data_dir=tmp_path)
    line = seed_outcomes(rng=random.Random(7), today=records.DEMO_TODAY)
    assert line.startswith(f"outcomes: {sum(COHORT_SIZES)} participants in 6 partnerships")
    assert Participant.objects.count() == sum(COHORT_SIZES)
    assert all(
        re.fullmatch(r"[0-9a-f]{64}", key) for key in Participant.objects.values_list("person_key", flat=True)
    )

    portfolio = outcome_portfolio()
    pooled = {measure.key: measure.result for measure in portfolio.pooled}
    # The effects, within sampling error of a few hundred people.
    above = pooled["not_in_poverty"]
    assert 1 - above.before.estimate == pytest.approx(0.64, abs=0.08)
    assert 1 - above.after.estimate == pytest.approx(0.35, abs=0.08)
    assert pooled["employer_health_insurance"].before.estimate == pytest.approx(0.49, abs=0.08)
    assert pooled["employer_health_insurance"].after.estimate == pytest.approx(0.73, abs=0.08)
    assert pooled["paid_sick_leave"].before.estimate == pytest.approx(0.35, abs=0.08)
    assert pooled["paid_sick_leave"].after.estimate == pytest.approx(0.58, abs=0.08)
    assert all(
        result.p_value is not None and result.p_value < 0.001
        for key, result in pooled.items()
        if key != "employed"
    )
    assert portfolio.earnings.estimate == pytest.approx(500, abs=150)  # about $4,000 over two years
    assert portfolio.earnings.low is not None and portfolio.earnings.low > 0
    # Real intervals for the large partnerships; the small one is "too few to show"; some subgroup cells too.
    shown = [row for row in portfolio.rows if not row.measures[1].suppressed]
    hidden = [row for row in portfolio.rows if row.measures[1].suppressed]
    assert len(shown) >= 4 and hidden
    assert any(sub.result.suppressed for measure in portfolio.pooled for sub in measure.subgroups)
    assert any(not sub.result.suppressed for measure in portfolio.pooled for sub in measure.subgroups)

    # Progress reports over several quarters: submitted ones (a few late), the current quarter a draft.
    reports = list(ProgressReport.objects.all())
    quarters = {(r.year, r.quarter) for r in reports}
    assert len(quarters) >= 8
    assert any(r.status == ReportStatus.DRAFT for r in reports)
    assert any(r.revision == 1 for r in reports)  # an amendment
    submitted = [r for r in reports if r.status == ReportStatus.SUBMITTED]
    assert any(lateness(r, today=dt.date(2025, 6, 30)).startswith("Submitted") for r in submitted)
    assert all(r.workers_completed <= r.workers_enrolled for r in reports)
    assert CustomIndicator.objects.count() == 12 and IndicatorValue.objects.exists()
    assert SystemsChange.objects.filter(verified_at__isnull=False).exists()
    assert SystemsChange.objects.filter(verified_at__isnull=True).exists()
    assert QuoteRecord.objects.filter(consent_to_publish=True).exists()
    assert QuoteRecord.objects.filter(consent_to_publish=False).exists()
    try:
        wage_model = apps.get_model("outcomes", "WageRecord")
    except LookupError:
        assert "no wage records" in line
    else:
        assert wage_model.objects.count() > 1000
        keys = set(Participant.objects.values_list("person_key", flat=True))
        assert set(wage_model.objects.values_list("person_key", flat=True)) <= keys

    assert seed_outcomes(rng=random.Random(7), today=records.DEMO_TODAY).endswith("left as they were")
