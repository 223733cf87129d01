"""The planning app's rows of the permission matrix.

Every role reads every partnership's planning pages; a partnership's convener and state staff write its
self-assessments, action plan and sustainability funding (the other partnership's convener is refused); only
state staff review self-assessments; anonymous visitors and signed-in users without a role see nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from tests.web.matrix_cases import (
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    NOBODY,
    STATE,
    WITH_ROLE,
    Case,
    Fragment,
    each_partnership,
    partnership_a,
    partnership_b,
    posted,
)
from tests.web.personas import Personas

_numbers = itertools.count(1)
ALL_TWOS = {"employer_leadership": 2, "shared_priorities": 2, "action_plan": 2, "staffing": 2}
ALL_TWOS |= {"funding_beyond_state": 2, "data_use": 2}


def _assessment_of(partnership: str, *, submitted: bool) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.planning import services
        from sectorwise.planning.rubric import Indicator

        owner = getattr(p, partnership)
        assessment = services.assessment_create(
            partnership=owner,
            assessed_on=dt.date(2024, 1, 1) + dt.timedelta(days=next(_numbers)),
            scores={indicator: 2 for indicator in Indicator},
        )
        if submitted:
            services.assessment_submit(assessment=assessment, user=None)
        return {"pk": owner.pk, "assessment_pk": assessment.pk}

    return kwargs


def _priority_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.planning import services

        owner = getattr(p, partnership)
        priority = services.priority_create(partnership=owner, title=f"Shared problem {next(_numbers)}")
        return {"pk": owner.pk, "priority_pk": priority.pk}

    return kwargs


def _initiative_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.planning import services

        owner = getattr(p, partnership)
        member = p.membership_a if partnership == "partnership_a" else p.membership_b
        priority = services.priority_create(partnership=owner, title=f"Problem {next(_numbers)}")
        initiative = services.initiative_create(
            priority=priority, values={"title": "Pilot"}, owners=[member.organization]
        )
        return {"pk": owner.pk, "initiative_pk": initiative.pk}

    return kwargs


def _funding_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.planning import services

        owner = getattr(p, partnership)
        funding = services.sustainability_funding_create(partnership=owner, values=_FUNDING_VALUES)
        return {"pk": owner.pk, "funding_pk": funding.pk}

    return kwargs


_FUNDING_VALUES = {
    "source_name": "Community Foundation",
    "kind": "philanthropy",
    "amount": "12500.00",
    "period_start": "2024-07-01",
    "period_end": "2025-06-30",
}


def _new_assessment(_: Personas) -> dict[str, Any]:
    return {"assessed_on": f"2023-{next(_numbers) % 12 + 1:02d}-01", "save": "1", **ALL_TWOS}


def _review(_: Personas) -> dict[str, Any]:
    return {**ALL_TWOS, "review_comment": "Agreed."}


def _new_priority(_: Personas) -> dict[str, Any]:
    return {"title": f"Posted problem {next(_numbers)}"}


def _ranking_b(p: Personas) -> dict[str, Any]:
    return {f"importance_{p.membership_b.pk}": "4", f"feasibility_{p.membership_b.pk}": "3"}


def _initiative_b(p: Personas) -> dict[str, Any]:
    return {"title": "Bridge course", "owners": [p.membership_b.organization.pk], "status": "planned"}


ROUTES: Fragment = {
    "planning:review_queue": [Case(allowed=STATE)],
    "planning:maturity": each_partnership(WITH_ROLE),
    "planning:assessment_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        posted(CAN_CHANGE_B, partnership_b, _new_assessment),
    ],
    "planning:assessment_detail": [
        Case(allowed=WITH_ROLE, kwargs=_assessment_of("partnership_a", submitted=False)),
    ],
    "planning:assessment_history": [
        Case(allowed=WITH_ROLE, kwargs=_assessment_of("partnership_b", submitted=True)),
    ],
    "planning:assessment_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_assessment_of("partnership_a", submitted=False)),
        posted(CAN_CHANGE_B, _assessment_of("partnership_b", submitted=False), _new_assessment),
    ],
    "planning:assessment_review": [
        Case(allowed=STATE, kwargs=_assessment_of("partnership_a", submitted=True)),
        posted(STATE, _assessment_of("partnership_b", submitted=True), _review),
    ],
    "planning:action_plan": each_partnership(WITH_ROLE),
    "planning:priority_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        posted(CAN_CHANGE_B, partnership_b, _new_priority),
    ],
    "planning:priority_rank": [
        Case(allowed=CAN_CHANGE_A, kwargs=_priority_of("partnership_a")),
        posted(CAN_CHANGE_B, _priority_of("partnership_b"), _ranking_b),
    ],
    "planning:initiative_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=_priority_of("partnership_a")),
        posted(CAN_CHANGE_B, _priority_of("partnership_b"), _initiative_b),
    ],
    "planning:initiative_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_initiative_of("partnership_a")),
        posted(CAN_CHANGE_B, _initiative_of("partnership_b"), _initiative_b),
    ],
    "planning:seed_from_survey": [
        posted(CAN_CHANGE_A, partnership_a),
    ],
    "planning:sustainability": each_partnership(WITH_ROLE),
    "planning:funding_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        posted(CAN_CHANGE_B, partnership_b, lambda _: _FUNDING_VALUES),
    ],
    "planning:funding_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_funding_of("partnership_a")),
        posted(CAN_CHANGE_B, _funding_of("partnership_b"), lambda _: _FUNDING_VALUES),
    ],
}

# The admin (planning.admin): read-only, nothing deletable (scores, reviews, rankings, money).
_ADMIN_MODELS = ("selfassessment", "priority", "initiative", "sustainabilityfunding")
ADMIN_ROUTE_ALLOWED = {
    f"admin:planning_{model}_{view}": NOBODY for model in _ADMIN_MODELS for view in ("add", "delete")
}
