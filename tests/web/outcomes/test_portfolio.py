"""The portfolio page: pooled before/after with intervals, partnership rows, small partnerships "too few to
show" and complementary suppression so that a hidden one cannot be worked out from the pooled total."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from scipy.stats import ttest_rel
from statsmodels.stats.proportion import proportion_confint

from sectorwise.outcomes.portfolio import outcome_portfolio
from tests.web.factories import PartnershipFactory
from tests.web.outcomes.outcome_data import cohort
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def test_pooled_figures_and_suppression_across_partnerships(personas: Personas) -> None:
    third = PartnershipFactory(name="Zephyr Logistics Partnership")
    # A: 12 pairs (6 -> 10 employed); B: 4 pairs (under 10: hidden); C: 20 pairs (5 -> 16 employed).
    cohort(personas.partnership_a, employed=[(i < 6, i < 10) for i in range(12)])
    cohort(personas.partnership_b, employed=[(False, True)] * 4)
    cohort(third, employed=[(i < 5, i < 16) for i in range(20)])
    portfolio = outcome_portfolio()
    assert portfolio.participants == 36
    employed = next(m for m in portfolio.pooled if m.key == "employed").result
    after = 10 + 4 + 16
    low, high = proportion_confint(after, 36, method="wilson")
    assert (employed.n, employed.after.successes) == (36, after)
    assert (employed.after.low, employed.after.high) == (pytest.approx(low), pytest.approx(high))
    assert employed.before.estimate == pytest.approx(11 / 36)
    rows = {row.partnership.name: row for row in portfolio.rows}
    small = rows["Green Mountain Health Careers"]
    assert small.measures[0].suppressed and small.participants_suppressed
    # B alone hidden would follow from the total (36) minus A (12) and C (20): the smallest shown goes too.
    assert rows["Champlain Aerospace Partnership"].measures[0].suppressed
    assert rows["Champlain Aerospace Partnership"].participants_suppressed
    shown = rows["Zephyr Logistics Partnership"].measures[0]
    assert not shown.suppressed and (shown.n, shown.before.successes, shown.after.successes) == (20, 5, 16)
    # Earnings among the employed both times: C's 5 people are too few; pooled: A 6 + C 5 = 11 pairs.
    pairs = [(5000 + i, 6000 + 3 * i) for i in range(6)] + [(5000 + i, 6000 + 3 * i) for i in range(5)]
    test = ttest_rel([after for _, after in pairs], [before for before, _ in pairs])
    assert portfolio.earnings.n == 11
    assert portfolio.earnings.estimate == pytest.approx(sum(a - b for b, a in pairs) / 11)
    assert portfolio.earnings.p_value == pytest.approx(test.pvalue)
    assert portfolio.chart is not None
    assert {row["measure"] for row in portfolio.chart["data"]["values"]} == {"Employed"}


def test_the_page_is_for_state_staff_and_viewers(personas: Personas) -> None:
    cohort(personas.partnership_a, employed=[(i < 6, i < 10) for i in range(12)])
    cohort(personas.partnership_b, employed=[(False, True)] * 4)
    viewer = Client()
    viewer.force_login(personas.viewer)
    page = viewer.get(reverse("outcomes:portfolio"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "16 participants across 2 partnerships" in text
    assert "too few to show" in text
    assert 'id="portfolio-chart"' in text
    convener = Client()
    convener.force_login(personas.convener_a)
    assert convener.get(reverse("outcomes:portfolio")).status_code == 403
