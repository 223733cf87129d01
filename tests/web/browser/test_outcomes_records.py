"""In the browser: a convener enters a quarterly progress report (a rule violation shown on the field, what
was typed kept), its custom indicator's value, submits it, and sees the indicator against its target and the
partnership's outcomes page with its chart drawn. Screenshots go to /tmp/sectorwise-screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sectorwise.outcomes.models import CustomIndicator, IndicatorValue, ProgressReport, ReportStatus
from tests.web.browser.test_browser import sign_in
from tests.web.outcomes.conftest import TEST_PII_KEY
from tests.web.outcomes.outcome_data import cohort
from tests.web.personas import Personas


@pytest.fixture(autouse=True)
def _pii_key(settings: object) -> None:
    settings.SECTORWISE_PII_KEY = TEST_PII_KEY  # type: ignore[attr-defined]  # pytest-django's settings
    settings.SECTORWISE_PII_KEY_FILE = None  # type: ignore[attr-defined]  # pytest-django's settings


def _field(page: Page, label: str) -> object:
    return page.get_by_label(re.compile(rf"^{label}\b"))


def test_a_convener_reports_a_quarter_and_sees_the_outcomes(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    partnership = personas.partnership_a
    indicator = CustomIndicator.objects.create(
        partnership=partnership, name="Apprentices hired", unit="apprentices", target=40
    )
    cohort(partnership, employed=[(i < 4, i < 11) for i in range(14)])
    sign_in(page, "convener_a")
    page.goto(f"/partnerships/{partnership.pk}/progress/new/")
    page.get_by_label(re.compile(r"^Year\b")).fill("2025")
    page.get_by_label(re.compile(r"^Quarter\b")).fill("1")
    page.get_by_label(re.compile(r"^Workers enrolled\b")).fill("10")
    page.get_by_label(re.compile(r"^Workers completed\b")).fill("12")
    page.get_by_role("button", name="Save draft").click()
    expect(
        page.get_by_text("Workers completed (12) cannot exceed workers enrolled (10).").first
    ).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Workers enrolled\b"))).to_have_value("10")
    page.screenshot(path=str(screenshot_dir / "outcomes-report-refused.png"), full_page=True)
    page.get_by_label(re.compile(r"^Workers completed\b")).fill("8")
    page.get_by_label(re.compile(r"^Workers placed\b")).fill("6")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved the draft report for 2025 Q1.")).to_be_visible()
    report = ProgressReport.objects.get(partnership=partnership)
    assert (report.workers_enrolled, report.workers_completed, report.workers_placed) == (10, 8, 6)
    expect(page.locator("#reports")).to_contain_text("2025-04-30")  # due 30 days after the quarter

    page.get_by_role("link", name="Indicator values").click()
    page.get_by_label(re.compile(r"^Apprentices hired")).fill("10")
    page.get_by_role("button", name="Save values").click()
    expect(page.get_by_text("Saved the indicator values")).to_be_visible()
    page.get_by_role("link", name="Edit or submit").click()
    page.get_by_role("button", name=re.compile("^Submit")).click()
    expect(page.locator("#reports")).to_contain_text("Submitted")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == personas.convener_a
    assert IndicatorValue.objects.get(report=report, indicator=indicator).value == 10

    page.goto(f"/partnerships/{partnership.pk}/indicators/")
    expect(page.locator("#indicators")).to_contain_text("25")  # 10 of 40
    expect(page.locator("#indicators .sw-share")).to_have_text(re.compile(r"25\s*%"))
    page.goto(f"/partnerships/{partnership.pk}/outcomes/")
    row = page.locator("#outcome-measures tr", has_text="Employed")
    expect(row).to_contain_text("14")
    expect(row).to_contain_text("29")  # 4 of 14 employed at baseline
    expect(row).to_contain_text("79")  # 11 of 14 at the latest follow-up
    expect(page.locator("#outcome-chart svg, #outcome-chart canvas").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "outcomes-page.png"), full_page=True)
