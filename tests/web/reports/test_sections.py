"""The report's sections from the capacity, planning and surveys apps: technical assistance hours, event
attendance, money raised beyond state grants beside the state's, and employer survey results (suppressed under
the minimum), each equal to figures computed here from the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from statsmodels.stats.proportion import proportion_confint

from sectorwise.capacity import services as capacity_services
from sectorwise.planning import services as planning_services
from sectorwise.reports.legislative import SUPPRESSED, legislative_report
from sectorwise.reports.render import report_html
from sectorwise.surveys import services as survey_services
from sectorwise.surveys.instrument import Satisfaction
from sectorwise.surveys.services import Answers
from tests.web.accounts.factories import UserFactory
from tests.web.capacity.factories import make_event, move_back
from tests.web.surveys.factories import survey_world

pytestmark = pytest.mark.django_db


def _answer(invitation: object, satisfaction: int) -> None:
    survey_services.response_submit(
        invitation=invitation,  # type: ignore[arg-type]  # an Invitation from the factory
        answers=Answers(
            standard={"collaboration_value": satisfaction}, hard_to_fill=[], skill_gaps=[], custom={}
        ),
    )


def test_capacity_sustainability_and_survey_sections_equal_the_records() -> None:
    staff = UserFactory(role="state_staff")
    since = (timezone.localdate() - dt.timedelta(days=30)).year
    shown = survey_world(employers=11)
    for index, invitation in enumerate(shown.invitations):
        _answer(invitation, Satisfaction.SATISFIED if index < 9 else Satisfaction.DISSATISFIED)
    few = survey_world(employers=3)
    for invitation in few.invitations:
        _answer(invitation, Satisfaction.VERY_SATISFIED)
    partnership = shown.partnership

    capacity_services.ta_engagement_create(
        title="Employer engagement coaching",
        topic="employer_engagement",
        partnerships=[partnership, few.partnership],
        starts_on=timezone.localdate(),
        hours=Decimal("12.5"),
        provider_user=staff,
    )
    event = make_event(capacity=5)
    came = capacity_services.event_register(event=event, name="Ada", email="ada@example.org")
    capacity_services.event_register(event=event, name="Bo", email="bo@example.org")
    event = move_back(event, days_ago=1)
    capacity_services.attendance_record(event=event, attended_ids=[came.pk])
    planning_services.sustainability_funding_create(
        partnership=partnership,
        values={
            "source_name": "Employer dues",
            "kind": "employer_dues",
            "amount": Decimal("25000.00"),
            "period_start": dt.date(since, 1, 1),
            "period_end": dt.date(since, 12, 31),
        },
    )

    report = legislative_report(since=since)

    ta = {row[0]: row[1:] for row in report.table("Technical assistance").rows}
    assert ta == {partnership.name: (1, Decimal("12.50")), few.partnership.name: (1, Decimal("12.50"))}
    assert report.figure("Technical assistance hours").value == Decimal("12.50")  # counted once
    events = {row[0]: row[1:] for row in report.table("Events").rows}
    assert events["Workshop"] == (1, 2, 1)
    assert report.figure("Event attendees").value == 1

    assert [row[:2] for row in report.table("Sustainability").rows] == [
        (partnership.name, Decimal("25000.00"))
    ]
    assert report.figure("Dollars raised beyond state grants").value == Decimal("25000.00")

    surveys = {row[0]: row for row in report.table("Employer surveys").rows}
    assert surveys[partnership.name][4:] == (11, 11, 100.0)
    assert surveys[few.partnership.name][4:] == (3, SUPPRESSED, SUPPRESSED)
    results = report.table("Survey results")
    collaboration = next(
        row for row in results.rows if row[0] == partnership.name and row[2].startswith("satisfied")
    )
    low, high = proportion_confint(9, 11, method="wilson")
    assert collaboration[3:] == (11, round(9 / 11 * 100, 1), round(low * 100, 1), round(high * 100, 1))
    hidden = [row for row in results.rows if row[0] == few.partnership.name]
    assert hidden and all(cell == SUPPRESSED for row in hidden for cell in row[3:])
    for key in ("capacity", "sustainability", "surveys"):
        assert not report.section(key).status
    assert "Employer surveys" in report_html(report)
