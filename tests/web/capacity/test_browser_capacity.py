"""In the browser: a visitor registers for a public event by e-mail (the second visitor joins the waitlist of
a one-place event); on the day, state staff tick who came on the roster; the attendee's certificate link
appears. Screenshots go to /tmp/sectorwise-screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sectorwise.capacity.models import Registration
from tests.web.browser.test_browser import sign_in
from tests.web.capacity.factories import make_event, move_back
from tests.web.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_registration_waitlist_and_attendance(
    page: Page, personas: Personas, screenshot_dir: Path
) -> None:
    event = make_event(title="Meeting design workshop", capacity=1)
    page.goto("/capacity/events/")
    page.get_by_role("link", name="Meeting design workshop").click()
    page.get_by_label("Name").fill("Rosa Diaz")
    page.get_by_label("E-mail address").fill("rosa@example.org")
    page.screenshot(path=str(screenshot_dir / "capacity-event-register.png"), full_page=True)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Rosa Diaz is registered.")).to_be_visible()
    expect(page.get_by_text("Full: new registrations join the waitlist")).to_be_visible()
    page.get_by_label("Name").fill("Sam Oh")
    page.get_by_label("E-mail address").fill("sam@example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Sam Oh is on the waitlist")).to_be_visible()

    move_back(event, days_ago=0)
    sign_in(page, "staff")
    page.goto(f"/capacity/events/{event.pk}/roster/")
    rosa = Registration.objects.get(email="rosa@example.org")
    page.locator(f"label[for=attended-{rosa.pk}]").click()  # USWDS draws the box on the label
    expect(page.get_by_label("Rosa Diaz")).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved: 1 attended, 0 absent.")).to_be_visible()
    expect(page.get_by_role("link", name="certificate")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "capacity-roster.png"), full_page=True)
    assert dict(Registration.objects.values_list("email", "attended")) == {
        "rosa@example.org": True,
        "sam@example.org": None,
    }
