"""The grants API: what each caller sees, scores by assigned reviewers only, an award's split and balances,
and payment requests that never overspend (pending ones held against the balance until declined)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sectorwise.grants import services
from sectorwise.grants.models import Award, Criterion, FundingSource, PaymentRequest, PaymentRequestState
from tests.web.factories import PartnershipFactory, UserFactory
from tests.web.grants.factories import grants_world, submitted_in_review
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _cycle(p: Personas) -> dict[str, Any]:
    """B's application in review assigned to the reviewer; A's a draft; B awarded $90,000 on demand."""
    world = grants_world()
    draft = services.application_create(
        grant_round=world.round, partnership=p.partnership_a, user=p.convener_a
    )
    submitted = submitted_in_review(grant_round=world.round, partnership=p.partnership_b, user=p.convener_b)
    services.round_close(grant_round=world.round)
    services.review_assign(application=submitted, reviewers=[p.reviewer])
    criteria = list(Criterion.objects.filter(round=world.round))
    return {"world": world, "draft": draft, "submitted": submitted, "criteria": criteria}


def _award(application: Any, amount: str = "90000.00") -> Award:
    return services.award_create(
        application=application, amount=D(amount), starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2026, 9, 30)
    )


def test_application_lists_show_only_what_the_caller_may_see(personas: Personas) -> None:
    c = _cycle(personas)
    ids = {
        name: [
            row["id"]
            for row in _client(getattr(personas, name)).get("/api/grants/applications").json()["items"]
        ]
        for name in ("staff", "convener_a", "convener_b", "reviewer")
    }
    assert sorted(ids["staff"]) == sorted([c["draft"].pk, c["submitted"].pk])
    assert ids["convener_a"] == [c["draft"].pk]
    assert ids["convener_b"] == ids["reviewer"] == [c["submitted"].pk]


def test_a_reviewer_scores_through_the_api_and_sees_only_its_own_scores(personas: Personas) -> None:
    c = _cycle(personas)
    other = UserFactory(role="reviewer")
    services.review_assign(application=c["submitted"], reviewers=[other])
    url = f"/api/grants/applications/{c['submitted'].pk}/scores"
    first = c["criteria"][0]
    response = _post(
        _client(personas.reviewer), url, {"criterion_id": first.pk, "score": 4, "comment": "Good"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 4
    _post(_client(other), url, {"criterion_id": first.pk, "score": 1})
    detail = _client(personas.reviewer).get(f"/api/grants/applications/{c['submitted'].pk}").json()
    assert [(s["reviewer"], s["score"]) for s in detail["scores"]] == [(personas.reviewer.username, 4)]
    assert detail["sections"]["summary"] == "Plan the partnership's first year."
    assert {line["category"] for line in detail["budget_lines"]} == {"personnel", "travel"}
    staff_view = _client(personas.staff).get(f"/api/grants/applications/{c['submitted'].pk}").json()
    assert sorted(s["score"] for s in staff_view["scores"]) == [1, 4]
    convener_view = _client(personas.convener_b).get(f"/api/grants/applications/{c['submitted'].pk}").json()
    assert convener_view["scores"] == []


def test_scores_refused_403_for_unassigned_conflicted_and_missing_422_for_bad_values(
    personas: Personas,
) -> None:
    c = _cycle(personas)
    url = f"/api/grants/applications/{c['submitted'].pk}/scores"
    criterion = c["criteria"][0]
    stranger = UserFactory(role="reviewer")
    assert _post(_client(stranger), url, {"criterion_id": criterion.pk, "score": 3}).status_code == 403
    missing = _post(
        _client(stranger), "/api/grants/applications/999999/scores", {"criterion_id": 1, "score": 3}
    )
    assert missing.status_code == 403
    reviewer = _client(personas.reviewer)
    too_high = _post(reviewer, url, {"criterion_id": criterion.pk, "score": criterion.max_score + 1})
    assert too_high.status_code == 422 and list(too_high.json()["fields"]) == ["score"]
    not_a_number = _post(reviewer, url, {"criterion_id": criterion.pk, "score": "lots"})
    assert not_a_number.status_code == 422 and "score" in not_a_number.json()["fields"]
    elsewhere = grants_world(name="Education FY26")
    foreign = Criterion.objects.filter(round=elsewhere.round).first()
    assert foreign is not None
    wrong = _post(reviewer, url, {"criterion_id": foreign.pk, "score": 3})
    assert wrong.status_code == 422 and list(wrong.json()["fields"]) == ["criterion_id"]
    services.conflict_declare(
        reviewer=personas.reviewer, partnership=personas.partnership_b, reason="Former employer"
    )
    assert _post(reviewer, url, {"criterion_id": criterion.pk, "score": 3}).status_code == 403


def test_missing_ids_answer_404_to_staff_and_403_to_others(personas: Personas) -> None:
    _cycle(personas)
    assert _client(personas.staff).get("/api/grants/applications/999999").status_code == 404
    assert _client(personas.reviewer).get("/api/grants/applications/999999").status_code == 403
    assert _client(personas.staff).get("/api/grants/awards/999999").status_code == 404
    assert _client(personas.convener_a).get("/api/grants/awards/999999").status_code == 403


def test_award_detail_gives_the_split_budget_lines_paid_and_remaining(personas: Personas) -> None:
    c = _cycle(personas)
    second = services.funding_source_create(
        name="Education FY26",
        system="education",
        fiscal_year=2026,
        amount=D("500000.00"),
        allowed_cost_categories=["travel"],
    )
    services.program_contribute(program=c["world"].program, source=second, amount=D("500000.00"))
    award = _award(c["submitted"], "100000.00")
    request = services.payment_request_create(
        award=award, amount=D("1250.00"), lines=[("travel", D("1250.00"))]
    )
    services.payment_request_approve(request=request)
    services.payment_request_pay(request=request, paid_on=dt.date(2026, 5, 1))
    body = _client(personas.convener_b).get(f"/api/grants/awards/{award.pk}").json()
    # The budget: personnel $90,000 and travel $10,000. Fewest sources: one source can carry it all.
    assert D(body["amount"]) == D("100000.00")
    assert sum(D(share["amount"]) for share in body["split"]) == D("100000.00")
    assert D(body["paid"]) == D("1250.00") and D(body["remaining"]) == D("98750.00")
    assert sum(D(share["paid"]) for share in body["split"]) == D("1250.00")
    assert [(line["category"], D(line["amount"])) for line in body["budget_lines"]] == [
        ("personnel", D("90000.00")),
        ("travel", D("10000.00")),
    ]
    assert body["payment_requests"][0]["state"] == "paid"
    # Quarterly reports: Q2 and Q3 2026, each due 30 days after its quarter ends.
    assert body["report_due_dates"] == ["2026-07-30", "2026-10-30"]


def test_payment_requests_hold_the_balance_until_declined(personas: Personas) -> None:
    c = _cycle(personas)
    award = _award(c["submitted"])
    client = _client(personas.convener_b)
    url = f"/api/grants/awards/{award.pk}/payments"
    first = _post(
        client, url, {"amount": "60000.00", "lines": [{"category": "personnel", "amount": "60000.00"}]}
    )
    assert first.status_code == 201, first.content
    assert first.json()["state"] == "pending"
    over = _post(
        client, url, {"amount": "40000.00", "lines": [{"category": "personnel", "amount": "40000.00"}]}
    )
    assert over.status_code == 422
    assert list(over.json()["fields"]) == ["amount"]
    assert "available $30,000.00" in over.json()["fields"]["amount"][0]
    source = FundingSource.objects.get(pk=c["world"].source.pk)
    assert source.requested == D("60000.00")
    services.payment_request_decline(
        request=PaymentRequest.objects.get(pk=first.json()["id"]), reason="Receipts missing"
    )
    again = _post(
        client, url, {"amount": "40000.00", "lines": [{"category": "personnel", "amount": "40000.00"}]}
    )
    assert again.status_code == 201
    award.refresh_from_db()
    source.refresh_from_db()
    assert award.requested == source.requested == D("40000.00")
    assert PaymentRequest.objects.filter(state=PaymentRequestState.DECLINED).count() == 1


def test_payment_lines_must_add_up_and_name_known_categories(personas: Personas) -> None:
    c = _cycle(personas)
    award = _award(c["submitted"])
    client = _client(personas.staff)
    url = f"/api/grants/awards/{award.pk}/payments"
    short = _post(client, url, {"amount": "100.00", "lines": [{"category": "travel", "amount": "99.00"}]})
    assert short.status_code == 422 and list(short.json()["fields"]) == ["lines"]
    unknown = _post(client, url, {"amount": "100.00", "lines": [{"category": "yachts", "amount": "100.00"}]})
    assert unknown.status_code == 422 and "lines" in unknown.json()["fields"]
    negative = _post(client, url, {"amount": "-5", "lines": [{"category": "travel", "amount": "-5"}]})
    assert negative.status_code == 422 and "amount" in negative.json()["fields"]
    other = grants_world(name="Economic development FY26")
    partnership = PartnershipFactory()
    convener = UserFactory(role="convener", organization=partnership.convener)
    application = submitted_in_review(grant_round=other.round, partnership=partnership, user=convener)
    services.round_close(grant_round=other.round)
    closed = _award(application, "50000.00")
    services.award_close(award=closed)
    refused = _post(
        client,
        f"/api/grants/awards/{closed.pk}/payments",
        {"amount": "100.00", "lines": [{"category": "travel", "amount": "100.00"}]},
    )
    assert refused.status_code == 422 and list(refused.json()["fields"]) == ["award"]


def test_staff_decide_payment_requests_through_the_api(personas: Personas) -> None:
    c = _cycle(personas)
    award = _award(c["submitted"])
    request = services.payment_request_create(
        award=award, amount=D("1000.00"), lines=[("personnel", D("1000.00"))], user=personas.convener_b
    )
    staff = _client(personas.staff)
    url = f"/api/grants/payment-requests/{request.pk}/decision"
    assert _post(_client(personas.convener_b), url, {"decision": "approve"}).status_code == 403
    paid_early = _post(staff, url, {"decision": "pay"})
    assert paid_early.status_code == 422 and list(paid_early.json()["fields"]) == ["state"]
    assert _post(staff, url, {"decision": "approve"}).json()["state"] == "approved"
    paid = _post(staff, url, {"decision": "pay", "paid_on": "2026-05-01"})
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    award.refresh_from_db()
    assert (award.paid, award.requested) == (D("1000.00"), D("0.00"))
    assert _post(staff, url, {"decision": "shred"}).status_code == 422
    assert (
        _post(staff, "/api/grants/payment-requests/999999/decision", {"decision": "approve"}).status_code
        == 404
    )
