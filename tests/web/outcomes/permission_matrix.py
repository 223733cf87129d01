"""The outcomes app's rows of the permission matrix.

Aggregates are public; participant-level pages are state staff's and the partnership's convener's only (each
read logged); progress reports are written by the same; imports are state staff's; the access log in the
admin is the state administrator's alone, read-only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.web.matrix_cases import (
    ADMIN_ONLY,
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    EVERYONE,
    NOBODY,
    REDIRECTED,
    STATE,
    Case,
    Fragment,
    partnership_a,
    partnership_b,
)
from tests.web.personas import Personas

_years = itertools.count(2001)


_COUNTS = {
    "employers_engaged": 3,
    "workers_enrolled": 10,
    "workers_completed": 8,
    "workers_credentialed": 6,
    "workers_placed": 5,
    "wages_at_placement": "21.50",
}


def _new_report(_: Personas) -> dict[str, Any]:
    return {"year": next(_years), "quarter": 1, **_COUNTS}


def _draft_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.outcomes.models import ProgressReport

        owner = getattr(p, partnership)
        report = ProgressReport.objects.create(partnership=owner, year=next(_years), quarter=2)
        return {"pk": owner.pk, "report_pk": report.pk}

    return kwargs


def _submitted_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.outcomes.models import ProgressReport, ReportStatus

        owner = getattr(p, partnership)
        report = ProgressReport.objects.create(
            partnership=owner, year=next(_years), quarter=3, status=ReportStatus.SUBMITTED
        )
        return {"pk": owner.pk, "report_pk": report.pk}

    return kwargs


def _report_form(_: Personas) -> dict[str, Any]:
    return {**_COUNTS, "save": "1"}


ROUTES: Fragment = {
    "outcomes:partnership_outcomes": [
        Case(allowed=EVERYONE, kwargs=partnership_a),
        Case(allowed=EVERYONE, kwargs=partnership_b),
    ],
    "outcomes:participant_list": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
    ],
    "outcomes:participant_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
    ],
    "outcomes:report_list": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
    ],
    "outcomes:report_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(
            allowed=CAN_CHANGE_B,
            kwargs=partnership_b,
            method="post",
            data=_new_report,
            allowed_status=REDIRECTED,
        ),
    ],
    "outcomes:report_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_draft_of("partnership_a")),
        Case(
            allowed=CAN_CHANGE_B,
            kwargs=_draft_of("partnership_b"),
            method="post",
            data=_report_form,
            allowed_status=REDIRECTED,
        ),
    ],
    "outcomes:report_amend": [
        Case(
            allowed=CAN_CHANGE_A,
            kwargs=_submitted_of("partnership_a"),
            method="post",
            allowed_status=REDIRECTED,
        ),
    ],
    "outcomes:import": [Case(allowed=STATE)],
}

ADMIN_ROUTE_ALLOWED = {
    "admin:outcomes_participantaccesslog_changelist": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_change": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_history": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_add": NOBODY,
    "admin:outcomes_participantaccesslog_delete": NOBODY,
}
