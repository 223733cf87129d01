"""Due dates of progress reports: the default rule (30 days after the quarter), the award schedule through
the grants seam (``schedule.award_due_dates``), late and missing quarters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from sectorwise.outcomes import schedule, services
from sectorwise.outcomes.models import ProgressReport, ReportStatus
from sectorwise.outcomes.record_selectors import report_flags
from tests.web.personas import Personas


@pytest.mark.parametrize(
    ("year", "quarter", "due"),
    [
        (2025, 1, dt.date(2025, 4, 30)),
        (2025, 2, dt.date(2025, 7, 30)),
        (2025, 3, dt.date(2025, 10, 30)),
        (2024, 4, dt.date(2025, 1, 30)),
    ],
)
def test_the_default_due_date_is_30_days_after_the_quarter(year: int, quarter: int, due: dt.date) -> None:
    assert schedule.default_due_on(year, quarter) == due


def test_a_scheduled_date_wins_over_the_default_and_names_its_quarter() -> None:
    dates = [dt.date(2025, 5, 15), dt.date(2025, 8, 14)]
    assert schedule.due_on_from(dates, 2025, 1) == dt.date(2025, 5, 15)
    assert schedule.due_on_from(dates, 2025, 2) == dt.date(2025, 8, 14)
    assert schedule.due_on_from(dates, 2025, 3) == dt.date(2025, 10, 30)  # past the schedule: default
    assert schedule.quarter_before(dt.date(2025, 5, 15)) == (2025, 1)
    assert schedule.quarter_before(dt.date(2025, 1, 30)) == (2024, 4)


@pytest.mark.django_db
def test_reports_take_their_due_date_from_the_award_schedule_when_there_is_one(
    personas: Personas, monkeypatch: Any
) -> None:
    dates = [dt.date(2025, 5, 15), dt.date(2025, 8, 14), dt.date(2025, 11, 14)]
    monkeypatch.setattr(
        schedule,
        "award_due_dates",
        lambda *, partnership_id: dates if partnership_id == personas.partnership_a.pk else [],
    )
    q1 = services.progress_report_create(partnership=personas.partnership_a, year=2025, quarter=1, values={})
    other = services.progress_report_create(
        partnership=personas.partnership_b, year=2025, quarter=1, values={}
    )
    assert q1.due_on == dt.date(2025, 5, 15)
    assert other.due_on == dt.date(2025, 4, 30)  # no award: the default rule
    ProgressReport.objects.filter(pk=q1.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=dt.datetime(2025, 5, 20, 12, tzinfo=dt.UTC)
    )
    reports = list(ProgressReport.objects.filter(partnership=personas.partnership_a))
    flags = report_flags(partnership=personas.partnership_a, reports=reports, today=dt.date(2025, 9, 1))
    assert flags.late == {q1.pk: "Submitted 5 days late"}
    assert flags.missing == [(2025, 2, dt.date(2025, 8, 14))]  # Q3's date has not come yet


@pytest.mark.django_db
def test_an_award_makes_its_scheduled_quarters_due_even_before_any_report(personas: Personas) -> None:
    """Through grants for real: an award for April-September 2026 schedules Q2 and Q3 2026 (grants'
    ``award_report_due_dates``); once their dates pass, the quarters without a report are missing."""
    from sectorwise.grants import services as grants_services
    from tests.web.grants.factories import grants_world, submitted_in_review

    world = grants_world()
    application = submitted_in_review(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    grants_services.round_close(grant_round=world.round)
    application.refresh_from_db()
    grants_services.award_create(
        application=application,
        amount=Decimal("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    assert schedule.award_due_dates(partnership_id=personas.partnership_a.pk) == [
        dt.date(2026, 7, 30),
        dt.date(2026, 10, 30),
    ]
    flags = report_flags(partnership=personas.partnership_a, reports=[], today=dt.date(2026, 11, 15))
    assert flags.missing == [(2026, 2, dt.date(2026, 7, 30)), (2026, 3, dt.date(2026, 10, 30))]
    # Without an award a partnership need not report: nothing is missing.
    assert (
        report_flags(partnership=personas.partnership_b, reports=[], today=dt.date(2026, 11, 15)).missing
        == []
    )
