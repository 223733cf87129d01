"""The capacity app's rows of the permission matrix.

One capacity world per test (built through the services on first use, kept on the personas): a public and
an internal upcoming event, a past workshop convener_a registered for and attended, an upcoming one it is
registered for, partnership A's open TA request and an engagement serving A with a follow-up, a learning
network, a public and an internal resource file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from tests.web.matrix_cases import (
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    EVERYONE,
    NOBODY,
    REDIRECTED,
    STATE,
    WITH_ROLE,
    Case,
    Fragment,
)
from tests.web.personas import Personas

_serial = itertools.count()
PDF = b"%PDF-1.4\n%%EOF\n"


def _world(p: Personas) -> dict[str, Any]:
    cached: dict[str, Any] | None = getattr(p, "_capacity_world", None)
    if cached is not None:
        return cached
    from sectorwise.capacity import services
    from sectorwise.capacity.models import EventKind
    from tests.web.capacity.factories import make_event, move_back

    public = make_event(title="Public workshop", capacity=100, is_public=True)
    internal = make_event(title="Conveners only", capacity=100, is_public=False)
    past = make_event(title="Past workshop", capacity=10)
    attended = services.event_register(event=past, user=p.convener_a, partnership=p.partnership_a)
    absent = services.event_register(event=past, user=p.convener_b)
    move_back(past, days_ago=2)
    services.attendance_record(event=past, attended_ids=[attended.pk])
    upcoming = services.event_register(event=internal, user=p.convener_a)
    request = services.ta_request_create(
        partnership=p.partnership_a, topic="evaluation", description="Help with wage data.", user=p.convener_a
    )
    engagement = services.ta_engagement_create(
        title="Evaluation coaching",
        topic="evaluation",
        partnerships=[p.partnership_a],
        starts_on=dt.date(2025, 3, 1),
        hours=Decimal("4.00"),
        provider_user=p.staff,
    )
    follow_up = services.ta_follow_up_add(
        engagement=engagement, description="Call", due_on=dt.date(2025, 4, 1)
    )
    network = services.learning_network_create(
        name="Conveners' circle", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    services.network_member_add(network=network, partnership=p.partnership_a)
    make_event(title="Session 1", kind=EventKind.NETWORK_SESSION, learning_network=network, is_public=False)
    public_file = services.resource_create(
        title="Toolkit", kind="toolkit", audience="conveners", is_public=True, file_name="t.pdf", content=PDF
    )
    internal_file = services.resource_create(
        title="Template", kind="template", audience="conveners", file_name="t.pdf", content=PDF
    )
    cached = {
        "public": public.pk,
        "internal": internal.pk,
        "attended": attended.pk,
        "absent": absent.pk,
        "upcoming": upcoming.pk,
        "request": request.pk,
        "engagement": engagement.pk,
        "follow_up": follow_up.pk,
        "network": network.pk,
        "public_file": public_file.pk,
        "internal_file": internal_file.pk,
    }
    p._capacity_world = cached  # type: ignore[attr-defined]  # cached on the personas of one test
    return cached


def _pk(key: str) -> Any:
    return lambda p: {"pk": _world(p)[key]}


def _email(p: Personas) -> dict[str, str]:
    return {"name": "Visitor", "email": f"visitor{next(_serial)}@example.org"}


def _person(p: Personas) -> dict[str, Any]:
    from tests.web.factories import PersonFactory

    return {"staff-person": PersonFactory().pk}


def _new_member(p: Personas) -> dict[str, Any]:
    from tests.web.factories import PartnershipFactory

    return {"partnership": PartnershipFactory().pk, "role": "convener"}


CONVENER_A_AND_STATE = STATE | {"convener_a"}
READERS = STATE | {"viewer", "reviewer"}

ROUTES: Fragment = {
    "capacity:ta_list": [Case(allowed=WITH_ROLE)],
    "capacity:ta_engagement_create": [Case(allowed=STATE)],
    "capacity:ta_engagement_detail": [Case(allowed=READERS | {"convener_a"}, kwargs=_pk("engagement"))],
    "capacity:ta_engagement_update": [
        Case(
            allowed=STATE,
            kwargs=_pk("engagement"),
            method="post",
            data=lambda p: {"hours": "5.5", "ends_on": "", "notes": "more"},
            allowed_status=REDIRECTED,
        )
    ],
    "capacity:ta_follow_up_add": [
        Case(
            allowed=STATE,
            kwargs=_pk("engagement"),
            method="post",
            data=lambda p: {"description": "Send notes", "due_on": "2025-05-01"},
            allowed_status=REDIRECTED,
        )
    ],
    "capacity:ta_follow_up_done": [
        Case(allowed=STATE, kwargs=_pk("follow_up"), method="post", allowed_status=REDIRECTED)
    ],
    "capacity:ta_request_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=lambda p: {"pk": p.partnership_a.pk}),
        Case(allowed=CAN_CHANGE_B, kwargs=lambda p: {"pk": p.partnership_b.pk}),
    ],
    "capacity:ta_request_decline": [
        Case(allowed=STATE, kwargs=_pk("request"), method="post", allowed_status=REDIRECTED)
    ],
    "capacity:event_list": [Case(allowed=EVERYONE)],
    "capacity:event_create": [Case(allowed=STATE)],
    "capacity:event_detail": [
        Case(allowed=EVERYONE, kwargs=_pk("public")),
        Case(allowed=WITH_ROLE, kwargs=_pk("internal"), note="not public: roles only"),
    ],
    "capacity:event_ics": [
        Case(allowed=EVERYONE, kwargs=_pk("public")),
        Case(allowed=WITH_ROLE, kwargs=_pk("internal")),
    ],
    "capacity:event_register_self": [
        Case(allowed=WITH_ROLE, kwargs=_pk("public"), method="post", allowed_status=REDIRECTED)
    ],
    "capacity:event_register_email": [
        Case(allowed=EVERYONE, kwargs=_pk("public"), method="post", data=_email, allowed_status=REDIRECTED),
        Case(
            allowed=WITH_ROLE, kwargs=_pk("internal"), method="post", data=_email, allowed_status=REDIRECTED
        ),
    ],
    "capacity:event_register_person": [
        Case(allowed=STATE, kwargs=_pk("public"), method="post", data=_person, allowed_status=REDIRECTED)
    ],
    "capacity:event_edit": [Case(allowed=STATE, kwargs=_pk("public"))],
    "capacity:event_roster": [Case(allowed=STATE, kwargs=_pk("public"))],
    "capacity:registration_cancel": [
        Case(
            allowed=CONVENER_A_AND_STATE,
            kwargs=_pk("upcoming"),
            method="post",
            allowed_status=REDIRECTED,
            note="convener_a's own registration",
        )
    ],
    "capacity:registration_certificate": [
        Case(allowed=CONVENER_A_AND_STATE, kwargs=_pk("attended"), note="convener_a attended"),
        Case(allowed=NOBODY, kwargs=_pk("absent"), note="convener_b did not attend: no certificate"),
    ],
    "capacity:network_list": [Case(allowed=WITH_ROLE)],
    "capacity:network_detail": [Case(allowed=WITH_ROLE, kwargs=_pk("network"))],
    "capacity:network_create": [Case(allowed=STATE)],
    "capacity:network_member_add": [
        Case(
            allowed=STATE,
            kwargs=_pk("network"),
            method="post",
            data=_new_member,
            allowed_status=REDIRECTED,
        )
    ],
    "capacity:resource_list": [Case(allowed=EVERYONE)],
    "capacity:resource_create": [Case(allowed=STATE)],
    "capacity:resource_download": [
        Case(allowed=EVERYONE, kwargs=_pk("public_file")),
        Case(allowed=WITH_ROLE, kwargs=_pk("internal_file")),
    ],
}

# The admin (capacity.admin): read-only; only a library resource is deletable (by the state administrator).
_ADMIN_MODELS = ("tarequest", "taengagement", "learningnetwork", "event", "registration", "resource")
ADMIN_ROUTE_ALLOWED = {f"admin:capacity_{model}_add": NOBODY for model in _ADMIN_MODELS} | {
    f"admin:capacity_{model}_delete": NOBODY for model in _ADMIN_MODELS if model != "resource"
}
