"""The surveys app's rows of the permission matrix.

State staff and the partnership's convener manage its surveys (create, questions, open, close, invite,
export); the aggregate results are theirs and viewers'; the answer page is every visitor's, but only with a
valid one-use token (an unknown token answers 404, a used or expired one 410, to everyone alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.web.matrix_cases import (
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    CONVENERS_AND_STATE,
    EVERYONE,
    NOBODY,
    STATE,
    Case,
    Fragment,
    partnership_a,
    partnership_b,
    posted,
)
from tests.web.personas import Personas

RESULTS_A = STATE | {"viewer", "convener_a"}
RESULTS_B = STATE | {"viewer", "convener_b"}


def _survey(p: Personas, partnership: str, status: str) -> Any:
    from django.utils import timezone

    from sectorwise.surveys.models import Survey

    today = timezone.localdate()
    return Survey.objects.create(
        partnership=getattr(p, partnership),
        title="Employer survey",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        status=status,
    )


def _survey_of(partnership: str, status: str = "open", **extra: Any) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        return {"survey_pk": _survey(p, partnership, status).pk, **extra}

    return kwargs


def _invitation(p: Personas, *, token: str, used: bool = False) -> Any:
    from django.utils import timezone

    from sectorwise.surveys.models import Invitation
    from sectorwise.surveys.services import link_expiry, token_hash

    survey = _survey(p, "partnership_a", "open")
    return Invitation.objects.create(
        survey=survey,
        person=p.contact_a,
        organization=p.employer_a,
        email=p.contact_a.email,
        token_hash=token_hash(token),
        expires_at=link_expiry(survey.closes_on),
        used_at=timezone.now() if used else None,
    )


def _resend_kwargs(p: Personas) -> dict[str, Any]:
    import secrets

    invitation = _invitation(p, token=secrets.token_urlsafe(32))
    return {"survey_pk": invitation.survey_id, "invitation_pk": invitation.pk}


def _token_kwargs(*, used: bool) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        import secrets

        token = secrets.token_urlsafe(32)
        _invitation(p, token=token, used=used)
        return {"token": token}

    return kwargs


def _new_survey(_: Personas) -> dict[str, Any]:
    return {
        "title": "Employer survey 2026",
        "period": "2026",
        "opens_on": "2026-01-05",
        "closes_on": "2026-02-05",
    }


def _new_question(_: Personas) -> dict[str, Any]:
    return {"text": "Would you host an apprentice?", "kind": "choice", "choices": "Yes\nNo\nMaybe"}


ROUTES: Fragment = {
    "surveys:survey_list": [Case(allowed=CONVENERS_AND_STATE | {"viewer"})],
    "surveys:partnership_surveys": [
        Case(allowed=RESULTS_A, kwargs=partnership_a),
        Case(allowed=RESULTS_B, kwargs=partnership_b),
    ],
    "surveys:survey_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        posted(CAN_CHANGE_B, partnership_b, _new_survey),
    ],
    "surveys:survey_detail": [
        Case(allowed=CAN_CHANGE_A, kwargs=_survey_of("partnership_a")),
        Case(allowed=CAN_CHANGE_B, kwargs=_survey_of("partnership_b", "closed")),
    ],
    "surveys:survey_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_survey_of("partnership_a", "draft")),
        Case(allowed=CAN_CHANGE_B, kwargs=_survey_of("partnership_b")),
    ],
    "surveys:question_add": [
        Case(allowed=CAN_CHANGE_A, kwargs=_survey_of("partnership_a", "draft")),
        posted(CAN_CHANGE_B, _survey_of("partnership_b", "draft"), _new_question),
    ],
    "surveys:survey_open": [
        posted(CAN_CHANGE_A, _survey_of("partnership_a", "draft")),
    ],
    "surveys:survey_close": [
        posted(CAN_CHANGE_B, _survey_of("partnership_b")),
    ],
    "surveys:invitation_send": [
        Case(allowed=CAN_CHANGE_A, kwargs=_survey_of("partnership_a")),
        Case(allowed=CAN_CHANGE_B, kwargs=_survey_of("partnership_b")),
    ],
    "surveys:invitation_resend": [
        posted(CAN_CHANGE_A, _resend_kwargs),
    ],
    "surveys:survey_results": [
        Case(allowed=RESULTS_A, kwargs=_survey_of("partnership_a")),
        Case(allowed=RESULTS_B, kwargs=_survey_of("partnership_b", "closed")),
    ],
    "surveys:survey_export": [
        Case(allowed=CAN_CHANGE_A, kwargs=_survey_of("partnership_a", fmt="csv")),
        Case(allowed=CAN_CHANGE_B, kwargs=_survey_of("partnership_b", fmt="xlsx")),
    ],
    "surveys:answer": [
        Case(allowed=EVERYONE, kwargs=_token_kwargs(used=False), note="a valid one-use token"),
        Case(
            allowed=EVERYONE,
            kwargs=_token_kwargs(used=True),
            allowed_status=frozenset({410}),
            note="a used token: gone, for everyone",
        ),
        Case(
            allowed=EVERYONE,
            kwargs=lambda _: {"token": "not-a-token-anyone-was-given"},
            allowed_status=frozenset({404}),
            note="an unknown token",
        ),
    ],
}

# The admin (surveys.admin): read-only, nothing deletable (responses are employers' answers).
_ADMIN_MODELS = ("survey", "invitation", "response")
ADMIN_ROUTE_ALLOWED = {
    f"admin:surveys_{model}_{view}": NOBODY for model in _ADMIN_MODELS for view in ("add", "delete")
}
