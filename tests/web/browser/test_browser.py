"""In the browser: a convener edits its own partnership and is refused another's; an import with bad rows
shows the row report and changes nothing; the dashboard map renders county shapes. Screenshots go to
/tmp/sectorwise-screenshots (never the repository) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import SectorPartnership, Stage
from tests.web.accounts.factories import TEST_PASSWORD
from tests.web.personas import Personas

VERMONT_COUNTIES = 14


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def test_convener_edits_its_partnership_and_is_refused_another(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    sign_in(page, "convener_a")
    page.goto(f"/partnerships/{personas.partnership_a.pk}/")
    page.get_by_role("link", name="Edit partnership").click()
    expect(page.get_by_label("Convener")).to_be_disabled()
    # Labels of required fields end with an asterisk (an <abbr title="required">).
    page.get_by_label(re.compile(r"^Name\b")).fill("Champlain Aerospace Alliance")
    page.get_by_label(re.compile(r"^Stage\W*$")).select_option(Stage.IMPLEMENTATION.value)
    page.screenshot(path=str(screenshot_dir / "convener-edit-form.png"), full_page=True)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Champlain Aerospace Alliance")
    expect(page.get_by_text("Saved Champlain Aerospace Alliance.")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "convener-after-save.png"), full_page=True)
    partnership = SectorPartnership.objects.get(pk=personas.partnership_a.pk)
    assert (partnership.name, partnership.stage) == ("Champlain Aerospace Alliance", Stage.IMPLEMENTATION)

    # Partnership B: readable, but no edit button, and its edit URL is refused.
    page.goto(f"/partnerships/{personas.partnership_b.pk}/")
    expect(page.get_by_role("link", name="Edit partnership")).to_have_count(0)
    response = page.goto(f"/partnerships/{personas.partnership_b.pk}/edit/")
    assert response is not None and response.status == 403
    page.screenshot(path=str(screenshot_dir / "convener-refused.png"), full_page=True)
    assert SectorPartnership.objects.get(pk=personas.partnership_b.pk).name == "Green Mountain Health Careers"


def test_import_with_bad_rows_shows_the_report_and_changes_nothing(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    before = Organization.objects.count()
    sign_in(page, "staff")
    page.get_by_role("link", name="Import", exact=True).click()
    page.locator("label.usa-radio__label", has_text="Organizations").click()  # USWDS hides the input itself
    # USWDS replaces the file input's label with its own aria-label ("Drag file here or choose from folder").
    page.locator("input[type=file][name=file]").set_input_files(
        {
            "name": "organizations.csv",
            "mimeType": "text/csv",
            "buffer": b"name,type,county_fips\nGood Works,community,50007\nBad Type,factory,50007\n"
            b",employer,5000x\n",
        }
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Nothing was imported: 3 problems in 3 rows")).to_be_visible()
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("factory")
    page.screenshot(path=str(screenshot_dir / "import-report.png"), full_page=True)
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(name="Good Works").exists()


def test_dashboard_map_renders_county_shapes(page: Page, personas: Personas, screenshot_dir: Path) -> None:
    sign_in(page, "viewer")
    page.goto("/")
    page.wait_for_selector("#county-map[data-rendered='true']")
    paths = page.locator("#county-map svg path")
    # Every county of the state (grey or coloured) is drawn, with a legend besides.
    assert paths.count() >= VERMONT_COUNTIES
    coloured = page.locator(
        "#county-map svg .mark-geoshape path[fill^='rgb'], #county-map svg path[fill^='#']"
    )
    assert coloured.count() >= VERMONT_COUNTIES
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)


def test_the_public_list_filters_in_place_with_htmx(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    page.goto("/partnerships/")
    expect(page.get_by_role("heading", name="2 partnerships")).to_be_visible()
    page.get_by_label(re.compile(r"^Search")).press_sequentially("health", delay=30)
    expect(page.get_by_role("heading", name="1 partnership", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Green Mountain Health Careers"))).to_be_visible()
    expect(page.get_by_text("Champlain Aerospace Partnership")).to_have_count(0)
    assert "q=health" in page.url  # the filtered list has its own address (hx-push-url)
    page.keyboard.press("Tab")  # keyboard: focus moves on to the next filter
    expect(page.get_by_label("Region")).to_be_focused()
    page.screenshot(path=str(screenshot_dir / "public-list-filtered.png"), full_page=True)
