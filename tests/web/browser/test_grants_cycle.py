"""In the browser, a whole grants cycle: staff create a funding source, a program, pledge the source to it
(a pledge beyond the source's balance refused on the form), create a round with the default rubric and open
it; a convener writes an application (a draft saved with fields missing, an attachment told by its content),
submits it; staff close the round and assign two reviewers in one action (the one whose employer is a member
of the partnership left out); the reviewer scores; staff see the ranking and the recommendation's split,
accept it and award; the convener requests a payment; staff approve, pay and close out. Screenshots go to
/tmp/sectorwise-screenshots."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from sectorwise.core.roles import Role
from sectorwise.grants.models import Application, Award, FundingSource, PaymentRequest, Review, Round
from tests.web.browser.test_browser import sign_in
from tests.web.factories import UserFactory
from tests.web.personas import Personas

NARRATIVE = {
    "Summary": "Plan the aerospace partnership's first year.",
    "Industry assessment": "Aerospace parts: LQ 1.8, 1,200 jobs (QCEW 2025).",
    "Employer leadership and engagement": "Three employers co-chair.",
    "Work plan": "Monthly meetings; a skills survey.",
    "Expected outcomes": "A shared curriculum.",
    "Sustainability": "Employer dues from year two.",
}


def _sign_out(page: Page) -> None:
    page.context.clear_cookies()


def _set_up_and_open_a_round(page: Page, screenshot_dir: Path) -> Round:
    """Staff, from the pages: a source, a program, the pledge, a round with the default rubric, opened."""
    sign_in(page, "staff")
    page.goto("/grants/")
    page.get_by_role("link", name="New funding source").click()
    page.get_by_label(re.compile("^Name")).fill("Workforce FY26")
    page.get_by_label(re.compile("^Contributing system")).select_option(label="Workforce")
    page.get_by_label(re.compile("^Fiscal year")).fill("2026")
    page.get_by_label(re.compile("^Amount")).fill("300000")
    page.get_by_role("button", name="Create the funding source").click()
    expect(page.get_by_text("Funding source Workforce FY26 (FY2026) created: $300,000.00.")).to_be_visible()

    page.get_by_role("link", name="Programs", exact=True).click()
    page.get_by_role("link", name="New program").click()
    page.get_by_label(re.compile("^Name")).fill("Planning grants")
    page.get_by_label(re.compile("^Kind")).select_option(label="Planning")
    page.get_by_role("button", name="Create the program").click()
    expect(
        page.get_by_text("Program Planning grants created: $25,000.00 to $150,000.00, 1 to 6 months.")
    ).to_be_visible()

    page.get_by_role("link", name="Add a contribution").click()
    page.get_by_label(re.compile("^Funding source")).select_option(
        label="Workforce FY26 (FY2026) — balance $300,000.00"
    )
    page.get_by_label(re.compile("^Amount pledged")).fill("300000.01")
    page.get_by_role("button", name="Pledge").click()
    expect(page.locator("#id_amount-error")).to_contain_text("is more than Workforce FY26 (FY2026)'s balance")
    page.get_by_label(re.compile("^Amount pledged")).fill("300000")
    page.get_by_role("button", name="Pledge").click()
    expect(
        page.get_by_text("Workforce FY26 (FY2026) pledges $300,000.00 to Planning grants.")
    ).to_be_visible()

    page.get_by_role("link", name="New round").click()
    expect(page.get_by_label(re.compile("^Criterion 1$"))).to_have_value("Industry assessment")
    expect(page.get_by_label(re.compile("^Criterion 1: weight"))).to_have_value("2")
    page.get_by_label(re.compile("^Name")).fill("Round 1")
    page.get_by_label(re.compile("^Opens on")).fill("2026-01-05")
    page.get_by_label(re.compile("^Closes on")).fill("2026-02-27")
    page.screenshot(path=str(screenshot_dir / "grants-new-round.png"), full_page=True)
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_text("Round 1 created (planned): open it from its page.")).to_be_visible()
    page.get_by_role("button", name="Open for applications").click()
    expect(page.get_by_text("Conveners will see the round")).to_be_visible()
    page.get_by_role("button", name="Yes: open for applications").click()
    expect(page.get_by_text("Round 1 is open for applications.")).to_be_visible()
    _sign_out(page)
    grant_round = Round.objects.get(name="Round 1")
    assert (grant_round.state, grant_round.criteria.count()) == ("open", 5)
    return grant_round


def test_a_whole_grants_cycle(page: Page, personas: Personas, screenshot_dir: Path) -> None:
    grant_round = _set_up_and_open_a_round(page, screenshot_dir)
    source = FundingSource.objects.get(name="Workforce FY26")
    member_reviewer = UserFactory(
        username="reviewer-member", role=Role.REVIEWER, organization=personas.employer_a
    )

    # The convener: a draft with fields missing, an attachment refused by content then accepted, submitted.
    sign_in(page, "convener_a")
    page.goto(f"/grants/rounds/{grant_round.pk}/apply/")
    page.get_by_label(re.compile("^Partnership")).select_option(label=personas.partnership_a.name)
    page.get_by_role("button", name="Start a draft").click()
    page.get_by_label(re.compile("^Title")).fill("Aerospace planning")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    application = Application.objects.get(partnership=personas.partnership_a)
    page.get_by_role("link", name=re.compile("^Attachments")).click()
    page.locator("input[type=file]").set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text(re.compile("not a PDF")).first).to_be_visible()
    page.get_by_label(re.compile("^Kind")).select_option(label="Letter of employer support")
    page.locator("input[type=file]").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("link", name="letter.pdf")).to_be_visible()
    page.get_by_role("link", name="Back to the application").click()
    page.get_by_label(re.compile("^Requested amount")).fill("100000")
    page.get_by_label(re.compile("^Duration months")).fill("6")
    page.get_by_label(re.compile("^Budget")).fill("personnel; 90000; 5000; Board\ntravel; 10000")
    for label, text in NARRATIVE.items():
        page.get_by_label(re.compile(f"^{label}")).fill(text)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Submitted.")).to_be_visible()
    application.refresh_from_db()
    assert application.state == "submitted"
    _sign_out(page)

    # Staff close the round from its page; two reviewers assigned in one action, the member left out.
    sign_in(page, "staff")
    page.goto(f"/grants/rounds/{grant_round.pk}/")
    page.get_by_role("button", name="Close to applications").click()
    page.get_by_role("button", name="Yes: close to applications").click()
    expect(page.get_by_text("Round 1 is closed; its submitted applications are in review.")).to_be_visible()
    page.goto(f"/grants/rounds/{grant_round.pk}/assign/")
    page.get_by_label("Aerospace planning").check()
    page.get_by_label("reviewer", exact=True).check()
    page.get_by_label("reviewer-member").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(re.compile("Not assigned: reviewer-member is conflicted"))).to_be_visible()
    assert list(
        Review.objects.filter(application=application).values_list("reviewer__username", flat=True)
    ) == ["reviewer"]
    assert member_reviewer.pk not in Review.objects.values_list("reviewer_id", flat=True)
    _sign_out(page)

    # The reviewer scores every criterion and submits.
    sign_in(page, "reviewer")
    page.goto(f"/grants/applications/{application.pk}/score/")
    for field in page.locator("input[name^=score_]").all():
        field.fill("4")
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text("Review submitted.")).to_be_visible()
    _sign_out(page)

    # Staff: ranking and recommendation, accepted; the award; its split.
    sign_in(page, "staff")
    page.goto(f"/grants/rounds/{grant_round.pk}/")
    expect(page.locator("table").first).to_contain_text("80.0")  # 4 of 5 on every criterion
    expect(page.locator("#recommendation")).to_contain_text("Rank 1 (score 80.0): $100,000.00")
    expect(page.locator("#recommendation")).to_contain_text("Workforce FY26")
    page.screenshot(path=str(screenshot_dir / "grants-round.png"), full_page=True)
    page.get_by_role("button", name="Accept the recommendation").click()
    expect(page.get_by_text(re.compile("1 applications recommended"))).to_be_visible()
    page.get_by_role("button", name=f"Award {personas.partnership_a.name}").click()
    expect(page.get_by_text(re.compile("Awarded \\$100,000.00"))).to_be_visible()
    award = Award.objects.get(application=application)
    assert award.amount == Decimal("100000.00") and award.funding.get().source == source
    _sign_out(page)

    # The convener asks for a reimbursement; staff approve, pay and close out.
    sign_in(page, "convener_a")
    page.goto(f"/grants/awards/{award.pk}/")
    page.get_by_role("link", name="Request a payment").click()
    page.get_by_label("Line 1: category").select_option(label="Personnel")
    page.get_by_label("Line 1: amount").fill("30000")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Payment request sent for approval.")).to_be_visible()
    _sign_out(page)
    sign_in(page, "staff")
    page.goto(f"/grants/awards/{award.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_text("Request paid.")).to_be_visible()
    page.get_by_role("button", name="Close out").click()
    expect(page.get_by_text(re.compile("^Closed out; \\$70,000.00 unspent returned"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "grants-award-closed.png"), full_page=True)
    award.refresh_from_db()
    source.refresh_from_db()
    assert (award.state, award.paid, award.returned) == ("closed", Decimal("30000.00"), Decimal("70000.00"))
    assert source.committed == source.paid == Decimal("30000.00")
    assert PaymentRequest.objects.get().state == "paid"
