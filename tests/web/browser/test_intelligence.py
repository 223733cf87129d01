"""The intelligence pages in Chromium on the demo warehouse: explore a region (its map and bars drawn), move
a weight and see the ranking change (htmx), download the assessment; axe finds no serious violation on the
full pages (the matrix's accessibility walk sees them only without data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from playwright.sync_api import Browser, Page
from rich.console import Console

from sectorwise.demo.lmi_demo import prepare_demo_lmi
from sectorwise.intelligence import selectors
from tests.web.browser.test_accessibility import FAILING_IMPACTS, _axe_script, _axe_violations
from tests.web.personas import Personas

QUERY = "counties=91001&counties=91003"


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_demo_lmi(
        data_dir=tmp_path_factory.mktemp("intelligence-browser"), console=Console(quiet=True)
    )


@pytest.fixture
def viewer_page(
    chromium: Browser, live_server: Any, personas: Personas, demo_warehouse: Path
) -> Iterator[Page]:
    selectors.clear_caches()
    with override_settings(SECTORWISE_WAREHOUSE=demo_warehouse):
        context = chromium.new_context(base_url=str(live_server), viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        client = Client()
        client.force_login(personas.viewer)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(live_server)}])
        context.add_init_script(path=str(_axe_script()))
        try:
            yield context.new_page()
        finally:
            context.close()
    selectors.clear_caches()


def _serious(page: Page) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in _axe_violations(page) if v["impact"] in FAILING_IMPACTS]


def test_explore_a_region_then_rank_and_download(viewer_page: Page, screenshot_dir: Path) -> None:
    page = viewer_page
    page.goto(f"/intelligence/?{QUERY}&level=sector")
    page.wait_for_selector("#region-map[data-rendered='true'] svg")
    page.wait_for_selector("#region-bars[data-rendered='true'] svg")
    assert page.locator("#profile-table tbody tr").count() > 5
    assert page.locator("#shiftshare-table").is_visible()
    assert not _serious(page)
    page.screenshot(path=str(screenshot_dir / "intelligence-explorer.png"), full_page=True)

    page.click("text=Rank this region's target industries")
    page.wait_for_selector("#ranked-table tbody tr[data-code]")
    page.wait_for_selector("#ranking-chart[data-rendered='true'] svg")
    before = page.locator("#ranked-table tbody tr[data-code]").first.get_attribute("data-code")
    assert not _serious(page)
    # Rank by size alone: every other weight to 0, each change re-ranks through htmx.
    for key in ("lq", "growth", "competitive_effect", "wage_ratio"):
        page.fill(f"#id_w_{key}", "0")
        page.dispatch_event(f"#id_w_{key}", "change")
    page.wait_for_function(
        "code => document.querySelector('#ranked-table tbody tr[data-code]')?.dataset.code !== code",
        arg=before,
    )
    page.wait_for_selector("#ranking-chart[data-rendered='true'] svg")
    assert "w_lq=0" in page.url  # the weights are in the address: a ranking one can share
    page.screenshot(path=str(screenshot_dir / "intelligence-ranking.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#assessment-xlsx")
    download = download_info.value
    assert download.suggested_filename.startswith("assessment-") and download.suggested_filename.endswith(
        ".xlsx"
    )
    saved = Path(download.path())
    assert saved.read_bytes()[:2] == b"PK"  # a zip: the workbook


def _selected_counties(page: Page) -> list[str]:
    return sorted(
        page.eval_on_selector_all("#id_counties option", "os => os.filter(o => o.selected).map(o => o.value)")
    )


def test_pick_counties_on_the_map(viewer_page: Page, screenshot_dir: Path) -> None:
    """Clicking a county on the map toggles it in the counties selection and the profile follows (the form
    is submitted as its button does); clicking it again takes it out."""
    page = viewer_page
    page.goto(f"/intelligence/?{QUERY}&level=sector")
    page.wait_for_selector("#region-map[data-rendered='true'] svg")
    assert _selected_counties(page) == ["91001", "91003"]
    heading = page.locator("#profile-heading").inner_text()
    jobs_before = page.locator("#profile-table tbody tr").first.inner_text()

    outside = page.locator("#region-map path[aria-label*='FIPS: 91005']")
    assert outside.count() == 1
    outside.click()
    page.wait_for_url("**counties=91005**")
    page.wait_for_selector("#region-map[data-rendered='true'] svg")
    assert _selected_counties(page) == ["91001", "91003", "91005"]
    assert page.locator("#profile-heading").inner_text() != heading
    assert page.locator("#profile-table tbody tr").first.inner_text() != jobs_before
    assert "Region: In the region" in (
        page.locator("#region-map path[aria-label*='FIPS: 91005']").get_attribute("aria-label") or ""
    )
    page.screenshot(path=str(screenshot_dir / "intelligence-map-picked.png"), full_page=True)

    page.locator("#region-map path[aria-label*='FIPS: 91001']").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).getAll('counties').includes('91001')")
    page.wait_for_selector("#region-map[data-rendered='true'] svg")
    assert _selected_counties(page) == ["91003", "91005"]
