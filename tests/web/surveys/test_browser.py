"""In Chromium: an employer answers through the one-use link without an account (the form posts through
Django's CSRF check, which a ``Referrer-Policy: no-referrer`` would break: browsers then send ``Origin:
null``), sees the thanks page, and the link then says it was used. Screenshots go to
/tmp/sectorwise-screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from sectorwise.surveys.models import Response
from tests.web.browser.conftest import chromium, page, screenshot_dir  # noqa: F401  (the browser fixtures)
from tests.web.surveys.factories import survey_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_an_employer_answers_once_through_the_link(page: Page, screenshot_dir: Path) -> None:  # noqa: F811
    world = survey_world(employers=1)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if _is_error(message) else None)
    url = f"/surveys/answer/{world.tokens[0]}/"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Employer survey 2025")
    page.get_by_label(re.compile("staff turnover")).select_option("decreased")
    page.get_by_label(re.compile("value of collaborating")).select_option("5")
    page.get_by_label(re.compile("hard to fill")).fill("51-4041, 51-4121")
    page.get_by_label("Applied math and measurement").check()
    page.screenshot(path=str(screenshot_dir / "survey-answer.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#thanks")).to_be_visible()
    response = Response.objects.get()
    assert (response.turnover, response.collaboration_value) == ("decreased", 5)
    assert sorted(response.hard_to_fill.values_list("soc_code", flat=True)) == ["51-4041", "51-4121"]
    again = page.goto(url)
    assert again is not None and again.status == 410
    expect(page.locator("#link-message")).to_contain_text("already been used")
    page.screenshot(path=str(screenshot_dir / "survey-link-used.png"), full_page=True)
    assert not errors, errors


def _is_error(message: ConsoleMessage) -> bool:
    # A CSP violation or a script error; failed loads (the 410 page itself, /favicon.ico) are not.
    return message.type == "error" and not message.text.startswith("Failed to load resource")
