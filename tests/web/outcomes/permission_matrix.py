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
    SIGNED_IN,
    STATE,
    Case,
    Fragment,
    each_partnership,
    partnership_a,
    partnership_b,
    posted,
)
from tests.web.personas import Personas

# Each test's records roll back, so years only need to differ within one test: cycle inside the model's
# 2000-2100 range (a plain counter ran past 2100 over the whole suite, and the API answered 422).
_years = itertools.cycle(range(2001, 2100))


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


def _record_of(kind: str, partnership: str) -> Callable[[Personas], dict[str, Any]]:
    """A custom indicator, systems change or testimonial of the partnership (the URL's ``item_pk``)."""

    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.outcomes.models import CustomIndicator, SystemsChange, Testimonial

        owner = getattr(p, partnership)
        if kind == "indicator":
            record: Any = CustomIndicator.objects.create(
                partnership=owner, name=f"Apprentices hired {next(_years)}", unit="apprentices", target=40
            )
        elif kind == "systems_change":
            record = SystemsChange.objects.create(
                partnership=owner, kind="credential", description="A new CNC credential at the college"
            )
        else:
            record = Testimonial.objects.create(
                partnership=owner, quote="It changed my life.", attributed_to="A participant"
            )
        return {"pk": owner.pk, "item_pk": record.pk}

    return kwargs


def _api_report_of(partnership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        from sectorwise.outcomes.models import ProgressReport

        report = ProgressReport.objects.create(
            partnership=getattr(p, partnership), year=next(_years), quarter=4
        )
        return {"report_id": report.pk}

    return kwargs


def _new_indicator(_: Personas) -> dict[str, Any]:
    return {
        "name": f"Employers adopting skills-based hiring {next(_years)}",
        "unit": "employers",
        "target": "12",
    }


def _new_systems_change(_: Personas) -> dict[str, Any]:
    return {"kind": "hr_practice", "description": "Dropped the degree requirement for technicians"}


def _testimonial_form(_: Personas) -> dict[str, Any]:
    return {"quote": "Better hires, fewer quits.", "attributed_to": "HR director", "consent_on": ""}


ROUTES: Fragment = {
    "outcomes:partnership_outcomes": each_partnership(EVERYONE),
    "outcomes:participant_list": each_partnership(),
    "outcomes:participant_create": each_partnership(),
    "outcomes:report_list": each_partnership(),
    "outcomes:report_create": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        posted(CAN_CHANGE_B, partnership_b, _new_report),
    ],
    "outcomes:report_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_draft_of("partnership_a")),
        posted(CAN_CHANGE_B, _draft_of("partnership_b"), _report_form),
    ],
    "outcomes:report_amend": [
        posted(CAN_CHANGE_A, _submitted_of("partnership_a")),
    ],
    "outcomes:import": [Case(allowed=STATE)],
    # Wage records, WIOA indicators (public aggregates), PIRL export (participant-level, logged)
    "outcomes:partnership_wioa": each_partnership(EVERYONE),
    "outcomes:pirl_export": [
        Case(allowed=CAN_CHANGE_A, kwargs=lambda p: {"pk": p.partnership_a.pk, "file_format": "csv"}),
        Case(allowed=CAN_CHANGE_B, kwargs=lambda p: {"pk": p.partnership_b.pk, "file_format": "xlsx"}),
    ],
    "outcomes:wages_import": [Case(allowed=STATE)],
    # Record pages, the progress import, the portfolio (record_views, portfolio)
    "outcomes:portfolio": [Case(allowed=STATE | {"viewer"})],
    "outcomes:progress_import": each_partnership(),
    "outcomes:report_indicator_values": [Case(allowed=CAN_CHANGE_A, kwargs=_draft_of("partnership_a"))],
    "outcomes:report_history": [Case(allowed=CAN_CHANGE_B, kwargs=_draft_of("partnership_b"))],
    "outcomes:indicator_list": each_partnership(),
    "outcomes:indicator_create": [
        Case(allowed=STATE, kwargs=partnership_b),
        posted(STATE, partnership_a, _new_indicator),
    ],
    "outcomes:indicator_edit": [Case(allowed=STATE, kwargs=_record_of("indicator", "partnership_a"))],
    "outcomes:indicator_history": [
        Case(allowed=CAN_CHANGE_B, kwargs=_record_of("indicator", "partnership_b"))
    ],
    "outcomes:systems_change_list": each_partnership(),
    "outcomes:systems_change_create": [
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
        posted(CAN_CHANGE_A, partnership_a, _new_systems_change),
    ],
    "outcomes:systems_change_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=_record_of("systems_change", "partnership_a"))
    ],
    "outcomes:systems_change_verify": [posted(STATE, _record_of("systems_change", "partnership_b"))],
    "outcomes:systems_change_history": [
        Case(allowed=CAN_CHANGE_B, kwargs=_record_of("systems_change", "partnership_b"))
    ],
    "outcomes:testimonial_list": each_partnership(),
    "outcomes:testimonial_create": [Case(allowed=CAN_CHANGE_A, kwargs=partnership_a)],
    "outcomes:testimonial_edit": [
        Case(allowed=CAN_CHANGE_B, kwargs=_record_of("testimonial", "partnership_b")),
        posted(CAN_CHANGE_A, _record_of("testimonial", "partnership_a"), _testimonial_form),
    ],
    "outcomes:testimonial_history": [
        Case(allowed=CAN_CHANGE_A, kwargs=_record_of("testimonial", "partnership_a"))
    ],
    # The API (outcomes/api.py): anonymous callers get 401 from the API's authentication
    "api:outcomes_summary": [
        Case(allowed=SIGNED_IN, kwargs=lambda p: {"partnership_id": p.partnership_a.pk}),
        Case(allowed=SIGNED_IN, kwargs=lambda p: {"partnership_id": p.partnership_b.pk}),
    ],
    "api:outcomes_progress_report_list": [
        Case(allowed=CAN_CHANGE_A | {"viewer"}, kwargs=lambda p: {"partnership_id": p.partnership_a.pk}),
        Case(allowed=CAN_CHANGE_B | {"viewer"}, kwargs=lambda p: {"partnership_id": p.partnership_b.pk}),
    ],
    "api:outcomes_progress_report_detail": [
        Case(allowed=CAN_CHANGE_B | {"viewer"}, kwargs=_api_report_of("partnership_b")),
    ],
    "api:outcomes_progress_report_create": [
        Case(
            allowed=CAN_CHANGE_A,
            kwargs=lambda p: {"partnership_id": p.partnership_a.pk},
            method="post",
            data=_new_report,
            allowed_status=frozenset({201}),
        ),
    ],
}

ADMIN_ROUTE_ALLOWED = {
    "admin:outcomes_participantaccesslog_changelist": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_change": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_history": ADMIN_ONLY,
    "admin:outcomes_participantaccesslog_add": NOBODY,
    "admin:outcomes_participantaccesslog_delete": NOBODY,
}
