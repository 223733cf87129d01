"""In the browser: a convener scores its partnership from the partnership page's planning panel and submits
the self-assessment; state staff review it; the action plan's scatter chart draws one point per ranked
priority. Screenshots go to /tmp/sectorwise-screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sectorwise.planning import services
from sectorwise.planning.models import AssessmentStatus, SelfAssessment
from sectorwise.planning.rubric import Phase
from tests.web.browser.test_browser import sign_in
from tests.web.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_self_assessment_from_the_panel_then_review(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    sign_in(page, "convener_a")
    page.goto(f"/partnerships/{personas.partnership_a.pk}/")
    panel = page.locator("#planning-panel")
    expect(panel).to_contain_text("no reviewed self-assessment yet")
    page.get_by_role("link", name="New self-assessment").click()
    page.get_by_label("Date the partnership scored itself", exact=False).or_(
        page.locator("input[name=assessed_on]")
    ).first.fill("2025-05-01")
    for name, value in [
        ("employer_leadership", "3"),
        ("shared_priorities", "3"),
        ("action_plan", "3"),
        ("staffing", "3"),
        ("funding_beyond_state", "2"),
        ("data_use", "2"),
    ]:
        page.locator(f"input[name={name}][value='{value}']").check()
    page.screenshot(path=str(screenshot_dir / "planning-assessment-form.png"), full_page=True)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#assessment-status")).to_have_text("Submitted for review")
    assessment = SelfAssessment.objects.get(partnership=personas.partnership_a)
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.self_phase == Phase.IMPLEMENTING

    page.context.clear_cookies()
    sign_in(page, "staff")
    # The menu's "Build capacity" drop-down carries the queue.
    page.get_by_role("button", name="Build capacity").click()
    page.get_by_role("link", name="Self-assessments to review").click()
    expect(page).to_have_url(re.compile(r"/planning/reviews/$"))
    page.screenshot(path=str(screenshot_dir / "planning-review-queue.png"), full_page=True)
    page.get_by_role("link", name=personas.partnership_a.name).click()
    page.locator("select[name=data_use]").select_option("1")
    page.locator("input[name=comment_data_use]").fill("No data was used yet.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#reviewed-phase")).to_contain_text("Planning")
    page.goto(f"/partnerships/{personas.partnership_a.pk}/")
    expect(page.locator("#planning-panel")).to_contain_text("Planning")
    page.screenshot(path=str(screenshot_dir / "planning-panel.png"), full_page=True)


def test_action_plan_chart_draws_each_ranked_priority(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    for title, ranking in [("Entry-level skills", (5, 2)), ("Turnover", (3, 4)), ("Unranked", None)]:
        priority = services.priority_create(partnership=personas.partnership_a, title=title)
        if ranking is not None:
            services.priority_rank(priority=priority, rankings={personas.membership_a.pk: ranking}, user=None)
    sign_in(page, "viewer")
    page.goto(f"/planning/partnerships/{personas.partnership_a.pk}/plan/")
    page.wait_for_selector("#priority-chart[data-rendered='true']")
    labels = page.locator("#priority-chart svg g.mark-text.role-mark text")
    expect(labels).to_have_count(2)
    assert sorted(labels.all_text_contents()) == ["Entry-level skills", "Turnover"]
    page.screenshot(path=str(screenshot_dir / "planning-action-plan.png"), full_page=True)
