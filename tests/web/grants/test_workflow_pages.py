"""The workflow pages: batch assignment, the recommendation on the round page, a convener's payment
request, staff approving and paying it, closeout, and the public awards page (nothing but its five facts)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.core.roles import Role
from sectorwise.grants import services
from sectorwise.grants.models import (
    Application,
    Award,
    Criterion,
    PaymentRequest,
    PaymentRequestState,
    Review,
)
from tests.web.factories import UserFactory
from tests.web.grants.factories import grants_world, submitted_in_review
from tests.web.grants.permission_matrix import _world
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_batch_assignment_page_assigns_and_names_the_conflict(personas: Personas) -> None:
    world = grants_world(name="Education FY26")
    application = submitted_in_review(
        grant_round=world.round, partnership=personas.partnership_b, user=personas.convener_b
    )
    services.round_close(grant_round=world.round)
    member = UserFactory(role=Role.REVIEWER, organization=personas.board_b)  # convenes B: conflicted
    other = UserFactory(role=Role.REVIEWER)
    response = _client(personas.staff).post(
        reverse("grants:round_assign", kwargs={"pk": world.round.pk}),
        {"applications": [application.pk], "reviewers": [member.pk, other.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Not assigned:" in page and "conflicted" in page
    reviewers = set(Review.objects.filter(application=application).values_list("reviewer_id", flat=True))
    assert reviewers == {other.pk}


def test_round_page_shows_rank_spread_and_the_recommendation(personas: Personas) -> None:
    world = _world(personas)
    page = _client(personas.staff).get(reverse("grants:round_detail", kwargs={"pk": world["round"]}))
    text = page.content.decode()
    assert "Funding recommendation" in text and "Spread" in text
    assert "more than 25 points apart" in text


def test_a_convener_requests_a_payment_and_staff_approve_and_pay_it(personas: Personas) -> None:
    world = _world(personas)
    url = reverse("grants:payment_request_create", kwargs={"pk": world["award"]})
    convener = _client(personas.convener_b)
    too_much = convener.post(url, {"category_1": "personnel", "amount_1": "95000.00", "note": "Salaries"})
    assert too_much.status_code == 200
    assert "available $89,500.00" in too_much.content.decode()  # $90,000 less the matrix world's $500
    assert (
        convener.post(
            url,
            {"category_1": "personnel", "amount_1": "1000.00", "category_2": "travel", "amount_2": "250.50"},
        ).status_code
        == 302
    )
    request = PaymentRequest.objects.latest("pk")
    assert request.amount == Decimal("1250.50") and request.state == PaymentRequestState.PENDING
    staff = _client(personas.staff)
    decide = reverse("grants:payment_request_decide", kwargs={"pk": request.pk})
    staff.post(decide, {"decision": "approve"})
    staff.post(decide, {"decision": "pay"})
    request.refresh_from_db()
    award = Award.objects.get(pk=world["award"])
    assert request.state == PaymentRequestState.PAID
    assert (award.paid, award.requested) == (Decimal("1250.50"), Decimal("500.00"))
    closing = staff.post(reverse("grants:award_close", kwargs={"pk": award.pk}), follow=True)
    assert "await a decision" in closing.content.decode()
    staff.post(
        reverse("grants:payment_request_decide", kwargs={"pk": world["request"]}),
        {"decision": "decline", "reason": "No receipts"},
    )
    staff.post(reverse("grants:award_close", kwargs={"pk": award.pk}))
    award.refresh_from_db()
    assert award.state == "closed" and award.returned == Decimal("88749.50")


def test_the_public_page_shows_only_partnership_region_industry_amount_and_period(personas: Personas) -> None:
    _world(personas)
    page = Client().get(reverse("grants:public_awards")).content.decode()
    assert personas.partnership_b.name in page and "$90,000.00" in page
    assert "Workforce FY26" not in page  # the funding source is not among the five facts
    assert "Plan the partnership" not in page  # nor the narrative


def test_score_and_payment_exports_carry_the_records(personas: Personas) -> None:
    import csv
    import io

    world = _world(personas)
    criterion = Criterion.objects.filter(round_id=world["round"]).order_by("pk").first()
    assert criterion is not None
    services.score_record(
        application=Application.objects.get(pk=world["submitted"]),
        reviewer=personas.reviewer,
        criterion=criterion,
        score=4,
        comment="Strong evidence",
    )
    response = _client(personas.staff).get(reverse("grants:score_export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[1][3:] == ["reviewer", "assigned", criterion.name, "2.00", "4", "5", "Strong evidence"]
    response = _client(personas.convener_b).get(reverse("grants:payment_export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert [row[3:6] for row in rows[1:]] == [["500.00", "pending", "personnel: 500.00"]]
    response = _client(personas.convener_a).get(reverse("grants:payment_export", kwargs={"fmt": "csv"}))
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) == 1  # type: ignore[attr-defined]
