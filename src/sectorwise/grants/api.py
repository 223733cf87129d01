"""API routes of the grants app (mounted under /api/ by ``sectorwise.web.api``); the pages' rules.

Refusals: a caller who may never do an action gets 401/403 before any record is looked up; a caller who may
do it to some records but not this one gets 403 whether the id exists or not (state staff and viewers, who
see every record, get 404 for a missing one), so outside callers learn nothing of which ids exist. A
service's ``ValidationError`` propagates to ``sectorwise.core.api``: 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from sectorwise.core.api import CappedLimitOffsetPagination
from sectorwise.core.permissions import user_can, user_may_ever
from sectorwise.core.roles import Role
from sectorwise.core.rules import user_role
from sectorwise.grants import selectors, services
from sectorwise.grants.models import (
    Application,
    ApplicationState,
    Award,
    AwardState,
    CostCategory,
    Criterion,
    GrantKind,
    PaymentRequest,
    PaymentRequestState,
    RoundState,
)
from sectorwise.grants.rules import GrantsAction

#: The services' names for fields that the API's bodies call otherwise.
SERVICE_FIELD_NAMES: dict[str, str] = {}

router = Router(tags=["grants"])

Money = Field(..., gt=0, max_digits=14, decimal_places=2)


class RoundOut(Schema):
    id: int
    name: str
    state: RoundState
    opens_on: dt.date
    closes_on: dt.date


class ProgramOut(Schema):
    id: int
    name: str
    kind: GrantKind
    min_amount: Decimal
    max_amount: Decimal
    min_months: int
    max_months: int
    rounds: list[RoundOut]


class ApplicationOut(Schema):
    id: int
    round_id: int
    round: str = Field(..., alias="round.name")
    program: str = Field(..., alias="round.program.name")
    partnership_id: int
    partnership: str = Field(..., alias="partnership.name")
    title: str
    state: ApplicationState
    requested_amount: Decimal | None
    duration_months: int | None
    submitted_at: dt.datetime | None


class BudgetLineOut(Schema):
    category: CostCategory
    description: str
    amount: Decimal
    match_amount: Decimal
    match_source: str


class CriterionOut(Schema):
    id: int
    name: str
    guidance: str
    weight: Decimal
    max_score: int


class ScoreOut(Schema):
    id: int
    criterion_id: int
    score: int
    comment: str
    reviewer: str


class ApplicationDetailOut(ApplicationOut):
    sections: dict[str, str]
    budget_lines: list[BudgetLineOut]
    criteria: list[CriterionOut]
    scores: list[ScoreOut]
    """Staff: every score; a reviewer: its own until the round's review closes; a convener: none."""


class ScoreIn(Schema):
    criterion_id: int
    score: int
    comment: str = ""


class ShareOut(Schema):
    source_id: int
    source: str
    amount: Decimal
    paid: Decimal
    requested: Decimal
    explanation: str


class RequestLineOut(Schema):
    category: CostCategory
    description: str
    amount: Decimal


class PaymentRequestOut(Schema):
    id: int
    award_id: int
    amount: Decimal
    state: PaymentRequestState
    note: str
    lines: list[RequestLineOut]
    created_at: dt.datetime


class AwardOut(Schema):
    id: int
    application_id: int
    partnership: str = Field(..., alias="application.partnership.name")
    program: str = Field(..., alias="application.round.program.name")
    amount: Decimal
    paid: Decimal
    requested: Decimal
    remaining: Decimal
    available: Decimal
    starts_on: dt.date
    ends_on: dt.date
    state: AwardState


class AwardDetailOut(AwardOut):
    conditions: str
    split: list[ShareOut]
    budget_lines: list[BudgetLineOut]
    payment_requests: list[PaymentRequestOut]
    report_due_dates: list[dt.date]


class PaymentLineIn(Schema):
    category: CostCategory
    amount: Decimal = Money


class PaymentIn(Schema):
    amount: Decimal = Money
    lines: list[PaymentLineIn] = Field(..., min_length=1)
    note: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def _require(request: HttpRequest, action: str, obj: Any = None) -> None:
    if not user_can(user=request.user, action=action, obj=obj):
        raise HttpError(403, "You may not do this.")


