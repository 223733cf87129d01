"""Section 508 as a check: axe-core (the npm package) runs in every page each role can open, and any serious
or critical violation fails the test.

The pages come from the permission matrix (every routed page, with the records the personas act on), so a new
page is checked for every role that may see it the moment it has a matrix entry. axe is injected as an init
script through the browser's debugging protocol, which the pages' Content-Security-Policy does not govern.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.web.permission_matrix import MATRIX, Case
from tests.web.personas import PERSONA_NAMES, Personas

#: WCAG 2.1 A and AA, which Section 508 incorporates, and axe's own Section 508 rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "section508"]
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: Routes that are not pages a person reads: the API's and the admin's own screens (the Django admin and
#: ninja's Swagger UI are third-party pages, checked by their projects). Downloads are told apart
#: as they start.
SKIPPED_PREFIXES = ("api:", "admin:")
#: Personas who see the same pages the same way: a page (URL name) checked for one of a kind is not checked
#: again for the next (the walk took 11 minutes of CI for all eight). The first of each kind in
#: PERSONA_NAMES order (admin, convener_a, reviewer, anonymous) sees the most; the others check what is left.
PERSONA_KIND = {
    "admin": "state",
    "staff": "state",
    "convener_a": "convener",
    "convener_b": "convener",
    "reviewer": "signed in",
    "viewer": "signed in",
    "outsider": "signed in",
    "anonymous": "anonymous",
}
_CHECKED_BY_KIND: dict[str, set[str]] = {}
#: How long a page may take to fall quiet (charts and maps fetch their data after the load event). A page
#: that polls every second is quiet only while its answers come back in under half a second, which a busy CI
#: machine does not promise; it is checked as it stands after this wait.
NETWORK_IDLE_MS = 5_000


def _axe_script() -> Path:
    path = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make install` (axe-core is declared in package.json)")
    return path


def _page_cases(persona: str) -> Iterator[tuple[str, Case]]:
    """Every GET page ``persona`` may open with a 200, by URL name."""
    for name, cases in sorted(MATRIX.items()):
        if name.startswith(SKIPPED_PREFIXES):
            continue
        for case in cases:
            if case.method == "get" and persona in case.allowed and 200 in case.allowed_status:
                yield name, case


def _signed_in_context(
    chromium: Browser, live_server: Any, personas: Personas, persona: str
) -> BrowserContext:
    context = chromium.new_context(base_url=str(live_server), viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    user = personas.user(persona)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(live_server)}])
    context.add_init_script(path=str(_axe_script()))
    return context


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return list(result["violations"])


def _serious_violations(context: BrowserContext, url: str) -> list[str]:
    page = context.new_page()
    try:
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in error.message:
                return []  # an export (CSV, XLSX): a file, not a page
            raise
        assert response is not None, url
        if urlsplit(page.url).path != url:
            return []  # sent on elsewhere (the sign-in page of a signed-in user): not this page
        assert response.status == 200, f"{url}: {response.status}"
        if "text/html" not in (response.headers.get("content-type") or ""):
            return []
        # A page that polls (an import job's status) may never be idle: checked as it stands.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_MS)
        violations = _axe_violations(page)
    finally:
        page.close()
    return [
        f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in FAILING_IMPACTS
    ]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_every_page_a_role_can_open_has_no_serious_accessibility_violation(
    chromium: Browser, live_server: Any, personas: Personas, persona: str
) -> None:
    context = _signed_in_context(chromium, live_server, personas, persona)
    checked: list[str] = []
    problems: list[str] = []
    names = _CHECKED_BY_KIND.setdefault(PERSONA_KIND[persona], set())
    cases = list(_page_cases(persona))
    try:
        for name, case in cases:
            url = reverse(name, kwargs=case.kwargs(personas))
            if url in checked or name in names:
                continue
            checked.append(url)
            problems += _serious_violations(context, url)
    finally:
        context.close()
    names.update(name for name, _ in cases)
    assert cases, f"no page was open to {persona}"
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_serious_violation(chromium: Browser, live_server: Any, personas: Personas) -> None:
    """The check can fail: a form field without a label, added to a real page, is reported as serious."""
    context = _signed_in_context(chromium, live_server, personas, "anonymous")
    try:
        page = context.new_page()
        page.goto(reverse("accounts:login"))
        assert not [v for v in _axe_violations(page) if v["impact"] in FAILING_IMPACTS]
        page.evaluate("document.querySelector('main, body').append(document.createElement('input'))")
        found = {v["id"] for v in _axe_violations(page) if v["impact"] in FAILING_IMPACTS}
    finally:
        context.close()
    assert "label" in found
