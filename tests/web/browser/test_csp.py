"""The Content-Security-Policy (no inline script without the nonce, no eval, no injected styles) breaks
nothing: the dashboard map renders with Vega's expression interpreter, htmx filters in place, the partnership
page and the admin load, and Chromium reports no violation ("Refused to ...") on any of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.web.browser.test_browser import sign_in
from tests.web.personas import Personas

# Recorded in the page itself as well as read from the console: an init script runs outside the page's
# policy, and the event names the directive even when the console message is worded differently.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def violations(page: Page) -> Iterator[list[str]]:
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    page.add_init_script(_RECORD_VIOLATIONS)
    yield found


def _page_violations(page: Page) -> list[str]:
    recorded: list[str] = page.evaluate("window.__cspViolations || []")
    return recorded


def test_pages_run_under_the_policy_without_violations(
    page: Page, personas: Personas, violations: list[str]
) -> None:
    seen: list[str] = []
    sign_in(page, "staff")
    seen += _page_violations(page)

    response = page.goto("/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.wait_for_selector("#county-map[data-rendered='true']")
    assert page.locator("#county-map svg path").count() > 0
    page.locator("#county-map svg").hover()  # over a county: the tooltip, styled from sectorwise.css
    seen += _page_violations(page)

    page.goto(f"/partnerships/{personas.partnership_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(personas.partnership_a.name)
    seen += _page_violations(page)

    page.goto("/partnerships/")
    page.get_by_label(re.compile(r"^Search")).press_sequentially("health", delay=30)
    expect(page.get_by_role("heading", name="1 partnership", exact=True)).to_be_visible()
    seen += _page_violations(page)

    page.goto("/admin/partnerships/sectorpartnership/")
    expect(page.locator("#result_list")).to_be_visible()
    seen += _page_violations(page)

    page.goto("/api/docs")  # Swagger UI, served by django-ninja from its own static files
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    seen += _page_violations(page)

    assert not violations, violations
    assert not seen, seen
