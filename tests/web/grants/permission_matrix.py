"""The grants app's rows of the permission matrix.

One grants world per test (built through the services on first use and kept on the personas): a planning
round, closed into review; partnership A's application still a draft, B's submitted, assigned to the
reviewer and awarded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.web.matrix_cases import CONVENERS_AND_STATE, EVERYONE, NOBODY, STATE, Case, Fragment
from tests.web.personas import Personas

ROUND_READERS = STATE | {"convener_a", "convener_b", "reviewer"}
AWARD_READERS = CONVENERS_AND_STATE | {"viewer"}


def _world(p: Personas) -> dict[str, Any]:
    cached: dict[str, Any] | None = getattr(p, "_grants_world", None)
    if cached is not None:
        return cached
    from sectorwise.grants import services
    from tests.web.grants.factories import complete_draft, grants_world

    world = grants_world()
    draft = services.application_create(
        grant_round=world.round, partnership=p.partnership_a, user=p.convener_a
    )
    submitted = complete_draft(grant_round=world.round, partnership=p.partnership_b, user=p.convener_b)
    services.application_submit(application=submitted)
    services.round_close(grant_round=world.round)
    services.review_assign(application=submitted, reviewers=[p.reviewer])
    award = services.award_create(
        application=submitted,
        amount=Decimal("90000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    request = services.payment_request_create(
        award=award, amount=Decimal("500.00"), lines=[("personnel", Decimal("500.00"))], user=p.convener_b
    )
    from sectorwise.grants.models import Attachment

    attachment = Attachment.objects.create(
        application=submitted,
        kind="other",
        file_name="plan.pdf",
        content_type="application/pdf",
        file_size=9,
        content=b"%PDF-1.4\n",
    )
    cached = {
        "attachment": attachment.pk,
        "source": world.source.pk,
        "request": request.pk,
        "round": world.round.pk,
        "program": world.program.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "award": award.pk,
        "criterion": world.round.criteria.order_by("pk").first().pk,  # type: ignore[union-attr]  # a rubric
    }
    p._grants_world = cached  # type: ignore[attr-defined]
    return cached


def _pk(key: str) -> Any:
    return lambda p: {"pk": _world(p)[key]}


def _fmt(fmt: str) -> Any:
    return lambda p: {"fmt": fmt}


ROUTES: Fragment = {
    "grants:round_list": [Case(allowed=ROUND_READERS)],
    "grants:round_detail": [Case(allowed=STATE, kwargs=_pk("round"))],
    "grants:application_create": [Case(allowed=frozenset({"convener_a", "convener_b"}), kwargs=_pk("round"))],
    "grants:funding_source_list": [Case(allowed=STATE)],
    "grants:application_edit": [
        Case(allowed=frozenset({"convener_a"}), kwargs=_pk("draft")),
        Case(allowed=NOBODY, kwargs=_pk("submitted"), note="submitted: read-only for everyone"),
    ],
    "grants:application_score": [
        Case(allowed=frozenset({"reviewer"}), kwargs=_pk("submitted")),
        Case(allowed=NOBODY, kwargs=_pk("draft"), note="not assigned to anyone"),
    ],
    "grants:application_export": [
        Case(allowed=STATE, kwargs=_fmt("csv")),
        Case(allowed=STATE, kwargs=_fmt("xlsx")),
    ],
    "grants:award_list": [Case(allowed=AWARD_READERS)],
    "grants:award_detail": [Case(allowed=STATE | {"viewer", "convener_b"}, kwargs=_pk("award"))],
    "grants:award_export": [
        Case(allowed=AWARD_READERS, kwargs=_fmt("csv")),
        Case(allowed=AWARD_READERS, kwargs=_fmt("xlsx")),
    ],
}


def _application(key: str) -> Any:
    return lambda p: {"application_id": _world(p)[key]}


def _award(p: Personas) -> dict[str, Any]:
    return {"award_id": _world(p)["award"]}


def _score(p: Personas) -> dict[str, Any]:
    return {"criterion_id": _world(p)["criterion"], "score": 3, "comment": "Sound evidence."}


def _payment(_: Personas) -> dict[str, Any]:
    return {"amount": "10.00", "lines": [{"category": "personnel", "amount": "10.00"}]}


APPLICATION_READERS = CONVENERS_AND_STATE | {"reviewer"}

API: Fragment = {
    "api:grants_program_list": [Case(allowed=ROUND_READERS)],
    "api:grants_application_list": [Case(allowed=APPLICATION_READERS)],
    "api:grants_application_detail": [
        Case(allowed=STATE | {"convener_a"}, kwargs=_application("draft"), note="A's draft"),
        Case(allowed=STATE | {"convener_b", "reviewer"}, kwargs=_application("submitted")),
    ],
    "api:grants_score_create": [
        Case(
            allowed=frozenset({"reviewer"}),
            method="post",
            kwargs=_application("submitted"),
            data=_score,
            allowed_status=frozenset({201}),
        ),
        Case(
            allowed=NOBODY,
            method="post",
            kwargs=_application("draft"),
            data=_score,
            note="assigned to no one",
        ),
    ],
    "api:grants_award_list": [Case(allowed=AWARD_READERS)],
    "api:grants_award_detail": [Case(allowed=STATE | {"viewer", "convener_b"}, kwargs=_award)],
    "api:grants_payment_request_decide": [
        Case(
            allowed=STATE,
            method="post",
            kwargs=lambda p: {"request_id": _world(p)["request"]},
            data=lambda _: {"decision": "approve"},
            allowed_status=frozenset({200, 422}),
            note="the second staff persona finds it approved already: 422 naming the state",
        )
    ],
    "api:grants_payment_create": [
        Case(
            allowed=STATE | {"convener_b"},
            method="post",
            kwargs=_award,
            data=_payment,
            allowed_status=frozenset({201}),
        )
    ],
}

REDIRECTED = frozenset({302})

PAGES: Fragment = {
    "grants:round_assign": [Case(allowed=STATE, kwargs=_pk("round"))],
    "grants:round_recommend": [
        Case(allowed=STATE, method="post", kwargs=_pk("round"), data=lambda _: {}, allowed_status=REDIRECTED)
    ],
    "grants:payment_request_create": [Case(allowed=STATE | {"convener_b"}, kwargs=_pk("award"))],
    "grants:payment_request_decide": [
        Case(
            allowed=STATE,
            method="post",
            kwargs=_pk("request"),
            data=lambda _: {"decision": "approve"},
            allowed_status=REDIRECTED,
        )
    ],
    "grants:award_close": [
        Case(allowed=STATE, method="post", kwargs=_pk("award"), data=lambda _: {}, allowed_status=REDIRECTED)
    ],
    "grants:public_awards": [Case(allowed=EVERYONE)],
    "grants:decision_letter": [
        Case(allowed=STATE | {"convener_b"}, kwargs=_pk("submitted"), note="awarded: its letter"),
    ],
    "grants:notification_settings": [Case(allowed=EVERYONE - {"anonymous", "outsider"})],
    "grants:application_generate_assessment": [
        Case(
            allowed=frozenset({"convener_a"}),
            method="post",
            kwargs=_pk("draft"),
            data=lambda _: {},
            allowed_status=REDIRECTED,
            note="no warehouse in the matrix: the refusal is a message",
        ),
        Case(allowed=NOBODY, method="post", kwargs=_pk("submitted"), data=lambda _: {}),
    ],
    "grants:application_decide": [
        Case(
            allowed=STATE,
            method="post",
            kwargs=_pk("submitted"),
            data=lambda _: {"decision": "award"},
            allowed_status=REDIRECTED,
            note="already awarded: the refusal is a message",
        )
    ],
    "grants:score_export": [
        Case(allowed=STATE, kwargs=_fmt("csv")),
        Case(allowed=STATE, kwargs=_fmt("xlsx")),
    ],
    "grants:payment_export": [
        Case(allowed=AWARD_READERS, kwargs=_fmt("csv")),
        Case(allowed=AWARD_READERS, kwargs=_fmt("xlsx")),
    ],
    "grants:application_attachments": [
        Case(allowed=frozenset({"convener_a"}), kwargs=_pk("draft")),
        Case(allowed=NOBODY, kwargs=_pk("submitted"), note="submitted: attachments locked"),
    ],
    "grants:attachment_download": [
        Case(
            allowed=STATE | {"convener_b", "reviewer"},
            kwargs=lambda p: {"pk": _world(p)["submitted"], "attachment_pk": _world(p)["attachment"]},
        )
    ],
}

SETUP: Fragment = {
    # grants.setup_views: state staff set up sources, programs, pledges and rounds, and move rounds.
    "grants:funding_source_create": [
        Case(allowed=STATE),
        Case(
            allowed=STATE,
            method="post",
            data=lambda _: {"name": "", "system": "workforce", "fiscal_year": "2026", "amount": "-5"},
            note="a bad form: its errors on the page (200), nothing made",
        ),
    ],
    "grants:program_list": [Case(allowed=STATE)],
    "grants:program_create": [Case(allowed=STATE)],
    "grants:program_detail": [Case(allowed=STATE, kwargs=_pk("program"))],
    "grants:program_contribute": [
        Case(allowed=STATE, kwargs=_pk("program")),
        Case(
            allowed=STATE,
            method="post",
            kwargs=_pk("program"),
            data=lambda p: {"source": _world(p)["source"], "amount": "250000.00"},
            allowed_status=REDIRECTED,
            note="within the source's balance and what the program's award drew",
        ),
    ],
    "grants:round_create": [Case(allowed=STATE, kwargs=_pk("program"))],
    "grants:round_open": [
        Case(allowed=STATE, kwargs=_pk("round"), note="the confirmation page"),
        Case(allowed=STATE, method="post", kwargs=_pk("round"), data=lambda _: {}, note="unconfirmed: asks"),
    ],
    "grants:round_close": [Case(allowed=STATE, kwargs=_pk("round"))],
    "grants:round_review_close": [
        Case(allowed=STATE, kwargs=_pk("round")),
        Case(
            allowed=STATE,
            method="post",
            kwargs=_pk("round"),
            data=lambda _: {"confirmed": "yes"},
            allowed_status=REDIRECTED,
            note="the round is in review: closed by the first, a message for the second",
        ),
    ],
}

ROUTES.update(API)
ROUTES.update(PAGES)
ROUTES.update(SETUP)

# The admin (grants.admin): every grants record is read-only there and none is deletable, not even by the
# state administrator (money, scores and decisions move only through grants.services).
_ADMIN_MODELS = (
    "fundingsource",
    "grantprogram",
    "round",
    "application",
    "review",
    "conflictofinterest",
    "award",
    "paymentrequest",
    "payment",
)
ADMIN_ROUTE_ALLOWED = {
    f"admin:grants_{model}_{view}": NOBODY for model in _ADMIN_MODELS for view in ("add", "delete")
}
