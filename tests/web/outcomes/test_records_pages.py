"""Record pages of outcomes: custom indicators (staff define, values with the reports, shown against the
target), systems change (staff verify; a change to a verified one withdraws it), testimonials (only consented
ones public), history pages, the partnership-page panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.outcomes import services
from sectorwise.outcomes.models import (
    CustomIndicator,
    IndicatorValue,
    ProgressReport,
    ReportStatus,
    SystemsChange,
)
from sectorwise.outcomes.models import Testimonial as QuoteRecord  # a Test* name would be collected
from sectorwise.outcomes.record_selectors import indicator_progress
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _report(personas: Personas, year: int, quarter: int, *, submitted: bool = False) -> ProgressReport:
    report = services.progress_report_create(
        partnership=personas.partnership_a, year=year, quarter=quarter, values={"workers_enrolled": 5}
    )
    if submitted:
        services.progress_report_submit(report=report, user=personas.convener_a)
    return report


# --- Custom indicators ------------------------------------------------------------------------------------


def test_staff_define_an_indicator_and_a_convener_may_not(personas: Personas) -> None:
    url = reverse("outcomes:indicator_create", args=[personas.partnership_a.pk])
    data = {"name": "Apprentices hired", "unit": "apprentices", "target": "40"}
    assert _client(personas.convener_a).post(url, data).status_code == 403
    response = _client(personas.staff).post(url, data)
    assert response.status_code == 302
    indicator = CustomIndicator.objects.get(partnership=personas.partnership_a)
    assert (indicator.name, indicator.unit, indicator.target) == ("Apprentices hired", "apprentices", 40)
    # The same name again (any case) is refused on the name, and what was typed is kept.
    again = _client(personas.staff).post(url, {**data, "name": "apprentices HIRED"})
    assert again.status_code == 200
    assert "already has an indicator named" in again.content.decode()
    assert 'value="apprentices HIRED"' in again.content.decode()


def test_indicator_values_are_entered_with_a_report_and_totalled_against_the_target(
    personas: Personas,
) -> None:
    indicator = CustomIndicator.objects.create(
        partnership=personas.partnership_a, name="Apprentices hired", unit="apprentices", target=40
    )
    q1 = _report(personas, 2025, 1)
    q2 = _report(personas, 2025, 2)
    convener = _client(personas.convener_a)
    field = f"indicator_{indicator.pk}"
    for report, value in ((q1, "6"), (q2, "4.5")):
        url = reverse("outcomes:report_indicator_values", args=[personas.partnership_a.pk, report.pk])
        assert convener.post(url, {field: value}).status_code == 302
    services.progress_report_submit(report=q1, user=personas.convener_a)
    # Only submitted values count: 6 of 40 = 15 %; Q2's 4.5 is shown as a draft.
    [row] = indicator_progress(partnership=personas.partnership_a)
    assert row.reported == Decimal("6")
    assert row.share_of_target == Decimal("0.150")
    assert [(q.quarter, q.value, q.submitted) for q in row.quarters] == [
        (1, Decimal("6"), True),
        (2, Decimal("4.5"), False),
    ]
    page = convener.get(reverse("outcomes:indicator_list", args=[personas.partnership_a.pk])).content.decode()
    assert "15&nbsp;%" in page
    assert "2025 Q2: 4.50 (draft)" in page
    # The submitted report is locked: its values cannot change, even by a direct POST.
    locked = reverse("outcomes:report_indicator_values", args=[personas.partnership_a.pk, q1.pk])
    assert convener.post(locked, {field: "60"}).status_code == 200
    assert IndicatorValue.objects.get(report=q1).value == Decimal("6")
    # An amendment starts from the submitted values; its corrected value replaces Q1's in the total.
    amendment = services.progress_report_amend(report=q1, values={})
    assert IndicatorValue.objects.get(report=amendment).value == Decimal("6")
    services.indicator_values_save(report=amendment, values={indicator.pk: Decimal("8")})
    services.progress_report_submit(report=amendment, user=personas.convener_a)
    [row] = indicator_progress(partnership=personas.partnership_a)
    assert row.reported == Decimal("8")
    assert row.share_of_target == Decimal("0.200")


def test_another_partnerships_record_answers_404(personas: Personas) -> None:
    theirs = CustomIndicator.objects.create(partnership=personas.partnership_b, name="Nurses hired")
    url = reverse("outcomes:indicator_edit", args=[personas.partnership_a.pk, theirs.pk])
    assert _client(personas.staff).get(url).status_code == 404


# --- Systems change -------------------------------------------------------------------------------------


def test_a_convener_reports_a_change_staff_verify_it_and_an_edit_withdraws_the_verification(
    personas: Personas,
) -> None:
    convener, staff = _client(personas.convener_a), _client(personas.staff)
    create = reverse("outcomes:systems_change_create", args=[personas.partnership_a.pk])
    data = {
        "kind": "education_program",
        "description": "The college opened a CNC machining certificate",
        "evidence": "https://college.example/cnc",
        "occurred_on": "2025-03-01",
    }
    assert convener.post(create, data).status_code == 302
    change = SystemsChange.objects.get(partnership=personas.partnership_a)
    verify = reverse("outcomes:systems_change_verify", args=[personas.partnership_a.pk, change.pk])
    assert convener.post(verify).status_code == 403
    assert staff.post(verify).status_code == 302
    change.refresh_from_db()
    assert change.verified and change.verified_by == personas.staff
    listing = convener.get(reverse("outcomes:systems_change_list", args=[personas.partnership_a.pk]))
    assert "Verified " in listing.content.decode()
    public = reverse("outcomes:partnership_outcomes", args=[personas.partnership_a.pk])
    assert "The college opened a CNC machining certificate" in Client().get(public).content.decode()
    # Editing what it says withdraws the verification.
    edit = reverse("outcomes:systems_change_edit", args=[personas.partnership_a.pk, change.pk])
    assert (
        convener.post(edit, {**data, "description": "A CNC certificate and an apprenticeship"}).status_code
        == 302
    )
    change.refresh_from_db()
    assert not change.verified
    assert "A CNC certificate" not in Client().get(public).content.decode()  # unverified: not public
    history = convener.get(
        reverse("outcomes:systems_change_history", args=[personas.partnership_a.pk, change.pk])
    )
    text = history.content.decode()
    assert history.status_code == 200
    assert "The college opened a CNC machining certificate → A CNC certificate and an apprenticeship" in text


# --- Testimonials -------------------------------------------------------------------------------------------


def test_only_consented_testimonials_reach_the_public_page(personas: Personas) -> None:
    convener = _client(personas.convener_a)
    create = reverse("outcomes:testimonial_create", args=[personas.partnership_a.pk])
    # Consent without its date is refused on the date, and the quote typed is kept.
    refused = convener.post(
        create,
        {"quote": "I doubled my pay.", "attributed_to": "Maria, machinist", "consent_to_publish": "on"},
    )
    assert refused.status_code == 200
    assert "Give the date the person consented" in refused.content.decode()
    assert "I doubled my pay." in refused.content.decode()
    assert (
        convener.post(
            create,
            {
                "quote": "I doubled my pay.",
                "attributed_to": "Maria, machinist",
                "consent_to_publish": "on",
                "consent_on": "2025-05-02",
            },
        ).status_code
        == 302
    )
    assert (
        convener.post(
            create, {"quote": "Private words.", "attributed_to": "Sam", "consent_on": ""}
        ).status_code
        == 302
    )
    public = Client().get(reverse("outcomes:partnership_outcomes", args=[personas.partnership_a.pk]))
    assert "I doubled my pay." in public.content.decode()
    assert "Private words." not in public.content.decode()
    listing = convener.get(reverse("outcomes:testimonial_list", args=[personas.partnership_a.pk]))
    assert "Private words." in listing.content.decode()
    assert "No: no consent to publish" in listing.content.decode()
    # Withdrawing consent takes it off the public page; the history keeps the change.
    maria = QuoteRecord.objects.get(attributed_to="Maria, machinist")
    edit = reverse("outcomes:testimonial_edit", args=[personas.partnership_a.pk, maria.pk])
    assert (
        convener.post(edit, {"quote": "I doubled my pay.", "attributed_to": "Maria, machinist"}).status_code
        == 302
    )
    public = Client().get(reverse("outcomes:partnership_outcomes", args=[personas.partnership_a.pk]))
    assert "I doubled my pay." not in public.content.decode()
    history = convener.get(
        reverse("outcomes:testimonial_history", args=[personas.partnership_a.pk, maria.pk])
    )
    assert "2025-05-02 → —" in history.content.decode()


# --- Late flags and the panel ---------------------------------------------------------------------------


def test_the_progress_list_flags_late_and_missing_reports(personas: Personas) -> None:
    on_time = _report(personas, 2024, 1)
    ProgressReport.objects.filter(pk=on_time.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=dt.datetime(2024, 4, 20, tzinfo=dt.UTC)
    )
    late = _report(personas, 2024, 2)
    ProgressReport.objects.filter(pk=late.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=dt.datetime(2024, 8, 2, tzinfo=dt.UTC)
    )
    overdue = _report(personas, 2024, 4)  # a draft, due 2025-01-30; Q3 2024 has no report at all
    assert (on_time.due_on, late.due_on, overdue.due_on) == (
        dt.date(2024, 4, 30),
        dt.date(2024, 7, 30),
        dt.date(2025, 1, 30),
    )
    page = _client(personas.convener_a).get(reverse("outcomes:report_list", args=[personas.partnership_a.pk]))
    text = page.content.decode()
    assert "Submitted 3 days late" in text
    overdue_days = (dt.date.today() - dt.date(2025, 1, 30)).days
    assert f"Overdue by {overdue_days} days" in text
    assert "No report yet for 2024 Q3 (due 2024-10-30)" in text
    assert text.count("sw-late") == 2
    # The partnership page's outcomes panel counts them (2 late + 1 missing) for the convener only.
    detail = reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    convener_view = _client(personas.convener_a).get(detail).content.decode()
    assert 'id="outcomes-panel-late">3 late' in convener_view
    viewer_view = _client(personas.viewer).get(detail).content.decode()
    assert "outcomes-panel-summary" in viewer_view
    assert "outcomes-panel-late" not in viewer_view


def test_report_history_shows_the_counts_and_indicator_values_changing(personas: Personas) -> None:
    indicator = CustomIndicator.objects.create(partnership=personas.partnership_a, name="Employers hiring")
    report = _report(personas, 2025, 1)
    services.progress_report_update(report=report, values={"workers_enrolled": 9})
    services.indicator_values_save(report=report, values={indicator.pk: Decimal("3")})
    services.indicator_values_save(report=report, values={indicator.pk: Decimal("4")})
    url = reverse("outcomes:report_history", args=[personas.partnership_a.pk, report.pk])
    text = _client(personas.convener_a).get(url).content.decode()
    assert "Workers enrolled: 5 → 9" in text
    assert "Indicator value: Employers hiring" in text
    assert "3.00 → 4.00" in text
