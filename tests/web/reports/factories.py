"""A small state for the report tests, built with the other apps' factories and services, so that the
report's figures can be checked against figures the tests compute from the records themselves.

Two partnerships in the demo state's counties (91xxx, whose shapes the demo stores in the warehouse):
- "Alder Machining" (started 2019, employers E1, E2 and a shared one), progress reports 2021 Q4 (before the
  report's year), 2023 Q1 (amended: revision 1 counts) and 2023 Q2, a planning award with a payment, 12
  participants before/after (shown), a verified and an unverified systems change, a consented and an
  unconsented testimonial;
- "Birch Health Careers" (started 2024, the shared employer and E3), a draft report (never counted), an
  award, 4 participants (too few: suppressed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sectorwise.core.roles import Role
from sectorwise.grants import services as grants_services
from sectorwise.grants.models import Award
from sectorwise.outcomes import services as outcome_services
from sectorwise.outcomes.models import OutcomeObservation, Participant, SystemsChange, Testimonial
from sectorwise.partnerships.models import MembershipRole, SectorPartnership, Stage
from tests.web.accounts.factories import UserFactory
from tests.web.directory.factories import EmployerFactory
from tests.web.grants.factories import complete_draft, grants_world
from tests.web.partnerships.factories import MembershipFactory, PartnershipFactory, RegionFactory

SINCE = 2022
ALDER_COUNTIES = ["91001", "91003"]
BIRCH_COUNTIES = ["91003", "91005"]


@dataclass
class ReportWorld:
    alder: SectorPartnership
    birch: SectorPartnership
    awards: list[Award]


def _participants(partnership: SectorPartnership, pattern: list[tuple[bool, bool]], offset: int) -> None:
    for index, (before, after) in enumerate(pattern):
        participant = Participant.objects.create(
            partnership=partnership,
            person_key=f"{offset + index:064x}",  # a hash's shape: the report never sees an identifier
            enrolled_on=dt.date(2023, 1, 10),
            exited_on=dt.date(2023, 6, 30),
        )
        for timing, employed, when in (
            ("baseline", before, dt.date(2023, 1, 10)),
            ("6_months", after, dt.date(2024, 1, 5)),
        ):
            OutcomeObservation.objects.create(
                participant=participant,
                timing=timing,
                observed_on=when,
                employed=employed,
                quarterly_earnings=Decimal("3000") + index * 100 if employed else None,
            )


def _report(partnership: SectorPartnership, year: int, quarter: int, user: Any, **counts: int) -> Any:
    values = {
        "workers_enrolled": counts.get("enrolled", 0),
        "workers_completed": counts.get("completed", 0),
        "workers_credentialed": counts.get("credentialed", 0),
        "workers_placed": counts.get("placed", 0),
    }
    report = outcome_services.progress_report_create(
        partnership=partnership, year=year, quarter=quarter, values=values
    )
    return report


def report_world(*, user: Any) -> ReportWorld:
    alder = PartnershipFactory(
        name="Alder Machining",
        region=RegionFactory(name="Alder zone", counties=ALDER_COUNTIES),
        target_naics=["3327", "3364"],
        stage=Stage.IMPLEMENTATION,
        exploring_since=dt.date(2019, 3, 1),
        planning_since=dt.date(2020, 1, 1),
        implementation_since=dt.date(2022, 6, 1),
    )
    birch = PartnershipFactory(
        name="Birch Health Careers",
        region=RegionFactory(name="Birch zone", counties=BIRCH_COUNTIES),
        target_naics=["6221"],
        stage=Stage.PLANNING,
        exploring_since=dt.date(2024, 2, 1),
        planning_since=dt.date(2024, 9, 1),
    )
    shared = EmployerFactory(name="Shared Mills", county_fips="91003")
    for employer in (EmployerFactory(name="E1", county_fips="91001"), EmployerFactory(name="E2"), shared):
        MembershipFactory(partnership=alder, organization=employer, role=MembershipRole.EMPLOYER_MEMBER)
    MembershipFactory(partnership=birch, organization=shared, role=MembershipRole.EMPLOYER_CHAMPION)
    MembershipFactory(
        partnership=birch,
        organization=EmployerFactory(name="E3", county_fips="91005"),
        role=MembershipRole.EMPLOYER_MEMBER,
    )

    old = _report(alder, 2021, 4, user, enrolled=50, completed=40, credentialed=30, placed=20)
    outcome_services.progress_report_submit(report=old, user=user)
    first = _report(alder, 2023, 1, user, enrolled=20, completed=15, credentialed=10, placed=8)
    outcome_services.progress_report_submit(report=first, user=user)
    amended = outcome_services.progress_report_amend(
        report=first,
        values={
            "workers_enrolled": 22,
            "workers_completed": 16,
            "workers_credentialed": 11,
            "workers_placed": 9,
        },
    )
    outcome_services.progress_report_submit(report=amended, user=user)
    second = _report(alder, 2023, 2, user, enrolled=5, completed=5, credentialed=5, placed=4)
    outcome_services.progress_report_submit(report=second, user=user)
    _report(birch, 2025, 1, user, enrolled=99, completed=0)  # a draft: never counted

    world = grants_world(source_amount=Decimal("300000.00"))
    applications = [
        complete_draft(
            grant_round=world.round,
            partnership=partnership,
            user=UserFactory(role=Role.CONVENER, organization=partnership.convener),
            amount=amount,
        )
        for partnership, amount in ((alder, Decimal("100000.00")), (birch, Decimal("60000.00")))
    ]
    for application in applications:
        grants_services.application_submit(application=application)
    grants_services.round_close(grant_round=world.round)
    awards = [
        grants_services.award_create(
            application=application,
            amount=amount,
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 9, 30),
        )
        for application, amount in zip(applications, (Decimal("90000.00"), Decimal("50000.00")), strict=True)
    ]
    grants_services.payment_record(award=awards[0], amount=Decimal("12500.00"), paid_on=dt.date(2026, 6, 1))

    # Alder: 12 people, employed 4 -> 9 (shown); Birch: 4 people (too few: suppressed).
    _participants(alder, [(index < 4, index < 9) for index in range(12)], offset=1)
    _participants(birch, [(False, True)] * 4, offset=100)

    verified = SystemsChange.objects.create(
        partnership=alder, kind="education_program", description="A CNC certificate at Alder College.",
        occurred_on=dt.date(2023, 9, 1),
    )  # fmt: skip
    outcome_services.systems_change_verify(change=verified, user=user)
    SystemsChange.objects.create(
        partnership=alder, kind="hr_practice", description="UNVERIFIED skills-based hiring.",
        occurred_on=dt.date(2024, 2, 1),
    )  # fmt: skip
    SystemsChange.objects.create(
        partnership=birch, kind="policy", description="OLD verified change.", occurred_on=dt.date(2020, 1, 1),
        verified_at=timezone.now(),
    )  # fmt: skip
    outcome_services.testimonial_save(
        testimonial=Testimonial(
            partnership=alder,
            quote="I run the five-axis machine now.",
            attributed_to="Dana, machinist",
            consent_to_publish=True,
            consent_on=dt.date(2024, 3, 1),
        )
    )
    outcome_services.testimonial_save(
        testimonial=Testimonial(partnership=birch, quote="SECRET quote, no consent.", attributed_to="Lee")
    )
    return ReportWorld(alder=alder, birch=birch, awards=awards)
