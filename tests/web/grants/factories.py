"""A grants world built through the services (so the tests see what the pages and API would make)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sectorwise.grants import services
from sectorwise.grants.models import Application, FundingSource, GrantProgram, Round
from sectorwise.grants.services import BudgetLineInput
from sectorwise.partnerships.models import SectorPartnership

OPENS = dt.date(2026, 1, 5)
CLOSES = dt.date(2026, 2, 27)


@dataclass
class GrantsWorld:
    source: FundingSource
    program: GrantProgram
    round: Round


def grants_world(
    *, source_amount: Decimal = Decimal("300000.00"), kind: str = "planning", name: str = "Workforce FY26"
) -> GrantsWorld:
    source = services.funding_source_create(
        name=name, system="workforce", fiscal_year=2026, amount=source_amount
    )
    program = services.program_create(name=f"{kind.title()} grants ({name})", kind=kind)
    services.program_contribute(program=program, source=source, amount=source_amount)
    grant_round = services.round_create(program=program, name="Round 1", opens_on=OPENS, closes_on=CLOSES)
    services.round_open(grant_round=grant_round)
    return GrantsWorld(source=source, program=program, round=grant_round)


def complete_draft(
    *, grant_round: Round, partnership: SectorPartnership, user: Any, amount: Decimal = Decimal("100000.00")
) -> Application:
    application = services.application_create(grant_round=grant_round, partnership=partnership, user=user)
    return services.application_save_draft(
        application=application,
        title=f"{partnership.name} plan",
        requested_amount=amount,
        duration_months=6,
        summary="Plan the partnership's first year.",
        industry_assessment="Aerospace parts: LQ 1.8, 1,200 jobs (QCEW 2025).",
        employer_engagement="Three employers co-chair.",
        plan="Monthly meetings; a skills survey.",
        outcomes="A shared curriculum.",
        sustainability="Employer dues from year two.",
        budget_lines=[
            BudgetLineInput("personnel", amount - Decimal("10000.00"), Decimal("5000.00"), "Board"),
            BudgetLineInput("travel", Decimal("10000.00")),
        ],
    )


def submitted_in_review(
    *, grant_round: Round, partnership: SectorPartnership, user: Any, amount: Decimal = Decimal("100000.00")
) -> Application:
    """A complete application, submitted (its round open)."""
    application = complete_draft(grant_round=grant_round, partnership=partnership, user=user, amount=amount)
    services.application_submit(application=application)
    return application