def _require_ever(request: HttpRequest, action: str) -> None:
    if not user_may_ever(user=request.user, action=action):
        raise HttpError(403, "You may not do this.")


def _not_found_or_forbidden(request: HttpRequest, *, sees_all: bool) -> HttpError:
    return HttpError(404, "Not found.") if sees_all else HttpError(403, "You may not do this.")


def _application_out(application: Application) -> dict[str, Any]:
    return ApplicationOut.from_orm(application).dict(by_alias=True)


def _request_out(request: PaymentRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "award_id": request.award_id,
        "amount": request.amount,
        "state": request.state,
        "note": request.note,
        "lines": [
            {"category": line.category, "description": line.description, "amount": line.amount}
            for line in request.lines.all()
        ],
        "created_at": request.created_at,
    }


def _award_out(award: Award) -> dict[str, Any]:
    return AwardOut.from_orm(award).dict(by_alias=True)


@router.get("/grants/programs", response=list[ProgramOut], url_name="grants_program_list")
@paginate(CappedLimitOffsetPagination)
def program_list(request: HttpRequest) -> Any:
    """Programs with their limits and the rounds the caller may see."""
    _require(request, GrantsAction.VIEW_ROUNDS)
    return selectors.program_list(user=request.user)


@router.get("/grants/applications", response=list[ApplicationOut], url_name="grants_application_list")
@paginate(CappedLimitOffsetPagination)
def application_list(request: HttpRequest) -> Any:
    """Only what the caller may see: staff all, conveners their partnerships', reviewers their assignments."""
    _require_ever(request, GrantsAction.VIEW_APPLICATION)
    return selectors.application_list(user=request.user)


