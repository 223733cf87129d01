"""Due dates of progress reports: the default rule (30 days after the quarter), the award schedule through
the grants seam (``schedule.award_due_dates``), late and missing quarters."""

from __future__ import annotations

import datetime as dt
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


def test_the_seam_finds_the_grants_selector_by_name() -> None:
    from sectorwise.grants import selectors as grants_selectors

    found = schedule._schedule_selector()
    assert found is getattr(grants_selectors, schedule.AWARD_SCHEDULE_SELECTOR, None)
