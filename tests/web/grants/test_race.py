"""Concurrent awards and payments against one funding source / one award: never overspent, the losers refused
with the service's reason (never an IntegrityError or a 5xx).

Run on PostgreSQL (each thread its own connection; the services lock rows with SELECT ... FOR UPDATE). On
SQLite the test database is an in-memory database shared between threads, and SQLite serialises writers
(BEGIN IMMEDIATE) anyway, so the race cannot happen there: skipped with that reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from sectorwise.grants import services
from sectorwise.grants.models import Application, Award, AwardFunding, FundingSource, Payment
from tests.web.factories import PartnershipFactory, UserFactory
from tests.web.grants.factories import grants_world, submitted_in_review
from tests.web.race import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY

D = Decimal
THREADS = 6


def _applications(count: int) -> tuple[Any, list[Application]]:
    world = grants_world(source_amount=D("250000.00"))
    applications = []
    for _ in range(count):
        partnership = PartnershipFactory()
        convener = UserFactory(role="convener", organization=partnership.convener)
        applications.append(
            submitted_in_review(grant_round=world.round, partnership=partnership, user=convener)
        )
    services.round_close(grant_round=world.round)
    return world, [Application.objects.get(pk=a.pk) for a in applications]


def test_concurrent_awards_never_commit_more_than_the_source() -> None:
    world, applications = _applications(THREADS)
    # 250,000 in the source: two awards of 100,000 fit, the other four must be refused.
    work = [
        (
            lambda a=application: services.award_create(
                application=a,
                amount=D("100000.00"),
                starts_on=dt.date(2026, 4, 1),
                ends_on=dt.date(2026, 9, 30),
            )
        )
        for application in applications
    ]
    results, errors = race(work)
    source = FundingSource.objects.get(pk=world.source.pk)
    assert len(results) == 2 and Award.objects.count() == 2
    assert source.committed == D("200000.00") <= source.amount
    assert sum(f.amount for f in AwardFunding.objects.all()) == source.committed
    assert len(errors) == THREADS - 2
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert all("short" in error.message_dict["amount"][0] for error in errors)  # type: ignore[attr-defined]


def test_concurrent_payments_never_exceed_the_award() -> None:
    world, (application,) = _applications(1)
    award = services.award_create(
        application=application,
        amount=D("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    # Six payments of 30,000 against 100,000: three fit.
    work = [
        (lambda: services.payment_record(award=award, amount=D("30000.00"), paid_on=dt.date(2026, 5, 1)))
        for _ in range(THREADS)
    ]
    results, errors = race(work)
    award.refresh_from_db()
    source = FundingSource.objects.get(pk=world.source.pk)
    assert len(results) == 3 and Payment.objects.count() == 3
    assert award.paid == source.paid == D("90000.00")
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert len(errors) == THREADS - 3


def test_concurrent_payment_requests_through_the_api_never_overspend_and_answer_4xx() -> None:
    """Many conveners' clients POST payment requests at once: those that fit get 201, the rest 422 naming
    the amount (never a 5xx); the award's and the source's held amounts match the accepted requests."""
    from django.test import Client

    from sectorwise.grants.models import PaymentRequest

    world, (application,) = _applications(1)
    award = services.award_create(
        application=application,
        amount=D("100000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    convener = UserFactory(role="convener", organization=application.partnership.convener)
    body = '{"amount": "30000.00", "lines": [{"category": "personnel", "amount": "30000.00"}]}'

    signed_in = Client()
    signed_in.force_login(convener)  # once: the threads share the session (a login saves the user)

    def post() -> Any:
        client = Client()
        client.cookies = signed_in.cookies
        return client.post(f"/api/grants/awards/{award.pk}/payments", body, content_type="application/json")

    results, errors = race([post for _ in range(THREADS)])
    assert not errors, errors
    statuses = sorted(response.status_code for response in results)
    assert statuses == [201] * 3 + [422] * (THREADS - 3), [r.content for r in results]
    refused = [r.json() for r in results if r.status_code == 422]
    assert all(list(answer["fields"]) == ["amount"] for answer in refused), refused
    award.refresh_from_db()
    source = FundingSource.objects.get(pk=world.source.pk)
    assert PaymentRequest.objects.count() == 3
    assert award.requested == source.requested == D("90000.00")