@router.get(
    "/grants/applications/{int:application_id}",
    response=ApplicationDetailOut,
    url_name="grants_application_detail",
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    _require_ever(request, GrantsAction.VIEW_APPLICATION)
    application = selectors.application_visible(user=request.user, pk=application_id)
    if application is None:
        sees_all = user_can(user=request.user, action=GrantsAction.MANAGE_FUNDING)
        raise _not_found_or_forbidden(request, sees_all=sees_all)
    out = _application_out(application)
    out["sections"] = selectors.application_sections(application=application)
    out["budget_lines"] = list(application.budget_lines.all())
    out["criteria"] = list(Criterion.objects.filter(round_id=application.round_id))
    may_score_or_manage = (
        user_can(user=request.user, action=GrantsAction.MANAGE_FUNDING)
        or selectors.review_of(application=application, reviewer=request.user) is not None
    )
    # Staff see every score; a reviewer its own until the round's review closes; conveners none.
    scores = (
        selectors.scores_visible_to(user=request.user, application=application) if may_score_or_manage else []
    )
    out["scores"] = [
        {
            "id": score.pk,
            "criterion_id": score.criterion_id,
            "score": score.score,
            "comment": score.comment,
            "reviewer": score.review.reviewer.get_username(),
        }
        for score in scores
    ]
    return out


@router.post(
    "/grants/applications/{int:application_id}/scores",
    response={201: ScoreOut},
    url_name="grants_score_create",
)
def score_create(request: HttpRequest, application_id: int, payload: ScoreIn) -> Status[dict[str, Any]]:
    """A reviewer's score on one criterion (a draft until the review is submitted on the scoring page).
    Unassigned, recused or conflicted reviewers and missing ids alike: 403."""
    _require_ever(request, GrantsAction.SCORE_APPLICATION)
    application = selectors.application_to_score_for_url(pk=application_id)
    _require(request, GrantsAction.SCORE_APPLICATION, application)
    criterion = Criterion.objects.filter(pk=payload.criterion_id, round_id=application.round_id).first()
    if criterion is None:
        raise ValidationError({"criterion_id": "Not a criterion of this application's round."})
    score = services.score_record(
        application=application,
        reviewer=request.user,
        criterion=criterion,
        score=payload.score,
        comment=payload.comment,
    )
    return Status(
        201,
        {
            "id": score.pk,
            "criterion_id": criterion.pk,
            "score": score.score,
            "comment": score.comment,
            "reviewer": request.user.get_username(),
        },
    )


@router.get("/grants/awards", response=list[AwardOut], url_name="grants_award_list")
@paginate(CappedLimitOffsetPagination)
def award_list(request: HttpRequest) -> Any:
    _require(request, GrantsAction.VIEW_AWARDS)
    return selectors.award_list(user=request.user)


@router.get("/grants/awards/{int:award_id}", response=AwardDetailOut, url_name="grants_award_detail")
def award_detail(request: HttpRequest, award_id: int) -> Any:
    """The award: amount, its split by source (paid and held per share), the budget lines by category,
    paid, requested, remaining, its payment requests and reporting due dates."""
    _require_ever(request, GrantsAction.VIEW_AWARD)
    award = selectors.award_visible(user=request.user, pk=award_id)
    if award is None:
        raise _not_found_or_forbidden(request, sees_all=_sees_all_awards(request))
    _require(request, GrantsAction.VIEW_AWARD, award)
    detail = selectors.award_detail(award=award)
    out = _award_out(award)
    out["conditions"] = award.conditions
    out["split"] = [
        {
            "source_id": share.source_id,
            "source": share.source.name,
            "amount": share.amount,
            "paid": share.paid,
            "requested": share.requested,
            "explanation": share.explanation,
        }
        for share in detail.funding
    ]
    out["budget_lines"] = detail.budget_lines
    out["payment_requests"] = [_request_out(r) for r in detail.requests]
    out["report_due_dates"] = detail.report_due_dates
    return out


def _sees_all_awards(request: HttpRequest) -> bool:
    """State staff and viewers read every award (a missing id: 404); conveners only theirs (403)."""
    return user_role(request.user) != Role.CONVENER


@router.post(
    "/grants/awards/{int:award_id}/payments",
    response={201: PaymentRequestOut},
    url_name="grants_payment_create",
)
def payment_create(request: HttpRequest, award_id: int, payload: PaymentIn) -> Status[dict[str, Any]]:
    """A reimbursement request (expenditure lines by category) on an award: its convener or staff. It
    holds its amount against the award and its sources until declined; 422 naming ``amount`` when it would
    overspend either, whatever the number of requests arriving at once."""
    _require_ever(request, GrantsAction.REQUEST_PAYMENT)
    award = selectors.award_visible(user=request.user, pk=award_id)
    if award is None:
        raise _not_found_or_forbidden(
            request, sees_all=user_can(user=request.user, action=GrantsAction.MANAGE_FUNDING)
        )
    _require(request, GrantsAction.REQUEST_PAYMENT, award)
    created = services.payment_request_create(
        award=award,
        amount=payload.amount,
        lines=[(line.category, line.amount) for line in payload.lines],
        user=request.user,
        note=payload.note,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, _request_out(created))


class DecisionIn(Schema):
    decision: str = Field(..., pattern="^(approve|decline|pay)$")
    reason: str = ""
    paid_on: dt.date | None = None


@router.post(
    "/grants/payment-requests/{int:request_id}/decision",
    response=PaymentRequestOut,
    url_name="grants_payment_request_decide",
)
def payment_request_decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    """Staff approve, decline (``reason`` required) or pay (``paid_on``, default today) a payment request;
    a move its state does not allow is a 422 naming ``state``."""
    _require(request, GrantsAction.MANAGE_FUNDING)
    found = PaymentRequest.objects.filter(pk=request_id).first()
    if found is None:
        raise HttpError(404, "Not found.")
    if payload.decision == "approve":
        decided = services.payment_request_approve(request=found, user=request.user)
    elif payload.decision == "decline":
        decided = services.payment_request_decline(request=found, reason=payload.reason, user=request.user)
    else:
        decided = services.payment_request_pay(
            request=found, paid_on=payload.paid_on or timezone.localdate(), user=request.user
        )
    return _request_out(decided)
